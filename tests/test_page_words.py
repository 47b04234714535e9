"""Words, not codes: pages show rule titles and explanations (ids in small print), lifecycle and
category labels, people's names (e-mail on hover) and correct plurals; JSON and CSV keep ids."""

from __future__ import annotations

import csv
import io
from datetime import date
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from catalog.analysis.registry import DATA_SILO
from catalog.analysis.registry import SHADOW_DISCOVERED
from catalog.analysis.registry import SHADOW_UNAPPROVED
from catalog.extensions import db
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.vocab import plural
from tests.factories import crm_and_rogue_sheet
from tests.factories import make_person
from tests.factories import make_tool
from tests.review_stack import IVAN
from tests.review_stack import MIA

TODAY = date.today()


def seed(app: Flask) -> None:
    with app.app_context():
        make_person(db.session, email=MIA, name="Mia Moreau", department="marketing")
        make_person(db.session, email=IVAN, name="Ivan Ito", department="it")
        crm_and_rogue_sheet(db.session, category="crm")
        webinar = {"slug": "webinar", "name": "Webinar Co", "category": "events-meetings-webinars"}
        owners = {"business_owner": MIA, "technical_owner": IVAN}
        asked = TODAY - timedelta(days=3)
        make_tool(db.session, lifecycle="in_review", requested_at=asked, **webinar | owners)
        db.session.commit()


def test_plural_words() -> None:
    assert [plural(n, "tool") for n in (0, 1, 2)] == ["0 tools", "1 tool", "2 tools"]


def test_audit_page_shows_rule_titles_and_explanations_with_ids_as_small_print(
    app: Flask, client: FlaskClient
) -> None:
    seed(app)
    page = client.get("/audit").text
    findings = page.split('id="findings-h"')[1]
    # One titled group per rule, with its count, explanation and remedy; the id in small print.
    assert (
        f'<th colspan="3" scope="rowgroup">{DATA_SILO.title} '
        f'<small class="rule-id">DATA_SILO</small> <span class="muted">(1 finding)</span>'
    ) in findings
    assert f"{DATA_SILO.explanation} What to do: {DATA_SILO.remedy}" in findings
    assert SHADOW_DISCOVERED.title in findings
    assert "<code>DATA_SILO</code>" not in page
    # The rule filter offers titles; the shadow table shows reasons and lifecycles in words.
    assert f'<option value="DATA_SILO" >{DATA_SILO.title}</option>' in page
    shadow = page.split('id="shadow-h"')[1].split('id="silos-h"')[0]
    assert SHADOW_DISCOVERED.title in shadow and ">Discovered</span>" in shadow
    # Downloads keep the ids.
    assert "DATA_SILO" in {f["rule"] for f in client.get("/audit.json").json["findings"]}
    rows = list(csv.reader(io.StringIO(client.get("/audit.csv").text)))
    assert ["SHADOW_DISCOVERED", "critical"] in [r[:2] for r in rows]


def test_tool_page_speaks_words_and_counts_right(app: Flask, client: FlaskClient) -> None:
    seed(app)
    crm = client.get("/tools/crm").text
    assert "Blast radius (1 tool)" in crm and "(1 tools)" not in crm
    assert "1 active flow would break." in crm
    assert "Personal-data reach (1 tool)" in crm
    sheet = client.get("/tools/sheet").text
    assert (
        f'Shadow IT: <span class="rule-title" title="{SHADOW_DISCOVERED.explanation}">'
        f'{SHADOW_DISCOVERED.title}</span> <small class="rule-id">SHADOW_DISCOVERED</small>'
        in sheet
    )
    assert "<td>Personal data arriving by unmanaged flows</td>" in sheet
    assert "unmanaged_personal_inflows" not in sheet
    webinar = client.get("/tools/webinar").text
    assert '<span class="badge in_review">In review</span>' in webinar
    assert '<span title="mia@example.com">Mia Moreau</span>' in webinar
    # The tool is in use by no evidence yet: a request only, no shadow finding.
    assert SHADOW_UNAPPROVED.title not in webinar


def test_history_shows_labels_and_names(app: Flask, client: FlaskClient) -> None:
    seed(app)
    with app.app_context():
        tool = db.session.query(Tool).filter_by(slug="webinar").one()
        raw = records.tool_record(tool) | {"category": "email-marketing", "lifecycle": "retired"}
        entities.save_tool(
            db.session, raw, actor="ivan@example.com", tool=tool, expected_version=tool.version
        )
        db.session.commit()
    page = client.get("/tools/webinar").text
    history = page.split('class="history"')[1]
    assert "Events, meetings &amp; webinars" in history and "Email marketing" in history
    assert "events-meetings-webinars" not in history
    assert ">In review</td>" in history and ">Retired</td>" in history
    assert '<span title="ivan@example.com">Ivan Ito</span>' in history


def test_review_pages_show_names_labels_and_plurals(app: Flask, client: FlaskClient) -> None:
    seed(app)
    queue = client.get("/review").text
    row = queue.split("Webinar Co")[1].split("</tr>")[0]
    assert '<span class="badge in_review">In review</span>' in row
    assert '<span title="mia@example.com">Mia Moreau</span>' in row
    assert '<span title="ivan@example.com">Ivan Ito</span>' in row
    assert "mia@example.com</td>" not in row
    assert "3 days" in row
    detail = client.get("/review/webinar").text
    assert "<dt>Category</dt><dd>Events, meetings &amp; webinars</dd>" in detail
    assert '<span title="mia@example.com">Mia Moreau</span>' in detail
