"""Every service write moves `catalog_version`, the key every cache of analyses and pictures uses.

The caches (graphs, the audit, search indexes, rendered pictures) stay right only because every
write records a change (docs/architecture.md#caches-and-invalidation; services/write_guard.py
refuses a commit that forgot one): one row per service write path below, each run
on a small catalog, asserting that the version read afterwards differs from the one before.
Account and preference writes are in the table too: they record changes like any other write,
and a version that moves on them only costs a cache rebuild.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Tool
from catalog.models import TriageDecision
from catalog.services import accounts
from catalog.services import bulk
from catalog.services import bundle
from catalog.services import discovery
from catalog.services import entities
from catalog.services import findings
from catalog.services import notify
from catalog.services import review
from catalog.services import saved_views
from catalog.services import scorecard
from catalog.services import taxonomy
from catalog.services import triage
from catalog.services import triage_merge
from catalog.services.snapshot import catalog_version
from tests.catalog_writes import DECISION_WRITES
from tests.catalog_writes import NOTHING
from tests.catalog_writes import TODAY
from tests.catalog_writes import Write
from tests.catalog_writes import seed
from tests.catalog_writes import tool_of
from tests.catalog_writes import user_of
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

DATA = Path(__file__).resolve().parent / "data" / "discovery"


def _ignored(session: Session) -> TriageDecision:
    decision = triage.ignore(session, tool_of(session, "other"), actor="test", reason="not ours")
    session.commit()
    return decision


def _merged(session: Session) -> TriageDecision:
    decision = triage_merge.merge(
        session, tool_of(session, "other"), tool_of(session, "crm"), actor="test"
    )
    session.commit()
    return decision


def _added_category(session: Session):
    entry = taxonomy.add_category(
        session, name="Loyalty widgets", group="commerce-sales", actor="test"
    )
    session.commit()
    return entry


WRITES: list[Write] = [
    ("entities.save_person", NOTHING, lambda s, _: make_person(s, email="new@example.com")),
    (
        "entities.save_person (edit)",
        NOTHING,
        lambda s, _: entities.save_person(
            s,
            {"email": "ann@example.com", "name": "Ann B", "department": "marketing"},
            actor="test",
            person=entities.person_by_email(s, "ann@example.com"),
        ),
    ),
    (
        "entities.delete_person",
        lambda s: make_person(s, email="gone@example.com"),
        lambda s, p: entities.delete_person(s, p, actor="test"),
    ),
    ("entities.save_tool", NOTHING, lambda s, _: make_tool(s, slug="fresh", name="Fresh Tool")),
    (
        "entities.delete_tool",
        NOTHING,
        lambda s, _: entities.delete_tool(s, tool_of(s, "shadow"), actor="test"),
    ),
    ("entities.save_flow", NOTHING, lambda s, _: make_flow(s, "esp", "crm")),
    (
        "entities.delete_flow",
        NOTHING,
        lambda s, _: entities.delete_flow(
            s, entities.tool_flows(s, tool_of(s, "crm"))[0], actor="test"
        ),
    ),
    ("entities.save_dependency", NOTHING, lambda s, _: make_dependency(s, "crm", "esp")),
    (
        "entities.delete_dependency",
        NOTHING,
        lambda s, _: entities.delete_dependency(
            s, entities.tool_dependencies(s, tool_of(s, "esp"))[0], actor="test"
        ),
    ),
    (
        "entities.save_sighting",
        NOTHING,
        lambda s, _: entities.save_sighting(
            s,
            {
                "source": "okta",
                "observed_name": "Shadow App",
                "tool": "shadow",
                "first_seen": "2026-11-01",
                "last_seen": "2026-11-30",
                "users": 3,
            },
            actor="test",
        ),
    ),
    (
        "review.request_tool",
        NOTHING,
        lambda s, _: review.request_tool(
            s,
            {
                "name": "Wanted",
                "slug": "wanted",
                "business_owner": "ann@example.com",
                "technical_owner": "ivan@example.com",
            },
            actor="ann@example.com",
            today=TODAY,
        ),
    ),
    (
        "review.start_review",
        NOTHING,
        lambda s, _: review.start_review(
            s, tool_of(s, "asked"), actor="ivan@example.com", today=TODAY
        ),
    ),
    (
        "review.sign_off",
        NOTHING,
        lambda s, _: review.sign_off(s, tool_of(s, "asked"), "business", actor="ann@example.com"),
    ),
    (
        "review.sanction",
        lambda s: [
            review.start_review(s, tool_of(s, "asked"), actor="ivan@example.com", today=TODAY),
            review.sign_off(s, tool_of(s, "asked"), "business", actor="ann@example.com"),
            review.sign_off(s, tool_of(s, "asked"), "technical", actor="ivan@example.com"),
        ],
        lambda s, _: review.sanction(s, tool_of(s, "asked"), actor="ivan@example.com", today=TODAY),
    ),
    (
        "review.reject",
        NOTHING,
        lambda s, _: review.reject(
            s, tool_of(s, "asked"), "duplicates the CRM", actor="ivan@example.com", today=TODAY
        ),
    ),
    ("review.set_sla_days", NOTHING, lambda s, _: review.set_sla_days(s, 9, actor="test")),
    (
        "triage.register",
        NOTHING,
        lambda s, _: triage.register(s, tool_of(s, "shadow"), actor="test", today=TODAY),
    ),
    (
        "triage.ignore",
        NOTHING,
        lambda s, _: triage.ignore(s, tool_of(s, "shadow"), actor="test", reason="personal"),
    ),
    (
        "triage.undo_ignore",
        _ignored,
        lambda s, d: triage.undo_ignore(s, s.get(TriageDecision, d.id), actor="test"),
    ),
    (
        "triage_merge.merge",
        NOTHING,
        lambda s, _: triage_merge.merge(s, tool_of(s, "shadow"), tool_of(s, "crm"), actor="test"),
    ),
    (
        "triage_merge.undo_merge",
        _merged,
        lambda s, d: triage_merge.undo_merge(s, s.get(TriageDecision, d.id), actor="test"),
    ),
    (
        "bulk.apply",
        NOTHING,
        lambda s, _: bulk.apply(
            s, "category", ["crm", "esp"], {}, {"category": "crm"}, actor="test", today=TODAY
        ),
    ),
    (
        "bundle.import_bundle",
        NOTHING,
        lambda s, _: bundle.import_bundle(
            s, {"tools": [{"slug": "bundled", "name": "Bundled"}]}, actor="test"
        ),
    ),
    (
        "discovery.import_files",
        NOTHING,
        lambda s, _: discovery.import_files(
            s, "entra", [str(DATA / "entra_signins_variant_b.csv")], actor="test"
        ),
    ),
    (
        "taxonomy.add_group",
        NOTHING,
        lambda s, _: taxonomy.add_group(s, name="Field marketing", actor="test"),
    ),
    ("taxonomy.add_category", NOTHING, lambda s, _: _added_category(s)),
    (
        "taxonomy.rename",
        _added_category,
        lambda s, e: taxonomy.rename(s, e, name="Loyalty apps", actor="test"),
    ),
    (
        "taxonomy.set_retired",
        _added_category,
        lambda s, e: taxonomy.set_retired(s, e, True, actor="test"),
    ),
    (
        "findings.act",
        NOTHING,
        lambda s, _: findings.act(
            s,
            "assign",
            "owner_missing_business",
            "tool",
            "esp",
            {"assignee": "ann@example.com"},
            actor="ivan@example.com",
            role="it",
            today=TODAY,
        ),
    ),
    (
        "scorecard.set_targets",
        NOTHING,
        lambda s, _: scorecard.set_targets(s, {"in_use": "12"}, actor="test"),
    ),
    (
        "notify.set_preferences",
        NOTHING,
        lambda s, _: notify.set_preferences(s, user_of(s), ["decision"], actor="test"),
    ),
    (
        "saved_views.save",
        NOTHING,
        lambda s, _: saved_views.save(
            s,
            user_id=user_of(s).id,
            email="ann@example.com",
            name="Mine",
            args={"lifecycle": "sanctioned"},
            actor="ann@example.com",
        ),
    ),
    (
        "accounts.create_user",
        NOTHING,
        lambda s, _: accounts.create_user(
            s, email="ivan@example.com", role="it", password="another long password", actor="test"
        ),
    ),
    (
        "accounts.update_user",
        NOTHING,
        lambda s, _: accounts.update_user(s, user_of(s), actor="test", role="it"),
    ),
    (
        "accounts.set_password",
        NOTHING,
        lambda s, _: accounts.set_password(s, user_of(s), "a brand new password", actor="test"),
    ),
    (
        "accounts.issue_api_token",
        NOTHING,
        lambda s, _: accounts.issue_api_token(s, user_of(s), actor="test"),
    ),
]


@pytest.mark.parametrize(
    ("name", "prepare", "write"),
    WRITES + DECISION_WRITES,
    ids=[w[0] for w in WRITES + DECISION_WRITES],
)
def test_every_write_moves_the_catalog_version(
    session: Session,
    name: str,
    prepare: t.Callable[[Session], t.Any],
    write: t.Callable[[Session, t.Any], t.Any],
) -> None:
    seed(session)
    prepared = prepare(session)
    session.commit()
    before = catalog_version(session)
    write(session, prepared)
    session.flush()
    assert catalog_version(session) != before, f"{name} left catalog_version unchanged"
    # The change survives the commit (it is not only in the session's pending state).
    session.commit()
    assert catalog_version(session) != before


def test_a_read_leaves_the_version_alone(session: Session) -> None:
    # The other half of the contract: reads never move it, or every page would rebuild the caches.
    seed(session)
    before = catalog_version(session)
    triage.inbox(session)
    review.queue(session, TODAY, 5)
    bundle.export_bundle(session)
    session.scalars(sa.select(Tool)).all()
    assert catalog_version(session) == before
