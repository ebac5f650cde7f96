"""What accounts put on the home page: people waiting to join a city (for its coordinators
and the office), the one step left for someone whose account has no city yet, and the
office's month panel, which gathers every domain's figures."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import func, select

from ...core.hooks import HomeItem
from ...core.i18n import _, ngettext
from ...core.policy import ADMIN, CONSULTANT, COORDINATOR, LEARNER
from ...extensions import db
from ..models import User
from .membership import pending_join_request_count


def _waiting_everywhere() -> int:
    return (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.requested_city_id.is_not(None), User.erased_at.is_(None), User.active.is_(True)
            )
        )
        or 0
    )


def membership_todo(user, now: datetime) -> list[HomeItem]:
    if user.role == COORDINATOR:
        waiting = pending_join_request_count(user)
    elif user.role == ADMIN:
        waiting = _waiting_everywhere()
    else:
        waiting = 0
    items = []
    if waiting:
        text = (
            ngettext("%(num)d person asks to join your city", "%(num)d people ask to join your city", waiting)
            if user.role == COORDINATOR
            else ngettext("%(num)d person asks to join a city", "%(num)d people ask to join a city", waiting)
        )
        items.append(HomeItem(text=text, url=url_for("accounts.join_requests")))
    if user.role == LEARNER and user.city_id is None:
        requested = user.requested_city
        items.append(
            HomeItem(
                text=_("Your request to join %(city)s waits for its coordinators", city=requested.name)
                if requested is not None
                else _("Ask to join your city to see its action plan"),
                url=url_for("accounts.account", _anchor="city"),
            )
        )
    return items


def role_line(user) -> str:
    """Who the person is here, in words: "Coordinator for Bologna", "ACTION office"."""
    if user.role == ADMIN:
        return _("ACTION office")
    if user.role == CONSULTANT:
        return _("Consultant")
    if user.role == COORDINATOR:
        return _("Coordinator for %(city)s", city=user.city.name) if user.city is not None else _("Coordinator")
    return _("Learner for %(city)s", city=user.city.name) if user.city is not None else _("Learner")
