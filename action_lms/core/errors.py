"""Domain errors raised by services, and the one place that turns any failure into
the API's error envelope or an HTML error page.

Envelope (API.md): {"code": 409, "status": "Conflict", "message": "...", "errors": {...}}
"""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from .i18n import _, _l

log = logging.getLogger(__name__)


MAX_DB_INT = 2**31 - 1


class DomainError(Exception):
    code = 400

    def __init__(self, message: str, errors: dict | None = None):
        message = str(message)  # a lazy string (`_l`) is rendered now, in the request's language
        super().__init__(message)
        self.message = message
        self.errors = errors


class Unauthorized(DomainError):
    code = 401


class Forbidden(DomainError):
    code = 403


class NotFound(DomainError):
    code = 404


class Conflict(DomainError):
    code = 409


class Invalid(DomainError):
    """Validation failed. `errors` maps field names to lists of messages."""

    code = 422

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        message = str(message)
        return cls(message, {field: [message]})


DEFAULT_MESSAGES = {
    400: _l("The request could not be understood (malformed JSON or parameters)."),
    401: _l("You need to sign in to do this."),
    403: _l("You are not allowed to do this."),
    404: _l("Nothing was found at this address, or it is not visible to you."),
    405: _l("This method is not allowed at this address."),
    409: _l("This conflicts with the current state."),
    413: _l("The request is too large."),
    415: _l("Send JSON with Content-Type: application/json."),
    422: _l("Some fields are invalid."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. The error has been logged."),
    503: _l("The service is temporarily unavailable."),
}


#: The headings of the HTML error pages: werkzeug's English names, in the reader's language.
ERROR_TITLES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    409: _l("Conflict"),
    413: _l("Request Entity Too Large"),
    415: _l("Unsupported Media Type"),
    422: _l("Unprocessable Entity"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}


def default_message(code: int) -> str:
    """The sentence for `code` in the request's language, or werkzeug's name of the status."""
    message = DEFAULT_MESSAGES.get(code)
    return str(message) if message is not None else HTTP_STATUS_CODES.get(code, "Error")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _summarise_errors(errors) -> str:
    """A one-line sentence naming the invalid fields (for 422)."""
    fields: list[str] = []

    def walk(node, prefix=""):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("json", "query", "form", "headers", "files", "view_args", "path") and not prefix:
                    walk(value, "")
                else:
                    name = f"{prefix}.{key}" if prefix else str(key)
                    if isinstance(value, dict):
                        walk(value, name)
                    else:
                        fields.append(name)

    walk(errors)
    if not fields:
        return default_message(422)
    return _("Invalid value for: %(fields)s.", fields=", ".join(sorted(set(fields))))


def _flatten_errors(errors):
    """webargs nests messages under the location ("json", "query"); API.md wants field names."""
    if (
        isinstance(errors, dict)
        and len(errors) >= 1
        and set(errors) <= {"json", "query", "form", "path", "view_args", "headers", "files"}
    ):
        merged: dict = {}
        for value in errors.values():
            if isinstance(value, dict):
                merged.update(value)
            else:
                merged.setdefault("_schema", []).extend(value if isinstance(value, list) else [value])
        return merged
    return errors


def envelope(code: int, message: str | None = None, errors=None, headers=None):
    body = {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Error"),
        "message": str(message) if message else default_message(code),
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _html_error(code: int, message: str):
    title = ERROR_TITLES.get(code)
    return render_template(
        "errors/error.html",
        code=code,
        title=str(title) if title is not None else HTTP_STATUS_CODES.get(code, "Error"),
        message=message,
    ), code


def handle_http_exception(exc: HTTPException):
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    errors = _flatten_errors(errors) if errors else None
    message = data.get("message")
    if code == 400 and errors and not message:
        first = next(iter(errors.values()), None)
        detail = first[0] if isinstance(first, list) and first and isinstance(first[0], str) else None
        message = _("Malformed request: %(detail)s", detail=detail) if detail else default_message(400)
    if code == 422 and not message:
        message = _summarise_errors(errors or {})
    if not message and exc.description and code not in DEFAULT_MESSAGES:
        message = exc.description
    if code == 429:
        message = default_message(429)
    headers = dict(data.get("headers") or {})
    if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    if code == 429:
        for key, value in exc.get_headers():
            if key.lower() == "retry-after":
                headers["Retry-After"] = value
    if wants_json():
        return envelope(code, message, errors, headers)
    return _html_error(code, message or (default_message(code) if code in DEFAULT_MESSAGES else exc.description or ""))


def handle_domain_error(exc: DomainError):
    if wants_json():
        return envelope(exc.code, exc.message, exc.errors)
    return _html_error(exc.code, exc.message)


def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    from sqlalchemy.exc import DataError

    if isinstance(exc, (OverflowError, DataError)) or isinstance(getattr(exc, "orig", None), OverflowError):
        # A number or value the database cannot store (e.g. an id of 20 digits): bad input, not a bug.
        from ..extensions import db

        db.session.rollback()
        if any(isinstance(v, int) and abs(v) > MAX_DB_INT for v in (request.view_args or {}).values()):
            code, message = 404, default_message(404)  # an id in the path that cannot exist
        else:
            code, message = 422, _("A value in the request is out of range.")
        if wants_json():
            return envelope(code, message)
        return _html_error(code, message)
    log.exception("Unhandled error on %s %s", request.method, request.path)
    if wants_json():
        return envelope(500)
    return _html_error(500, default_message(500))


def register_error_handlers(app) -> None:
    """Installed after flask-smorest so ours replaces its HTTPException handler."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
