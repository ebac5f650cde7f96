"""A second accessibility engine: HTML_CodeSniffer (WCAG 2 AA) finds no error on any page of
any role, the pages the phone-width test visits (axe already runs in every journey). Its two
earlier findings: ids repeated on /account (five forms, five `csrf_token` ids) and
`autocomplete="username"` on an e-mail field."""
from __future__ import annotations

import pytest

from ..factories import PASSWORD
from .conftest import codesniffer_errors, sign_in
from .test_phone_width import DESKTOP, ROLES, pages_of
from .test_phone_width import world as world  # noqa: F401 - the same pages and data


@pytest.mark.parametrize("role", ROLES)
def test_html_codesniffer_finds_no_wcag2aa_error(page, world, role):  # noqa: F811
    users, ids = world
    page.set_viewport_size(DESKTOP)
    if role != "anonymous":
        sign_in(page, users[role].email, PASSWORD)
    found = {}
    for template in pages_of(role) + (["/account", "/"] if role != "anonymous" else ["/login", "/register"]):
        path = template.format(**ids)
        response = page.goto(path)
        assert response.status == 200, f"{role} {path}: {response.status}"
        errors = codesniffer_errors(page)
        if errors:
            found[path] = errors
    assert not found, f"{role}: HTML_CodeSniffer errors: {found}"
