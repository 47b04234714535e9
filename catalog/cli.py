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


@click.group(cls=FlaskGroup, create_app=create_cli_app, add_default_commands=False,
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
            summary = bundle_service.import_bundle(db.session, data, actor=actor,
                                                   progress=bar.update)
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
            click.echo(f"{section:>13}: {counts['created']} created, {counts['updated']} updated, "
                       f"{counts['unchanged']} unchanged")


@main.command("demo")
@click.option("--today", "today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Move the demo's dates as if today were this day (default: today).")
@click.option("--if-empty", is_flag=True,
              help="Load only into an empty catalog; otherwise keep it and say how to sign in.")
@click.option("--replace", is_flag=True,
              help="Delete the catalog (tools, people, flows, sightings...) and load the demo.")
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
            summary = bundle_service.import_bundle(db.session, data, actor="demo",
                                                   progress=bar.update)
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
@click.option("--columns", default=None, metavar="date=...,merchant=...,amount=...",
              help="card_csv only: the headers of a bank layout we do not know "
                   "(optional keys: category, user, debit, credit, mcc, currency, type, city).")
@click.option("--purchases", type=click.Choice(["positive", "negative"]), default="positive",
              show_default=True, help="card_csv with --columns: the sign of a purchase.")
@click.option("--as", "as_email", default=None, metavar="EMAIL",
              help="Act as this account, with its role (default: $MARTECH_ACTOR, else an "
                   "administrator named cli).")
@click.option("--estate-reason", default=None, metavar="TEXT",
              help="Register new tools listed as sanctioned or deprecated as pre-existing "
                   "estate, for this reason (IT and administrators; recorded).")
@click.option("--register-existing-estate", "estate", is_flag=True,
              help="Backstage: take Backstage's lifecycle as the catalog's for new tools "
                   "(sanctioned for production) instead of requests; needs --reason.")
@click.option("--reason", default="", help="Why (recorded in the change log).")
def import_command(source: str, files: tuple[str, ...], columns: str | None = None,
                   purchases: str = "positive", as_email: str | None = None,
                   estate_reason: str | None = None, estate: bool = False,
                   reason: str = "") -> None:
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
                db.session, source, list(files), actor=actor, progress_factory=progress_bar,
                options=options,
            )
            db.session.commit()
        except discovery.ImportFailed as exc:
            db.session.rollback()
            # The refused import is itself part of the record (nothing it read is written).
            import_runs.record_failure(db.session, actor=str(actor), via="cli",
                                       files=[Path(f).name for f in files], sources=[source],
                                       message=str(exc))
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
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              callback=_supported_day,
              help="Evaluate the rules as of this date (default: today).")
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


# Accounts ---------------------------------------------------------------------------------------
# Whoever runs these has the database in hand, so the command line acts with admin rights.


@main.group("user")
def user_group() -> None:
    """Sign-in accounts: create, list, change role, disable, API tokens."""


def _read_password(from_stdin: bool) -> str:
    # Off a terminal (a pipe, a script) the password is the first line of standard input.
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["viewer", "marketing", "it", "admin"]))
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create an account (prompts for the password unless --password-stdin)."""
    from catalog.services import accounts
    from catalog.services.records import ValidationError

    password = _read_password(password_stdin)
    with write_intent():
        try:
            user = accounts.create_user(db.session, email=email, role=role, password=password,
                                        name=name, actor="cli")
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            raise click.ClickException(f"no account created. {exc}") from None
    click.echo(f"Created {user.email} ({user.role}).")


@user_group.command("list")
def user_list() -> None:
    """List the accounts."""
    from catalog.services import accounts

    for user in accounts.list_users(db.session):
        state = "" if user.active else "  (disabled)"
        click.echo(f"{user.email:<40} {user.role:<10} {user.name}{state}")


def _user_or_fail(email: str) -> t.Any:
    from catalog.services import accounts

    user = accounts.user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    return user


@user_group.command("set")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["viewer", "marketing", "it", "admin"]), default=None)
@click.option("--disable/--enable", "disable", default=None, help="Disable or enable sign-in.")
@click.option("--password", "new_password", is_flag=True,
              help="Set a new password (prompted on a terminal, else read from standard input).")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def user_set(email: str, role: str | None, disable: bool | None, new_password: bool,
             password_stdin: bool) -> None:
    """Change an account's role, password or whether it may sign in."""
    from catalog.services import accounts
    from catalog.services.records import ValidationError

    with write_intent():
        user = _user_or_fail(email)
        try:
            accounts.update_user(db.session, user, actor="cli", role=role,
                                 active=None if disable is None else not disable)
            if new_password or password_stdin:
                accounts.set_password(db.session, user, _read_password(password_stdin),
                                      actor="cli")
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            raise click.ClickException(f"nothing changed. {exc}") from None
    click.echo(f"{user.email}: {user.role}, {'enabled' if user.active else 'disabled'}.")


@user_group.command("token")
@click.option("--email", required=True)
def user_token(email: str) -> None:
    """Issue an API bearer token for an account (replaces the previous one)."""
    from catalog.services import accounts

    with write_intent():
        token = accounts.issue_api_token(db.session, _user_or_fail(email), actor="cli")
        db.session.commit()
    click.echo(token)


@main.group("scorecard")
def scorecard_group() -> None:
    """The joint CMO-CIO scorecard."""


@scorecard_group.command("snapshot")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              callback=_supported_day,
              help="Record the figures of this day (default: today).")
def scorecard_snapshot(as_of: t.Any) -> None:
    """Record the day's scorecard figures (one row per day; run it daily, e.g. from cron)."""
    from catalog.services import review
    from catalog.services import scorecard

    day = as_of.date() if as_of is not None else date.today()
    sla = review.sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])
    metrics = scorecard.current_metrics(db.session, day, sla_days=sla)
    db.session.rollback()
    with write_intent():
        scorecard.record_day(db.session, day, metrics)
        db.session.commit()
    for key, value in scorecard.flatten(metrics).items():
        click.echo(f"{scorecard.label_for(key):<52} {scorecard.fmt(key, value)}")


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


@main.command("notify")
@click.option("--today", "today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Evaluate the time-based notices as of this date (default: today).")
def notify_command(today: t.Any) -> None:
    """Queue and send the notices that are due (idempotent: run it every few minutes)."""
    from catalog.services import notify
    from catalog.services.review import sla_days

    day = today.date() if today is not None else date.today()
    transport = notify.Transport.from_config(current_app.config)
    with write_intent():
        sla = sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])
        summary = notify.run(db.session, transport, day, sla=sla, commit=db.session.commit)
    click.echo(str(summary))
    if summary.failed:
        click.echo("Some notices failed for good; see /admin/notifications.", err=True)
# Dump, restore and backup -------------------------------------------------------------------------
# The whole database, not only the bundle's records: see catalog.services.dump and docs/dump.md.


@main.command("dump")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def dump_command(file: str) -> None:
    """Write the whole database to FILE (JSON Lines; gzipped if FILE ends in .gz)."""
    from catalog.services import dump

    try:
        counts = dump.dump(db.session, file)
    except dump.DumpError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{file}: {exc.strerror}") from None
    click.echo(f"Wrote {file}: {sum(counts.values())} rows in {len(counts)} tables.")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def restore_command(file: str) -> None:
    """Load a dump made by `martech dump` into this database, which must be empty."""
    from catalog.services import dump

    with write_intent(), progress_bar(None, "restore") as bar:
        try:
            counts = dump.restore(db.session, file, progress=bar.update)
            db.session.commit()
        except dump.DumpError as exc:
            db.session.rollback()
            raise click.ClickException(f"{file}: nothing restored. {exc}") from None
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables from {file}.")


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
def backup_command(file: str, overwrite: bool) -> None:
    """Copy the live SQLite database to FILE (safe while the app runs)."""
    from catalog.services import dump

    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            "backup copies a SQLite database file; on PostgreSQL use pg_dump "
            "(e.g. `pg_dump -Fc DBNAME > FILE`) or `martech dump FILE`.")
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise click.ClickException(f"{url}: not a SQLite database file.")
    if Path(file).exists() and not overwrite:
        raise click.ClickException(f"{file} exists; choose another name or pass --overwrite.")
    import sqlite3

    try:
        pages = dump.backup_sqlite(url.database, file)
    except (OSError, sqlite3.Error, dump.DumpError) as exc:
        raise click.ClickException(f"{file}: no backup written. {exc}") from None
    click.echo(f"Backed up {url.database} to {file} ({pages} pages).")
