"""No click destroys evidence: ignore and merge in triage keep what the catalog was told, and undo.

Driven on the demo stack, as the issue reported them: ignoring Typeform used to delete the tool, its
Typeform -> Mailchimp flow of contact data, its sightings and spend; merging Zapier into the first
tool of the list (Asana) used to delete its dependency and move its spend for good.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.cli import ScriptInfo

from catalog.cli import main
from catalog.extensions import db
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import IgnoredApp
from catalog.models import Sighting
from catalog.models import Tool
from tests.service_checks import changes_of

DAY = "2026-11-22"


def cli(app: Flask, args: list[str]) -> str:
    result = app.test_cli_runner().invoke(main, args, obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def demo(app: Flask) -> Flask:
    cli(app, ["demo", "--today", DAY])
    return app


def audit(app: Flask) -> dict:
    return json.loads(cli(app, ["audit", "--as-of", DAY, "--format", "json"]))


def scalar(app: Flask, stmt):
    with app.app_context():
        return db.session.scalar(stmt)


def rows(app: Flask, stmt):
    with app.app_context():
        return db.session.execute(stmt).all()


def tool_actions(app: Flask, slug: str) -> list[str]:
    """The actions of the tool's change records, in the order written."""
    with app.app_context():
        return [c.action for c in changes_of(db.session, "tool", slug)]


def inbox_ids(html: str) -> set[str]:
    return set(re.findall(r'<tr id="tool-([a-z0-9-]+)"', html))


def tool_id(app: Flask, slug: str) -> int | None:
    return scalar(app, sa.select(Tool.id).where(Tool.slug == slug))


def typeform_spend(app: Flask) -> float:
    return float(
        scalar(
            app, sa.select(sa.func.sum(Sighting.spend)).join(Tool).where(Tool.slug == "typeform")
        )
        or 0
    )


def test_ignore_keeps_the_tool_its_flows_and_spend_and_the_audit_still_sees_it(demo, client):
    before = audit(demo)
    spend = typeform_spend(demo)
    assert spend > 0
    assert "typeform" in inbox_ids(client.get("/imports/triage").text)

    # Typeform holds contact data and feeds Mailchimp: ignoring it needs a reason.
    page = client.post(
        "/imports/triage/typeform/ignore", data={"reason": " "}, follow_redirects=True
    )
    assert "Typeform holds personal data (Contact PII, Consent) and has 1 data flow" in page.text
    assert "say why it is ignored" in page.text
    assert "typeform" in inbox_ids(page.text)
    assert scalar(demo, sa.select(sa.func.count()).select_from(IgnoredApp)) == 0

    page = client.post(
        "/imports/triage/typeform/ignore",
        data={"reason": "Jenna's form experiment; Zapier is being replaced"},
        follow_redirects=True,
    )
    assert "Typeform is ignored" in page.text
    assert "typeform" not in inbox_ids(page.text)
    ignored_row = page.text[page.text.index('id="ignored-typeform"') :]
    ignored_row = ignored_row[: ignored_row.index("</tr>")]
    assert "Jenna&#39;s form experiment" in ignored_row and "admin@example.com" in ignored_row

    # Everything stays: the tool, its flow of contact data, its sightings and their spend.
    tool_page = client.get("/tools/typeform")
    assert tool_page.status_code == 200
    assert "Ignored in triage by admin@example.com" in tool_page.text
    assert "Jenna&#39;s form experiment" in tool_page.text
    flows = rows(
        demo,
        sa.select(DataFlow.id)
        .join(Tool, DataFlow.source_id == Tool.id)
        .where(Tool.slug == "typeform"),
    )
    assert len(flows) == 1
    assert typeform_spend(demo) == spend
    after = audit(demo)
    assert after["summary"]["findings_by_severity"] == before["summary"]["findings_by_severity"]
    assert after["summary"]["shadow_spend"] == before["summary"]["shadow_spend"]
    assert ("typeform->mailchimp", "critical") in {
        (f["subject"]["key"], f["severity"])
        for f in after["findings"]
        if f["rule"] == "FLOW_UNMANAGED_PERSONAL_DATA"
    }
    assert "typeform" in [s["tool"] for s in after["shadow_it"]]

    # Undo: back in the inbox, the ignored names are forgotten, both steps are recorded.
    decision = re.search(r"/imports/triage/decisions/(\d+)/undo", ignored_row).group(1)
    page = client.post(f"/imports/triage/decisions/{decision}/undo", follow_redirects=True)
    assert "Typeform is back in triage" in page.text
    assert "typeform" in inbox_ids(page.text) and 'id="ignored-typeform"' not in page.text
    assert scalar(demo, sa.select(sa.func.count()).select_from(IgnoredApp)) == 0
    actions = tool_actions(demo, "typeform")
    assert actions[-2:] == ["ignore", "unignore"]
    again = client.post(f"/imports/triage/decisions/{decision}/undo", follow_redirects=True)
    assert "already undone" in again.text


def test_an_ignored_app_name_is_not_raised_again_by_a_later_import(demo, client):
    client.post("/imports/triage/loom/ignore")  # no personal data, no flows: no reason needed
    assert tool_id(demo, "loom") is not None
    with demo.app_context():
        from catalog.services import matching

        matcher = matching.Matcher(db.session, "entra")
        assert matcher.match("Loom", None).how in ("ignored", "sighting")
        assert matcher.match("Loom for Teams", None).how == "ignored"


def test_merge_has_no_preselected_target_and_a_confirmation_listing_what_moves(demo, client):
    page = client.get("/imports/triage").text
    row = page[page.index('id="tool-zapier"') :]
    row = row[: row.index("</tr>")]
    picker = re.search(r'<input[^>]*name="into"[^>]*>', row).group(0)
    assert "required" in picker and 'value=""' in picker  # a tool picker, empty

    # A bare POST without a chosen tool changes nothing.
    page = client.post("/imports/triage/zapier/merge", data={"into": ""}, follow_redirects=True)
    assert "choose the tool to merge into" in page.text
    assert tool_id(demo, "zapier") is not None

    confirm = client.get("/imports/triage/zapier/merge?into=asana")
    assert confirm.status_code == 200
    text = confirm.text
    assert "Merge Zapier into Asana?" in text
    assert "Mailchimp depends on Zapier" in text  # the dependency moves, it is not deleted
    assert "new alias <code>zapier</code>" in text
    assert "seen in" in text and "USD" in text
    assert tool_id(demo, "zapier") is not None  # the page only shows


def _zapier_state(app: Flask) -> dict:
    zid = tool_id(app, "zapier")
    return {
        "sightings": sorted(
            rows(
                app,
                sa.select(Sighting.source, Sighting.observed_name, Sighting.spend).where(
                    Sighting.tool_id == zid
                ),
            )
        ),
        "deps": sorted(
            rows(
                app,
                sa.select(Dependency.kind, Dependency.description).where(
                    sa.or_(Dependency.tool_id == zid, Dependency.depends_on_id == zid)
                ),
            )
        ),
    }


def test_merge_moves_everything_and_undo_puts_it_back(demo, client):
    before = _zapier_state(demo)
    assert before["sightings"] and before["deps"]
    page = client.post(
        "/imports/triage/zapier/merge", data={"into": "asana"}, follow_redirects=True
    )
    assert "Zapier merged into Asana" in page.text
    assert tool_id(demo, "zapier") is None
    asana = tool_id(demo, "asana")
    deps = rows(
        demo,
        sa.select(Dependency.tool_id, Dependency.depends_on_id).where(
            Dependency.depends_on_id == asana
        ),
    )
    assert deps, "the Mailchimp -> Zapier dependency moved to Asana, not deleted"
    # The merged tool's page says where it went and keeps its history.
    gone = client.get("/tools/zapier")
    assert gone.status_code == 410 and "merged into" in gone.text and "asana" in gone.text

    row = page.text[page.text.index('id="merged-zapier"') :]
    decision = re.search(r"/imports/triage/decisions/(\d+)/undo", row).group(1)
    page = client.post(f"/imports/triage/decisions/{decision}/undo", follow_redirects=True)
    assert "The merge of Zapier into asana is undone" in page.text
    assert "zapier" in inbox_ids(page.text)
    assert _zapier_state(demo) == before
    assert not rows(demo, sa.select(Dependency.id).where(Dependency.depends_on_id == asana))
    actions = tool_actions(demo, "zapier")
    assert actions[-3:] == ["merge", "create", "unmerge"]


def test_undo_of_a_merge_refuses_once_a_moved_record_changed(demo, client):
    client.post("/imports/triage/zapier/merge", data={"into": "asana"})
    with demo.app_context():
        from catalog.services import entities
        from catalog.services import records

        asana = entities.tool_by_slug(db.session, "asana")
        sighting = entities.tool_sightings(db.session, asana)[0]
        key = sighting.key
        entities.save_sighting(
            db.session, records.sighting_record(sighting) | {"users": 99}, actor="someone"
        )
        db.session.commit()
    page = client.get("/imports/triage").text
    row = page[page.index('id="merged-zapier"') :]
    decision = re.search(r"/imports/triage/decisions/(\d+)/undo", row).group(1)
    page = client.post(f"/imports/triage/decisions/{decision}/undo", follow_redirects=True)
    assert f"the sighting {key} changed since" in page.text
    assert "cannot be undone automatically (nothing was changed)" in page.text
    assert tool_id(demo, "zapier") is None
