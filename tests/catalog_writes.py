"""The small catalog of tests/test_catalog_version.py and the decision write paths of its table.

A helper module (like tests/factories.py, not a test module), so that the table of every service
write path fits modules readable in one sitting.
"""

from __future__ import annotations

import typing as t
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from catalog.discovery_models import PlatformAppEntry
from catalog.models import Proposal
from catalog.models import Tool
from catalog.services import accounts
from catalog.services import demo
from catalog.services import entities
from catalog.services import platform_apps
from catalog.services import policy
from catalog.services import proposals
from catalog.services import spend_triage
from integrations.base import Unclassified
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

TODAY = date(2026, 12, 1)

# (name, prepare (committed before the version is read), write). `prepare` returns what the
# write needs; the write is the one service call under test.
Write = tuple[str, t.Callable[[Session], t.Any], t.Callable[[Session, t.Any], t.Any]]


def NOTHING(session: Session) -> None:  # noqa: N802 - reads as a constant in the tables
    return None


def tool_of(session: Session, slug: str) -> Tool:
    tool = entities.tool_by_slug(session, slug)
    assert tool is not None
    return tool


def seed(session: Session) -> None:
    make_person(session, email="ann@example.com", name="Ann", department="marketing")
    make_person(session, email="ivan@example.com", name="Ivan", department="it")
    owners = {"business_owner": "ann@example.com", "technical_owner": "ivan@example.com"}
    for slug, name, lifecycle, owned in (
        ("crm", "CRM", "sanctioned", True),
        ("esp", "ESP", "sanctioned", False),
        ("shadow", "Shadow App", "discovered", False),
        ("other", "Other App", "discovered", False),
        ("asked", "Asked", "requested", True),
    ):
        make_tool(session, slug=slug, name=name, lifecycle=lifecycle, **(owners if owned else {}))
    make_flow(session, "crm", "esp")
    make_dependency(session, "esp", "crm")
    accounts.create_user(
        session, email="ann@example.com", role="marketing", password="a long enough password",
        actor="test",
    )  # fmt: skip
    session.commit()


def user_of(session: Session):
    user = accounts.user_by_email(session, "ann@example.com")
    assert user is not None
    return user


# The decision write paths (proposals, platform apps, spend triage, the demo reset), found by
# reading every `session.add` / `session.delete` / DML statement in catalog/services.


def _proposal(session: Session) -> Proposal:
    tool = tool_of(session, "crm")
    proposal = policy.queue_proposal(
        session,
        "ann@example.com",
        tool,
        "tool",
        "crm",
        "update",
        {"sso_enabled": True},
        {"sso_enabled": False},
    )
    session.commit()
    return proposal


def _platform_app(session: Session) -> PlatformAppEntry:
    entry = platform_apps.add(
        session, platform="microsoft", name="Contoso HR Portal", app_id="", actor="test"
    )
    session.commit()
    return entry


def _spend(session: Session) -> str:
    line = Unclassified(
        "card.csv:2", "Patreon", "PATREON* MEMBERSHIP", date(2026, 11, 3), Decimal("5"), "EUR",
        "ann@example.com", "unknown",
    )  # fmt: skip
    spend_triage.store_lines(session, [("card_csv", line)], run_id=None, actor="test")
    session.commit()
    return spend_triage.merchant_key("Patreon")


def _decided(session: Session) -> str:
    key = _spend(session)
    spend_triage.decide(session, key, "not_software", actor="test", reason="personal")
    session.commit()
    return key


DECISION_WRITES: list[Write] = [
    (
        "policy.queue_proposal",
        NOTHING,
        lambda s, _: policy.queue_proposal(
            s, "ann@example.com", tool_of(s, "esp"), "tool", "esp", "update", {"seats": 5}, {}
        ),
    ),
    (
        "proposals.accept",
        _proposal,
        lambda s, p: proposals.accept(s, s.get(Proposal, p.id), actor="test"),
    ),
    (
        "proposals.decline",
        _proposal,
        lambda s, p: proposals.decline(s, s.get(Proposal, p.id), actor="test"),
    ),
    ("platform_apps.add", NOTHING, lambda s, _: _platform_app(s)),
    (
        "platform_apps.remove",
        _platform_app,
        lambda s, e: platform_apps.remove(s, s.get(PlatformAppEntry, e.id), actor="test"),
    ),
    ("spend_triage.store_lines", NOTHING, lambda s, _: _spend(s)),
    (
        "spend_triage.decide",
        _spend,
        lambda s, key: spend_triage.decide(s, key, "software", actor="test"),
    ),
    ("spend_triage.undo", _decided, lambda s, key: spend_triage.undo(s, key, actor="test")),
    ("demo.clear_catalog", NOTHING, lambda s, _: demo.clear_catalog(s, actor="test")),
]
