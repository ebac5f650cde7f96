"""ACTION LMS: courses, webinars, consulting and action-plan tracking for the cities of
the European Coalition of Cities Against Racism."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, jsonify
from flask_login import AnonymousUserMixin

from .config import ROOT, load_config
from .extensions import api, csrf, db, limiter, login_manager


class Anonymous(AnonymousUserMixin):
    role = None
    id = None
    timezone = "Europe/Brussels"
    is_admin = False
    city_id = None


def create_app(config: dict | None = None) -> Flask:
    """The only place that wires things together."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(load_config(config))
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job run is noise
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from .core import migrations

    db.init_app(app)
    _init_database_pings(app)
    migrations.init_app(app)  # `flask db ...`, loaded on first use
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    api.init_app(app, spec_kwargs={"info": {"description": "ACTION LMS HTTP API (see API.md)."}})
    _document_security(api)

    from . import scheduler
    from .core import bodies, errors, hooks, i18n, security, web

    i18n.init_app(app)
    hooks.init_app(app)
    scheduler.init_app(app)
    bodies.init_app(app)
    _register_domains(app)
    errors.register_error_handlers(app)
    security.init_app(app)
    web.init_app(app)

    from .accounts.cli import cities_cli, users_cli
    from .demo import demo_cli
    from .scheduler import scheduler_cli

    for group in (users_cli, cities_cli, demo_cli, scheduler_cli):
        app.cli.add_command(group)

    @app.get("/healthz/live")
    def liveness():
        """The process answers (no database): for load balancers, and the benchmarks' floor."""
        return jsonify(status="ok")

    @app.get("/healthz")
    def healthz():
        from sqlalchemy import text

        try:
            db.session.execute(text("SELECT 1"))
            return jsonify(status="ok", database="ok")
        except Exception:  # noqa: BLE001 - any failure means the database is unreachable
            db.session.rollback()
            return jsonify(status="error", database="unreachable"), 503

    if app.config["SCHEDULER_IN_PROCESS"] and os.environ.get("WERKZEUG_RUN_MAIN") != "false":
        from .scheduler import start_in_process

        start_in_process(app)
    return app


def _init_database_pings(app: Flask) -> None:
    """A file cannot drop a connection: SQLite is never pinged."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from .core.db import ping_idle_connections

    with app.app_context():
        ping_idle_connections(db.engine, app.config["DATABASE_PING_IDLE_SECONDS"])


def _init_login(app: Flask) -> None:
    from flask import request, session

    from .accounts import services
    from .core.errors import Unauthorized, wants_json
    from .core.i18n import _l
    from .core.security import bearer_token

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_from_session(user_id):
        """A session cookie signs in only while its session is open on the server. A request
        that names a bearer token is authenticated by the token alone, never the cookie."""
        if bearer_token() is not None:
            return None
        return services.user_for_session(user_id, session.get(services.SESSION_ENTRY))

    @login_manager.request_loader
    def load_from_bearer(req):
        token = bearer_token()
        return services.user_for_token(token) if token is not None else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            raise Unauthorized("You need to sign in to do this.")
        from flask import flash, redirect, url_for

        flash(str(login_manager.login_message), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _document_security(api_) -> None:
    api_.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api_.spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "session"})
    api_.spec.options["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]


DOMAINS = ("accounts", "courses", "webinars", "consulting", "plans", "practices", "exchanges", "feedback")


def _register_domains(app: Flask) -> None:
    """Each domain contributes an API blueprint, an HTML blueprint, and an `init_app(app)`
    that adds its contributions (core.hooks: nav items, jobs, seeders, data sections...) and
    connects to the signals it reacts to."""
    import importlib

    from .core import docs

    for name in DOMAINS:
        package = importlib.import_module(f"{__name__}.{name}")
        importlib.import_module(f"{__name__}.{name}.models")
        api.register_blueprint(importlib.import_module(f"{__name__}.{name}.api").blp)
        app.register_blueprint(importlib.import_module(f"{__name__}.{name}.views").bp)
        if hasattr(package, "init_app"):
            package.init_app(app)
    app.register_blueprint(docs.bp)
