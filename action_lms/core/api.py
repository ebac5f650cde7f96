"""API helpers: our smorest Blueprint (pagination defaults from API.md), list
pagination over a select, and the fields every schema uses."""
from __future__ import annotations

from flask_smorest import Blueprint as _Blueprint
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import func, select

from .time import UTC, is_valid_timezone, isoformat_z


class Blueprint(_Blueprint):
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}


def paginate_select(session, stmt, pagination_parameters, scalars: bool = True):
    """Run `stmt` for one page and record the total for the X-Pagination header."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pagination_parameters.item_count = total or 0
    if pagination_parameters.first_item >= (total or 0):
        return []  # past the end (also keeps absurd page numbers away from the database)
    page_stmt = stmt.limit(pagination_parameters.page_size).offset(pagination_parameters.first_item)
    result = session.execute(page_stmt)
    return list(result.scalars() if scalars else result)


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
            raise ValidationError("This date is out of range.") from exc


class TimeZoneField(fields.String):
    """An IANA time zone name such as Europe/Berlin."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not is_valid_timezone(value):
            raise ValidationError("Unknown time zone: use an IANA name such as Europe/Berlin.")
        return value


class StrictSchema(Schema):
    """Input schemas refuse unknown fields (the marshmallow default), say so explicitly."""

    class Meta:
        ordered = True
