"""Pagers over SQLAlchemy selects for flask-smorest (API.md: `?page=&page_size=`, the
`X-Pagination` header). A domain's api.py returns the statement its service built; the
query runs here, so no api.py holds the session."""

from __future__ import annotations

from flask_smorest import Page
from sqlalchemy import func, select

from ..extensions import db


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
