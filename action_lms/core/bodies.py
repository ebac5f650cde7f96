"""Request bodies: size limit, JSON content type, and a JSON parser that turns hostile
input (deep nesting, lone surrogates, huge numbers) into a 400 instead of a 500.

Three defences, installed once for the whole app:

- every request larger than `MAX_REQUEST_BYTES` (Flask's MAX_CONTENT_LENGTH) is a 413;
- a POST/PUT/PATCH under /api/ that carries a body which is not JSON is a 415, instead of
  being silently ignored (a request without a body, e.g. `POST /auth/logout`, is fine);
- JSON bodies are parsed by `loads` below, which refuses what the standard library would
  either accept or crash on: nesting deeper than MAX_DEPTH (the C parser raises
  RecursionError near 1,000 levels), strings or keys holding a lone surrogate (they cannot
  be encoded to UTF-8, so the database driver raised on them), integers of more than
  MAX_INT_DIGITS digits (Python refuses 4,300+ digits with a ValueError, and smaller giants
  only overflow the database), NaN/Infinity (not JSON), and bodies that are not UTF-8.

The parser is used everywhere a body is read: `request.get_json()` (our Request class),
the body check before every API view (which parses once and caches the result), and
webargs/flask-smorest, whose "json" location is pointed at `request.get_json()`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, Request, request
from marshmallow import missing
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from .i18n import _

# Deepest nesting of objects and arrays a body may have. Our deepest schema needs 3
# (quiz answers: {"answers": {"12": [40]}}); 32 leaves room and is far from the recursion limit.
MAX_DEPTH = 32
# Longest integer literal (digits, without the sign). Ids and counts fit in 19 digits; a
# little more keeps the error for a too-large id a 422 "out of range" rather than a 400.
MAX_INT_DIGITS = 30
# Longest float literal; 17 significant digits plus sign, point and exponent need about 25.
MAX_FLOAT_CHARS = 40

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON escape of a surrogate (\ud800-\udfff). Raw surrogates cannot appear in a body that
# decodes as strict UTF-8, so a body without such an escape needs no string scan.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class HostileJSON(ValueError):
    """A body that is not valid JSON or that we refuse to process; the message is for the client."""


class MalformedBody(BadRequest):
    """400 with our sentence as the envelope's message (errors.handle_http_exception reads `data`)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.data = {"message": message}


# ---------------------------------------------------------------- the parser


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise HostileJSON(_("Malformed JSON: a number has more than %(num)d digits.", num=MAX_INT_DIGITS))
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_FLOAT_CHARS:
        raise HostileJSON(_("Malformed JSON: a number is longer than %(num)d characters.", num=MAX_FLOAT_CHARS))
    value = float(text)
    if not math.isfinite(value):
        raise HostileJSON(_("Malformed JSON: a number is too large."))
    return value


def _refuse_constant(name: str):
    raise HostileJSON(_("Malformed JSON: %(name)s is not a JSON value.", name=name))


def _decode_utf8(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HostileJSON(_("Malformed JSON: the body is not valid UTF-8.")) from exc


def _too_deep() -> HostileJSON:
    return HostileJSON(_("Malformed JSON: nested more than %(num)d levels deep.", num=MAX_DEPTH))


def _lone_surrogate() -> HostileJSON:
    return HostileJSON(
        _("Malformed JSON: a string contains a lone surrogate (\\ud800-\\udfff), which is not valid Unicode.")
    )


def _check_tree(value: Any, check_depth: bool, check_strings: bool) -> None:
    """Walk the parsed document without recursion; refuse deep nesting and lone surrogates."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if check_depth and depth > MAX_DEPTH:
                raise _too_deep()
            for key, item in node.items():
                if check_strings and _SURROGATE.search(key):
                    raise _lone_surrogate()
                stack.append((item, depth + 1))
        elif isinstance(node, list):
            if check_depth and depth > MAX_DEPTH:
                raise _too_deep()
            stack.extend((item, depth + 1) for item in node)
        elif check_strings and isinstance(node, str) and _SURROGATE.search(node):
            raise _lone_surrogate()


def loads(data: bytes | str, **kwargs: Any) -> Any:
    """Parse a request body as strict JSON; every refusal is a HostileJSON (a ValueError).

    Keyword arguments are accepted for compatibility with json.loads and ignored.
    """
    text = _decode_utf8(data)
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep() from None
    except HostileJSON:
        raise
    except json.JSONDecodeError as exc:
        raise HostileJSON(
            _(
                "Malformed JSON: %(reason)s (line %(line)d, column %(column)d).",
                reason=exc.msg,
                line=exc.lineno,
                column=exc.colno,
            )
        ) from None
    except ValueError as exc:  # e.g. a float literal Python cannot convert
        raise HostileJSON(_("Malformed JSON: %(reason)s.", reason=exc)) from None
    # Cheap tests on the text tell whether the walk is needed at all (most bodies are small and flat).
    check_depth = text.count("[") + text.count("{") > MAX_DEPTH
    check_strings = bool(_SURROGATE_ESCAPE.search(text))
    if check_depth or check_strings:
        _check_tree(value, check_depth, check_strings)
    return value


class _BodyJSON:
    """`Request.json_module`: our `loads` for bodies, Flask's `dumps` for anything else."""

    loads = staticmethod(loads)

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        from flask import json as flask_json

        return flask_json.dumps(obj, **kwargs)


class SafeRequest(Request):
    """Flask's Request whose get_json() uses the hardened parser and answers 400 with the reason."""

    @property
    def json_module(self) -> Any:  # a property over the class attribute: Flask assigns it per request
        return _BodyJSON

    @json_module.setter
    def json_module(self, value: Any) -> None:
        """Flask's RequestContext assigns `app.json` here; request bodies keep our parser."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, HostileJSON):
            raise MalformedBody(str(e))
        return super().on_json_loading_failed(e)


# ---------------------------------------------------------------- request hooks


def _human_size(n: int) -> str:
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return _("%(num)d bytes", num=n)


def _too_large(limit: int) -> RequestEntityTooLarge:
    exc = RequestEntityTooLarge()
    # read by errors.handle_http_exception, as for flask-smorest's errors
    exc.data = {"message": _("The request is too large: send at most %(size)s.", size=_human_size(limit))}  # type: ignore[attr-defined]
    return exc


def _refuse_oversized() -> None:
    """A declared length over the limit is refused before anything reads the body."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)


def _read_body() -> bytes:
    """The body, cached for later readers. A body without a Content-Length (chunked) is cut
    at the limit by Werkzeug's stream without an error, so reaching the limit is a 413 here
    (rather than parsing a truncated document)."""
    data = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        raise _too_large(limit)
    return data


def _declares_body() -> bool:
    """Whether the client sent a body, judged by the headers (the stream may be read already)."""
    if request.content_length:
        return True
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def check_request_body() -> None:
    """before_request: size limit everywhere; under /api/, JSON only, parsed by `loads`."""
    _refuse_oversized()
    if not request.path.startswith("/api/") or not _declares_body():
        return
    if not request.is_json:
        if request.method in BODY_METHODS:
            raise UnsupportedMediaType()  # the envelope's message says to send application/json
        return
    if _read_body():
        request.get_json()  # 400 on a hostile body; cached for webargs and the view


def load_json_for_webargs(req: Request, schema) -> Any:
    """webargs' "json" location: the body as `request.get_json()` parsed it (once, hardened).

    webargs' own loader calls `json.loads` on the raw bytes, which knows none of our limits.
    """
    if not req.is_json or not req.get_data(cache=True):
        return missing
    return req.get_json()


def _route_webargs_through_safe_parser() -> None:
    """Point the "json" location of flask-smorest's shared parser at `load_json_for_webargs`.

    The map is set on the parser instance (not the FlaskParser class), and only once; views
    bind this instance when they are decorated, so the order of imports does not matter.
    """
    from .api import Blueprint

    parser = Blueprint.ARGUMENTS_PARSER
    if parser.__location_map__.get("json") is not load_json_for_webargs:
        parser.__location_map__ = {**parser.__location_map__, "json": load_json_for_webargs}


def init_app(app: Flask) -> None:
    """Installed by create_app before the domains."""
    app.request_class = SafeRequest
    app.before_request(check_request_body)
    _route_webargs_through_safe_parser()
