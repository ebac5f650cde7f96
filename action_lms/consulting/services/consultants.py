"""Consultants: who they are (profile, expertise, languages) and the zone they work in.

A consultant has one zone, their account's (`users.timezone`): the account page and the
consultant profile both change it, and the schedule, slots, e-mails and cards read it.
`consultant_profiles.timezone` is only a copy, kept in step when the profile is saved."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, exists, select

from ...accounts import services as accounts
from ...accounts.models import User
from ...core.db import transactional
from ...core.errors import Forbidden, Invalid, NotFound
from ...core.i18n import _
from ...core.policy import CONSULTANT
from ...core.time import utcnow
from ...core.validators import multi_line, single_line, time_zone
from ...extensions import db
from ...plans.template import COMMITMENTS
from ..models import ConsultantExpertise, ConsultantProfile
from .permissions import can_edit_profile
from .rules import is_postgres, policy


def consultant_zones(consultant_ids: Iterable[int | None]) -> dict[int, str]:
    """The time zone each consultant works in (their account's zone): one query."""
    ids = list({i for i in consultant_ids if i is not None})
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.timezone).where(User.id.in_(ids)))
    return {key: value for key, value in rows}


def annotate_slots(slots: Iterable) -> list:
    """Set `consultant_timezone` on each slot (or booking's slot) in one query."""
    items = list(slots)
    slot_list = [getattr(s, "slot", s) for s in items]
    zones = consultant_zones(s.consultant_id for s in slot_list)
    for slot in slot_list:
        slot.consultant_timezone = zones.get(slot.consultant_id)
    return items


def consultant_zone(user: User) -> str:
    """The one zone of a consultant: their account's."""
    return user.timezone


def list_consultants_query(actor, expertise: int | None = None):
    policy.require(actor, "consultant.list")
    stmt = (
        select(User)
        .where(User.role == CONSULTANT, User.active.is_(True), User.erased_at.is_(None))
        .order_by(User.name, User.id)
    )
    if expertise is not None:
        stmt = stmt.where(
            exists().where(ConsultantExpertise.user_id == User.id, ConsultantExpertise.commitment == expertise)
        )
    return stmt


def consultant_cards(users: Sequence[User]) -> list[dict]:
    """Consultants with their profile and expertise, in two queries however many."""
    ids = [u.id for u in users]
    profiles = (
        {p.user_id: p for p in db.session.scalars(select(ConsultantProfile).where(ConsultantProfile.user_id.in_(ids)))}
        if ids
        else {}
    )
    expertise: dict[int, list[int]] = defaultdict(list)
    if ids:
        for uid, commitment in db.session.execute(
            select(ConsultantExpertise.user_id, ConsultantExpertise.commitment)
            .where(ConsultantExpertise.user_id.in_(ids))
            .order_by(ConsultantExpertise.commitment)
        ):
            expertise[uid].append(commitment)
    cards = []
    for user in users:
        profile = profiles.get(user.id)
        cards.append(
            {
                "id": user.id,
                "name": user.name,
                "expertise": expertise.get(user.id, []),
                "expertise_titles": [COMMITMENTS[c] for c in expertise.get(user.id, [])],
                "timezone": user.timezone,
                "languages": list(profile.languages) if profile else [],
                "bio": profile.bio if profile else "",
            }
        )
    return cards


def list_consultants(actor, expertise: int | None = None) -> list[dict]:
    """Every consultant a city can book, as cards (for the pages)."""
    return consultant_cards(db.session.scalars(list_consultants_query(actor, expertise)).all())


def consultant_user(user_id: int | None, lock: bool = False) -> User | None:
    """The consultant with this id, or None (not a consultant, erased, no such user).

    With `lock`, their row is locked on PostgreSQL for the rest of the transaction."""
    if user_id is None:
        return None
    if lock and is_postgres():
        user = db.session.scalar(select(User).where(User.id == user_id).with_for_update(of=User))
    else:
        user = db.session.get(User, user_id)
    if user is None or user.role != CONSULTANT or user.erased_at is not None:
        return None
    return user


def get_consultant(actor, user_id: int) -> dict:
    policy.require(actor, "consultant.list")
    user = consultant_user(user_id)
    if user is None:
        raise NotFound(_("No consultant with this id."))
    return consultant_cards([user])[0]


def _languages(languages: list[str]) -> list[str]:
    cleaned: list[str] = []
    for lang in languages:
        name = single_line(lang, "languages", ConsultantProfile.MAX_LANGUAGE_LENGTH, required=False)
        if name is not None and name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > ConsultantProfile.MAX_LANGUAGES:
        raise Invalid.field("languages", _("List at most %(num)d languages.", num=ConsultantProfile.MAX_LANGUAGES))
    return cleaned


def _change_account_zone(actor, user: User, tz_name: str) -> None:
    """The consultant's own account zone (as on the account page), or the office's edit of it."""
    if tz_name == user.timezone:
        return
    if actor.id == user.id:
        accounts.update_profile(user, timezone=tz_name)
    else:
        accounts.update_user(actor, user.id, {"timezone": tz_name})


@transactional()
def update_profile(
    actor,
    user_id: int,
    expertise: list[int] | None = None,
    languages: list[str] | None = None,
    bio: str | None = None,
    timezone: str | None = None,
) -> dict:
    """A consultant edits their own profile; an admin edits anyone's. A `timezone` changes the
    account's zone (through the accounts service, in this unit of work): one zone per person."""
    policy.require(actor, "profile.edit")
    if not can_edit_profile(actor, user_id):
        raise Forbidden(_("You can only edit your own consultant profile."))
    user = consultant_user(user_id)
    if user is None:
        raise NotFound(_("No consultant with this id."))
    profile = db.session.get(ConsultantProfile, user.id)
    if profile is None:
        profile = ConsultantProfile(user_id=user.id, languages=[], bio="", timezone=user.timezone)
        db.session.add(profile)
    if timezone is not None:
        _change_account_zone(actor, user, time_zone(timezone))
    profile.timezone = user.timezone  # the copy follows the account, whoever changed it last
    if bio is not None:
        profile.bio = multi_line(bio, "bio", ConsultantProfile.MAX_BIO) or ""
    if languages is not None:
        profile.languages = _languages(languages)
    if expertise is not None:
        wanted = sorted(set(expertise))
        if any(c not in COMMITMENTS for c in wanted):
            raise Invalid.field("expertise", _("Expertise is a list of commitment numbers from 1 to 10."))
        db.session.execute(delete(ConsultantExpertise).where(ConsultantExpertise.user_id == user.id))
        db.session.add_all(ConsultantExpertise(user_id=user.id, commitment=c) for c in wanted)
    profile.updated_at = utcnow()
    db.session.flush()
    return consultant_cards([user])[0]
