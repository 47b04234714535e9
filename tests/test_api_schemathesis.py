"""Schemathesis over /api/v1/openapi.json: every operation, signed in with each role's token.

Hypothesis generates requests from the OpenAPI document (valid and invalid ones); each answer
must be no 500, carry a documented status code and content type, and match the documented
schema. The catalog holds a few records so that reads and writes meet real objects too.
"""

from __future__ import annotations

import typing as t

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance
from schemathesis.checks import not_a_server_error
from schemathesis.checks import response_schema_conformance
from schemathesis.checks import status_code_conformance

from catalog.extensions import db
from catalog.services import accounts
from catalog.services import bundle
from tests.accounts import auth_app
from tests.factories import BUNDLE_PEOPLE

ROLES = ("viewer", "marketing", "it", "admin")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SEED = {
    "people": BUNDLE_PEOPLE,
    "tools": [
        {
            "slug": "crm",
            "name": "CRM",
            "lifecycle": "sanctioned",
            "business_owner": "mia@example.com",
            "technical_owner": "ian@example.com",
        },
        {
            "slug": "mail",
            "name": "Mail",
            "lifecycle": "requested",
            "business_owner": "mia@example.com",
            "requested_at": "2026-11-01",
        },
    ],
    "flows": [{"source": "crm", "target": "mail", "mechanism": "api"}],
    "dependencies": [{"tool": "mail", "depends_on": "crm", "kind": "data"}],
}
CASES: dict[str, int] = {}
# Examples per operation and role: 10 valid and 6 invalid requests, so the suite stays within
# minutes (about 1,400 requests per database).
MAX_EXAMPLES = {"positive": 10, "negative": 6}


@pytest.fixture(scope="module", params=ROLES)
def api_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _postgres_schema: None
) -> t.Iterator[tuple[t.Any, str, str]]:
    """An app with sign-in enforced, a seeded catalog and a bearer token for one role."""
    role = request.param
    app = auth_app(tmp_path_factory.mktemp(role), PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        bundle.import_bundle(db.session, SEED, actor="seed")
        user = accounts.create_user(
            db.session,
            email=f"{role}@example.com",
            role=role,
            password="correct horse battery",
            actor="test",
        )
        token = accounts.issue_api_token(db.session, user, actor="test")
        db.session.commit()
    yield app, token, role
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_answers_as_documented(api_app: tuple[t.Any, str, str], mode: str) -> None:
    """Every operation, `mode` data (valid per the schema, or deliberately invalid)."""
    app, token, role = api_app
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for operation in operations:
        # schemathesis.pytest.from_fixture does not run under pytest 9 (it reads a node
        # attribute pytest removed), so each operation gets its own Hypothesis test here.
        @given(case=operation.as_strategy(GenerationMode(mode)))
        @settings(
            max_examples=MAX_EXAMPLES[mode],
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: t.Any) -> None:
            CASES[role] = CASES.get(role, 0) + 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Unsatisfiable:
            continue  # nothing in this operation can be made invalid (no parameters, no body)
        except (Exception, BaseExceptionGroup) as exc:  # Schemathesis raises a FailureGroup
            # Collect every operation's failure, then report them all.
            failures.append(
                f"{operation.label}: {exc}: "
                + "; ".join(str(sub)[:500] for sub in getattr(exc, "exceptions", ()))
            )
    assert not failures, "\n\n".join(failures)


def test_schemathesis_ran_every_role() -> None:
    # The figure for the record; every role's token must have been exercised.
    print(f"schemathesis cases per role: {CASES}")
    assert set(CASES) == set(ROLES) and all(n > 120 for n in CASES.values()), CASES
