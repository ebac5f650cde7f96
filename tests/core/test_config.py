"""Settings, secrets, SQLite pragmas and health."""
import time

import pytest
from sqlalchemy import text

from action_lms import create_app
from action_lms.config import ConfigError, load_config, normalise_database_url
from action_lms.extensions import db


def test_production_refuses_to_start_without_a_real_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        load_config({"APP_ENV": "production"})
    monkeypatch.setenv("SECRET_KEY", "changeme")
    with pytest.raises(ConfigError):
        load_config({"APP_ENV": "production"})
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    cfg = load_config({"APP_ENV": "production"})
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["REMEMBER_COOKIE_SECURE"] is True


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def _pool_app(make_app, idle_seconds):
    """An app of its own, with a pool of one connection, on the test's PostgreSQL database."""
    app = make_app(DATABASE_PING_IDLE_SECONDS=idle_seconds,
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite is a file and is never pinged")
    return app


def _backend_pid(app) -> int:
    with app.app_context():
        return db.session.execute(text("SELECT pg_backend_pid()")).scalar()


def _terminate(pid: int) -> None:
    """What a restart of the server does to a pooled connection, from another connection."""
    with db.engine.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar() is True


def test_a_pooled_connection_that_died_while_idle_is_replaced_before_the_request(app, make_app):
    pool_app = _pool_app(make_app, idle_seconds=0.2)
    dead = _backend_pid(pool_app)
    _terminate(dead)
    time.sleep(0.3)
    response = pool_app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"
    assert _backend_pid(pool_app) != dead


def test_a_connection_in_steady_use_is_not_pinged(app, make_app, monkeypatch):
    pool_app = _pool_app(make_app, idle_seconds=5)
    pings = []
    with pool_app.app_context():
        real_ping = db.engine.dialect.do_ping
        monkeypatch.setattr(db.engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    client = pool_app.test_client()
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert pings == []  # no round trip spent on checking a connection used a moment ago


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_liveness_needs_no_database(client):
    assert client.get("/healthz/live").get_json() == {"status": "ok"}


def test_healthz_503_when_database_unreachable(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/api/v1/openapi.json"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_openapi_and_docs_are_served(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/login" in spec["paths"] and "/api/v1/me/data" in spec["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.get_data(as_text=True)
    assert client.get("/api/v1/docs/static/swagger-ui-bundle.js").status_code == 200


def test_behind_a_trusted_proxy_the_client_ip_and_https_are_honoured(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    seen = {}

    @app.get("/whoami")
    def whoami():
        from flask import request
        seen.update(ip=request.remote_addr, secure=request.is_secure)
        return "ok"

    response = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen == {"ip": "203.0.113.9", "secure": True}
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_openapi_document_builds_without_name_clashes(make_app):
    """Two schemas with one name would silently be renamed in the document (and confuse clients)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        app = make_app()
        spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert len(spec["paths"]) > 40


def test_base_url_follows_host_and_port_unless_set(monkeypatch):
    """`make run PORT=5101` passes HOST and PORT to flask: links in e-mails reach that port."""
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert load_config()["BASE_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("PORT", "5101")
    assert load_config()["BASE_URL"] == "http://127.0.0.1:5101"
    monkeypatch.setenv("HOST", "192.0.2.7")
    assert load_config()["BASE_URL"] == "http://192.0.2.7:5101"
    monkeypatch.setenv("HOST", "0.0.0.0")  # a wildcard bind is no address to link to
    assert load_config()["BASE_URL"] == "http://127.0.0.1:5101"
    monkeypatch.setenv("HOST", "::1")
    assert load_config()["BASE_URL"] == "http://[::1]:5101"
    monkeypatch.setenv("BASE_URL", "https://lms.example.org/")
    assert load_config()["BASE_URL"] == "https://lms.example.org"


def test_make_run_passes_host_and_port_to_flask_as_environment():
    from action_lms.config import ROOT
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "HOST=$(HOST)" in recipe and "PORT=$(PORT)" in recipe and "flask run" in recipe


def test_favicon_is_served_with_a_cache_header_and_linked_from_pages(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200  # no redirect, no 404
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    body = response.get_data()
    assert body[:4] == b"\x00\x00\x01\x00"  # ICO header: reserved 0, type 1 (icon)
    count = int.from_bytes(body[4:6], "little")
    assert count >= 1
    size, offset = int.from_bytes(body[14:18], "little"), int.from_bytes(body[18:22], "little")
    assert offset + size == len(body)
    assert "max-age=" in response.headers["Cache-Control"] and "no-store" not in response.headers["Cache-Control"]
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.get_data()
