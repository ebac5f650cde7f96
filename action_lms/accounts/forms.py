"""WTForms for the account pages. Shape checks only; the rules live in services."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import timezone_choices
from ..core.i18n import LANGUAGES, _, _l, current_language
from ..core.policy import ROLE_TITLES, ROLES
from ..core.validators import column_length
from .models import ApiToken, City, User
from .services.rules import DEFAULT_TIMEZONE, MAX_PASSWORD_LENGTH

# Lengths from the model columns, once (DESIGN.md: validators take them from the model).
PERSON_NAME = column_length(User.name)
EMAIL = column_length(User.email)
CITY_NAME = column_length(City.name)
TOKEN_NAME = column_length(ApiToken.name)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class RegisterForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=PERSON_NAME)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL)])
    password = PasswordField(
        _l("Password (at least 10 characters)"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    # Optional: left unchosen, the service gives the requested city's zone (or the default);
    # static/register-timezone.js preselects the browser's zone when the list has it.
    timezone = SelectField(
        _l("Time zone"), default="", validators=[Optional()], render_kw={"data-browser-timezone": True}
    )
    city_id = SelectField(
        _l("City (optional)"), coerce=lambda v: int(v) if v not in (None, "", "None") else None, validators=[Optional()]
    )
    language = SelectField(_l("Language"), validators=[Optional()])

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        if not self.language.data:
            self.language.data = current_language()
        self.timezone.choices = [("", _("— my city's zone (%(zone)s without a city) —", zone=DEFAULT_TIMEZONE))]
        self.timezone.choices += timezone_choices()
        self.city_id.choices = [("", _("— none —"))] + [(c.id, c.name) for c in cities]


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=PERSON_NAME)])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    language = SelectField(_l("Language"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.language.choices = language_choices()
        if not self.language.data:
            self.language.data = current_language()


def language_choices() -> list[tuple[str, str]]:
    """Each language named in itself, so a reader finds theirs whatever the page's language."""
    return list(LANGUAGES.items())


class LanguageForm(FlaskForm):
    """The header's language switch."""

    language = SelectField(_l("Language"), validators=[DataRequired()])
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password (at least 10 characters)"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )


class CityRequestForm(FlaskForm):
    city_id = SelectField(
        _l("City"),
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        validators=[DataRequired(message=_l("Choose the city you work for."))],
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.city_id.choices = [("", _("— choose your city —"))] + [(c.id, c.name) for c in cities]


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"), validators=[DataRequired(), Length(max=TOKEN_NAME)], description=_l("e.g. 'reporting script'")
    )


class CityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=CITY_NAME)])
    country = StringField(_l("Country (ISO code, e.g. DE)"), validators=[DataRequired(), Length(min=2, max=2)])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class UserForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=PERSON_NAME)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL)])
    role = SelectField(_l("Role"), choices=[(r, ROLE_TITLES[r]) for r in ROLES])
    city_id = SelectField(
        _l("City"), coerce=lambda v: int(v) if v not in (None, "", "None") else None, validators=[Optional()]
    )
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    password = PasswordField(
        _l("Password (leave empty to keep / to set later)"), validators=[Optional(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.city_id.choices = [("", _("— none —"))] + [(c.id, c.name) for c in cities]


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password (at least 10 characters)"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )


class EmailPreferencesForm(FlaskForm):
    """One checkbox per group of optional e-mails (labels from core.outbox.OPTIONAL_GROUPS)."""

    reminders = BooleanField(_l("Reminders"))
    digests = BooleanField(_l("Digests"))
    waitlist = BooleanField(_l("Waitlist news"))

    def __init__(self, *args, labels: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (labels or {}).items():
            getattr(self, name).label.text = label
