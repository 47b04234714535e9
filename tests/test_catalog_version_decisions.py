"""The decision write paths move `catalog_version` too: proposals, platform apps, spend, demo reset.

The table of tests/test_catalog_version.py, continued for the service writes it did not call
(found by reading every `session.add` / `session.delete` / DML statement in catalog/services).
"""

from __future__ import annotations

import typing as t
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from catalog.discovery_models import PlatformAppEntry
from catalog.models import Proposal
from catalog.services import demo
from catalog.services import platform_apps
from catalog.services import policy
from catalog.services import proposals
from catalog.services import spend_triage
from integrations.base import Unclassified
from tests.catalog_writes import NOTHING
from tests.catalog_writes import Write
from tests.catalog_writes import assert_write_moves_version
from tests.catalog_writes import tool_of


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


WRITES: list[Write] = [
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
    (
        "platform_apps.add",
        NOTHING,
        lambda s, _: platform_apps.add(
            s, platform="google", name="Admin console", app_id="", actor="test"
        ),
    ),
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


@pytest.mark.parametrize(("name", "prepare", "write"), WRITES, ids=[w[0] for w in WRITES])
def test_every_decision_write_moves_the_catalog_version(
    session: Session,
    name: str,
    prepare: t.Callable[[Session], t.Any],
    write: t.Callable[[Session, t.Any], t.Any],
) -> None:
    assert_write_moves_version(session, name, prepare, write)
