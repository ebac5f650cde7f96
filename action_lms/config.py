"""Settings from environment variables, with safe defaults.

`APP_ENV` chooses the profile: `development` (default), `production` or `testing`.
Production refuses to start without a real SECRET_KEY; development generates one
into `instance/secret_key` so sessions survive restarts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "please-change"}


class ConfigError(RuntimeError):
    """Raised when the service must not start with the given settings."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_base_url() -> str:
    """http://HOST:PORT, the address `make run` serves (HOST and PORT from the environment, as
    `make run HOST=... PORT=...` passes them), so links in e-mails reach the running app. A
    wildcard bind address is not one to link to: it becomes the loopback address."""
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    if host in {"0.0.0.0", "::", "[::]"}:
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal in a URL
    port = os.environ.get("PORT", "").strip() or "5000"
    return f"http://{host}:{port}"


def _dev_secret_key() -> str:
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config dict from the environment, then apply overrides."""
    overrides = dict(overrides or {})
    env = overrides.get("APP_ENV") or os.environ.get("APP_ENV", "development")
    production = env == "production"
    testing = env == "testing" or bool(overrides.get("TESTING"))

    secret = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY", "")
    if not secret:
        if production:
            raise ConfigError("SECRET_KEY must be set in production (a long random string).")
        secret = "testing-secret-key-not-for-production" if testing else _dev_secret_key()
    elif production and (secret.lower() in WEAK_SECRETS or len(secret) < 32):
        raise ConfigError("SECRET_KEY is too weak for production: use at least 32 random characters.")

    default_db = f"sqlite:///{INSTANCE / 'action_lms.db'}"
    cfg: dict[str, Any] = {
        "APP_ENV": env,
        "TESTING": testing,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(os.environ.get("DATABASE_URL", default_db)),
        # PostgreSQL: ping a pooled connection before use when it sat unused this long (core.db),
        # so a restart of the database server fails no request; 0 pings before every request.
        "DATABASE_PING_IDLE_SECONDS": float(os.environ.get("DATABASE_PING_IDLE_SECONDS") or 5),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        # Public address used in e-mails and calendar feeds; BASE_URL wins over HOST/PORT.
        "BASE_URL": (os.environ.get("BASE_URL") or default_base_url()).rstrip("/"),
        # Mail: without MAIL_SERVER, messages stay in the outbox and are logged.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "ACTION LMS <no-reply@action-lms.local>"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", 8),
        "OUTBOX_CLAIM_TIMEOUT": _int("OUTBOX_CLAIM_TIMEOUT", 600),
        # Rate limits (login, registration, token creation).
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", not testing),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Cookies.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_LIFETIME_HOURS", 12) * 3600,
        # CSRF is checked by our own before_request hook (bearer requests are exempt).
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": production,
        # Scheduler: `make run` starts it inside the web process; production runs
        # `flask scheduler run` as its own process instead.
        "SCHEDULER_IN_PROCESS": _bool("SCHEDULER_IN_PROCESS", False),
        # How often a standby `flask scheduler run` tries to take over (and the leader checks its lock).
        "SCHEDULER_LEADER_POLL_SECONDS": float(os.environ.get("SCHEDULER_LEADER_POLL_SECONDS") or 5),
        # Snapshots of the overview's and the impact report's figures (core.snapshots): counted
        # again this often by the scheduler; a scope nobody read for SNAPSHOT_KEEP_DAYS is dropped.
        "SNAPSHOT_REFRESH_SECONDS": _int("SNAPSHOT_REFRESH_SECONDS", 600),
        "SNAPSHOT_KEEP_DAYS": _int("SNAPSHOT_KEEP_DAYS", 30),
        # OpenAPI (flask-smorest).
        "API_TITLE": "ACTION LMS API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_SORT_KEYS": False,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust
        # (client IP for rate limits, https for secure cookies and HSTS). 0 = none.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Largest request accepted, in bytes (413 beyond it); every API body and form fits in far less.
        "MAX_REQUEST_BYTES": _int("MAX_REQUEST_BYTES", 1024 * 1024),
    }
    cfg.update(overrides)
    if int(cfg["MAX_REQUEST_BYTES"]) < 1:
        raise ConfigError("MAX_REQUEST_BYTES must be a positive number of bytes.")
    cfg["MAX_CONTENT_LENGTH"] = int(cfg["MAX_REQUEST_BYTES"])  # Flask's name for it
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(cfg["SQLALCHEMY_DATABASE_URI"])
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Wait for the writer instead of failing at once; see core.db for BEGIN IMMEDIATE.
        opts = dict(cfg.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        opts.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = opts
    return cfg
