"""API fuzzing: schemathesis generates requests for every operation of the app's own
OpenAPI document, as each role (bearer token) and anonymously. No 5xx, and every
response matches its documented status codes, content type and schema.

The number of examples is bounded (FUZZ_EXAMPLES, default 6 per operation and role) so
the run stays within minutes; raise it locally for a deeper search."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance,
)

from ..factories import make_city, make_practice, make_token, make_user

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
ROLES = ["anonymous", "learner", "coordinator", "consultant", "admin"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_as_each_role(app, role):
    _fuzz(app, role, operations(app), minimum=11)


@pytest.mark.parametrize("role", ROLES)
def test_every_practice_operation_as_each_role(app, role):
    """The same, for the good-practice library's operations only (a quicker run for that domain),
    with a practice in each status for the generated ids to meet."""
    city = make_city()
    for status in ("draft", "submitted", "published", "archived"):
        make_practice(city, f"Fuzz {status} practice", status=status)
    _fuzz(app, role, [op for op in operations(app) if op.path.startswith("/api/v1/practices")], minimum=8)


def _fuzz(app, role, ops, minimum: int):
    headers = {}
    if role != "anonymous":
        user = make_user(role, city=make_city() if role in ("coordinator", "learner") else None)
        headers = {"Authorization": f"Bearer {make_token(user)}"}
    assert len(ops) >= minimum
    failures = []
    for operation in ops:
        if role != "anonymous" and operation.method.upper() == "DELETE" and operation.path == "/api/v1/me":
            continue  # erasing the caller would turn every later request into a 401; tested on its own

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every failure, then report
            details = [str(e) for e in getattr(exc, "exceptions", [])] or [str(exc)]
            failures.append(f"{operation.method.upper()} {operation.path}: " + " | ".join(details)[:2000])
    assert not failures, "\n\n".join(failures)
