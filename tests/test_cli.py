"""The `martech` command line (see the README): db upgrade, demo, import, export, serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from catalog import create_app
from catalog.cli import main
from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import bundle
from catalog.services.demo import ANCHOR
from catalog.services.demo import DEMO_BUNDLE
from catalog.services.demo import shift_dates

DEMO = json.loads(DEMO_BUNDLE.read_text(encoding="utf-8"))
MARTECH = Path(sys.executable).with_name("martech")


def invoke(runner, *args: str):
    return runner.invoke(main, list(args))


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count(Tool.id))),
            db.session.scalar(sa.select(sa.func.count(ChangeRecord.id))),
        )


def test_db_upgrade_creates_the_schema_in_an_empty_sqlite_file(tmp_path):
    path = tmp_path / "fresh.sqlite"
    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{path}"}})
    runner = app.test_cli_runner()
    result = invoke(runner, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"Database at head (sqlite:///{path})" in result.output
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {
            "person",
            "tool",
            "data_flow",
            "dependency",
            "sighting",
            "change_record",
            "alembic_version",
        } <= tables
    assert invoke(runner, "db", "upgrade").exit_code == 0  # already at head: a no-op
    result = invoke(runner, "demo", "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert "tools: 46 created" in result.output
    with app.app_context():
        db.engine.dispose()


def test_demo_loads_the_stack_and_a_second_run_keeps_the_catalog(app, runner):
    result = invoke(runner, "demo", "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert "people: 13 created, 0 updated, 0 unchanged" in result.output
    assert f"tools: {len(DEMO['tools'])} created" in result.output
    first = counts(app)
    with app.app_context():
        assert bundle.export_bundle(db.session) == DEMO  # --today at the anchor shifts nothing

    # A second run never loads over a catalog: it refuses, or with --if-empty keeps it quietly.
    again = invoke(runner, "demo", "--today", "2026-11-22")
    assert again.exit_code == 1, again.output
    assert "the database already holds a catalog (46 tools, 13 people" in again.output
    assert "nothing was loaded" in again.output and "martech demo --replace" in again.output
    kept = invoke(runner, "demo", "--if-empty", "--today", "2026-11-22")
    assert kept.exit_code == 0, kept.output
    assert "kept it as it is" in kept.output
    assert counts(app) == first


def test_demo_moves_every_date_to_the_given_today(app, runner):
    result = invoke(runner, "demo", "--today", "2027-01-01")
    assert result.exit_code == 0, result.output
    days = (date(2027, 1, 1) - ANCHOR).days
    with app.app_context():
        intercom = db.session.scalar(sa.select(Tool).where(Tool.slug == "intercom"))
        marketo = db.session.scalar(sa.select(Tool).where(Tool.slug == "marketo"))
        calendly = db.session.scalar(
            sa.select(Sighting).where(
                Sighting.source == "google_workspace", Sighting.observed_name == "Calendly"
            )
        )
    assert intercom.requested_at == date(2026, 10, 27) + timedelta(days)
    assert marketo.retired_at == date(2026, 6, 30) + timedelta(days)
    assert calendly.last_seen == date(2026, 11, 21) + timedelta(days)
    assert calendly.first_seen == date(2026, 11, 5) + timedelta(days)


def test_demo_defaults_to_today(app, runner):
    assert invoke(runner, "demo").exit_code == 0
    with app.app_context():
        intercom = db.session.scalar(sa.select(Tool).where(Tool.slug == "intercom"))
    assert date.today() - intercom.requested_at == ANCHOR - date(2026, 10, 27)


def test_shift_dates_moves_only_dates_and_leaves_empty_ones():
    shifted = shift_dates(DEMO, -30)
    assert shifted["people"] == DEMO["people"] and shifted["flows"] == DEMO["flows"]
    before = {t["slug"]: t for t in DEMO["tools"]}
    for tool in shifted["tools"]:
        old = before[tool["slug"]]
        for name in ("renewal_date", "requested_at", "decided_at", "retired_at"):
            if old[name] is None:
                assert tool[name] is None
            else:
                moved = date.fromisoformat(old[name]) - timedelta(30)
                assert date.fromisoformat(tool[name]) == moved
        assert {k: v for k, v in tool.items() if not k.endswith(("_at", "_date"))} == {
            k: v for k, v in old.items() if not k.endswith(("_at", "_date"))
        }


def test_demo_bundle_has_the_scale_the_story_needs():
    tools = {t["slug"]: t for t in DEMO["tools"]}
    assert len(tools) >= 40 and len(DEMO["flows"]) >= 40
    sor = sorted(s for s, t in tools.items() if t["system_of_record"])
    assert sor == ["salesforce-sales-cloud", "segment", "snowflake"]
    assert all(tools[s]["lifecycle"] == "sanctioned" for s in sor)
    lifecycles = {t["lifecycle"] for t in tools.values()}
    assert lifecycles == set(
        "requested in_review sanctioned rejected deprecated retired discovered".split()
    )
    assert [p["email"] for p in DEMO["people"] if not p["active"]] == [
        "derek.hale@northwind-outfitters.com"
    ]
    assert {f["mechanism"] for f in DEMO["flows"]} >= {
        "native_connector",
        "ipaas",
        "reverse_etl",
        "manual_export",
    }
    assert {s["source"] for s in DEMO["sightings"]} >= {
        "okta",
        "entra",
        "google_workspace",
        "card_csv",
        "expensify",
    }


def write(tmp_path: Path, data) -> str:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_import_bundle_file(app, runner, tmp_path):
    # The demo's sanctioned tools are created as pre-existing estate, explicitly.
    result = invoke(
        runner, "import", "bundle", "--estate-reason", "the demo estate", write(tmp_path, DEMO)
    )
    assert result.exit_code == 0, result.output
    assert f"sightings: {len(DEMO['sightings'])} created" in result.output
    with app.app_context():
        assert bundle.export_bundle(db.session) == DEMO
        actors = set(db.session.scalars(sa.select(ChangeRecord.actor)))
    assert actors == {"cli"}


def test_bad_bundle_file_exits_non_zero_names_the_record_and_writes_nothing(app, runner, tmp_path):
    bad = json.loads(json.dumps(DEMO))
    bad["flows"][3]["mechanism"] = "fax"
    flow = bad["flows"][3]
    result = invoke(runner, "import", "bundle", "--estate-reason", "demo", write(tmp_path, bad))
    assert result.exit_code == 1
    assert "nothing imported" in result.output
    assert (
        f"flows[3] (source='{flow['source']}', target='{flow['target']}', mechanism='fax'): "
        "mechanism: unknown value 'fax'"
    ) in result.output
    assert counts(app) == (0, 0)


def test_import_of_a_file_that_is_not_json_fails_cleanly(app, runner, tmp_path):
    path = tmp_path / "notes.json"
    path.write_text("{people: [", encoding="utf-8")
    result = invoke(runner, "import", "bundle", str(path))
    assert result.exit_code == 1
    assert f"{path}: not valid JSON" in result.output
    assert "Traceback" not in result.output
    missing = invoke(runner, "import", "bundle", str(tmp_path / "absent.json"))
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_export_to_a_file_and_to_stdout(app, runner, tmp_path):
    assert invoke(runner, "demo", "--today", "2026-11-22").exit_code == 0
    out = tmp_path / "catalog.json"
    result = invoke(runner, "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}." in result.stderr
    assert out.read_text(encoding="utf-8") == DEMO_BUNDLE.read_text(encoding="utf-8")

    result = invoke(runner, "export")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == DEMO


def test_export_of_an_empty_catalog(runner):
    result = invoke(runner, "export")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {s: [] for s in bundle.SECTIONS}


def test_serve_help_lists_its_options(runner):
    result = invoke(runner, "serve", "--help")
    assert result.exit_code == 0
    for option in ("--host", "--port", "--debug"):
        assert option in result.output


def test_installed_console_script_end_to_end(tmp_path):
    """The real `martech` executable: upgrade an empty file, load the demo, export it."""
    assert MARTECH.exists(), f"console script missing at {MARTECH} (pip install -e .)"
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite'}"}

    def martech(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(MARTECH), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    upgraded = martech("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    demo = martech("demo", "--today", "2026-11-22")
    assert demo.returncode == 0, demo.stderr
    assert "tools: 46 created" in demo.stdout
    exported = martech("export")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == DEMO_BUNDLE.read_text(encoding="utf-8")

    (tmp_path / "bad.json").write_text(json.dumps({"tools": [{"name": "X", "seats": -1}]}))
    failed = martech("import", "bundle", "bad.json")
    assert failed.returncode == 1
    assert "tools[0] (name='X'): seats: must not be negative" in failed.stderr
    assert martech("export").stdout == exported.stdout
