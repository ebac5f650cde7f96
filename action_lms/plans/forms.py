"""WTForms for the plan pages. Shape checks only; the rules live in services."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.i18n import _l
from ..core.validators import column_length
from .models import MAX_BLOCKED_REASON, MAX_NOTE, STATUS_LABELS, STATUSES, Milestone, Plan


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PlanForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=column_length(Plan.title))],
        description=_l("e.g. 'Local action plan against racism 2027-2030'"),
    )
    focus = StringField(
        _l("Focus"),
        validators=[DataRequired(), Length(max=column_length(Plan.focus))],
        description=_l("e.g. anti-Muslim racism, or the whole Ten-Point Plan"),
    )
    commitments = CheckboxesField(
        _l("Commitments of the Ten-Point Plan it addresses"), coerce=int, validators=[Optional()]
    )

    def __init__(self, *args, commitments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitments.choices = [(n, f"{n}. {title}") for n, title in (commitments or {}).items()]


class MilestoneForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[(s, STATUS_LABELS[s]) for s in STATUSES], validators=[DataRequired()])
    due_date = DateField(_l("Due date"), validators=[Optional()], description=_l("YYYY-MM-DD, in the city's calendar"))
    evidence_url = StringField(
        _l("Evidence link"),
        validators=[Optional(), Length(max=column_length(Milestone.evidence_url))],
        description=_l("A web address of the decision, minutes or publication"),
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=MAX_NOTE)],
        description=_l("Completing a milestone needs an evidence link or a note"),
    )
    owner = StringField(
        _l("Owner"),
        validators=[Optional(), Length(max=column_length(Milestone.owner))],
        description=_l("A person or a unit"),
    )
    blocked_reason = TextAreaField(
        _l("Reason it is blocked"),
        validators=[Optional(), Length(max=MAX_BLOCKED_REASON)],
        description=_l("Needed when the status is Blocked"),
    )
