"""WTForms for the webinar pages. Shape checks only; the rules live in services."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import timezone_choices


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebinarForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=20000)],
        description="Markdown: **bold**, *italic*, lists, links.",
    )
    starts_local = DateTimeLocalField(
        "Starts at (in the display time zone)",
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(message="Enter the date and time.")],
    )
    timezone = SelectField(
        "Display time zone",
        validators=[DataRequired()],
        description="The start is read in this zone; each viewer also sees it in their own.",
    )
    duration_minutes = IntegerField("Duration (minutes)", validators=[DataRequired(), NumberRange(min=1, max=1440)])
    capacity = IntegerField("Capacity (seats)", validators=[DataRequired(), NumberRange(min=1, max=10000)])
    closes_local = DateTimeLocalField(
        "Registration closes at (optional)",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="Empty: registration closes at the start.",
    )
    join_url = StringField(
        "Join link",
        validators=[Optional(), Length(max=500)],
        description="Shown only to confirmed registrants and administrators.",
    )
    recording_url = StringField("Recording link (after the webinar)", validators=[Optional(), Length(max=500)])
    status = SelectField(
        "Status", choices=[("draft", "Draft (only administrators see it)"), ("published", "Published")]
    )
    milestone_keys = MultiCheckboxField("Related milestones (optional)", validators=[Optional()])
    course_module_keys = StringField(
        "Related course modules (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Module keys separated by commas, e.g. action-plans/module-1.",
    )

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.milestone_keys.choices = list(milestones)


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason (sent to everyone registered)", validators=[DataRequired(), Length(max=2000)])


class EmptyForm(FlaskForm):
    """Only the CSRF token (register, cancel registration, attendance)."""
