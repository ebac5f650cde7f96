"""WTForms for the account pages. Shape checks only; the rules live in services."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import timezone_choices
from ..core.policy import ROLES


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class RegisterForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password (at least 10 characters)", validators=[DataRequired(), Length(max=1024)])
    timezone = SelectField("Time zone", validators=[DataRequired()])
    city_id = SelectField(
        "City (optional)", coerce=lambda v: int(v) if v not in (None, "", "None") else None, validators=[Optional()]
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.city_id.choices = [("", "— none —")] + [(c.id, c.name) for c in cities]


class ProfileForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    timezone = SelectField("Time zone", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password (at least 10 characters)", validators=[DataRequired(), Length(max=1024)])


class CityRequestForm(FlaskForm):
    city_id = SelectField(
        "City",
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        validators=[DataRequired(message="Choose the city you work for.")],
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.city_id.choices = [("", "— choose your city —")] + [(c.id, c.name) for c in cities]


class TokenForm(FlaskForm):
    name = StringField(
        "Token name", validators=[DataRequired(), Length(max=100)], description="e.g. 'reporting script'"
    )


class CityForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    country = StringField("Country (ISO code, e.g. DE)", validators=[DataRequired(), Length(min=2, max=2)])
    timezone = SelectField("Time zone", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class UserForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    role = SelectField("Role", choices=[(r, r.capitalize()) for r in ROLES])
    city_id = SelectField(
        "City", coerce=lambda v: int(v) if v not in (None, "", "None") else None, validators=[Optional()]
    )
    timezone = SelectField("Time zone", validators=[DataRequired()])
    password = PasswordField("Password (leave empty to keep / to set later)", validators=[Optional(), Length(max=1024)])
    active = BooleanField("Active", default=True)

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.city_id.choices = [("", "— none —")] + [(c.id, c.name) for c in cities]


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password (at least 10 characters)", validators=[DataRequired(), Length(max=1024)])
