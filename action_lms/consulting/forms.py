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
from ..core.i18n import _, _l
from ..core.validators import column_length
from ..plans.template import COMMITMENTS, MILESTONES
from .models import AvailabilityRule, Booking, ConsultantProfile, FollowUp, Slot

WEEKDAYS = [
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
]


_SLOT_LENGTH = NumberRange(Slot.MIN_MINUTES, Slot.MAX_MINUTES)


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def milestone_choices():
    return [("", _("— none —"))] + [(m.key, m.title) for m in MILESTONES]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BookingForm(FlaskForm):
    city_id = SelectField(_l("City"), coerce=_optional_int, validators=[Optional()])
    topic = StringField(
        _l("Topic"),
        validators=[DataRequired(), Length(max=column_length(Booking.topic))],
        description=_l("One line, e.g. 'Choosing indicators for our baseline'."),
    )
    questions = TextAreaField(
        _l("Questions for the expert"),
        validators=[Length(max=Booking.MAX_QUESTIONS)],
        description=_l("Sent ahead so the expert can prepare."),
    )
    milestone_key = SelectField(_l("Plan milestone (optional)"), validators=[Optional()])
    meeting_link = StringField(
        _l("Where to meet (optional)"),
        validators=[Optional(), Length(max=column_length(Booking.meeting_link))],
        description=_l("A video link (https://…) or a place, e.g. 'Town hall, room 2'. The expert may change it."),
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone_key.choices = milestone_choices()
        self.city_id.choices = [("", _("— choose a city —"))] + [(c.id, c.name) for c in cities]


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[DataRequired(), Length(max=Booking.MAX_CANCEL_REASON)],
        description=_l("The other side sees it."),
    )


class MeetingLinkForm(FlaskForm):
    meeting_link = StringField(
        _l("Where to meet"),
        validators=[Optional(), Length(max=column_length(Booking.meeting_link))],
        description=_l("A video link (https://…) or a place. Leave it empty to remove it. Both sides are told."),
    )


class RescheduleForm(FlaskForm):
    slot_id = SelectField(_l("Move to"), coerce=_optional_int, validators=[DataRequired()])

    def validate(self, extra_validators=None) -> bool:
        """A refused form always says what is missing next to the choice."""
        valid = super().validate(extra_validators)
        if not valid and not self.slot_id.errors:
            self.slot_id.errors = [_("Choose a new time.")]
        return valid


class AvailabilityForm(FlaskForm):
    weekdays = MultiCheckboxField(_l("Weekdays"), coerce=int, choices=WEEKDAYS, validators=[DataRequired()])
    start_time = StringField(_l("Daily from"), validators=[DataRequired()], render_kw={"type": "time"})
    end_time = StringField(_l("Daily until"), validators=[DataRequired()], render_kw={"type": "time"})
    timezone = SelectField(_l("Time zone of these times"), validators=[DataRequired()])
    slot_minutes = IntegerField(_l("Slot length (minutes)"), validators=[DataRequired(), _SLOT_LENGTH])
    buffer_minutes = IntegerField(
        _l("Buffer between slots (minutes)"),
        default=0,
        validators=[Optional(), NumberRange(0, AvailabilityRule.MAX_BUFFER_MINUTES)],
    )
    valid_from = DateField(_l("First day"), validators=[DataRequired()])
    valid_until = DateField(_l("Last day"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class SlotForm(FlaskForm):
    starts_at = StringField(_l("Starts"), validators=[DataRequired()], render_kw={"type": "datetime-local"})
    duration_minutes = IntegerField(_l("Length (minutes)"), default=60, validators=[DataRequired(), _SLOT_LENGTH])


class FollowUpForm(Form):
    text = StringField(_l("Action"), validators=[Optional(), Length(max=FollowUp.MAX_TEXT)])
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=column_length(FollowUp.owner))])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    milestone_key = SelectField(_l("Milestone"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone_key.choices = milestone_choices()


class NotesForm(FlaskForm):
    status = SelectField(
        _l("What happened"),
        choices=[("held", _l("The session was held")), ("no_show", _l("The city did not come (no-show)"))],
    )
    summary = TextAreaField(_l("Summary"), validators=[Length(max=Booking.MAX_SUMMARY)])
    follow_ups = FieldList(FormField(FollowUpForm), min_entries=3, max_entries=Booking.MAX_FOLLOW_UPS)


class ProfileForm(FlaskForm):
    expertise = MultiCheckboxField(
        _l("Expertise (commitments of the Ten-Point Plan)"),
        coerce=int,
    )
    # The whole comma-separated line; the service checks each language and how many.
    languages = StringField(_l("Languages"), validators=[Length(max=400)], description=_l("Separated by commas."))
    bio = TextAreaField(_l("Short bio"), validators=[Length(max=ConsultantProfile.MAX_BIO)])
    timezone = SelectField(
        _l("Time zone"),
        validators=[DataRequired()],
        description=_l("The zone of the account: the same as on the account page, for slots, e-mails and calendars."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Per request: the commitments' titles are read in the current language.
        self.expertise.choices = [(n, f"{n}. {t}") for n, t in COMMITMENTS.items()]
        self.timezone.choices = timezone_choices()
