"""WTForms for the consulting pages. Shape checks only; the rules live in services."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import timezone_choices
from ..core.validators import column_length
from ..plans.template import COMMITMENTS, MILESTONES
from .models import AvailabilityRule, Booking, ConsultantProfile, FollowUp, Slot

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


_SLOT_LENGTH = NumberRange(Slot.MIN_MINUTES, Slot.MAX_MINUTES)


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def milestone_choices():
    return [("", "— none —")] + [(m.key, m.title) for m in MILESTONES]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BookingForm(FlaskForm):
    city_id = SelectField("City", coerce=_optional_int, validators=[Optional()])
    topic = StringField(
        "Topic",
        validators=[DataRequired(), Length(max=column_length(Booking.topic))],
        description="One line, e.g. 'Choosing indicators for our baseline'.",
    )
    questions = TextAreaField(
        "Questions for the expert",
        validators=[Length(max=Booking.MAX_QUESTIONS)],
        description="Sent ahead so the expert can prepare.",
    )
    milestone_key = SelectField("Plan milestone (optional)", validators=[Optional()])
    meeting_link = StringField(
        "Where to meet (optional)",
        validators=[Optional(), Length(max=column_length(Booking.meeting_link))],
        description="A video link (https://…) or a place, e.g. 'Town hall, room 2'. The expert may change it.",
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone_key.choices = milestone_choices()
        self.city_id.choices = [("", "— choose a city —")] + [(c.id, c.name) for c in cities]


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason for cancelling",
        validators=[DataRequired(), Length(max=Booking.MAX_CANCEL_REASON)],
        description="The other side sees it.",
    )


class MeetingLinkForm(FlaskForm):
    meeting_link = StringField(
        "Where to meet",
        validators=[Optional(), Length(max=column_length(Booking.meeting_link))],
        description="A video link (https://…) or a place. Leave it empty to remove it. Both sides are told.",
    )


class RescheduleForm(FlaskForm):
    slot_id = SelectField("Move to", coerce=_optional_int, validators=[DataRequired()])

    def validate(self, extra_validators=None) -> bool:
        """A refused form always says what is missing next to the choice."""
        valid = super().validate(extra_validators)
        if not valid and not self.slot_id.errors:
            self.slot_id.errors = ["Choose a new time."]
        return valid


class AvailabilityForm(FlaskForm):
    weekdays = MultiCheckboxField("Weekdays", coerce=int, choices=WEEKDAYS, validators=[DataRequired()])
    start_time = StringField("Daily from", validators=[DataRequired()], render_kw={"type": "time"})
    end_time = StringField("Daily until", validators=[DataRequired()], render_kw={"type": "time"})
    timezone = SelectField("Time zone of these times", validators=[DataRequired()])
    slot_minutes = IntegerField("Slot length (minutes)", validators=[DataRequired(), _SLOT_LENGTH])
    buffer_minutes = IntegerField(
        "Buffer between slots (minutes)",
        default=0,
        validators=[Optional(), NumberRange(0, AvailabilityRule.MAX_BUFFER_MINUTES)],
    )
    valid_from = DateField("First day", validators=[DataRequired()])
    valid_until = DateField("Last day", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class SlotForm(FlaskForm):
    starts_at = StringField("Starts", validators=[DataRequired()], render_kw={"type": "datetime-local"})
    duration_minutes = IntegerField("Length (minutes)", default=60, validators=[DataRequired(), _SLOT_LENGTH])


class FollowUpForm(Form):
    text = StringField("Action", validators=[Optional(), Length(max=FollowUp.MAX_TEXT)])
    owner = StringField("Owner", validators=[Optional(), Length(max=column_length(FollowUp.owner))])
    due_date = DateField("Due date", validators=[Optional()])
    milestone_key = SelectField("Milestone", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone_key.choices = milestone_choices()


class NotesForm(FlaskForm):
    status = SelectField(
        "What happened", choices=[("held", "The session was held"), ("no_show", "The city did not come (no-show)")]
    )
    summary = TextAreaField("Summary", validators=[Length(max=Booking.MAX_SUMMARY)])
    follow_ups = FieldList(FormField(FollowUpForm), min_entries=3, max_entries=Booking.MAX_FOLLOW_UPS)


class ProfileForm(FlaskForm):
    expertise = MultiCheckboxField(
        "Expertise (commitments of the Ten-Point Plan)",
        coerce=int,
        choices=[(n, f"{n}. {t}") for n, t in COMMITMENTS.items()],
    )
    # The whole comma-separated line; the service checks each language and how many.
    languages = StringField("Languages", validators=[Length(max=400)], description="Separated by commas.")
    bio = TextAreaField("Short bio", validators=[Length(max=ConsultantProfile.MAX_BIO)])
    timezone = SelectField(
        "Time zone",
        validators=[DataRequired()],
        description="The zone of the account: the same as on the account page, for slots, e-mails and calendars.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
