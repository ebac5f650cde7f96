"""Several gunicorn workers (or machines) share one rate-limit store when
RATELIMIT_STORAGE_URI=redis://...: a real redis-server started by the suite, two apps
standing for two workers, and the login limit counted across both."""
from __future__ import annotations

import pytest

from ..factories import make_user
from ..helpers import csrf_from
from ..redis_server import REQUIRE_REDIS, RedisServer, RedisUnavailable


@pytest.fixture(scope="module")
def redis_url():
    try:
        server = RedisServer()
        url = server.start()
    except RedisUnavailable as exc:
        if REQUIRE_REDIS:
            pytest.fail(f"REQUIRE_REDIS=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))
    yield url
    server.stop()


def failed_login(client, email: str) -> int:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": "wrong password", "csrf_token": token}).status_code


def test_two_workers_count_failed_sign_ins_together(make_app, redis_url):
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url, "LOGIN_RATE_LIMIT": "4 per minute"}
    first, second = make_app(**config), make_app(**config)
    with first.app_context():
        user = make_user("learner", email="target@example.org")
        email = user.email
    a, b = first.test_client(), second.test_client()
    # Four tries spread over the two workers use up the one limit; the fifth is refused by either.
    assert [failed_login(a, email), failed_login(b, email), failed_login(a, email), failed_login(b, email)] == [401] * 4
    assert failed_login(a, email) == 429
    assert failed_login(b, email) == 429
    # The counts live in Redis, not in either process.
    import redis
    assert any(b"LIMITS" in key or b"login" in key.lower() for key in redis.Redis.from_url(redis_url).keys("*"))
