"""The `martech` command line: a Flask CLI group around the app factory (SPEC 5.2)."""

from __future__ import annotations

import json
import sys
import typing as t
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from catalog import create_app
from catalog.extensions import db
from catalog.extensions import write_intent

ROOT = Path(__file__).resolve().parent.parent
DEMO_BUNDLE = Path(__file__).resolve().parent / "data" / "demo.json"
IMPORT_SOURCES = (
    "bundle", "okta", "entra", "google_workspace", "expensify", "card_csv", "backstage",
    "catalog_csv", "auto",
)


def alembic_config(connection: t.Any = None) -> t.Any:
    """Return the Alembic config for this checkout, optionally bound to an open connection."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def progress_bar(total: int | None, desc: str) -> t.Any:
    """Return a tqdm bar shown only on a terminal (disable=None hides it when piped)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="rec", disable=None, file=sys.stderr, leave=False)


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False,
             load_dotenv=False)
def main() -> None:
    """Martech Catalog: register tools, import discovery evidence, audit the stack."""


@main.group("db")
def db_group() -> None:
    """Database schema commands (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from alembic import command

    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    click.echo(f"Database at {revision} ({db.engine.url.render_as_string(hide_password=True)}).")


def _load_json(path: str) -> t.Any:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except (ValueError, RecursionError) as exc:
        raise click.ClickException(f"{path}: not valid JSON ({exc})") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror}") from None


def import_bundle_file(path: str, *, actor: str) -> dict[str, dict[str, int]]:
    """Import one bundle file in its own transaction; raise ClickException on a bad record."""
    from catalog.services import bundle as bundle_service
    from catalog.services.records import ValidationError

    data = _load_json(path)
    with write_intent(), progress_bar(bundle_service.count_records(data), "bundle") as bar:
        try:
            summary = bundle_service.import_bundle(db.session, data, actor=actor,
                                                   progress=bar.update)
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            raise click.ClickException(f"{path}: nothing imported. {exc}") from None
    return summary


def _echo_bundle_summary(summary: dict[str, dict[str, int]]) -> None:
    for section, counts in summary.items():
        if any(counts.values()):
            click.echo(f"{section:>13}: {counts['created']} created, {counts['updated']} updated, "
                       f"{counts['unchanged']} unchanged")


@main.command("demo")
@click.option("--today", "today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Move the demo's dates as if today were this day (default: today).")
def demo_command(today: t.Any) -> None:
    """Load the demo stack (a mid-size company's martech, with its rogue corners)."""
    from catalog.services import bundle as bundle_service
    from catalog.services.demo import demo_bundle
    from catalog.services.records import ValidationError

    data = demo_bundle(today.date() if today is not None else date.today())
    with write_intent(), progress_bar(bundle_service.count_records(data), "demo") as bar:
        try:
            summary = bundle_service.import_bundle(db.session, data, actor="demo",
                                                   progress=bar.update)
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            raise click.ClickException(f"demo: nothing imported. {exc}") from None
    _echo_bundle_summary(summary)


@main.command("import")
@click.argument("source", type=click.Choice(IMPORT_SOURCES))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def import_command(source: str, files: tuple[str, ...]) -> None:
    """Import FILES with the SOURCE importer (a bundle, or discovery evidence)."""
    if source == "bundle":
        for path in files:
            _echo_bundle_summary(import_bundle_file(path, actor="cli"))
        return
    from catalog.services import discovery

    with write_intent():
        try:
            summary = discovery.import_files(
                db.session, source, list(files), actor="cli", progress_factory=progress_bar
            )
            db.session.commit()
        except discovery.ImportFailed as exc:
            db.session.rollback()
            raise click.ClickException(f"nothing imported. {exc}") from None
    click.echo(discovery.format_summary(summary))


@main.command("export")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to FILE instead of standard output.")
def export_command(out: str | None) -> None:
    """Write the whole catalog as a JSON bundle."""
    from catalog.services.bundle import export_bundle

    text = json.dumps(export_bundle(db.session), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}.", err=True)


@main.command("audit")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Evaluate the rules as of this date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
def audit_command(as_of: t.Any, fmt: str) -> None:
    """Print the rogue-tool audit report."""
    from catalog.services import audit

    day = as_of.date() if as_of is not None else date.today()
    report = audit.audit_report(db.session, day, sla_days=current_app.config["REVIEW_SLA_DAYS"])
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(audit.render_csv(report), nl=False)
    else:
        click.echo(audit.render_text(report), nl=False)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Run Flask's development server with the debugger.")
def serve_command(host: str, port: int, debug: bool) -> None:
    """Run the web app (waitress; --debug for the Flask development server)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    click.echo(f"Martech Catalog is running at http://{shown}:{port}/  (Ctrl+C to stop)")
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
    else:
        from waitress import serve

        serve(app, host=host, port=port, threads=8)
