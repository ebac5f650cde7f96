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

from ..plans.template import COMMITMENTS, MILESTONES
from .models import Practice

EXTRA_LINK_ROWS = 2


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LinkForm(Form):
    title = StringField("Link title")
    url = StringField("Address", render_kw={"type": "url", "inputmode": "url", "placeholder": "https://"})


class PracticeForm(FlaskForm):
    city_id = SelectField("City", coerce=_optional_int, validators=[Optional()])
    title = StringField("Title", description="What the practice is called, in one line.")
    summary = TextAreaField(
        "Summary",
        description=f"Two or three sentences for the library's card (at most {Practice.MAX_SUMMARY} characters).",
    )
    description = TextAreaField(
        "Description",
        description="What the city did, for a colleague in another city. Markdown: **bold**, *italic*, lists with -.",
        render_kw={"rows": 10},
    )
    problem = TextAreaField("The problem it answers")
    actions = TextAreaField("What was done")
    resources = TextAreaField("Resources", description="People, budget, partners.")
    results = TextAreaField("Results", description="What changed, and how you know (indicators).")
    transfer = TextAreaField(
        "What another city needs to transfer it", description="Mandate, staff, partners, data: what made it work."
    )
    commitments = MultiCheckboxField(
        "Commitments of the Ten-Point Plan", coerce=int, choices=[(n, f"{n}. {t}") for n, t in COMMITMENTS.items()]
    )
    milestone_keys = MultiCheckboxField(
        "Plan milestones it illustrates", choices=[(m.key, m.title) for m in MILESTONES], validate_choice=True
    )
    languages = StringField(
        "Languages the city can talk about it in",
        description="ISO 639 codes separated by commas, e.g. es, ca, en for Spanish, Catalan and English.",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    links = FieldList(FormField(LinkForm), min_entries=EXTRA_LINK_ROWS, max_entries=Practice.MAX_LINKS)
    contact_id = SelectField("Contact person", coerce=_optional_int, validators=[Optional()])
    started_year = IntegerField("Year it started", validators=[Optional()], render_kw={"inputmode": "numeric"})
    featured_in = StringField(
        "Featured in", description="A publication that presents it, e.g. the coalition's Guidebook."
    )

    def __init__(self, *args, cities=(), contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.city_id.choices = [("", "— choose a city —")] + [(c.id, c.name) for c in cities]
        self.contact_id.choices = [("", "— nobody named yet —")] + [(u.id, u.name) for u in contacts]

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
        "Comment for the city", description="What to change before it can be published. The city's coordinators get it."
    )
