"""Which optional e-mails a person gets: one switch per group of core.outbox.OPTIONAL_GROUPS
(reminders, digests, waitlist news). The outbox reads the choice when it queues a message;
confirmations, cancellations and the other kinds always go out."""

from __future__ import annotations

from sqlalchemy import delete

from ...core import outbox
from ...core.db import dialect_insert, transactional
from ...core.errors import Invalid
from ...core.i18n import _
from ...core.time import utcnow
from ...extensions import db
from ..models import EmailPreference, User
from .rules import policy

GROUPS = tuple(outbox.OPTIONAL_GROUPS)
assert set(GROUPS) == {"reminders", "digests", "waitlist"}, "keep email_preferences' CHECK constraint in step"


def email_preferences(user: User) -> dict[str, bool]:
    """`{group: gets it}` for every optional group."""
    policy.require(user, "me.view")
    return {group: user.wants_email(group) for group in GROUPS}


def group_labels() -> dict[str, str]:
    """The label of each group, in the reader's language."""
    return {group: str(label) for group, label in outbox.OPTIONAL_GROUPS.items()}


@transactional()
def set_email_preferences(user: User, **choices: bool) -> dict[str, bool]:
    """Switch groups on or off (the ones not named stay as they are). Returns every group."""
    policy.require(user, "me.update")
    unknown = sorted(set(choices) - set(GROUPS))
    if unknown:
        raise Invalid.field(unknown[0], _("Not a group of optional e-mails."))
    now = utcnow()
    for group, enabled in choices.items():
        if not isinstance(enabled, bool):
            raise Invalid.field(group, _("Use true or false."))
        stmt = dialect_insert(db.session, EmailPreference.__table__).values(
            user_id=user.id, kind_group=group, enabled=enabled, updated_at=now
        )
        db.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["user_id", "kind_group"], set_={"enabled": enabled, "updated_at": now}
            )
        )
    db.session.expire(user, ["email_preferences"])
    return {group: user.wants_email(group) for group in GROUPS}


def export_email_preferences(user: User) -> dict[str, bool]:
    return {group: user.wants_email(group) for group in GROUPS}


def erase_email_preferences(user: User) -> None:
    db.session.execute(delete(EmailPreference).where(EmailPreference.user_id == user.id))
    db.session.expire(user, ["email_preferences"])
