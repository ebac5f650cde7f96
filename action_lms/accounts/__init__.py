"""Users, roles, cities, membership, sign-in, sessions, API tokens, personal data export and erasure."""


def init_app(app) -> None:
    """Navigation for the office and coordinators, and accounts' sections of the data export."""
    from ..core.home import month_panel
    from ..core.hooks import contributions
    from ..core.i18n import _l
    from . import services
    from .services.home import membership_todo

    hooks = contributions(app)
    hooks.add_nav_item(_l("Cities"), "accounts.admin_cities", {"admin"}, order=900, group="Office")
    hooks.add_nav_item(_l("Users"), "accounts.admin_users", {"admin"}, order=910, group="Office")
    hooks.add_nav_item(
        _l("People asking to join"), "accounts.join_requests", {"coordinator", "admin"}, order=920, group="My city"
    )
    hooks.add_home_todo(membership_todo)
    hooks.add_home_panel("month", month_panel, {"admin": 40})
    for section, fn in (
        ("account", services.export_account),
        ("api_tokens", services.export_tokens),
        ("sessions", services.export_sessions),
        ("notifications", services.export_notifications),
    ):
        hooks.add_data_section(section, fn)
