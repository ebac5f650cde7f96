"""Input and output shapes of the accounts API."""

from marshmallow import Schema, fields, validate

from ..core.api import TimeZoneField, UtcDateTime
from ..core.errors import MAX_DB_INT
from ..core.policy import ROLES
from ..core.validators import column_length
from .models import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ApiToken, City, User

# Lengths from the model columns, once (DESIGN.md: validators take them from the model).
PERSON_NAME = column_length(User.name)
EMAIL = column_length(User.email)
CITY_NAME = column_length(City.name)
TOKEN_NAME = column_length(ApiToken.name)


class CitySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=CITY_NAME))
    country = fields.String(
        required=True, validate=validate.Length(equal=2), metadata={"description": "ISO 3166-1 alpha-2 code, e.g. DE"}
    )
    timezone = TimeZoneField(required=True, metadata={"example": "Europe/Berlin"})


class CityPatchSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=CITY_NAME))
    country = fields.String(validate=validate.Length(equal=2))
    timezone = TimeZoneField()


class CityRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    country = fields.String()
    timezone = fields.String()


CITY_STATUSES = ("member", "pending", "none")


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String(validate=validate.OneOf(ROLES))
    timezone = fields.String()
    language = fields.String(
        allow_none=True,
        metadata={"description": "en, de, es, it or fr; null: the browser's language (Accept-Language), else English."},
    )
    city = fields.Nested(
        CityRefSchema,
        allow_none=True,
        attribute="city_or_requested",
        metadata={"description": "The member city; while `city_status` is `pending`, the city asked for."},
    )
    city_status = fields.String(
        validate=validate.OneOf(CITY_STATUSES),
        metadata={"description": "`member`, `pending` (asked to join `city`) or `none`."},
    )
    active = fields.Boolean()
    created_at = UtcDateTime()


class ApplicantSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()


class JoinRequestSchema(Schema):
    user = fields.Function(lambda u: ApplicantSchema().dump(u), metadata={"type": "object"})
    city = fields.Nested(CityRefSchema, attribute="requested_city")
    requested_at = UtcDateTime(attribute="city_requested_at")


class JoinRequestCreateSchema(Schema):
    city_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_DB_INT))


class SessionSchema(Schema):
    id = fields.Integer()
    created_at = UtcDateTime()
    last_seen_at = UtcDateTime()
    user_agent = fields.String(allow_none=True)
    device = fields.String(metadata={"description": "The browser and system in words, e.g. `Firefox on Windows`."})
    current = fields.Boolean()


class SessionsEndedSchema(Schema):
    ended = fields.Integer(metadata={"description": "How many other sessions were ended."})


class RegisterSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=EMAIL))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=PERSON_NAME))
    timezone = TimeZoneField(load_default=None)
    city_id = fields.Integer(load_default=None, allow_none=True)
    language = fields.String(load_default=None, allow_none=True, metadata={"description": "en, de, es, it or fr"})


class LoginSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=EMAIL))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=MAX_PASSWORD_LENGTH))


class TokenCreateSchema(LoginSchema):
    name = fields.String(load_default=None, validate=validate.Length(max=TOKEN_NAME))


class TokenCreatedSchema(Schema):
    token = fields.String(metadata={"description": "Shown once; send as `Authorization: Bearer <token>`."})
    id = fields.Integer()
    name = fields.String()
    created_at = UtcDateTime()


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = UtcDateTime()
    last_used_at = UtcDateTime(allow_none=True)
    revoked = fields.Boolean()


class CsrfSchema(Schema):
    csrf_token = fields.String()


class MePatchSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=PERSON_NAME))
    timezone = TimeZoneField()
    language = fields.String(metadata={"description": "en, de, es, it or fr (anything else: 422)"})


class EmailPreferencesSchema(Schema):
    """Which optional e-mails I get (confirmations and cancellations always go out)."""

    reminders = fields.Boolean(required=True, metadata={"description": "Reminders before sessions, feedback reminders"})
    digests = fields.Boolean(required=True, metadata={"description": "The digest of overdue plan milestones"})
    waitlist = fields.Boolean(required=True, metadata={"description": "Waitlist news"})


class EmailPreferencesPatchSchema(Schema):
    """The groups to change; the others stay as they are."""

    reminders = fields.Boolean()
    digests = fields.Boolean()
    waitlist = fields.Boolean()


class UserCreateSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=EMAIL))
    name = fields.String(required=True, validate=validate.Length(min=1, max=PERSON_NAME))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    city_id = fields.Integer(load_default=None, allow_none=True)
    timezone = TimeZoneField(load_default=None)
    password = fields.String(
        load_default=None, load_only=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)
    )


class UserPatchSchema(Schema):
    email = fields.String(validate=validate.Length(min=3, max=EMAIL))
    name = fields.String(validate=validate.Length(min=1, max=PERSON_NAME))
    role = fields.String(validate=validate.OneOf(ROLES))
    city_id = fields.Integer(allow_none=True)
    timezone = TimeZoneField()
    active = fields.Boolean()
    password = fields.String(load_only=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH))


class UserQuerySchema(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))
    city_id = fields.Integer()


class CityQuerySchema(Schema):
    country = fields.String(validate=validate.Length(equal=2))


class PersonalDataSchema(Schema):
    """Export of everything stored about the user: each domain adds a section."""

    exported_at = fields.String()
    account = fields.Dict()

    def dump(self, obj, *, many=None):
        # Keep every section; the declared fields document the ones always present.
        result = super().dump(obj, many=many)
        if isinstance(obj, dict):
            result.update({k: v for k, v in obj.items() if k not in result})
        return result


class PasswordResetRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=EMAIL))


class PasswordResetSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(max=500))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)
    )
