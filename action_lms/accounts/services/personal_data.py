"""Personal data: export of everything stored about me, and erasure."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from ...core.db import unit_of_work
from ...core.errors import Conflict, Forbidden
from ...core.hooks import app_object, contributions, user_erased
from ...core.i18n import _
from ...core.models import OutboxMessage
from ...core.policy import ADMIN
from ...core.time import utcnow
from ...extensions import db
from ..models import ApiToken, User, UserSession
from .preferences import erase_email_preferences, export_email_preferences
from .rules import policy


def user_summary(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "timezone": user.timezone,
        "city": {"id": user.city.id, "name": user.city.name} if user.city else None,
        "city_status": user.city_status,
        "requested_city": {"id": user.requested_city.id, "name": user.requested_city.name}
        if user.requested_city
        else None,
    }


def export_account(user: User) -> dict:
    data = user_summary(user)
    data.update(
        active=user.active,
        created_at=user.created_at.isoformat(),
        email_preferences=export_email_preferences(user),
    )
    return data


def export_tokens(user: User) -> list[dict]:
    return [
        {
            "id": t.id,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "revoked": t.revoked,
        }
        for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    ]


def export_sessions(user: User) -> list[dict]:
    return [
        {"created_at": s.created_at.isoformat(), "last_seen_at": s.last_seen_at.isoformat(), "user_agent": s.user_agent}
        for s in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
    ]


def export_notifications(user: User) -> list[dict]:
    return [
        {
            "kind": m.kind,
            "subject": m.subject,
            "body": m.body_text,
            "status": m.status,
            "created_at": m.created_at.isoformat(),
        }
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id)
        )
    ]


def export_personal_data(user: User) -> dict:
    """Every section the domains contributed (accounts' own among them), in name order."""
    policy.require(user, "me.export")
    sections = contributions().data_sections
    return {"exported_at": utcnow().isoformat(), **{name: sections[name](user) for name in sorted(sections)}}


def _anonymise_account(user: User) -> None:
    """The account itself, after every domain has erased its rows."""
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
    erase_email_preferences(user)
    user.email = f"erased-{user.id}@erased.invalid"
    user.name = "Erased user"
    user.password_hash = None
    user.calendar_token_hash = None
    user.requested_city_id = None
    user.city_requested_at = None
    user.active = False
    user.erased_at = utcnow()


def erase_account(user: User) -> None:
    """Remove or anonymise everything personal; keep anonymous aggregates (city, counts)."""
    policy.require(user, "me.erase")
    if user.role == ADMIN:
        remaining = db.session.scalar(
            select(func.count(User.id)).where(
                User.role == ADMIN, User.erased_at.is_(None), User.active.is_(True), User.id != user.id
            )
        )
        if not remaining:
            raise Conflict(_("You are the last active administrator; appoint another before erasing your account."))
    with unit_of_work():
        user_erased.send(app_object(), user=user)  # every domain's rows first
        _anonymise_account(user)


def require_same_user_or_admin(actor: User, user: User) -> None:
    if actor.id != user.id and not actor.is_admin:
        raise Forbidden(_("You may only see your own account."))
