"""`martech audit` in its three formats, over a real database."""

from __future__ import annotations

import csv
import io
import json
import typing as t
from datetime import UTC
from datetime import datetime

import pytest
from click.testing import Result
from flask import Flask
from flask.cli import ScriptInfo

from catalog.cli import main
from catalog.extensions import db
from catalog.services import entities
from tests.accounts import add_user
from tests.accounts import signed_in
from tests.factories import make_tool
from tests.test_audit_web import EVIL
from tests.test_audit_web import seed


@pytest.fixture(autouse=True)
def _recorded_on_as_of() -> t.Iterator[None]:
    """An audit as of 2026-11-22 rebuilds that day's catalog: write the seed on that day."""
    with entities.recorded_at(datetime(2026, 11, 22, 12, tzinfo=UTC)):
        yield


class Martech:
    """Invoke the real `martech` group against the test app."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def invoke(self, args: list[str]) -> Result:
        return self.app.test_cli_runner().invoke(
            main, args, obj=ScriptInfo(create_app=lambda: self.app)
        )


@pytest.fixture
def martech(app: Flask) -> Martech:
    return Martech(app)


def test_json_format_is_the_spec_document(app: Flask, martech: Martech) -> None:
    seed(app)
    result = martech.invoke(["audit", "--as-of", "2026-11-22", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == [
        "as_of",
        "summary",
        "shadow_it",
        "silos",
        "findings",
        "risk",
        "accepted_risks",
    ]
    assert doc["as_of"] == "2026-11-22"
    assert [s["tool"] for s in doc["shadow_it"]] == ["evil", "mailchimp"]
    assert doc["silos"][0]["tools"] == ["mailchimp"]
    assert doc["summary"]["silos"] == 1 and doc["summary"]["shadow"] == 2
    assert {r["tool"] for r in doc["risk"]} == {"salesforce", "mailchimp", "evil"}


def test_as_of_moves_the_evidence_window(app: Flask, martech: Martech) -> None:
    seed(app)
    # The hostile tool was last seen 2026-11-20: 91 days later it is dormant, not shadow IT.
    result = martech.invoke(["audit", "--as-of", "2027-02-19", "--format", "json"])
    assert [s["tool"] for s in json.loads(result.stdout)["shadow_it"]] == ["mailchimp"]
    result = martech.invoke(["audit", "--as-of", "2027-02-18", "--format", "json"])
    assert [s["tool"] for s in json.loads(result.stdout)["shadow_it"]] == ["evil", "mailchimp"]


def test_text_format_reads_like_a_report(app: Flask, martech: Martech) -> None:
    seed(app)
    result = martech.invoke(["audit", "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Martech audit as of 2026-11-22\n")
    assert "shadow IT: 2" in out
    assert "[critical] mailchimp: Shadow IT: rejected, still in use (SHADOW_REJECTED_IN_USE)" in out
    assert "  Customer data stranded in a silo (DATA_SILO) [silo mailchimp]\n" in out
    assert "[critical] mailchimp (rogue, contact_pii; fed by salesforce)" in out
    assert "Mailchimp holds customer contact data that never reaches Salesforce" in out


def test_csv_format_defuses_a_formula_tool_name(app: Flask, martech: Martech) -> None:
    seed(app)
    result = martech.invoke(["audit", "--as-of", "2026-11-22", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    # The documented header (docs/formats.md), spelled out rather than read from the code.
    assert ",".join(rows[0]) == (
        "rule,severity,subject_type,subject_key,message,status,assignee,due,accepted_until,ticket"
    )
    messages = [r[4] for r in rows[1:] if r[3] == "evil"]
    assert messages and all(m.startswith("'" + EVIL) for m in messages)


def test_bad_as_of_is_rejected(martech: Martech) -> None:
    result = martech.invoke(["audit", "--as-of", "2026-13-01"])
    assert result.exit_code == 2
    assert "2026-13-01" in result.output


def test_json_output_is_the_api_document_one_item_per_line(app: Flask, martech: Martech) -> None:
    # render_json drives the C encoder directly; its text must still be the same document as
    # the API's, with each finding on a line of its own (line-diffable between two audits).
    seed(app)
    with app.app_context():
        make_tool(
            db.session, slug="emoji", name='Ünïcode "quoted" \\ tool ✓', lifecycle="sanctioned"
        )  # no owners: findings name it
        db.session.commit()
    result = martech.invoke(["audit", "--as-of", "2026-11-22", "--format", "json"])
    assert result.exit_code == 0, result.output
    add_user(app, "vera@example.com", "viewer")  # the API answers signed-in readers
    api = signed_in(app, "vera@example.com").get("/api/v1/audit?as_of=2026-11-22").json
    assert json.loads(result.stdout) == api
    lines = result.stdout.splitlines()
    finding_lines = [line for line in lines if line.lstrip().startswith('{"rule": ')]
    assert len(finding_lines) == len(api["findings"]) > 0
    assert 'Ünïcode \\"quoted\\" \\\\ tool ✓' in result.stdout  # escaped, not \\u-encoded
