"""Never a 500: requests generated from the published OpenAPI document for every
webinar endpoint, sent as an administrator and as a learner."""
from datetime import timedelta

import schemathesis
from hypothesis import HealthCheck, given, settings

from action_lms.core.time import utcnow

from ..factories import make_registration, make_token, make_user, make_webinar


def test_generated_requests_never_get_a_server_error(app):
    tokens = [make_token(make_user("admin")), make_token(make_user())]
    upcoming = make_webinar()
    past = make_webinar(starts_at=utcnow() - timedelta(days=1))
    make_registration(past, make_user())
    known_ids = [upcoming.id, past.id]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    client = app.test_client()
    failures = []
    operations = [op.ok() for op in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith("/api/v1/webinars")]
    assert len(operations) == 10

    def checker(operation):
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            path = case.formatted_path
            if "{webinar_id}" in operation.path and len(path) % 2:
                path = operation.path.replace("{webinar_id}", str(known_ids[len(path) % 4 // 2]))
            for token in tokens:
                kwargs = {"headers": {"Authorization": f"Bearer {token}"}, "query_string": case.query or {}}
                if isinstance(case.body, (dict, list, str, int, float)):
                    kwargs["json"] = case.body
                response = client.open(path, method=case.method, **kwargs)
                if response.status_code >= 500:
                    failures.append((case.method, path, case.body, case.query, response.status_code))
        return check

    for operation in operations:
        checker(operation)()
    assert failures == []
