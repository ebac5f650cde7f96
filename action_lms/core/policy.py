"""Authorisation tables. Each domain declares one `Policy`: action -> roles allowed.
Object-level rules (own city, own booking) live next to it in the domain's services.
The tables are what the role x action matrix tests iterate over."""

from __future__ import annotations

from .errors import Forbidden, Unauthorized
from .i18n import _, _l

LEARNER = "learner"
COORDINATOR = "coordinator"
CONSULTANT = "consultant"
ADMIN = "admin"
ROLES = (LEARNER, COORDINATOR, CONSULTANT, ADMIN)
ANY_USER = frozenset(ROLES)

#: The roles in words as running text shows them (the header's badge, the office's user
#: list: "learner"); the keys stay English.
ROLE_LABELS = {
    LEARNER: _l("learner"),
    COORDINATOR: _l("coordinator"),
    CONSULTANT: _l("consultant"),
    ADMIN: _l("admin"),
}

#: The roles as a choice of a form or a filter starts them ("Learner").
ROLE_TITLES = {
    LEARNER: _l("Learner"),
    COORDINATOR: _l("Coordinator"),
    CONSULTANT: _l("Consultant"),
    ADMIN: _l("Admin"),
}


def role_label(role: str | None) -> str:
    """A role in the reader's language, as running text shows it (an unknown value as it is)."""
    label = ROLE_LABELS.get(role or "")
    return str(label) if label is not None else (role or "")


def role_title(role: str | None) -> str:
    """A role in the reader's language, capitalised as a form's choice shows it."""
    label = ROLE_TITLES.get(role or "")
    return str(label) if label is not None else (role or "").capitalize()


class Policy:
    def __init__(self, domain: str, rules: dict[str, frozenset[str] | set[str]]):
        self.domain = domain
        self.rules = {action: frozenset(roles) for action, roles in rules.items()}

    def allows(self, user, action: str) -> bool:
        if action not in self.rules:
            raise KeyError(f"{self.domain}: no policy rule for action {action!r}")
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return user.role in self.rules[action]

    def require(self, user, action: str, message: str | None = None) -> None:
        """Raise Unauthorized for anonymous callers and Forbidden for the wrong role."""
        if user is None or not getattr(user, "is_authenticated", False):
            if action not in self.rules:
                raise KeyError(action)
            raise Unauthorized(_("You need to sign in to do this."))
        if not self.allows(user, action):
            raise Forbidden(message or _("Your role does not allow this."))


class Operator:
    """The operator at the shell (`flask <domain> ...` commands, demo seeders): the rights of
    the ACTION office, without an account of their own."""

    is_authenticated = True
    role = ADMIN
    id = None
    city_id = None
    city = None
    timezone = "UTC"


#: The principal of the CLI commands and the demo seeders.
OPERATOR = Operator()


def signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def is_office(user) -> bool:
    """The ACTION office (admins, and the operator at the shell) acts for every city."""
    return signed_in(user) and user.role == ADMIN
