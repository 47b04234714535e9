"""The `martech` command line: a Flask CLI group around the app factory (see the README)."""

from __future__ import annotations

import atexit
import contextlib
import gc
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


@contextlib.contextmanager
def committed(message: str, *errors: type[Exception]) -> t.Iterator[None]:
    """Write and commit what the block does; on one of `errors` (a `ValidationError` when none
    is named) roll everything back and exit with `message` and the error: all or nothing."""
    from catalog.services.records import ValidationError

    caught = errors or (ValidationError,)
    with write_intent():
        try:
            yield
            db.session.commit()
        except caught as exc:
            db.session.rollback()
            raise click.ClickException(f"{message} {exc}") from None


def refused(exc: Exception) -> click.ClickException:
    """Turn a governance refusal into the command line's answer (the message, exit status 1)."""
    return click.ClickException(f"refused, nothing written. {exc}")


def _supported_day(ctx: click.Context, param: click.Parameter, value: t.Any) -> date:
    """Return the option's day (today when not given), refusing one outside the catalog's range
    (the rules add days to it)."""
    if value is None:
        return date.today()
    from catalog.services.records import check_date

    try:
        check_date(value.date())
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return t.cast(date, value.date())


def day_option(flag: str, help: str) -> t.Callable[[t.Callable[..., t.Any]], t.Any]:
    """A YYYY-MM-DD option (`--as-of`, `--today`) the command receives as a `date`, today by
    default; a day outside the catalog's supported range is refused as a usage error."""
    return click.option(
        flag,
        flag.lstrip("-").replace("-", "_"),
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        callback=_supported_day,
        help=help + " (default: today).",
    )


@main.command("audit")
@day_option("--as-of", "Evaluate the rules as of this date")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
def audit_command(as_of: date, fmt: str) -> None:
    """Print the rogue-tool audit report."""
    from catalog.services import audit
    from catalog.services import taxonomy as taxonomy_service
    from catalog.services.review import sla_days  # the administrator's runtime setting

    taxonomy_service.sync(db.session)  # categories an administrator added are named, not keyed
    sla = sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])
    report = audit.audit_report(db.session, as_of, sla_days=sla)
    if fmt == "json":
        click.echo(audit.render_json(report), nl=False)
    elif fmt == "csv":
        click.echo(audit.render_csv(report), nl=False)
    else:
        click.echo(audit.render_text(report), nl=False)
    skip_final_collection()


# The other command groups register themselves on `main` when imported; they import `main`, so
# they come last. Each module holds one family of commands, readable on its own.
from catalog import cli_accounts  # noqa: E402, F401
from catalog import cli_data  # noqa: E402, F401
from catalog import cli_ops  # noqa: E402, F401
