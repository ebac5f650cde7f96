"""Good practices: the library of what member cities did that others can learn from, with
its review workflow, search, and the practices shown under plan milestones."""

from typing import Any


def init_app(app) -> None:
    """Navigation, the practices of other cities under plan milestones, demo data, data
    export and erasure, and the `flask practices` commands."""
    from ..core.hooks import contributions, user_erased
    from ..core.i18n import _l
    from . import services
    from .cli import practices_cli
    from .services.home import month_figures, practices_todo

    hooks = contributions(app)
    hooks.add_nav_item(_l("Good practices"), "practices.library", order=350, group="Exchanges")
    hooks.add_nav_item(_l("Review practices"), "practices.review", {"admin"}, order=355, group="Exchanges")
    hooks.add_milestone_resource("practices", _l("Good practices from other cities"), services.milestone_resources)
    hooks.add_home_todo(practices_todo)
    hooks.add_home_figure("practices", month_figures, order=50)
    hooks.add_seeder("practices", services.seed_demo)
    hooks.add_data_section("practices", services.export_personal_data)
    user_erased.connect(_erase)
    app.cli.add_command(practices_cli)


def _erase(sender: Any, user: Any, **_kwargs: Any) -> None:
    from . import services

    services.erase_personal_data(user)
