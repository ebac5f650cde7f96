"""What every feedback use case shares: the role table, the limits and the thresholds."""

from __future__ import annotations

from datetime import timedelta

from ...core.i18n import _l
from ...core.policy import ADMIN, ANY_USER, COORDINATOR, Policy

policy = Policy(
    "feedback",
    {
        "feedback.list": ANY_USER,
        "feedback.answer": ANY_USER,
        "impact.view": {COORDINATOR, ADMIN},
    },
)

#: One reminder this long after the request, if it is still unanswered; then nothing.
REMINDER_AFTER = timedelta(days=7)
#: Events that ended longer ago than this are not asked about any more (a scheduler that was
#: down for less catches up).
CATCH_UP = timedelta(days=60)
#: A figure from fewer answers is not shown, so nobody's answer can be singled out.
MIN_RESPONSES = 3
#: Comments name the city only when at least this many cities answered for the format.
MIN_CITIES_FOR_COMMENTS = 3
NOT_YOURS = _l("No feedback request with this id for you.")
ANSWERED = _l("You have already answered this feedback request. Thank you!")
