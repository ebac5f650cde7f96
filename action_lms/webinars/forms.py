"""WTForms for the webinar pages. Shape checks only; the rules live in services."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import timezone_choices
from ..core.i18n import _, _l, lazy_ngettext, ngettext
from ..core.validators import column_length
from .models import MAX_CANCEL_REASON, MAX_CAPACITY, MAX_DESCRIPTION, MAX_DURATION_MINUTES, Webinar


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebinarForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=column_length(Webinar.title))])
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=MAX_DESCRIPTION)],
        description=_l("Markdown: **bold**, *italic*, lists, links."),
    )
    starts_local = DateTimeLocalField(
        _l("Starts at (in the display time zone)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(message=_l("Enter the date and time."))],
    )
    timezone = SelectField(
        _l("Display time zone"),
        validators=[DataRequired()],
        description=_l("The start is read in this zone; each viewer also sees it in their own."),
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[DataRequired(), NumberRange(min=1, max=MAX_DURATION_MINUTES)]
    )
    capacity = IntegerField(_l("Capacity (seats)"), validators=[DataRequired(), NumberRange(min=1, max=MAX_CAPACITY)])
    closes_local = DateTimeLocalField(
        _l("Registration closes at (optional)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=lazy_ngettext(
            "Empty: registration closes %(num)d hour before the start.",
            "Empty: registration closes %(num)d hours before the start.",
            1,
        ),
    )
    join_url = StringField(
        _l("Join link"),
        validators=[Optional(), Length(max=column_length(Webinar.join_url))],
        description=_l("Shown only to confirmed registrants and administrators."),
    )
    recording_url = StringField(
        _l("Recording link (after the webinar)"),
        validators=[Optional(), Length(max=column_length(Webinar.recording_url))],
    )
    status = SelectField(
        _l("Status"), choices=[("draft", _l("Draft (only administrators see it)")), ("published", _l("Published"))]
    )
    milestone_keys = MultiCheckboxField(_l("Related milestones (optional)"), validators=[Optional()])
    # The service checks each key against the courses' modules (validate_choice=False), so the
    # API and the form give the same error naming the field.
    course_module_keys = MultiCheckboxField(
        _l("Related course modules (optional)"), validators=[Optional()], validate_choice=False
    )

    def __init__(self, *args, milestones=(), modules=(), closes_minutes_before=60, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.milestone_keys.choices = list(milestones)
        self.course_module_keys.choices = list(modules)
        self.closes_local.description = closes_hint(closes_minutes_before)


def closes_hint(minutes: int) -> str:
    """'Empty: registration closes 1 hour before the start.' (or '90 minutes', or 'at the start')."""
    if minutes <= 0:
        return _("Empty: registration closes at the start.")
    if minutes % 60 == 0:
        return ngettext(
            "Empty: registration closes %(num)d hour before the start.",
            "Empty: registration closes %(num)d hours before the start.",
            minutes // 60,
        )
    return ngettext(
        "Empty: registration closes %(num)d minute before the start.",
        "Empty: registration closes %(num)d minutes before the start.",
        minutes,
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (sent to everyone registered)"), validators=[DataRequired(), Length(max=MAX_CANCEL_REASON)]
    )
