"""Every rule about accounts, cities, membership, sign-in, sessions and tokens, split by
use case. The API, the pages and the CLI import from here; the names below are the
package's public surface."""
from .cities import all_cities, create_city, get_city, list_cities_query, update_city
from .membership import (
    approve_join_request,
    can_decide_membership,
    decline_join_request,
    list_join_requests,
    pending_join_request_count,
    request_to_join,
    withdraw_join_request,
)
from .personal_data import (
    erase_account,
    export_personal_data,
    require_same_user_or_admin,
    user_summary,
)
from .rules import (
    BAD_CREDENTIALS,
    DEFAULT_TIMEZONE,
    MIN_PASSWORD_LENGTH,
    email_rate_limit_key,
    hash_secret,
    normalise_email,
    policy,
)
from .sessions import (
    SESSION_ENTRY,
    end_other_sessions,
    end_session,
    issue_token,
    list_sessions,
    list_tokens,
    reset_calendar_token,
    revoke_token,
    start_session,
    user_for_calendar_token,
    user_for_session,
    user_for_token,
)
from .signin import (
    PASSWORD_RESET_MAX_AGE,
    authenticate,
    create_token_with_password,
    request_password_reset,
    reset_password,
    user_for_reset_token,
)
from .users import (
    change_password,
    create_user,
    get_user,
    list_users_query,
    register,
    update_profile,
    update_user,
)

__all__ = [
    "BAD_CREDENTIALS", "DEFAULT_TIMEZONE", "MIN_PASSWORD_LENGTH", "PASSWORD_RESET_MAX_AGE", "SESSION_ENTRY",
    "all_cities", "approve_join_request", "authenticate", "can_decide_membership", "change_password",
    "create_city", "create_token_with_password", "create_user", "decline_join_request", "email_rate_limit_key",
    "end_other_sessions", "end_session", "erase_account", "export_personal_data", "get_city", "get_user",
    "hash_secret", "issue_token", "list_cities_query", "list_join_requests", "list_sessions", "list_tokens",
    "list_users_query", "normalise_email", "pending_join_request_count", "policy", "register",
    "request_password_reset", "request_to_join", "require_same_user_or_admin", "reset_calendar_token",
    "reset_password", "revoke_token", "start_session", "update_city", "update_profile", "update_user",
    "user_for_calendar_token", "user_for_reset_token", "user_for_session", "user_for_token", "user_summary",
    "withdraw_join_request",
]
