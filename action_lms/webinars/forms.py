"""WTForms for the webinar pages. Shape checks only; the rules live in services."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import timezone_choices
from ..core.validators import column_length
from .models import MAX_CANCEL_REASON, MAX_CAPACITY, MAX_DESCRIPTION, MAX_DURATION_MINUTES, Webinar


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebinarForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=column_length(Webinar.title))])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=MAX_DESCRIPTION)],
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
    duration_minutes = IntegerField(
        "Duration (minutes)", validators=[DataRequired(), NumberRange(min=1, max=MAX_DURATION_MINUTES)]
    )
    capacity = IntegerField("Capacity (seats)", validators=[DataRequired(), NumberRange(min=1, max=MAX_CAPACITY)])
    closes_local = DateTimeLocalField(
        "Registration closes at (optional)",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="Empty: registration closes 1 hour before the start.",
    )
    join_url = StringField(
        "Join link",
        validators=[Optional(), Length(max=column_length(Webinar.join_url))],
        description="Shown only to confirmed registrants and administrators.",
    )
    recording_url = StringField(
        "Recording link (after the webinar)", validators=[Optional(), Length(max=column_length(Webinar.recording_url))]
    )
    status = SelectField(
        "Status", choices=[("draft", "Draft (only administrators see it)"), ("published", "Published")]
    )
    milestone_keys = MultiCheckboxField("Related milestones (optional)", validators=[Optional()])
    # The service checks each key against the courses' modules (validate_choice=False), so the
    # API and the form give the same error naming the field.
    course_module_keys = MultiCheckboxField(
        "Related course modules (optional)", validators=[Optional()], validate_choice=False
    )

    def __init__(self, *args, milestones=(), modules=(), closes_minutes_before=60, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.milestone_keys.choices = list(milestones)
        self.course_module_keys.choices = list(modules)
        self.closes_local.description = f"Empty: registration closes {before_start(closes_minutes_before)}."


def before_start(minutes: int) -> str:
    """'1 hour before the start', '90 minutes before the start', 'at the start'."""
    if minutes <= 0:
        return "at the start"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''} before the start"
    return f"{minutes} minute{'s' if minutes != 1 else ''} before the start"


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason (sent to everyone registered)", validators=[DataRequired(), Length(max=MAX_CANCEL_REASON)]
    )
