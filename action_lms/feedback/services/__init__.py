"""Every rule of the feedback domain, split by use case.

Layers (a module imports only from those above it): `rules`, `permissions`, `requesting`
(the scan, e-mails, reminders, the person's list), `answering`, `impact`, `personal_data`.
"""

from .answering import answer
from .impact import CSV_HEADER, impact, impact_csv, recount_impact
from .permissions import can_answer, can_view_impact, impact_city_scope, is_office
from .personal_data import erase_personal_data, export_personal_data
from .requesting import (
    create_feedback_requests,
    get_request,
    my_feedback,
    open_requests_query,
    request_url,
    send_feedback_reminders,
)
from .rules import ANSWERED, MIN_RESPONSES, REMINDER_AFTER, policy

__all__ = [
    "ANSWERED",
    "CSV_HEADER",
    "MIN_RESPONSES",
    "REMINDER_AFTER",
    "answer",
    "can_answer",
    "can_view_impact",
    "create_feedback_requests",
    "erase_personal_data",
    "export_personal_data",
    "get_request",
    "impact",
    "impact_city_scope",
    "impact_csv",
    "is_office",
    "my_feedback",
    "open_requests_query",
    "policy",
    "recount_impact",
    "request_url",
    "send_feedback_reminders",
]
