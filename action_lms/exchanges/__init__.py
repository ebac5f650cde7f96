"""Peer exchanges: a city asks to learn from other cities; the office matches, invites and
schedules across time zones; the session, its report, follow-ups and public story."""

import os
from typing import Any

from ..core.i18n import _l
from .services import DEFAULTS


def init_app(app) -> None:
    """Settings, navigation, reminders, the personal feed, overview figures, plan resources
    and actions, demo data, data export and erasure, and the `flask exchanges` commands."""
    from ..core.hooks import contributions, user_erased
    from . import services
    from .cli import exchanges_cli
    from .demo import seed_demo
    from .services import feedback as feedback_source
    from .services import home

    for name, default in DEFAULTS.items():
        app.config.setdefault(name, os.environ.get(name) or default)

    hooks = contributions(app)
    hooks.add_nav_item(
        _l("Peer exchanges"), "exchanges.index", {"coordinator", "learner", "admin"}, order=360, group="Exchanges"
    )
    hooks.add_nav_item(_l("Exchange board"), "exchanges.board", {"admin"}, order=365, group="Exchanges")
    hooks.add_job("send_exchange_reminders", services.send_exchange_reminders, 60)
    hooks.add_calendar_source(services.calendar_events_for)
    hooks.add_city_stat("exchanges_requested", _l("Exchanges requested"), services.requested_by_city)
    hooks.add_city_stat("exchanges_hosted", _l("Exchanges hosted"), services.hosted_by_city)
    hooks.add_milestone_resource("exchanges", _l("Peer exchanges and follow-ups"), services.milestone_resources)
    hooks.add_milestone_action(
        _l("Ask other cities about this"), "exchanges.new_exchange", services.can_request_exchange
    )
    hooks.add_feedback_format(
        "exchange", _l("Peer exchanges"), feedback_source.feedback_due, feedback_source.impact_figures, order=40
    )
    hooks.add_home_panel("city_exchanges", home.city_exchanges_panel, {"coordinator": 30})
    hooks.add_home_todo(home.exchanges_todo)
    hooks.add_home_figure("exchanges", home.month_figures, order=40)
    hooks.add_seeder("exchanges", seed_demo)
    hooks.add_data_section("exchanges", services.export_personal_data)
    user_erased.connect(_erase)
    app.cli.add_command(exchanges_cli)


def _erase(sender: Any, user: Any, **extra: Any) -> None:
    from . import services

    services.erase_personal_data(user)
