"""The `martech` command line: a Flask CLI group around the app factory (see the README)."""

from __future__ import annotations

import atexit
import gc
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
    "bundle",
    "okta",
    "entra",
    "google_workspace",
    "expensify",
    "card_csv",
    "backstage",
    "catalog_csv",
    "auto",
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


def skip_final_collection() -> None:
    """Spare the process the garbage collection it would run on exit.

    Interpreter shutdown collects every container still alive; after an audit of 10,000 tools
    that is the cached snapshot and report, about a million objects, and the walk took 0.3 s
    of a 1.5 s `martech audit`. Frozen objects are left to reference counting, which frees
    them anyway.
    """
    atexit.unregister(gc.freeze)  # once per process, however many commands ran in it
    atexit.register(gc.freeze)


# Commands that handle requests; every other command gets the app without its web layer.
WEB_COMMANDS = frozenset({"serve"})


def create_cli_app() -> t.Any:
    """Build the app for the command being run (FlaskGroup loads it inside that command)."""
    ctx = click.get_current_context(silent=True)
    return create_app(web=ctx is None or ctx.info_name in WEB_COMMANDS)


@click.group(
    cls=FlaskGroup, create_app=create_cli_app, add_default_commands=False, load_dotenv=False
)
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


def cli_actor(as_email: str | None, estate_reason: str | None = None) -> t.Any:
    """Return who a command acts as: `--as EMAIL` or $MARTECH_ACTOR (a sign-in account, with
    its role), else "cli" with administrator rights (whoever runs the command line holds the
    database). The governance rules hold for every one of them (`catalog.services.policy`)."""
    import os

    import sqlalchemy as sa

    from catalog.models import User
    from catalog.services.policy import Actor

    email = (as_email or os.environ.get("MARTECH_ACTOR") or "").strip().lower()
    if not email:
        return Actor("cli", "admin", estate_reason)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.active:
        raise click.ClickException(f"no active account {email!r} to act as (see `martech user`)")
    return Actor(user.email, user.role, estate_reason)


def refused(exc: Exception) -> click.ClickException:
    """Turn a governance refusal into the command line's answer (the message, exit status 1)."""
    return click.ClickException(f"refused, nothing written. {exc}")


def import_bundle_file(path: str, *, actor: str) -> dict[str, dict[str, int]]:
    """Import one bundle file in its own transaction; raise ClickException on a bad record."""
    from catalog.services import bundle as bundle_service
    from catalog.services.policy import GovernanceError
    from catalog.services.records import ValidationError

    data = _load_json(path)
    with write_intent(), progress_bar(bundle_service.count_records(data), "bundle") as bar:
        try:
            summary = bundle_service.import_bundle(
                db.session, data, actor=actor, progress=bar.update
            )
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            raise click.ClickException(f"{path}: nothing imported. {exc}") from None
        except GovernanceError as exc:
            db.session.rollback()
            raise click.ClickException(f"{path}: nothing imported. {exc}") from None
    return summary


def _echo_bundle_summary(summary: dict[str, dict[str, int]]) -> None:
    for section, counts in summary.items():
        if any(counts.values()):
            click.echo(
                f"{section:>13}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )


@main.command("demo")
@click.option(
    "--today",
    "today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Move the demo's dates as if today were this day (default: today).",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only into an empty catalog; otherwise keep it and say how to sign in.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Delete the catalog (tools, people, flows, sightings...) and load the demo.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (with --replace).")
def demo_command(today: t.Any, if_empty: bool, replace: bool, yes: bool) -> None:
    """Load the demo stack (a mid-size company's martech, with its rogue corners).

    Only into an empty catalog: a catalog someone worked on is never overwritten, unless
    --replace is given (and confirmed).
    """
    from catalog.cli_setup import confirm_replace
    from catalog.cli_setup import echo_sign_in_help
    from catalog.services import bundle as bundle_service
    from catalog.services import demo
    from catalog.services.records import ValidationError

    counts = demo.catalog_counts(db.session)
    held = demo.describe(counts)
    if any(counts.values()) and not replace:
        if if_empty:
            click.echo(f"The database already holds a catalog ({held}); kept it as it is.")
            echo_sign_in_help()
            return
        raise click.ClickException(
            f"the database already holds a catalog ({held}); nothing was loaded. "
            "To delete it and load the demo instead: martech demo --replace"
        )
    if any(counts.values()):
        confirm_replace(held, yes)
    data = demo.demo_bundle(today.date() if today is not None else date.today())
    with write_intent(), progress_bar(bundle_service.count_records(data), "demo") as bar:
        try:
            if any(counts.values()):
                demo.clear_catalog(db.session, actor="demo")
            mark = demo.last_change_id(db.session)
            summary = bundle_service.import_bundle(
                db.session, data, actor="demo", progress=bar.update
            )
            # The story's past, for as-of audits, the compare view and the scorecard's trends.
            demo.date_history(db.session, data, after_id=mark)
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            raise click.ClickException(f"demo: nothing imported. {exc}") from None
    if any(counts.values()):
        click.echo(f"Replaced the catalog ({held}) with the demo.")
    _echo_bundle_summary(summary)
    _echo_demo_logins()  # accounts for each role (catalog.services.accounts)


@main.command("import")
@click.argument("source", type=click.Choice(IMPORT_SOURCES))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--columns",
    default=None,
    metavar="date=...,merchant=...,amount=...",
    help="card_csv only: the headers of a bank layout we do not know "
    "(optional keys: category, user, debit, credit, mcc, currency, type, city).",
)
@click.option(
    "--purchases",
    type=click.Choice(["positive", "negative"]),
    default="positive",
    show_default=True,
    help="card_csv with --columns: the sign of a purchase.",
)
@click.option(
    "--as",
    "as_email",
    default=None,
    metavar="EMAIL",
    help="Act as this account, with its role (default: $MARTECH_ACTOR, else an "
    "administrator named cli).",
)
@click.option(
    "--estate-reason",
    default=None,
    metavar="TEXT",
    help="Register new tools listed as sanctioned or deprecated as pre-existing "
    "estate, for this reason (IT and administrators; recorded).",
)
@click.option(
    "--register-existing-estate",
    "estate",
    is_flag=True,
    help="Backstage: take Backstage's lifecycle as the catalog's for new tools "
    "(sanctioned for production) instead of requests; needs --reason.",
)
@click.option("--reason", default="", help="Why (recorded in the change log).")
def import_command(
    source: str,
    files: tuple[str, ...],
    columns: str | None = None,
    purchases: str = "positive",
    as_email: str | None = None,
    estate_reason: str | None = None,
    estate: bool = False,
    reason: str = "",
) -> None:
    """Import FILES with the SOURCE importer (a bundle, or discovery evidence)."""
    from catalog.services.policy import GovernanceError

    mapping = _card_mapping(source, columns, purchases)
    if estate and reason.strip() and not estate_reason:
        estate_reason = reason  # a Backstage estate registration is IT's explicit decision too
    actor = cli_actor(as_email, estate_reason)
    if source == "bundle":
        for path in files:
            _echo_bundle_summary(import_bundle_file(path, actor=actor))
        return
    from catalog.services import discovery
    from catalog.services import import_runs

    options = {"register_existing_estate": True, "reason": reason} if estate else {}
    with mapping, write_intent():
        try:
            summary = discovery.import_files(
                db.session,
                source,
                list(files),
                actor=actor,
                progress_factory=progress_bar,
                options=options,
            )
            db.session.commit()
        except discovery.ImportFailed as exc:
            db.session.rollback()
            # The refused import is itself part of the record (nothing it read is written).
            import_runs.record_failure(
                db.session,
                actor=str(actor),
                via="cli",
                files=[Path(f).name for f in files],
                sources=[source],
                message=str(exc),
            )
            db.session.commit()
            raise click.ClickException(f"nothing imported. {exc}") from None
        except GovernanceError as exc:
            db.session.rollback()
            raise refused(exc) from None
    click.echo(discovery.format_summary(summary))


def _card_mapping(source: str, columns: str | None, purchases: str) -> t.ContextManager[None]:
    """Return the context in which card_csv reads an explicit `--columns` mapping."""
    import contextlib

    if columns is None:
        return contextlib.nullcontext()
    if source != "card_csv":
        raise click.UsageError("--columns applies to the card_csv source only")
    from catalog.services.import_options import OptionError
    from catalog.services.import_options import parse_columns
    from integrations.card_csv import column_mapping

    try:  # the same parser as the upload form's "Column mapping" field
        parsed = parse_columns(columns, purchases)
        if not parsed:
            raise OptionError("the column mapping needs date, merchant, amount")
    except OptionError as exc:
        raise click.ClickException(f"nothing imported. --columns: {exc}") from None
    return column_mapping(parsed, purchases)


@main.command("export")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to FILE instead of standard output.",
)
def export_command(out: str | None) -> None:
    """Write the whole catalog as a JSON bundle."""
    from catalog.services.bundle import export_bundle

    text = json.dumps(export_bundle(db.session), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}.", err=True)


def _supported_day(ctx: click.Context, param: click.Parameter, value: t.Any) -> t.Any:
    """Refuse an --as-of date outside the catalog's supported range (the rules add days to it)."""
    if value is None:
        return None
    from catalog.services.records import check_date

    try:
        check_date(value.date())
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@main.command("audit")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    callback=_supported_day,
    help="Evaluate the rules as of this date (default: today).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
def audit_command(as_of: t.Any, fmt: str) -> None:
    """Print the rogue-tool audit report."""
    from catalog.services import audit

    day = as_of.date() if as_of is not None else date.today()
    from catalog.services import taxonomy as taxonomy_service
    from catalog.services.review import sla_days  # the administrator's runtime setting

    taxonomy_service.sync(db.session)  # categories an administrator added are named, not keyed
    sla = sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])
    report = audit.audit_report(db.session, day, sla_days=sla)
    if fmt == "json":
        click.echo(audit.render_json(report), nl=False)
    elif fmt == "csv":
        click.echo(audit.render_csv(report), nl=False)
    else:
        click.echo(audit.render_text(report), nl=False)
    skip_final_collection()


def _echo_demo_logins() -> None:
    """Create the demo accounts (one per role) and print how to sign in."""
    from catalog.services.accounts import create_demo_accounts

    with write_intent():
        logins = create_demo_accounts(db.session)
        db.session.commit()
    click.echo("Demo sign-ins:")
    for email, role, password in logins:
        shown = password if password is not None else "(existing account, password unchanged)"
        click.echo(f"  {role:<10} {email:<40} {shown}")


# The other command groups register themselves on `main` when imported; they import `main`, so
# they come last. Each module holds one family of commands, readable on its own.
from catalog import cli_accounts  # noqa: E402, F401
from catalog import cli_ops  # noqa: E402, F401
