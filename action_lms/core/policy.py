"""Authorisation tables. Each domain declares one `Policy`: action -> roles allowed.
Object-level rules (own city, own booking) live next to it in the domain's services.
The tables are what the role x action matrix tests iterate over."""

from __future__ import annotations

from .errors import Forbidden, Unauthorized

LEARNER = "learner"
COORDINATOR = "coordinator"
CONSULTANT = "consultant"
ADMIN = "admin"
ROLES = (LEARNER, COORDINATOR, CONSULTANT, ADMIN)
ANY_USER = frozenset(ROLES)


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
            raise Unauthorized("You need to sign in to do this.")
        if not self.allows(user, action):
            raise Forbidden(message or "Your role does not allow this.")


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
