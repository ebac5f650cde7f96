"""Helpers shared by the HTML views of every domain."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from flask_wtf import FlaskForm

from .errors import DomainError, Invalid
from .time import all_timezones


def apply_errors(form, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Show a service error on the form: field messages in place, the rest on top."""
    field_map = field_map or {}
    placed = False
    if isinstance(exc, Invalid) and exc.errors:
        for key, messages in exc.errors.items():
            name = field_map.get(key, key)
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors or []) + list(messages if isinstance(messages, list) else [messages])
                placed = True
    if not placed:
        form.form_errors.append(exc.message)


def timezone_choices() -> list[tuple[str, str]]:
    european = [z for z in all_timezones() if z.startswith("Europe/")]
    others = [z for z in all_timezones() if not z.startswith("Europe/")]
    return [(z, z) for z in european + others]


def safe_next_url(default: str) -> str:
    """`next` only if it is a path on this site (no open redirect)."""
    target = request.values.get("next", "")
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (sign out, revoke, approve, delete buttons)."""
