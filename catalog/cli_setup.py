"""What `martech demo` says and asks when the database already holds a catalog."""

from __future__ import annotations

import sys

import click

from catalog.extensions import db


def confirm_replace(held: str, yes: bool) -> None:
    """Ask on a terminal before a replace; refuse off a terminal unless --yes was given."""
    if yes:
        return
    question = (
        f"This deletes the catalog ({held}) and loads the demo; the change log, "
        "accounts and settings stay. Export first with `martech export --out FILE` "
        "to keep a copy. Replace it?"
    )
    if not sys.stdin.isatty():
        raise click.ClickException(
            "--replace deletes the catalog and asks for confirmation on a terminal; "
            "in a script pass --yes. Nothing was changed."
        )
    if not click.confirm(question, default=False):
        raise click.ClickException("nothing was changed.")


def echo_sign_in_help() -> None:
    """Say how to sign in to a catalog that was kept (its passwords were shown only once)."""
    from catalog.services import accounts

    users = [u for u in accounts.list_users(db.session) if u.active]
    admins = [u for u in users if u.role == "admin"]
    if not users:
        click.echo(
            "There are no accounts yet; create one with:\n"
            "  martech user create --email you@example.com --role admin"
        )
        return
    click.echo(
        "Sign in with an existing account"
        + (", e.g. an administrator: " + ", ".join(u.email for u in admins[:3]) if admins else "")
        + "."
    )
    click.echo(
        "Passwords are not shown again; to set one:\n  martech user set --email EMAIL --password"
    )
