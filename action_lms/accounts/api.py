"""JSON API for authentication, the current user, users and cities."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import refresh as refresh_language
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from ..core.api import Blueprint
from ..core.errors import Unauthorized
from ..core.i18n import SESSION_KEY as LANGUAGE_SESSION_KEY
from ..core.i18n import _
from ..core.pagination import SelectPage
from ..core.security import is_bearer_request
from ..extensions import limiter
from . import services
from .schemas import (
    CityPatchSchema,
    CityQuerySchema,
    CitySchema,
    CsrfSchema,
    EmailPreferencesPatchSchema,
    EmailPreferencesSchema,
    JoinRequestCreateSchema,
    JoinRequestSchema,
    LoginSchema,
    MePatchSchema,
    PasswordResetRequestSchema,
    PasswordResetSchema,
    PersonalDataSchema,
    RegisterSchema,
    SessionSchema,
    SessionsEndedSchema,
    TokenCreatedSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserPatchSchema,
    UserQuerySchema,
    UserSchema,
)

blp = Blueprint("accounts_api", __name__, url_prefix="/api/v1", description="Sign-in, users and cities")


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def email_key() -> str:
    """Rate-limit key: the e-mail address being tried, normalised exactly as sign-in looks it
    up, so one account can't be brute-forced from many IPs nor with variants of its address."""
    try:
        data = request.get_json(silent=True) if request.is_json else request.form
    except Exception:  # noqa: BLE001 - a body that cannot be parsed is refused later, with its own answer
        data = None
    email = data.get("email") if data is not None and hasattr(data, "get") else None
    return services.email_rate_limit_key(email)


def email_limit(scope: str, methods: list[str] | None = None):
    """The per-address limit, shared by the API and the pages for one purpose (`sign-in`:
    login and token creation; `password-reset`; `registration`), so switching between them
    or between variants of the address gains no attempts."""
    return limiter.shared_limit(login_limit, scope=f"email:{scope}", key_func=email_key, methods=methods)


def sign_in(user) -> None:
    """Start a fresh session for this user (no session fixation), open on the server. The
    language chosen with the header's switch stays, and what follows in this request (the
    welcome message) is in the person's own language."""
    language = session.get(LANGUAGE_SESSION_KEY)
    session.clear()
    if language:
        session[LANGUAGE_SESSION_KEY] = language
    login_user(user)
    session[services.SESSION_ENTRY] = services.start_session(user, request.headers.get("User-Agent"))
    session.permanent = True
    refresh_language()


def current_session_secret() -> str | None:
    """The server-side session of this request (None for bearer-token requests)."""
    if is_bearer_request():
        return None
    return session.get(services.SESSION_ENTRY)


def sign_out() -> None:
    """End this session on the server and forget the cookie."""
    secret = current_session_secret()
    logout_user()
    session.clear()
    services.end_session(secret)


# ---------------------------------------------------------------- auth


@blp.route("/auth/register", methods=["POST"])
@limiter.limit(login_limit)
@email_limit("registration")
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
def register(data):
    """Create a learner account."""
    return services.register(**data)


@blp.route("/auth/login", methods=["POST"])
@limiter.limit(login_limit)
@email_limit("sign-in")
@blp.arguments(LoginSchema)
@blp.response(200, UserSchema)
@blp.alt_response(401, description="Wrong e-mail or password")
def login(data):
    """Sign in with a session cookie (for the web pages and browser scripts)."""
    user = services.authenticate(data["email"], data["password"])
    sign_in(user)
    return user


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End the session (on the server: a copy of the cookie stops working too)."""
    sign_out()


@blp.route("/auth/csrf", methods=["GET"])
@blp.response(200, CsrfSchema)
def csrf_token():
    """The CSRF token to send as X-CSRFToken on cookie-authenticated writes."""
    return {"csrf_token": generate_csrf()}


@blp.route("/auth/tokens", methods=["POST"])
@limiter.limit(login_limit)
@email_limit("sign-in")
@blp.arguments(TokenCreateSchema)
@blp.response(201, TokenCreatedSchema)
@blp.alt_response(401, description="Wrong e-mail or password")
def create_token(data):
    """Create an API token for scripts. The token is shown once."""
    plain, token = services.create_token_with_password(data["email"], data["password"], data.get("name"))
    return {"token": plain, "id": token.id, "name": token.name, "created_at": token.created_at}


@blp.route("/auth/tokens", methods=["GET"])
@blp.response(200, TokenSchema(many=True))
def list_tokens():
    """My API tokens (never the secret)."""
    return services.list_tokens(current_user)


@blp.route("/auth/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
def revoke_token(token_id):
    """Revoke one of my tokens."""
    services.revoke_token(current_user, token_id)


@blp.route("/auth/password-reset", methods=["POST"])
@limiter.limit(login_limit)
@email_limit("password-reset")
@blp.arguments(PasswordResetRequestSchema)
@blp.response(202)
def request_password_reset(data):
    """E-mail a password reset link (valid one hour). The answer is the same whether or not the address exists."""
    services.request_password_reset(data["email"])


@blp.route("/auth/password-reset/confirm", methods=["POST"])
@limiter.limit(login_limit)
@blp.arguments(PasswordResetSchema)
@blp.response(204)
def confirm_password_reset(data):
    """Set a new password with the token from the e-mailed link."""
    services.reset_password(data["token"], data["password"])


# ---------------------------------------------------------------- me


@blp.route("/me", methods=["GET"])
@blp.response(200, UserSchema)
def me():
    """The signed-in user."""
    services.policy.require(current_user, "me.view")
    return current_user


@blp.route("/me", methods=["PATCH"])
@blp.arguments(MePatchSchema)
@blp.response(200, UserSchema)
def update_me(data):
    """Change my name, time zone or language."""
    return services.update_profile(current_user, **data)


@blp.route("/me/email-preferences", methods=["GET"])
@blp.response(200, EmailPreferencesSchema)
def my_email_preferences():
    """Which optional e-mails I get: reminders, digests, waitlist news."""
    return services.email_preferences(current_user)


@blp.route("/me/email-preferences", methods=["PATCH"])
@blp.arguments(EmailPreferencesPatchSchema)
@blp.response(200, EmailPreferencesSchema)
def update_my_email_preferences(data):
    """Switch groups of optional e-mails on or off; confirmations and cancellations always go out."""
    return services.set_email_preferences(current_user, **data)


@blp.route("/me/data", methods=["GET"])
@blp.response(
    200,
    PersonalDataSchema,
    description="One section per kind of data: account, api_tokens, notifications, and each domain's records.",
)
def my_data():
    """Everything stored about me."""
    return services.export_personal_data(current_user)


@blp.route("/me", methods=["DELETE"])
@blp.response(204)
def erase_me():
    """Erase my account: personal data removed or anonymised, aggregates kept."""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        raise Unauthorized(_("You need to sign in to do this."))
    services.erase_account(user)
    logout_user()
    session.clear()


@blp.route("/me/sessions", methods=["GET"])
@blp.response(200, SessionSchema(many=True))
def my_sessions():
    """My signed-in browsers, the current one marked (`current`)."""
    return services.list_sessions(current_user, current_session_secret())


@blp.route("/me/sessions/revoke", methods=["POST"])
@blp.response(200, SessionsEndedSchema)
def revoke_other_sessions():
    """Sign out everywhere else: every session of mine ends but the current one."""
    return {"ended": services.end_other_sessions(current_user, current_session_secret())}


@blp.route("/me/city-request", methods=["POST"])
@blp.arguments(JoinRequestCreateSchema)
@blp.response(200, UserSchema)
def request_city(data):
    """Ask to join a city (learners without a city). Its coordinators decide."""
    return services.request_to_join(current_user, data["city_id"])


@blp.route("/me/city-request", methods=["DELETE"])
@blp.response(204)
def withdraw_city_request():
    """Withdraw my open request to join a city."""
    services.withdraw_join_request(current_user)


# ---------------------------------------------------------------- membership


@blp.route("/cities/<int:city_id>/join-requests", methods=["GET"])
@blp.response(200, JoinRequestSchema(many=True))
def join_requests(city_id):
    """People asking to join the city, oldest first (that city's coordinators, admins)."""
    return services.list_join_requests(current_user, city_id)


@blp.route("/cities/<int:city_id>/join-requests/<int:user_id>/approve", methods=["POST"])
@blp.response(200, UserSchema)
def approve_join_request(city_id, user_id):
    """Make the person a member of the city; they are told by e-mail."""
    return services.approve_join_request(current_user, city_id, user_id)


@blp.route("/cities/<int:city_id>/join-requests/<int:user_id>/decline", methods=["POST"])
@blp.response(200, UserSchema)
def decline_join_request(city_id, user_id):
    """Decline the request (`city_status` back to `none`); the person is told by e-mail."""
    return services.decline_join_request(current_user, city_id, user_id)


# ---------------------------------------------------------------- cities


@blp.route("/cities", methods=["GET"])
@blp.arguments(CityQuerySchema, location="query")
@blp.response(200, CitySchema(many=True))
@blp.paginate(SelectPage)
def list_cities(args):
    """Member cities."""
    return services.list_cities_query(current_user, args.get("country"))


@blp.route("/cities", methods=["POST"])
@blp.arguments(CitySchema)
@blp.response(201, CitySchema)
def create_city(data):
    """Add a member city (admin)."""
    return services.create_city(current_user, **data)


@blp.route("/cities/<int:city_id>", methods=["GET"])
@blp.response(200, CitySchema)
def get_city(city_id):
    return services.get_city(current_user, city_id)


@blp.route("/cities/<int:city_id>", methods=["PATCH"])
@blp.arguments(CityPatchSchema)
@blp.response(200, CitySchema)
def update_city(data, city_id):
    """Change a city (admin)."""
    return services.update_city(current_user, city_id, data)


# ---------------------------------------------------------------- users


@blp.route("/users", methods=["GET"])
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserSchema(many=True))
@blp.paginate(SelectPage)
def list_users(args):
    """Users, filtered by role and city (admin)."""
    return services.list_users_query(current_user, args.get("role"), args.get("city_id"))


@blp.route("/users", methods=["POST"])
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
def create_user(data):
    """Create a user of any role (admin). A coordinator needs a city."""
    return services.create_user(current_user, **data)


@blp.route("/users/<int:user_id>", methods=["GET"])
@blp.response(200, UserSchema)
def get_user(user_id):
    return services.get_user(current_user, user_id)


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@blp.arguments(UserPatchSchema)
@blp.response(200, UserSchema)
def update_user(data, user_id):
    """Change a user's details, role, city or active flag (admin)."""
    return services.update_user(current_user, user_id, data)
