"""Loading and exporting the catalog: `martech demo`, `import` and `export`.

Split from catalog.cli, which imports this module so that the commands register on `main`.
"""

from __future__ import annotations

import json
import typing as t
from datetime import date
from pathlib import Path

import click

from catalog.cli import cli_actor
from catalog.cli import committed
from catalog.cli import day_option
from catalog.cli import main
from catalog.cli import progress_bar
from catalog.cli import refused
from catalog.extensions import db
from catalog.extensions import write_intent

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
    from catalog.services.policy import GovernanceError
    from catalog.services.records import ValidationError

    data = _load_json(path)
    with (
        committed(f"{path}: nothing imported.", ValidationError, GovernanceError),
        progress_bar(bundle_service.count_records(data), "bundle") as bar,
    ):
        summary = bundle_service.import_bundle(db.session, data, actor=actor, progress=bar.update)
    return summary


def _echo_bundle_summary(summary: dict[str, dict[str, int]]) -> None:
    for section, counts in summary.items():
        if any(counts.values()):
            click.echo(
                f"{section:>13}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )


@main.command("demo")
@day_option("--today", "Move the demo's dates as if today were this day")
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
def demo_command(today: date, if_empty: bool, replace: bool, yes: bool) -> None:
    """Load the demo stack (a mid-size company's martech, with its rogue corners).

    Only into an empty catalog: a catalog someone worked on is never overwritten, unless
    --replace is given (and confirmed).
    """
    from catalog.cli_setup import confirm_replace
    from catalog.cli_setup import echo_sign_in_help
    from catalog.services import bundle as bundle_service
    from catalog.services import demo

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
    data = demo.demo_bundle(today)
    with (
        committed("demo: nothing imported."),
        progress_bar(bundle_service.count_records(data), "demo") as bar,
    ):
        if any(counts.values()):
            demo.clear_catalog(db.session, actor="demo")
        mark = demo.last_change_id(db.session)
        summary = bundle_service.import_bundle(db.session, data, actor="demo", progress=bar.update)
        # The story's past, for as-of audits, the compare view and the scorecard's trends.
        demo.date_history(db.session, data, after_id=mark)
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
