"""Schemathesis against the outreach part of the OpenAPI document: whatever it sends, as
an admin or a coordinator, the answer is never a server error."""

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from scheduler.extensions import db
from tests.outreach.conftest import Actor, approve, make_request, make_user


@pytest.fixture
def prepared(client):
    admin = Actor(make_user("admin"))
    coord = Actor(make_user("coordinator"))
    req = make_request(coord.user)
    make_request(coord.user, institution_name="SMP X")
    approve(req, admin.user)
    db.session.commit()
    return admin, coord


def _fuzz(operation, token):
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
    @hypothesis.given(case=operation.as_strategy())
    def run(case):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        resp = case.call()
        db.session.commit()
        assert resp.status_code < 500, (operation.path, case.body, resp.text[:300])

    run()


def test_outreach_endpoints_never_answer_500(app, client, prepared):
    admin, coord = prepared
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations() if "/outreach/" in r.ok().path]
    assert len(operations) == 10  # requests, sessions, and home visits
    for operation in operations:
        for actor in (admin, coord):
            _fuzz(operation, actor.token)
