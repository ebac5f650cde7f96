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

from ..core.validators import column_length
from ..plans.template import COMMITMENTS, MILESTONES
from .models import Exchange, ExchangeFollowUp

#: The interface's five languages (DOMAIN.md), offered as checkboxes; others go in a free field.
LANGUAGES = [("en", "English"), ("de", "German"), ("es", "Spanish"), ("it", "Italian"), ("fr", "French")]
QUESTION_INPUTS = 5
FOLLOW_UP_ROWS = 3


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def milestone_choices(none_label: str = "— none —") -> list[tuple[str, str]]:
    return [("", none_label)] + [(m.key, m.title) for m in MILESTONES]


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered inside a fieldset with a legend by the templates)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RequestForm(FlaskForm):
    city_id = SelectField("City asking for the exchange", coerce=_optional_int, validators=[Optional()])
    topic = StringField(
        "Topic",
        validators=[DataRequired(message="Give the exchange a topic."), Length(max=column_length(Exchange.topic))],
        description="One line, e.g. “Drafting a plan against anti-Muslim racism”.",
    )
    objective = TextAreaField(
        "What your city wants to learn",
        validators=[DataRequired(message="Say what your city wants to learn."), Length(max=Exchange.MAX_TEXT)],
        description="The objective of the meeting, in a few sentences. The host cities read it before they answer.",
    )
    questions = FieldList(
        StringField("Question", validators=[Optional(), Length(max=Exchange.MAX_QUESTION)]),
        min_entries=QUESTION_INPUTS,
        max_entries=Exchange.MAX_QUESTIONS,
    )
    commitments = MultiCheckboxField(
        "Commitments of the Ten-Point Plan it is about",
        coerce=int,
        choices=[(n, f"{n}. {title}") for n, title in COMMITMENTS.items()],
    )
    milestone_key = SelectField("Plan milestone your city is working on", validators=[Optional()])
    practice_ids = MultiCheckboxField("Good practices you want to learn about", coerce=int)
    preferred_city_ids = MultiCheckboxField("Cities you would like to talk to", coerce=int)
    languages = MultiCheckboxField("Languages your people can use in the meeting", choices=LANGUAGES)
    other_languages = StringField(
        "Other languages",
        validators=[Length(max=200)],
        description="Two- or three-letter codes separated by commas, e.g. ca, pt, sv.",
    )
    earliest_date = DateField("Earliest date", validators=[Optional()])
    latest_date = DateField("Latest date", validators=[Optional()])

    def __init__(self, *args, cities=(), practices=(), hosts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.city_id.choices = [("", "— choose the city —")] + [(c.id, c.name) for c in cities]
        self.milestone_key.choices = milestone_choices("— not about one milestone —")
        self.practice_ids.choices = [(p.id, f"{p.title} ({p.city.name})") for p in practices]
        self.preferred_city_ids.choices = [(c.id, c.name) for c in hosts]
        for number, entry in enumerate(self.questions, start=1):
            entry.label.text = f"Question {number}"

    def question_list(self) -> list[str]:
        return [(entry.data or "").strip() for entry in self.questions]

    def language_list(self) -> list[str]:
        """The boxes ticked, then the free codes (the service checks each one)."""
        extra = [code.strip() for code in (self.other_languages.data or "").replace(";", ",").split(",")]
        return list(self.languages.data or []) + [code for code in extra if code]


class InviteForm(FlaskForm):
    city_id = IntegerField("City", validators=[DataRequired(message="Choose the city to invite.")])
    practice_id = IntegerField("Practice to talk about", validators=[Optional()])
    message = TextAreaField("Message to the city", validators=[Optional(), Length(max=Exchange.MAX_TEXT)])


class DeclineForm(FlaskForm):
    decline_reason = TextAreaField(
        "Why your city cannot host it",
        validators=[DataRequired(message="Tell the requesting city why."), Length(max=Exchange.MAX_TEXT)],
        description="The requesting city and the office see it.",
    )


class CancelForm(FlaskForm):
    cancel_reason = TextAreaField(
        "Reason for cancelling",
        validators=[DataRequired(message="Give the reason for cancelling."), Length(max=Exchange.MAX_TEXT)],
        description="Everyone involved is told, with this reason.",
    )


class ParticipantForm(FlaskForm):
    user_id = SelectField("Person", coerce=_optional_int, validators=[DataRequired(message="Choose a person.")])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", "— choose a person —")] + [
            (p.id, f"{p.name} ({p.city.name})" if p.city else p.name) for p in people
        ]


class ScheduleForm(FlaskForm):
    # A time offered for the chosen day (the radio buttons carry the UTC instant), or another one.
    starts_option = StringField("Time offered", validators=[Optional(), Length(max=40)])
    starts_local = StringField("Another start time", validators=[Optional()], render_kw={"type": "datetime-local"})
    duration_minutes = IntegerField(
        "Length (minutes)",
        default=60,
        validators=[
            DataRequired(message="Say how long the meeting lasts."),
            NumberRange(Exchange.MIN_MINUTES, Exchange.MAX_MINUTES),
        ],
    )
    join_url = StringField(
        "Link to join the meeting",
        validators=[DataRequired(message="Give the link of the online meeting."), Length(max=500)],
        description="Only the people taking part and the office see it.",
        render_kw={"type": "url", "inputmode": "url"},
    )
    outside_hours_ok = BooleanField("Outside working hours is fine for these cities")


class FindTimeForm(Form):
    """GET form of the time options (no CSRF: it changes nothing)."""

    date = DateField("Day", validators=[DataRequired(message="Choose a day.")])
    duration = IntegerField(
        "Length (minutes)",
        default=60,
        validators=[DataRequired(), NumberRange(Exchange.MIN_MINUTES, Exchange.MAX_MINUTES)],
    )


class AttendanceForm(FlaskForm):
    attended = MultiCheckboxField("Who attended", coerce=int)

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attended.choices = [
            (p.user_id, f"{p.user.name} ({p.city.name})") for p in participants if p.user_id is not None and p.user
        ]


class FollowUpForm(Form):
    text = StringField("Action", validators=[Optional(), Length(max=ExchangeFollowUp.MAX_TEXT)])
    owner = StringField("Owner", validators=[Optional(), Length(max=column_length(ExchangeFollowUp.owner))])
    due_date = DateField("Due date", validators=[Optional()])
    milestone_key = SelectField("Milestone", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone_key.choices = milestone_choices()


class ReportForm(FlaskForm):
    report = TextAreaField(
        "Report",
        validators=[DataRequired(message="Write the report."), Length(max=Exchange.MAX_REPORT)],
        description="Markdown: **bold**, lists with -, links as [text](https://…). "
        "Name the cities and what was shared; a published report is public.",
    )
    follow_ups = FieldList(FormField(FollowUpForm), min_entries=FOLLOW_UP_ROWS, max_entries=Exchange.MAX_FOLLOW_UPS)
    publish = BooleanField("Publish the report as a public story")
