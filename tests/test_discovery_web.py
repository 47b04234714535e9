"""The discovery import pages, the triage inbox and the CLI, as a user drives them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.cli import main
from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import IgnoredApp
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import ToolAlias
from tests.conftest import make_app
from tests.factories import make_tool

DATA = Path(__file__).resolve().parent / "data" / "discovery"


@pytest.fixture
def app(tmp_path, _postgres_schema):
    app = make_app(tmp_path, IMPORT_STASH_DIR=str(tmp_path / "stash"))
    yield app
    with app.app_context():
        db.engine.dispose()


def upload(client, name: str, source: str = "auto", data: bytes | None = None):
    payload = data if data is not None else (DATA / name).read_bytes()
    return client.post(
        "/imports",
        data={"source": source, "file": (io.BytesIO(payload), name)},
        content_type="multipart/form-data",
    )


def query(app, stmt):
    with app.app_context():
        return db.session.execute(stmt).all()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_upload_preview_commit(app, client):
    with app.app_context():
        make_tool(db.session, slug="hubspot", name="HubSpot", lifecycle="sanctioned")
        db.session.commit()
    response = upload(client, "entra_signins_variant_b.csv")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "Microsoft Entra ID sign-in logs" in page.text
    assert "New discovered tools (2)" in page.text and "Hotjar (Marketing)" in page.text
    assert count(app, Sighting) == 0  # a preview writes nothing
    done = client.post(preview_url + "/commit")
    assert done.status_code == 302 and done.headers["Location"].endswith("/imports/triage")
    assert count(app, Sighting) == 4
    inbox = client.get("/imports/triage")
    assert "Hotjar" in inbox.text and "Canva" in inbox.text
    # The stash is gone after the commit.
    assert client.get(preview_url).status_code == 404


def test_preview_confirm_suggestion(app, client):
    with app.app_context():
        make_tool(db.session, slug="miro", name="Miro", lifecycle="sanctioned")
        db.session.commit()
    preview_url = upload(client, "okta_system_log.json", "okta").headers["Location"]
    page = client.get(preview_url)
    assert re.search(r'name="confirm" value="miro board"', page.text)
    assert "it is Miro (" in page.text
    client.post(preview_url + "/commit", data={"confirm": "miro board"})
    rows = query(
        app,
        sa.select(Sighting.observed_name, Tool.slug).join(Tool).where(Sighting.source == "okta"),
    )
    assert ("Miro Board (Design)", "miro") in rows


def test_cancel_discards_the_upload(app, client):
    preview_url = upload(client, "entra_signins_variant_b.csv").headers["Location"]
    response = client.post(preview_url + "/cancel")
    assert response.status_code == 302
    assert client.get(preview_url).status_code == 404
    assert count(app, Sighting) == 0 and count(app, ChangeRecord) == 0


def test_bad_file_preview_shows_row_and_commit_writes_nothing(app, client):
    preview_url = upload(client, "entra_signins_bad_row7.csv", "entra").headers["Location"]
    page = client.get(preview_url)
    assert "This file cannot be imported" in page.text
    assert "row 7: Date (UTC): &#39;2025-13-08T13:45:00Z&#39; is not a date" in page.text
    assert "Commit import" not in page.text
    response = client.post(preview_url + "/commit", follow_redirects=True)
    assert "Nothing imported. 1 bad row" in response.text
    assert count(app, Tool) == 0 and count(app, ChangeRecord) == 0


@pytest.mark.parametrize(
    ("name", "source", "payload", "message"),
    [
        ("empty.csv", "entra", b"", "the file is empty"),
        ("x.json", "okta", b"[" * 1000 + b"]" * 1000, "nested too deeply"),
        ("big.json", "okta", b'[{"eventType": 1' + b"0" * 4301 + b"}]", "number is too long"),
        (
            "bytes.csv",
            "entra",
            b"Date (UTC),Application\n2025-01-01,\xff\n",
            "line 2: bytes that are not UTF-8",
        ),
        (
            "wide.csv",
            "entra",
            b"Date (UTC),Application\n2025-01-01," + b"x" * 131_073 + b"\n",
            "row 2: not readable as CSV",
        ),
        ("notes.txt", "auto", b"hello,world\n", "cannot tell which source"),
        ("okta.csv", "okta", b"Date,Description\n", "missing column(s) eventType_s"),
    ],
)
def test_bad_uploads_explain_and_write_nothing(app, client, name, source, payload, message):
    preview_url = upload(client, name, source, payload).headers["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200 and message in page.text
    assert count(app, ChangeRecord) == 0


def test_payload_markup_is_escaped(app, client):
    payload = b"Date (UTC),Application\n2025-01-01,<script>alert(1)</script>\n"
    preview_url = upload(client, "x.csv", "entra", payload).headers["Location"]
    page = client.get(preview_url)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_upload_over_the_limit_is_a_413_page(tmp_path):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=1024, IMPORT_STASH_DIR=str(tmp_path / "stash"))
    response = upload(app.test_client(), "big.csv", "entra", b"x" * 4096)
    assert response.status_code == 413
    assert "larger than the upload limit of 1 KB. Nothing was imported" in response.text
    assert not list((tmp_path / "stash").glob("*.upload"))


def test_unknown_token_is_404(client):
    assert client.get("/imports/" + "A" * 32).status_code == 404
    assert client.get("/imports/..%2f..%2fetc").status_code == 404


def _discover(client) -> None:
    url = upload(client, "entra_signins_variant_b.csv").headers["Location"]
    client.post(url + "/commit")


def test_triage_register(app, client):
    _discover(client)
    response = client.post("/imports/triage/canva/register", follow_redirects=True)
    assert "Canva is now a request waiting for IT" in response.text
    rows = query(app, sa.select(Tool.lifecycle, Tool.requested_at).where(Tool.slug == "canva"))
    assert rows[0][0] == "requested" and rows[0][1] is not None


def test_triage_merge_moves_sightings_and_remembers_names(app, client):
    with app.app_context():
        make_tool(
            db.session, slug="hotjar-analytics", name="Hotjar Analytics", lifecycle="sanctioned"
        )
        db.session.commit()
    _discover(client)
    response = client.post(
        "/imports/triage/hotjar/merge", data={"into": "hotjar-analytics"}, follow_redirects=True
    )
    assert "Hotjar merged into Hotjar Analytics" in response.text
    assert query(app, sa.select(Tool.id).where(Tool.slug == "hotjar")) == []
    rows = query(
        app,
        sa.select(Tool.slug)
        .join(Sighting, Sighting.tool_id == Tool.id)
        .where(Sighting.observed_name == "Hotjar (Marketing)"),
    )
    assert rows == [("hotjar-analytics",)]
    kinds = {
        r[0]
        for r in query(
            app,
            sa.select(ChangeRecord.object_type).where(ChangeRecord.object_key.contains("otjar")),
        )
    }
    assert {"tool", "sighting", "alias"} <= kinds
    # The next import of a file naming Hotjar goes straight to the merged tool.
    before = count(app, Tool)
    url = upload(client, "okta_system_log.json", "okta").headers["Location"]
    client.post(url + "/commit")
    rows = query(
        app,
        sa.select(Tool.slug)
        .join(Sighting, Sighting.tool_id == Tool.id)
        .where(Sighting.source == "okta", Sighting.observed_name == "Hotjar (Marketing)"),
    )
    assert rows == [("hotjar-analytics",)]
    assert count(app, Tool) == before + 1  # only Miro Board is new


def test_triage_ignore_is_remembered(app, client):
    _discover(client)
    client.post("/imports/triage/canva/ignore")
    # The tool and its evidence stay; only triage stops asking.
    canva = query(app, sa.select(Tool.id).where(Tool.slug == "canva"))
    assert len(canva) == 1
    assert count(app, IgnoredApp) >= 1
    tools = count(app, Tool)
    _discover(client)  # the same export again
    assert count(app, Tool) == tools
    rows = query(app, sa.select(Sighting.tool_id).where(Sighting.observed_name == "Canva"))
    assert rows == [(canva[0][0],)]
    page = client.get("/imports/triage")
    assert 'id="tool-canva"' not in page.text and 'id="tool-hotjar"' in page.text
    assert 'id="ignored-canva"' in page.text


def test_triage_merge_needs_a_target(client):
    _discover(client)
    response = client.post(
        "/imports/triage/canva/merge", data={"into": "nope"}, follow_redirects=True
    )
    assert "choose the tool to merge into" in response.text


def test_cli_import_okta(app, runner):
    result = runner.invoke(main, ["import", "okta", str(DATA / "okta_system_log.json")])
    assert result.exit_code == 0, result.output
    assert "Apps: 3 seen, 0 matched to tools, 3 new discovered tools" in result.output
    again = runner.invoke(main, ["import", "okta", str(DATA / "okta_system_log.json")])
    assert "0 changes recorded." in again.output
    assert count(app, ToolAlias) == 3  # the three Okta app ids


def test_cli_import_bad_file_reports_and_writes_nothing(app, runner):
    result = runner.invoke(main, ["import", "entra", str(DATA / "entra_signins_bad_row7.csv")])
    assert result.exit_code != 0
    assert "nothing imported. 1 bad row: entra_signins_bad_row7.csv, row 7" in result.output
    assert count(app, ChangeRecord) == 0


def test_cli_auto_detects_each_file(app, runner):
    result = runner.invoke(
        main,
        ["import", "auto", str(DATA / "amex_activity.csv"), str(DATA / "google_token_audit.json")],
    )
    assert result.exit_code == 0, result.output
    assert "(card_csv, google_workspace)" in result.output
