"""WTForms for the peer-exchange pages. Shape checks only (lengths, types, a choice among
those offered); every rule (at least one question, no own city as host, working hours...)
is the services' and comes back as a DomainError shown in place."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
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

from ..core.i18n import _, _l
from ..core.validators import column_length
from ..plans.template import COMMITMENTS, MILESTONES
from .models import Exchange, ExchangeFollowUp

#: The interface's five languages (DOMAIN.md), offered as checkboxes; others go in a free field.
LANGUAGES = [
    ("en", _l("English")),
    ("de", _l("German")),
    ("es", _l("Spanish")),
    ("it", _l("Italian")),
    ("fr", _l("French")),
]
QUESTION_INPUTS = 5
FOLLOW_UP_ROWS = 3


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def milestone_choices(none_label: str | None = None) -> list[tuple[str, str]]:
    return [("", none_label or _("— none —"))] + [(m.key, m.title) for m in MILESTONES]


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered inside a fieldset with a legend by the templates)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RequestForm(FlaskForm):
    city_id = SelectField(_l("City asking for the exchange"), coerce=_optional_int, validators=[Optional()])
    topic = StringField(
        _l("Topic"),
        validators=[DataRequired(message=_l("Give the exchange a topic.")), Length(max=column_length(Exchange.topic))],
        description=_l("One line, e.g. “Drafting a plan against anti-Muslim racism”."),
    )
    objective = TextAreaField(
        _l("What your city wants to learn"),
        validators=[DataRequired(message=_l("Say what your city wants to learn.")), Length(max=Exchange.MAX_TEXT)],
        description=_l("The objective of the meeting, in a few sentences. The host cities read it before they answer."),
    )
    questions = FieldList(
        StringField(_l("Question"), validators=[Optional(), Length(max=Exchange.MAX_QUESTION)]),
        min_entries=QUESTION_INPUTS,
        max_entries=Exchange.MAX_QUESTIONS,
    )
    commitments = MultiCheckboxField(_l("Commitments of the Ten-Point Plan it is about"), coerce=int)
    milestone_key = SelectField(_l("Plan milestone your city is working on"), validators=[Optional()])
    practice_ids = MultiCheckboxField(_l("Good practices you want to learn about"), coerce=int)
    preferred_city_ids = MultiCheckboxField(_l("Cities you would like to talk to"), coerce=int)
    languages = MultiCheckboxField(_l("Languages your people can use in the meeting"), choices=LANGUAGES)
    other_languages = StringField(
        _l("Other languages"),
        validators=[Length(max=200)],
        description=_l("Two- or three-letter codes separated by commas, e.g. ca, pt, sv."),
    )
    earliest_date = DateField(_l("Earliest date"), validators=[Optional()])
    latest_date = DateField(_l("Latest date"), validators=[Optional()])

    def __init__(self, *args, cities=(), practices=(), hosts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.city_id.choices = [("", _("— choose the city —"))] + [(c.id, c.name) for c in cities]
        self.commitments.choices = [(n, f"{n}. {title}") for n, title in COMMITMENTS.items()]
        self.milestone_key.choices = milestone_choices(_("— not about one milestone —"))
        self.practice_ids.choices = [(p.id, f"{p.title} ({p.city.name})") for p in practices]
        self.preferred_city_ids.choices = [(c.id, c.name) for c in hosts]
        for number, entry in enumerate(self.questions, start=1):
            entry.label.text = _("Question %(number)d", number=number)

    def question_list(self) -> list[str]:
        return [(entry.data or "").strip() for entry in self.questions]

    def language_list(self) -> list[str]:
        """The boxes ticked, then the free codes (the service checks each one)."""
        extra = [code.strip() for code in (self.other_languages.data or "").replace(";", ",").split(",")]
        return list(self.languages.data or []) + [code for code in extra if code]


class InviteForm(FlaskForm):
    city_id = IntegerField(_l("City"), validators=[DataRequired(message=_l("Choose the city to invite."))])
    practice_id = IntegerField(_l("Practice to talk about"), validators=[Optional()])
    message = TextAreaField(_l("Message to the city"), validators=[Optional(), Length(max=Exchange.MAX_TEXT)])


class DeclineForm(FlaskForm):
    decline_reason = TextAreaField(
        _l("Why your city cannot host it"),
        validators=[DataRequired(message=_l("Tell the requesting city why.")), Length(max=Exchange.MAX_TEXT)],
        description=_l("The requesting city and the office see it."),
    )


class CancelForm(FlaskForm):
    cancel_reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[DataRequired(message=_l("Give the reason for cancelling.")), Length(max=Exchange.MAX_TEXT)],
        description=_l("Everyone involved is told, with this reason."),
    )


class ParticipantForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=_optional_int, validators=[DataRequired(message=_l("Choose a person."))])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", _("— choose a person —"))] + [
            (p.id, f"{p.name} ({p.city.name})" if p.city else p.name) for p in people
        ]


class ScheduleForm(FlaskForm):
    # A time offered for the chosen day (the radio buttons carry the UTC instant), or another one.
    starts_option = StringField(_l("Time offered"), validators=[Optional(), Length(max=40)])
    starts_local = StringField(_l("Another start time"), validators=[Optional()], render_kw={"type": "datetime-local"})
    duration_minutes = IntegerField(
        _l("Length (minutes)"),
        default=60,
        validators=[
            DataRequired(message=_l("Say how long the meeting lasts.")),
            NumberRange(Exchange.MIN_MINUTES, Exchange.MAX_MINUTES),
        ],
    )
    join_url = StringField(
        _l("Link to join the meeting"),
        validators=[DataRequired(message=_l("Give the link of the online meeting.")), Length(max=500)],
        description=_l("Only the people taking part and the office see it."),
        render_kw={"type": "url", "inputmode": "url"},
    )
    outside_hours_ok = BooleanField(_l("Outside working hours is fine for these cities"))


class FindTimeForm(Form):
    """GET form of the time options (no CSRF: it changes nothing)."""

    date = DateField(_l("Day"), validators=[DataRequired(message=_l("Choose a day."))])
    duration = IntegerField(
        _l("Length (minutes)"),
        default=60,
        validators=[DataRequired(), NumberRange(Exchange.MIN_MINUTES, Exchange.MAX_MINUTES)],
    )


class AttendanceForm(FlaskForm):
    attended = MultiCheckboxField(_l("Who attended"), coerce=int)

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attended.choices = [
            (p.user_id, f"{p.user.name} ({p.city.name})") for p in participants if p.user_id is not None and p.user
        ]


class FollowUpForm(Form):
    text = StringField(_l("Action"), validators=[Optional(), Length(max=ExchangeFollowUp.MAX_TEXT)])
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=column_length(ExchangeFollowUp.owner))])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    milestone_key = SelectField(_l("Milestone"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone_key.choices = milestone_choices()


class ReportForm(FlaskForm):
    report = TextAreaField(
        _l("Report"),
        validators=[DataRequired(message=_l("Write the report.")), Length(max=Exchange.MAX_REPORT)],
        description=_l(
            "Markdown: **bold**, lists with -, links as [text](https://…). "
            "Name the cities and what was shared; a published report is public."
        ),
    )
    follow_ups = FieldList(FormField(FollowUpForm), min_entries=FOLLOW_UP_ROWS, max_entries=Exchange.MAX_FOLLOW_UPS)
    publish = BooleanField(_l("Publish the report as a public story"))
