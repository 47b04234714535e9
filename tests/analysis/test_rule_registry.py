"""Each rule is declared once: the engine emits only declared rules, every declared rule has a
generator that fires, no code outside the registry spells a rule id, and docs/governance.md lists
exactly the registry."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from catalog.analysis import rules as engine
from catalog.analysis.registry import EMITTERS
from catalog.analysis.registry import RULES
from catalog.analysis.registry import emits
from catalog.analysis.registry import markdown_table
from catalog.analysis.registry import rule
from catalog.analysis.risk import FACTOR_LABELS
from catalog.analysis.risk import WEIGHTS
from catalog.analysis.snapshot import PersonRec
from tests.analysis.helpers import AS_OF
from tests.analysis.helpers import IAN
from tests.analysis.helpers import MIA
from tests.analysis.helpers import PII
from tests.analysis.helpers import audit
from tests.analysis.helpers import dep
from tests.analysis.helpers import flow
from tests.analysis.helpers import seen
from tests.analysis.helpers import snap
from tests.analysis.helpers import tool

ROOT = Path(__file__).resolve().parents[2]
LEFT = PersonRec("left@x.com", "Lou Left", "marketing", active=False)


def _every_rule_catalog() -> set[tuple[str, str]]:
    """Return (rule, severity) of a catalog built so that every declared rule fires once."""
    recent = AS_OF - timedelta(days=5)
    s = snap(
        [
            tool("crm", system_of_record=True, category="crm"),
            tool("disc", lifecycle="discovered", data_classes=PII),
            tool("req", lifecycle="requested", requested_at=AS_OF - timedelta(days=20)),
            tool("rej", lifecycle="rejected"),
            tool("ret", lifecycle="retired"),
            tool("forms"),
            tool("nobiz", business_owner=None),
            tool("notech", technical_owner=None),
            tool("gone", business_owner=LEFT.email, renewal_date=AS_OF + timedelta(days=30)),
            tool("wrong", business_owner=IAN.email),
            tool("exposed", data_classes=PII, dpa_signed=False),
            tool("early", decided_at=AS_OF - timedelta(days=10)),
            tool("seo-1", category="seo"),
            tool("seo-2", category="seo"),
            tool("hub"),
            tool("x"),
            tool("y"),
        ],
        flows=[
            flow("forms", "crm", "contact_pii", managed_by_it=False),
            flow("exposed", "crm", "contact_pii"),
        ],
        deps=[dep("x", "hub"), dep("y", "hub")],
        sightings=[
            seen("disc", recent),
            seen("req", recent),
            seen("rej", recent),
            seen("ret", recent),
            seen("early", recent, AS_OF - timedelta(days=40)),
        ],
        people=(MIA, IAN, LEFT),
    )
    no_hub = snap([])
    return {(f.rule, f.severity) for result in (audit(s), audit(no_hub)) for f in result.findings}


def test_every_declared_rule_has_one_generator_and_fires() -> None:
    assert sorted(EMITTERS) == sorted(RULES)
    # Every generator lives in the rules package (one module per subject).
    assert {g.__module__.rpartition(".")[0] for g in EMITTERS.values()} == {engine.__name__}
    emitted = _every_rule_catalog()
    assert {r for r, _ in emitted} == set(RULES)
    # ... at a severity its declaration allows.
    assert sorted((r, s) for r, s in emitted if s not in RULES[r].severities) == []


def test_an_undeclared_rule_cannot_get_a_generator() -> None:
    stray = rule("NOT_DECLARED")
    try:
        emits(stray)(lambda facts: iter(()))
    except ValueError as exc:
        assert "NOT_DECLARED" in str(exc)
    else:
        raise AssertionError("emits() accepted an undeclared rule")


def test_no_code_outside_the_registry_spells_a_rule_id() -> None:
    pattern = re.compile("[\"'](" + "|".join(RULES) + ")[\"']")
    offenders = []
    for path in [
        *ROOT.glob("catalog/**/*.py"),
        *ROOT.glob("catalog/templates/**/*.html"),
        *ROOT.glob("static/**/*.js"),
    ]:
        if path.name == "registry.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_docs_governance_lists_exactly_the_registry() -> None:
    text = (ROOT / "docs" / "governance.md").read_text(encoding="utf-8")
    begin, end = "<!-- rules:begin -->\n", "<!-- rules:end -->"
    assert begin in text and end in text, "docs/governance.md lost its rule table markers"
    table = text.split(begin, 1)[1].split(end, 1)[0]
    assert table == markdown_table(), (
        "docs/governance.md is out of date: paste `python -m catalog.analysis.registry "
        "--markdown` between its rules markers"
    )


def test_every_rule_has_plain_words() -> None:
    for r in RULES.values():
        assert r.title and r.explanation.endswith(".") and r.remedy.endswith("."), r.id
        assert r.title != r.id and "_" not in r.title, r.id


def test_docs_governance_risk_table_matches_the_weights() -> None:
    text = (ROOT / "docs" / "governance.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \| (\d+) \|", text, re.MULTILINE)
    assert {key: (label.strip(), int(weight)) for key, label, weight in rows} == {
        key: (FACTOR_LABELS[key], weight) for key, weight in WEIGHTS.items()
    }
