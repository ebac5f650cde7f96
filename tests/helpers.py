"""Client helpers for API tests."""
from __future__ import annotations

from .factories import PASSWORD, make_token


class ApiClient:
    """A test client that speaks JSON as one user (bearer token), or anonymously."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method, path, json=None, headers=None, **kwargs):
        merged = {**self.headers, **(headers or {})}
        return self.client.open(path, method=method, json=json, headers=merged, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json if json is not None else {}, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json if json is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def api_as(client, user=None) -> ApiClient:
    return ApiClient(client, make_token(user) if user is not None else None)


def login_session(client, user, password: str = PASSWORD):
    """Sign in through the HTML form (gets a session cookie) and return the CSRF token."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_from(client.get("/account").get_data(as_text=True))


def csrf_from(html: str) -> str:
    import re
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def assert_envelope(response, code: int):
    """Every API error has the envelope of API.md."""
    assert response.status_code == code, response.get_data(as_text=True)
    body = response.get_json()
    assert body is not None, "error body is not JSON"
    assert body["code"] == code
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    return body


def inline_scripts(html: str) -> list[str]:
    """Script tags that are not our own files (the CSP allows only `script-src 'self'`)."""
    import re
    return [tag for tag in re.findall(r"<script\b[^>]*>", html) if not re.search(r'src="/static/[\w.-]+\.js"', tag)]


def refresh_snapshots(now=None) -> int:
    """What the scheduler's `refresh_snapshots` job does: count the kept figures again."""
    from action_lms.core import snapshots

    return snapshots.refresh(now)
