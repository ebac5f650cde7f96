"""Every rule of the good-practice library, split by use case. The API, the pages, the CLI
and `practices/__init__.py` import from here; the names below are the package's public
surface.

Layers (a module imports only from those above it in this list): `rules` (role table,
limits), `permissions` (the `can_*` object-level rules and `visible_practices`), `search`
(the normaliser and each engine's full-text match), `validation` (input rules),
`notifications`, `library` (reading), `editing` (writing and the workflow),
`personal_data`, `importing` and `demo`. Every write runs in `core.db`'s unit of work.
"""

from ...core.policy import OPERATOR
from .demo import DEMO_FILE, seed_demo
from .editing import (
    archive_practice,
    create_practice,
    practice_to_edit,
    publish_practice,
    send_back_practice,
    submit_practice,
    update_practice,
)
from .importing import ImportResult, import_file, import_practices
from .library import (
    NEXT_STEPS,
    cities_for_new,
    contact_choices,
    filter_options,
    get_practice,
    library_page,
    list_practices_query,
    milestone_resources,
    next_step,
    own_city_practices,
    practices_for_operator,
    review_queue,
    review_queue_length,
)
from .notifications import practice_url
from .permissions import (
    can_ask_for_exchange,
    can_create_for_any_city,
    can_create_practice,
    can_edit_practice,
    can_list_own_city,
    can_review_practices,
    can_submit_practice,
    can_view_practice,
    is_office,
    visible_practices,
)
from .personal_data import erase_personal_data, export_personal_data
from .rules import LINK_TITLE_MAX, LINK_URL_MAX, MAX_QUERY, PAGE_SIZE, STATUSES, TITLE_MAX, policy
from .search import normalise, search_terms, search_text, stem
from .validation import FIELDS, LANGUAGE_CODE, clean_fields

__all__ = [
    "DEMO_FILE",
    "FIELDS",
    "LANGUAGE_CODE",
    "LINK_TITLE_MAX",
    "LINK_URL_MAX",
    "MAX_QUERY",
    "NEXT_STEPS",
    "OPERATOR",
    "PAGE_SIZE",
    "STATUSES",
    "TITLE_MAX",
    "ImportResult",
    "archive_practice",
    "can_ask_for_exchange",
    "can_create_for_any_city",
    "can_create_practice",
    "can_edit_practice",
    "can_list_own_city",
    "can_review_practices",
    "can_submit_practice",
    "can_view_practice",
    "cities_for_new",
    "clean_fields",
    "contact_choices",
    "create_practice",
    "erase_personal_data",
    "export_personal_data",
    "filter_options",
    "get_practice",
    "import_file",
    "import_practices",
    "is_office",
    "library_page",
    "list_practices_query",
    "milestone_resources",
    "next_step",
    "normalise",
    "own_city_practices",
    "policy",
    "practice_to_edit",
    "practice_url",
    "practices_for_operator",
    "publish_practice",
    "review_queue",
    "review_queue_length",
    "search_terms",
    "search_text",
    "seed_demo",
    "send_back_practice",
    "stem",
    "submit_practice",
    "update_practice",
    "visible_practices",
]
