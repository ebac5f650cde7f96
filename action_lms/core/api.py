"""API helpers: our smorest Blueprint (pagination defaults from API.md), list
pagination over a select, and the fields every schema uses."""

from __future__ import annotations

from typing import ClassVar

from flask_smorest import Blueprint as _Blueprint
from flask_smorest import Page
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import func, select

from ..extensions import db
from .time import UTC, is_valid_timezone, isoformat_z
from .validators import TIMEZONE_MESSAGE


class Blueprint(_Blueprint):
    DEFAULT_PAGINATION_PARAMETERS: ClassVar[dict[str, int]] = {"page": 1, "page_size": 20, "max_page_size": 100}


class SelectPage(Page):
    """flask-smorest pager over a SQLAlchemy select: the view returns the statement, this
    counts it and loads one page (API.md: `X-Pagination`). A page past the end is empty
    without asking the database, which also keeps absurd page numbers (offsets no engine
    can bind) away from it. Subclasses set `scalars = False` for row results, or override
    `transform` to decorate the loaded page (one query for the whole page)."""

    scalars = True

    @property
    def item_count(self) -> int:
        stmt = self.collection.order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(stmt)) or 0

    @property
    def items(self) -> list:
        params = self.page_params
        if params.first_item >= (params.item_count or 0):
            return []
        result = db.session.execute(self.collection.limit(params.page_size).offset(params.first_item))
        return self.transform(list(result.scalars() if self.scalars else result))

    def transform(self, items: list) -> list:
        return items


class RowsPage(SelectPage):
    scalars = False


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
            raise ValidationError(TIMEZONE_MESSAGE)
        return value


class StrictSchema(Schema):
    """Input schemas refuse unknown fields (the marshmallow default), say so explicitly."""

    class Meta:
        ordered = True
