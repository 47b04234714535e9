"""The unclassified-spend triage, import runs and platform apps pages, as a user drives them."""

from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa

from catalog.discovery_models import ImportRun
from catalog.discovery_models import MerchantDecision
from catalog.discovery_models import PlatformAppEntry
from catalog.discovery_models import UnclassifiedSpend
from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import Tool
from catalog.services import import_runs
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.conftest import make_app
from tests.discovery_items import line
from tests.discovery_items import obs
from tests.discovery_items import use_items

STATEMENT = [
    line("Acme Widgets", "2026-11-02", "19.99", raw="ACME WIDGETS 0042 PORTLAND OR"),
    line("Acme Widgets", "2026-11-16", "20.01", raw="ACME WIDGETS 0042 PORTLAND OR"),
    line("<b>Shop</b>", "2026-11-05", "9.00", raw="<script>alert(1)</script>"),
    obs("Notion", "2026-11-03", spend="10.00", currency="USD"),
    {"type": "skip", "reason": "payment"},
]


def body(*items) -> bytes:
    return "".join(json.dumps(i) + "\n" for i in items).encode()


@pytest.fixture
def app(tmp_path, _postgres_schema, monkeypatch):
    use_items(monkeypatch)
    app = make_app(tmp_path, IMPORT_STASH_DIR=str(tmp_path / "stash"))
    yield app
    with app.app_context():
        db.engine.dispose()


def upload(client, data: bytes, name="statement.jsonl", **form):
    return client.post(
        "/imports",
        data={"source": "card_csv", "file": (io.BytesIO(data), name)} | form,
        content_type="multipart/form-data",
    )


def count(app, model) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    if model is ChangeRecord:  # not the signed-in test administrator's own records
        query = query.where(ChangeRecord.object_type != "user")
    with app.app_context():
        return db.session.scalar(query)


def test_preview_commit_then_decide_and_undo_on_the_spend_page(app, client):
    preview = upload(client, body(*STATEMENT)).headers["Location"]
    page = client.get(preview)
    assert page.status_code == 200
    assert "Unclassified spend (3 lines, 2 merchants)" in page.text
    assert "1 × payment" in page.text
    assert count(app, UnclassifiedSpend) == 0  # a preview writes nothing
    assert client.post(preview + "/commit").status_code == 302
    spend = client.get("/imports/spend")
    assert spend.status_code == 200
    assert "Waiting for a decision (2 merchants)" in spend.text
    assert "40.00 USD" in spend.text  # Acme's two lines, totalled per currency
    assert "<script>alert(1)</script>" not in spend.text and "&lt;b&gt;Shop&lt;/b&gt;" in spend.text
    key = re.search(r'name="merchant" value="(acme widgets)"', spend.text).group(1)
    done = client.post(
        "/imports/spend/decide",
        data={"merchant": key, "decision": "not_software", "reason": "hardware shop"},
        follow_redirects=True,
    )
    assert "Not software: later imports skip" in done.text
    assert "Waiting for a decision (1 merchants)" in done.text and "hardware shop" in done.text
    undone = client.post("/imports/spend/undo", data={"merchant": key}, follow_redirects=True)
    assert "Decision on Acme Widgets undone" in undone.text
    assert count(app, MerchantDecision) == 0
    software = client.post("/imports/spend/decide", data={"merchant": key, "decision": "software"})
    assert software.status_code == 302 and software.headers["Location"].endswith("/imports/triage")
    with app.app_context():
        assert db.session.scalar(sa.select(Tool.lifecycle).where(Tool.name == "Acme Widgets")) == (
            "discovered"
        )


def test_bad_decisions_explain_and_change_nothing(app, client):
    upload_and_commit(client, body(*STATEMENT))
    changes = count(app, ChangeRecord)
    for data, message in (
        ({"merchant": "nobody", "decision": "software"}, "no unclassified spend"),
        ({"merchant": "acme widgets", "decision": "perhaps"}, "choose software or not software"),
        ({}, "choose software or not software"),
    ):
        page = client.post("/imports/spend/decide", data=data, follow_redirects=True)
        assert page.status_code == 200 and message in page.text
    page = client.post("/imports/spend/undo", data={"merchant": "x"}, follow_redirects=True)
    assert "no decision to undo" in page.text
    assert count(app, ChangeRecord) == changes


def upload_and_commit(client, data: bytes, **form):
    preview = upload(client, data, **form).headers["Location"]
    return client.post(preview + "/commit")


def test_runs_are_listed_newest_first_with_their_counts_and_changes(app, client):
    upload_and_commit(client, body(*STATEMENT), name="november.jsonl")
    upload_and_commit(client, body(*STATEMENT), name="november-again.jsonl")
    runs = client.get("/imports").text.split('id="runs"')[1]
    assert runs.index("november-again.jsonl") < runs.index("november.jsonl")
    with app.app_context():
        first, second = db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id)).all()
        assert (first.via, first.actor, first.files) == (
            "web",
            "admin@example.com",  # the suite's signed-in administrator
            ["november.jsonl"],
        )
        assert first.counts["skipped"] == {"payment": 1} and first.changes > 0
        assert second.changes == 0  # the same lines again change nothing
        tagged = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ChangeRecord)
            .where(ChangeRecord.request_id == f"import-run:{first.id}")
        )
        assert tagged == first.changes == count(app, ChangeRecord)
    page = client.get(f"/imports/runs/{first.id}")
    assert page.status_code == 200
    assert (
        "1 × payment" in page.text and "Unclassified spend: 3 lines from 2 merchants" in page.text
    )
    assert "unclassified_spend" in page.text and "acme widgets" in page.text
    assert "It changed nothing" in client.get(f"/imports/runs/{second.id}").text
    assert client.get("/imports/runs/999").status_code == 404


def test_runs_paginate_and_a_refused_commit_is_a_failed_run(app, client):
    with app.app_context():
        for n in range(22):
            import_runs.record_failure(
                db.session,
                actor="cli",
                via="cli",
                files=[f"f{n}.csv"],
                sources=["entra"],
                message="1 bad row",
            )
        db.session.commit()
    preview = upload(client, body(*STATEMENT, {"type": "bad", "message": "amount: 'x'"}))
    response = client.post(preview.headers["Location"] + "/commit", follow_redirects=True)
    assert "Nothing imported. 1 bad row" in response.text
    assert count(app, UnclassifiedSpend) == 0 and count(app, ChangeRecord) == 0
    first = client.get("/imports")
    assert "statement.jsonl" in first.text and "refused" in first.text
    assert "Page 1 of 2" in first.text and "f0.csv" not in first.text
    assert "f0.csv" in client.get("/imports?page=2").text
    assert client.get("/imports?page=99").status_code == 200
    assert client.get("/imports?page=-3").status_code == 200
    with app.app_context():
        run = db.session.scalar(sa.select(ImportRun).order_by(ImportRun.id.desc()).limit(1))
    page = client.get(f"/imports/runs/{run.id}")
    assert "This import was refused" in page.text and "row 6: amount: &#39;x&#39;" in page.text


def test_preview_says_when_evidence_is_older_than_the_window(app, client):
    preview = upload(client, body(obs("Loom", "2025-03-10", spend="5.00"))).headers["Location"]
    page = client.get(preview)
    assert "90-day in-use window (from " in page.text and "no tool in use today" in page.text
    assert "it counts as use in no audit" in " ".join(page.text.split())
    client.post(preview + "/commit")
    with app.app_context():
        run = db.session.scalar(sa.select(ImportRun))
    run_page = " ".join(client.get(f"/imports/runs/{run.id}").text.split())
    assert "The newest evidence in this import is from 2025-03-10" in run_page


def test_column_mapping_reaches_the_importer_and_a_bad_one_is_explained(app, client):
    mapping = 'date=Trans Date,merchant="Payee, name",amount=Amount'
    page = client.get(upload(client, body(*STATEMENT), columns=mapping).headers["Location"])
    assert (
        "columns [(&#39;amount&#39;, &#39;Amount&#39;), (&#39;date&#39;, &#39;Trans Date&#39;), "
        "(&#39;merchant&#39;, &#39;Payee, name&#39;)]"
    ) in page.text
    bad = upload(client, body(*STATEMENT), columns="date=Date,amount=Amount")
    assert bad.status_code == 302 and bad.headers["Location"].endswith("/imports")
    assert "Column mapping: the column mapping needs merchant" in client.get("/imports").text


def test_platform_app_form(app, client):
    added = client.post(
        "/imports/platform-apps",
        data={"platform": "microsoft", "name": "Contoso Admin Portal", "app_id": ""},
        follow_redirects=True,
    )
    assert "Contoso Admin Portal is now a Microsoft app." in added.text
    assert "Contoso Admin Portal" in client.get("/imports").text
    refused = client.post(
        "/imports/platform-apps", data={"platform": "nope", "name": ""}, follow_redirects=True
    )
    assert refused.status_code == 200 and "choose one of microsoft, google, okta" in refused.text
    with app.app_context():
        entry = db.session.scalar(sa.select(PlatformAppEntry))
    client.post(f"/imports/platform-apps/{entry.id}/delete")
    assert count(app, PlatformAppEntry) == 0
    assert client.post("/imports/platform-apps/999/delete").status_code == 404


ROLES = {
    "viewer": "vera@example.com",
    "marketing": "mia@example.com",
    "it": "ivan@example.com",
    "admin": "ada@example.com",
}


@pytest.mark.parametrize("role", list(ROLES))
def test_only_it_decides_and_only_an_administrator_lists_platform_apps(
    tmp_path, _postgres_schema, monkeypatch, role
):
    use_items(monkeypatch)
    app = auth_app(tmp_path, WTF_CSRF_ENABLED=False, IMPORT_STASH_DIR=str(tmp_path / "s"))
    add_user(app, ROLES[role], role)
    with app.app_context():
        from catalog.services import discovery

        path = tmp_path / "s.jsonl"
        path.write_bytes(body(*STATEMENT))
        discovery.import_files(db.session, "card_csv", [str(path)], actor="it")
        db.session.commit()
    client = signed_in(app, ROLES[role])
    assert client.get("/imports/spend").status_code == 200
    assert client.get("/imports").status_code == 200
    assert client.get("/imports/runs/1").status_code == 200
    decide = client.post(
        "/imports/spend/decide", data={"merchant": "acme widgets", "decision": "not_software"}
    )
    assert decide.status_code == (302 if role in ("it", "admin") else 403)
    undo = client.post("/imports/spend/undo", data={"merchant": "acme widgets"})
    assert undo.status_code == (302 if role in ("it", "admin") else 403)
    add = client.post("/imports/platform-apps", data={"platform": "okta", "name": "Okta Admin"})
    assert add.status_code == (302 if role == "admin" else 403)
    expected_decisions = 0  # decided then undone, or refused both times
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count(MerchantDecision.id))) == expected_decisions
        )
        kinds = set(db.session.scalars(sa.select(ChangeRecord.object_type)))
        assert ("merchant_decision" in kinds) == (role in ("it", "admin"))
        assert ("platform_app" in kinds) == (role == "admin")
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        (
            "date=Trans Date,merchant=Description,amount=Amount",
            {"date": "Trans Date", "merchant": "Description", "amount": "Amount"},
        ),
        (
            ' Date = Posted Date , MERCHANT="Payee, name", amount=Amount, category=Category ',
            {
                "date": "Posted Date",
                "merchant": "Payee, name",
                "amount": "Amount",
                "category": "Category",
            },
        ),
    ],
)
def test_parse_columns(text, expected):
    from catalog.services.import_options import parse_columns

    assert parse_columns(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date=Date,amount=Amount", "the column mapping needs merchant"),
        ("date", "column mapping 'date' is not key=Header"),
        ("date=,merchant=x,amount=y", "column mapping date= has no header name"),
        ("colour=red,date=a,merchant=b,amount=c", "unknown column mapping key 'colour'"),
        ("date=a,date=b,merchant=c,amount=d", "column mapping key date is given twice"),
    ],
)
def test_parse_columns_refuses_with_the_bad_part(text, message):
    from catalog.services.import_options import OptionError
    from catalog.services.import_options import parse_columns

    with pytest.raises(OptionError, match=re.escape(message)):
        parse_columns(text)


def test_cli_backstage_estate_needs_a_reason_and_failed_runs_are_recorded(app, runner):
    from pathlib import Path

    from catalog.cli import main

    component = str(
        Path(__file__).parent
        / "data/discovery/backstage/examples/components/artist-lookup-component.yaml"
    )
    refused = runner.invoke(main, ["import", "backstage", component, "--register-existing-estate"])
    assert refused.exit_code != 0 and "needs a reason" in refused.output
    with app.app_context():
        run = db.session.scalar(sa.select(ImportRun))
        assert (run.status, run.files, run.via) == (
            "failed",
            ["artist-lookup-component.yaml"],
            "cli",
        )
        assert count(app, Tool) == 0
    done = runner.invoke(
        main,
        ["import", "backstage", component, "--register-existing-estate", "--reason", "audited"],
    )
    assert done.exit_code == 0, done.output
    assert "Import run 2 (see /imports/runs/2)." in done.output
    with app.app_context():
        assert db.session.scalar(sa.select(Tool.lifecycle)) == "in_review"
        option = db.session.scalar(
            sa.select(ChangeRecord).where(ChangeRecord.object_type == "import_option")
        )
        assert option.after["reason"] == "audited" and option.request_id == "import-run:2"
    plain = runner.invoke(main, ["import", "card_csv", "--help"])
    assert "--register-existing-estate" in plain.output
