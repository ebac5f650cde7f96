"""WTForms for the practices pages. Shape checks only; the rules (required fields, lengths,
languages, links, the contact) live in services, so the page and the API say the same."""

from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.i18n import _, _l
from ..plans.template import COMMITMENTS, MILESTONES
from .models import Practice

EXTRA_LINK_ROWS = 2


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LinkForm(Form):
    title = StringField(_l("Link title"))
    url = StringField(_l("Address"), render_kw={"type": "url", "inputmode": "url", "placeholder": "https://"})


class PracticeForm(FlaskForm):
    city_id = SelectField(_l("City"), coerce=_optional_int, validators=[Optional()])
    title = StringField(_l("Title"), description=_l("What the practice is called, in one line."))
    summary = TextAreaField(
        _l("Summary"),
        description=_l(
            "Two or three sentences for the library's card (at most %(num)d characters).", num=Practice.MAX_SUMMARY
        ),
    )
    description = TextAreaField(
        _l("Description"),
        description=_l(
            "What the city did, for a colleague in another city. Markdown: **bold**, *italic*, lists with -."
        ),
        render_kw={"rows": 10},
    )
    problem = TextAreaField(_l("The problem it answers"))
    actions = TextAreaField(_l("What was done"))
    resources = TextAreaField(_l("Resources"), description=_l("People, budget, partners."))
    results = TextAreaField(_l("Results"), description=_l("What changed, and how you know (indicators)."))
    transfer = TextAreaField(
        _l("What another city needs to transfer it"),
        description=_l("Mandate, staff, partners, data: what made it work."),
    )
    # Choices are set per form (in __init__), so their titles are in the reader's language.
    commitments = MultiCheckboxField(_l("Commitments of the Ten-Point Plan"), coerce=int, choices=[])
    milestone_keys = MultiCheckboxField(_l("Plan milestones it illustrates"), choices=[], validate_choice=True)
    languages = StringField(
        _l("Languages the city can talk about it in"),
        description=_l("ISO 639 codes separated by commas, e.g. es, ca, en for Spanish, Catalan and English."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    links = FieldList(FormField(LinkForm), min_entries=EXTRA_LINK_ROWS, max_entries=Practice.MAX_LINKS)
    contact_id = SelectField(_l("Contact person"), coerce=_optional_int, validators=[Optional()])
    started_year = IntegerField(_l("Year it started"), validators=[Optional()], render_kw={"inputmode": "numeric"})
    featured_in = StringField(
        _l("Featured in"), description=_l("A publication that presents it, e.g. the coalition's Guidebook.")
    )

    def __init__(self, *args, cities=(), contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.city_id.choices = [("", _("— choose a city —"))] + [(c.id, c.name) for c in cities]
        self.contact_id.choices = [("", _("— nobody named yet —"))] + [(u.id, u.name) for u in contacts]
        self.commitments.choices = [(n, f"{n}. {t}") for n, t in COMMITMENTS.items()]
        self.milestone_keys.choices = [(m.key, m.title) for m in MILESTONES]

    def values(self) -> dict:
        """The fields as the service takes them (empty optional texts are None, empty link rows skipped)."""
        data = {
            name: (getattr(self, name).data or None)
            for name in ("problem", "actions", "resources", "results", "transfer", "featured_in")
        }
        data.update(
            title=self.title.data or "",
            summary=self.summary.data or "",
            description=self.description.data or "",
            commitments=list(self.commitments.data or []),
            milestone_keys=list(self.milestone_keys.data or []),
            languages=[code.strip() for code in (self.languages.data or "").split(",") if code.strip()],
            links=self.link_rows(),
            contact_id=self.contact_id.data,
            started_year=self.started_year.data,
        )
        return data

    def filled_links(self) -> list:
        """The link rows someone wrote in (the service numbers them in this order)."""
        return [e for e in self.links if (e.form.title.data or "").strip() or (e.form.url.data or "").strip()]

    def link_rows(self) -> list[dict]:
        return [{"title": e.form.title.data or "", "url": e.form.url.data or ""} for e in self.filled_links()]


class SendBackForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment for the city"),
        description=_l("What to change before it can be published. The city's coordinators get it."),
    )
