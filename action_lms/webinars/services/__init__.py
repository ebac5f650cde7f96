"""Every rule of the webinars domain, split by use case: scheduling, registration with
capacity and a waitlist, notifications and reminders, calendar files, attendance, figures for
other domains, personal data and demo data. The API, the pages, the CLI and the domain's
`__init__` import from here; the names below are the package's public surface.

Modules import only from those above them in this list: rules, validation, catalogue,
calendar, notifications, waitlist, then the use cases (scheduling, registration,
attendance, reminders, figures, personal_data, demo).
"""

from ..models import MAX_CANCEL_REASON, MAX_CAPACITY, MAX_DESCRIPTION, MAX_DURATION_MINUTES, MAX_MODULE_KEY
from .attendance import (
    CSV_COLUMNS,
    list_registrations,
    present_admin_registration,
    record_attendance,
    registrations_csv,
    registrations_query,
)
from .calendar import calendar_event, feed_events, webinar_calendar
from .catalogue import (
    get_webinar,
    list_webinars,
    list_webinars_query,
    present,
    present_rows,
    present_webinars,
    registration_open,
    webinar_detail,
    webinars_page,
)
from .demo import DEMO_WEBINARS, seed_demo
from .figures import (
    attendances_by_city,
    milestone_choices,
    milestone_titles,
    module_picker,
    module_titles,
    webinars_for_milestones,
)
from .personal_data import erase_registrations, export_registrations
from .registration import MyWebinars, cancel_registration, my_webinars, register
from .reminders import send_webinar_reminders
from .rules import (
    CLOSES_BEFORE_SETTING,
    EDITABLE,
    FEED_HISTORY,
    MAX_PAGE,
    PAGE_SIZE,
    REMINDERS,
    Reg,
    can_cancel_webinar,
    can_create_webinar,
    can_download_calendar,
    can_edit_webinar,
    can_see_join_url,
    can_see_registrations,
    default_closes_at,
    may_see_join_url,
    policy,
    registration_closes_minutes_before,
    webinar_permissions,
)
from .scheduling import cancel_webinar, create_webinar, follows_start, is_default_deadline, update_webinar
from .validation import UNKNOWN_TIMEZONE, local_to_utc, utc_to_local

__all__ = [
    "CLOSES_BEFORE_SETTING",
    "CSV_COLUMNS",
    "DEMO_WEBINARS",
    "EDITABLE",
    "FEED_HISTORY",
    "MAX_CANCEL_REASON",
    "MAX_CAPACITY",
    "MAX_DESCRIPTION",
    "MAX_DURATION_MINUTES",
    "MAX_MODULE_KEY",
    "MAX_PAGE",
    "PAGE_SIZE",
    "REMINDERS",
    "UNKNOWN_TIMEZONE",
    "MyWebinars",
    "Reg",
    "attendances_by_city",
    "calendar_event",
    "can_cancel_webinar",
    "can_create_webinar",
    "can_download_calendar",
    "can_edit_webinar",
    "can_see_join_url",
    "can_see_registrations",
    "cancel_registration",
    "cancel_webinar",
    "create_webinar",
    "default_closes_at",
    "erase_registrations",
    "export_registrations",
    "feed_events",
    "follows_start",
    "get_webinar",
    "is_default_deadline",
    "list_registrations",
    "list_webinars",
    "list_webinars_query",
    "local_to_utc",
    "may_see_join_url",
    "milestone_choices",
    "milestone_titles",
    "module_picker",
    "module_titles",
    "my_webinars",
    "policy",
    "present",
    "present_admin_registration",
    "present_rows",
    "present_webinars",
    "record_attendance",
    "register",
    "registration_closes_minutes_before",
    "registration_open",
    "registrations_csv",
    "registrations_query",
    "seed_demo",
    "send_webinar_reminders",
    "update_webinar",
    "utc_to_local",
    "webinar_calendar",
    "webinar_detail",
    "webinar_permissions",
    "webinars_for_milestones",
    "webinars_page",
]
