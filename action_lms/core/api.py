"""API helpers: our smorest Blueprint (pagination defaults from API.md), list
pagination over a select, and the fields every schema uses."""

from __future__ import annotations

from typing import ClassVar

from flask_smorest import Blueprint as _Blueprint
from marshmallow import Schema, ValidationError, fields

from .i18n import _
from .time import UTC, is_valid_timezone, isoformat_z
from .validators import TIMEZONE_MESSAGE


class Blueprint(_Blueprint):
    DEFAULT_PAGINATION_PARAMETERS: ClassVar[dict[str, int]] = {"page": 1, "page_size": 20, "max_page_size": 100}


class UtcDateTime(fields.AwareDateTime):
    """Input: ISO 8601 with an offset (naive is a 422). Output: UTC with 'Z'."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return isoformat_z(value)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        try:
            return result.astimezone(UTC)
        except (OverflowError, ValueError) as exc:  # e.g. 9999-12-31T23:00:00-05:00 is past year 9999 in UTC
            raise ValidationError(_("This date is out of range.")) from exc


class TimeZoneField(fields.String):
    """An IANA time zone name such as Europe/Berlin."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not is_valid_timezone(value):
            raise ValidationError(_(TIMEZONE_MESSAGE))
        return value


class StrictSchema(Schema):
    """Input schemas refuse unknown fields (the marshmallow default), say so explicitly."""

    class Meta:
        ordered = True
