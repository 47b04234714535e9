"""The audit page at scale: the summary first, findings grouped with counts, lists in pages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from catalog.extensions import db
from catalog.services import audit_page as audit_page_module
from catalog.services import entities
from tests.conftest import make_app
from tests.factories import make_sighting
from tests.pages import page_text

TODAY = date.today()


@pytest.fixture
def app(tmp_path: Path, _postgres_schema: None, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setattr(audit_page_module, "FINDINGS_PER_PAGE", 25)
    # About the audit page's paging and grouping, not permissions.
    app = make_app(tmp_path, AUTH_ENABLED=False)
    with app.app_context():
        s = db.session
        for n in range(60):
            tool = {"name": f"App {n:02d}", "slug": f"app-{n:02d}", "lifecycle": "discovered"}
            entities.save_tool(s, tool, actor="test")
            seen = {"first_seen": TODAY.isoformat(), "last_seen": TODAY.isoformat()}
            make_sighting(s, tool["slug"], observed_name=tool["name"], users=3, events=9, **seen)
        s.commit()
    return app


def test_findings_are_grouped_by_rule_with_counts_and_the_first_few(app: Flask) -> None:
    text = app.test_client().get("/audit").text
    assert "Shadow IT (60)" in text
    assert (
        '<small class="rule-id">SHADOW_DISCOVERED</small> <span class="muted">(60 findings)</span>'
    ) in text
    assert "?as_of=" in text and "rule=SHADOW_DISCOVERED" in text and ">all 60</a>" in text
    # Three of the sixty are shown under the rule; the shadow list shows its first 50.
    findings = text.split('id="findings-h"', 1)[1]
    group = findings.split('<small class="rule-id">SHADOW_DISCOVERED</small>', 1)[1]
    group = group.split("</tbody>", 1)[0]
    assert len(re.findall(r'href="/tools/app-\d+"', group)) == 3
    assert "Page 1 of 2 (60 in all)" in text
    assert text.index("Executive summary") < text.index("Shadow IT (60)")


def test_a_chosen_rule_pages_through_all_its_findings(app: Flask) -> None:
    client = app.test_client()
    first = page_text(client, "/audit?rule=SHADOW_DISCOVERED")
    assert "Findings (60 shown, filtered)" in first and "Page 1 of 3 (60 in all)" in first
    last = page_text(client, "/audit?rule=SHADOW_DISCOVERED&page=3")
    assert "Page 3 of 3" in last
    assert len(re.findall(r"<tr><td><span class=\"sev", last)) == 10
    assert "App 59" in client.get("/audit?shadow_page=2").text
    assert client.get("/audit?page=abc&shadow_page=-1").status_code == 200


def test_tool_filter_takes_a_name_or_a_slug(app: Flask) -> None:
    client = app.test_client()
    pages = [client.get(f"/audit?tool={query}").text for query in ("app-07", "App 07")]
    counts = [re.findall(r"Findings \((\d+) shown, filtered\)", text) for text in pages]
    assert counts[0] == counts[1] and int(counts[0][0]) >= 1
    for text in pages:
        assert 'value="app-07"' in text and "App 08" not in text.split("findings-h", 1)[1]
