"""`martech user ...`: sign-in accounts from the command line (create, list, set, token).

Split from catalog.cli, which imports this module so that the commands register on `main`.
"""

from __future__ import annotations

import sys
import typing as t

import click

from catalog.cli import committed
from catalog.cli import main
from catalog.extensions import db

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

    password = _read_password(password_stdin)
    with committed("no account created."):
        user = accounts.create_user(
            db.session, email=email, role=role, password=password, name=name, actor="cli"
        )
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
@click.option(
    "--password",
    "new_password",
    is_flag=True,
    help="Set a new password (prompted on a terminal, else read from standard input).",
)
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def user_set(
    email: str, role: str | None, disable: bool | None, new_password: bool, password_stdin: bool
) -> None:
    """Change an account's role, password or whether it may sign in."""
    from catalog.services import accounts

    with committed("nothing changed."):
        user = _user_or_fail(email)
        accounts.update_user(
            db.session,
            user,
            actor="cli",
            role=role,
            active=None if disable is None else not disable,
        )
        if new_password or password_stdin:
            accounts.set_password(db.session, user, _read_password(password_stdin), actor="cli")
    click.echo(f"{user.email}: {user.role}, {'enabled' if user.active else 'disabled'}.")


@user_group.command("token")
@click.option("--email", required=True)
def user_token(email: str) -> None:
    """Issue an API bearer token for an account (replaces the previous one)."""
    from catalog.services import accounts

    with committed("no token issued."):
        token = accounts.issue_api_token(db.session, _user_or_fail(email), actor="cli")
    click.echo(token)
