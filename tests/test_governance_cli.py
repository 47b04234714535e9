"""Issue 11 on the command line: imports obey the sanction gate, the CLI acts as a named actor.

`martech import` acts as `--as EMAIL` (or $MARTECH_ACTOR), an account with its role, else as an
administrator named "cli"; a governance refusal is a message and exit status 1, nothing written.
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.services import entities
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import run_cli
from tests.review_stack import IVAN
from tests.review_stack import MIA
from tests.review_stack import mia_ivan_and_mine


def _app(tmp_path):
    app = auth_app(tmp_path)
    with app.app_context():
        mia_ivan_and_mine(db.session, requested_at=date.today().isoformat())
        db.session.commit()
    for email, role in (MIA, "marketing"), (IVAN, "it"):
        add_user(app, email, role)
    return app


def _bundle(tmp_path, tools):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"tools": tools}), encoding="utf-8")
    return str(path)


def _state(app):
    with app.app_context():
        tool = entities.tool_by_slug(db.session, "mine")
        return (
            tool.lifecycle,
            tool.version,
            db.session.scalar(sa.select(sa.func.count(ChangeRecord.id))),
            entities.tool_by_slug(db.session, "crm") is None,
        )


def test_import_bundle_cannot_sanction_a_request_without_signoffs(tmp_path, _postgres_schema):
    app = _app(tmp_path)
    before = _state(app)
    path = _bundle(
        tmp_path,
        [
            {
                "slug": "mine",
                "name": "Mine",
                "lifecycle": "sanctioned",
                "business_owner": "mia@example.com",
                "technical_owner": "ivan@example.com",
            }
        ],
    )
    for args in ([], ["--as", "ivan@example.com"], ["--estate-reason", "x"]):
        result = run_cli(app, ["import", "bundle", *args, path])
        assert result.exit_code == 1, result.output
        assert (
            "nothing imported. Mine is requested: it can become sanctioned only through its "
            "review, with both the business owner's and the technical owner's sign-off "
            "(missing: business and technical). Use /review/mine."
        ) in result.output
        assert "Traceback" not in result.output
    assert _state(app) == before


def test_import_creates_a_sanctioned_tool_only_as_explicit_estate(tmp_path, _postgres_schema):
    app = _app(tmp_path)
    before = _state(app)
    path = _bundle(tmp_path, [{"slug": "crm", "name": "CRM", "lifecycle": "sanctioned"}])
    result = run_cli(app, ["import", "bundle", path])
    assert result.exit_code == 1
    assert "register it explicitly as pre-existing estate with a reason" in result.output
    assert _state(app) == before
    # A marketer acting through the CLI is a marketer: no estate registration.
    result = run_cli(
        app, ["import", "bundle", "--as", "mia@example.com", "--estate-reason", "ran before", path]
    )
    assert result.exit_code == 1 and "is IT's decision" in result.output
    assert _state(app) == before
    result = run_cli(
        app,
        ["import", "bundle", "--as", "ivan@example.com", "--estate-reason", "CRM since 2019", path],
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        estate = db.session.scalar(sa.select(ChangeRecord).where(ChangeRecord.action == "estate"))
        assert (estate.actor, estate.object_key, estate.after) == (
            "ivan@example.com",
            "crm",
            {"lifecycle": "sanctioned", "reason": "CRM since 2019"},
        )


def test_catalog_csv_import_obeys_the_gate_and_the_actor(tmp_path, _postgres_schema, monkeypatch):
    app = _app(tmp_path)
    before = _state(app)
    csv = tmp_path / "tools.csv"
    csv.write_text("slug,name,lifecycle\nmine,Mine,sanctioned\n", encoding="utf-8")
    result = run_cli(app, ["import", "catalog_csv", str(csv)])
    assert result.exit_code == 1
    assert "refused, nothing written. Mine is requested: it can become sanctioned" in result.output
    assert _state(app) == before
    monkeypatch.setenv("MARTECH_ACTOR", "nobody@example.com")
    result = run_cli(app, ["import", "catalog_csv", str(csv)])
    assert result.exit_code == 1
    assert "no active account 'nobody@example.com' to act as" in result.output
