"""Request hooks that apply to every page and API call: CSRF on cookie-authenticated
writes, security headers, and the SQLite write-intent flag."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ..extensions import csrf
from .db import reset_write_intent, set_write_intent
from .errors import envelope, wants_json
from .i18n import _

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer` header ("" for a header with no token), or
    None when the request carries no bearer header."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() != "bearer ":
        return None
    return header[7:].strip()


def is_bearer_request() -> bool:
    return bearer_token() is not None


def _protect_csrf():
    """Forms and cookie-authenticated API writes need a CSRF token; bearer requests don't.

    Unauthenticated JSON calls (register, login, token creation) carry no session worth
    forging: the API only accepts application/json, which a cross-site form cannot send.
    """
    if request.method in SAFE_METHODS or is_bearer_request():
        return None
    if request.path.startswith("/api/") and not current_user.is_authenticated:
        return None
    try:
        csrf.protect()
    except CSRFError:
        if wants_json():
            return envelope(400, _("CSRF token missing or invalid: send it in the X-CSRFToken header."))
        raise
    return None


def _mark_write_intent():
    g._write_intent_token = set_write_intent(request.method not in SAFE_METHODS)


def _reset_write_intent(exc=None):
    token = g.pop("_write_intent_token", None)
    if token is not None:
        reset_write_intent(token)


def _security_headers(response):
    headers = response.headers
    if request.path.startswith("/api/v1/docs"):
        headers.setdefault(
            "Content-Security-Policy", CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        )
    else:
        headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user and getattr(current_user, "is_authenticated", False):
        headers.setdefault("Cache-Control", "private, no-store")
    return response


def init_app(app) -> None:
    app.before_request(_mark_write_intent)
    app.teardown_request(_reset_write_intent)
    app.after_request(_security_headers)
    # After flask-login has loaded the user (it loads lazily on first access).
    app.before_request(_protect_csrf)
