"""Running the catalog: `martech serve`, `notify`, `scorecard snapshot`, `dump`, `restore` and
`backup` (the last three: docs/dump.md).

Split from catalog.cli, which imports this module so that the commands register on `main`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app

from catalog.cli import committed
from catalog.cli import day_option
from catalog.cli import main
from catalog.cli import progress_bar
from catalog.extensions import db
from catalog.extensions import write_intent


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


@main.group("scorecard")
def scorecard_group() -> None:
    """The joint CMO-CIO scorecard."""


@scorecard_group.command("snapshot")
@day_option("--as-of", "Record the figures of this day")
def scorecard_snapshot(as_of: date) -> None:
    """Record the day's scorecard figures (one row per day; run it daily, e.g. from cron)."""
    from catalog.services import review
    from catalog.services import scorecard

    day = as_of
    sla = review.sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])
    metrics = scorecard.current_metrics(db.session, day, sla_days=sla)
    db.session.rollback()
    with write_intent():
        scorecard.record_day(db.session, day, metrics)
        db.session.commit()
    for key, value in scorecard.flatten(metrics).items():
        click.echo(f"{scorecard.label_for(key):<52} {scorecard.fmt(key, value)}")


@main.command("notify")
@day_option("--today", "Evaluate the time-based notices as of this date")
def notify_command(today: date) -> None:
    """Queue and send the notices that are due (idempotent: run it every few minutes)."""
    from catalog.services import notify
    from catalog.services.review import sla_days

    day = today
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

    with (
        committed(f"{file}: nothing restored.", dump.DumpError),
        progress_bar(None, "restore") as bar,
    ):
        counts = dump.restore(db.session, file, progress=bar.update)
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
            "(e.g. `pg_dump -Fc DBNAME > FILE`) or `martech dump FILE`."
        )
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
