"""Schemathesis against the published OpenAPI schema, logged in as the admin (the widest scope): whatever
the generated parameters and bodies, no route answers with a server error."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from tests.web.site import PASSWORD


@pytest.fixture
def admin_session(app) -> tuple[dict[str, str], dict[str, str]]:
    """The admin's session cookie and CSRF header, so generated POSTs reach the routes' own checks."""
    with TestClient(app, base_url="http://127.0.0.1") as c:
        r = c.post("/api/login", json={"username": "admin", "password": PASSWORD})
        assert r.status_code == 200
        return {"hqd_session": c.cookies["hqd_session"]}, {"X-CSRF-Token": r.json()["data"]["csrf_token"]}


def test_no_route_answers_with_a_server_error(app, admin_session):
    """Every operation of the schema, with generated parameters and bodies (Hypothesis strategies from
    schemathesis; its pytest plugin is not used, it does not run under this pytest)."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    # logout ends every session of the admin, the one this run uses (tests/web/test_sessions.py covers it)
    operations = [op for op in (r.ok() for r in schema.get_all_operations()) if op.path != "/api/logout"]
    assert len(operations) >= 25
    cookies, headers = admin_session
    statuses: list[int] = []

    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case) -> None:
            response = case.call(cookies=cookies, headers=headers)
            statuses.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error])

        no_server_error()
    assert len(statuses) >= 5 * len(operations) and {200, 404, 422} <= set(statuses)


def test_the_schema_is_served_without_outside_assets(client_for):
    c = client_for(None)
    assert c.get("/api/openapi.json").json()["info"]["title"].startswith("hqd")
    assert c.get("/docs").status_code == 404  # the Swagger page would load its script from a CDN
