"""User accounts: create, authenticate (argon2id, rehash on login), tokens, demo logins.

Like every service: take the Session, flush, never commit, and record each change (never the
password hash or a token) in the change log.
"""

from __future__ import annotations

import hashlib
import secrets
import typing as t
from datetime import UTC
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy.orm import Session

from catalog.models import Person
from catalog.models import Tool
from catalog.models import User
from catalog.services.entities import record_change
from catalog.services.records import ValidationError

# The roles, least to most trusted. Declared here, below the web layer, because the service
# validates them; catalog.auth reads them from here and adds the permission table.
ROLES = ("viewer", "marketing", "it", "admin")

# OWASP Password Storage Cheat Sheet minimum for argon2id: ~29 ms per verify on a 2-core box
# (reference notes 1.2), so a login costs little yet guessing stays expensive.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # hashing a megabyte "password" is a cheap denial of service


@cache
def _dummy_hash() -> str:
    # Verified against when the e-mail is unknown, so that a miss costs as much as a wrong
    # password. Made on first use: hashing costs ~40 ms, too much for every CLI start-up.
    return HASHER.hash("not-a-real-password")


def _record(user: User) -> dict[str, t.Any]:
    return {"email": user.email, "name": user.name, "role": user.role, "active": user.active}


def _clean_email(email: str) -> str:
    from email_validator import EmailNotValidError  # lazy: 30 ms of start-up otherwise
    from email_validator import validate_email

    from catalog.services.records import check_characters

    try:
        email = check_characters(email.strip())  # NFKC: a fullwidth address is the plain one
    except ValueError as exc:
        raise ValidationError({"email": str(exc)}) from None
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        message = f"{email!r} is not a valid e-mail address ({exc})"
        raise ValidationError({"email": message}) from None


def check_password(password: str) -> None:
    """Raise ValidationError if `password` is too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError({"password": f"must be at least {MIN_PASSWORD} characters"})
    if len(password) > MAX_PASSWORD:
        raise ValidationError({"password": f"must be at most {MAX_PASSWORD} characters"})


def user_by_email(session: Session, email: str) -> User | None:
    import unicodedata

    email = unicodedata.normalize("NFKC", email.strip()).lower()  # as _clean_email stores it
    return session.scalar(sa.select(User).where(User.email == email))


def create_user(
    session: Session, *, email: str, role: str, password: str, name: str = "", actor: str
) -> User:
    """Create an account with an argon2id password hash."""
    email = _clean_email(email)
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = f"unknown role {role!r}; expected one of {', '.join(ROLES)}"
    if user_by_email(session, email) is not None:
        errors["email"] = f"an account for {email} already exists"
    try:
        check_password(password)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors, record=email)
    if not name:
        person = session.scalar(sa.select(Person).where(Person.email == email))
        name = person.name if person is not None else ""
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=HASHER.hash(password),
        active=True,
        session_token=secrets.token_urlsafe(32),
    )
    session.add(user)
    session.flush()
    _record_change(session, user, "create", None, _record(user), actor=actor)
    return user


def _record_change(
    session: Session,
    user: User,
    action: str,
    before: dict[str, t.Any] | None,
    after: dict[str, t.Any],
    *,
    actor: str,
) -> None:
    """Record a change to an account (secrets appear only as "(new)", "(issued)"...)."""
    account: dict[str, t.Any] = {"object_type": "user", "object_key": user.email}
    record_change(session, actor=actor, action=action, before=before, after=after, **account)


def update_user(
    session: Session,
    user: User,
    *,
    actor: str,
    role: str | None = None,
    active: bool | None = None,
    name: str | None = None,
) -> User:
    """Change an account's role, name or active flag; deactivation ends its sessions.

    The last active administrator can be neither demoted nor disabled: nobody could manage
    accounts any more.
    """
    before = _record(user)
    losing_admin = (
        user.role == "admin"
        and user.active
        and ((role is not None and role != "admin") or active is False)
    )
    if losing_admin and active_admin_count(session, excluding=user) == 0:
        field = "active" if active is False else "role"
        raise ValidationError(
            {
                field: "this is the last active administrator; make another account an "
                "administrator first"
            },
            record=user.email,
        )
    if role is not None:
        if role not in ROLES:
            raise ValidationError({"role": f"unknown role {role!r}"}, record=user.email)
        user.role = role
    if name is not None:
        user.name = name
    if active is not None and active != user.active:
        user.active = active
        if not active:
            rotate_session(user)
            user.api_token_hash = None
    session.flush()
    if _record(user) != before:
        _record_change(session, user, "update", before, _record(user), actor=actor)
    return user


def set_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """Replace an account's password; every existing session and the API token of it end.

    A reset usually follows a leak: a token issued under the old password must die with it.
    """
    check_password(password)
    user.password_hash = HASHER.hash(password)
    rotate_session(user)
    revoked = user.api_token_hash is not None
    user.api_token_hash = None
    session.flush()
    after = {"password": "(new)"} | ({"api_token": "(revoked)"} if revoked else {})
    _record_change(session, user, "update", {"password": "(old)"}, after, actor=actor)


def revoke_api_token(session: Session, user: User, *, actor: str) -> bool:
    """Revoke `user`'s API bearer token; return False if there was none."""
    if user.api_token_hash is None:
        return False
    user.api_token_hash = None
    session.flush()
    revoked = {"api_token": "(revoked)"}
    _record_change(session, user, "update", {"api_token": "(issued)"}, revoked, actor=actor)
    return True


def token_holders(session: Session) -> list[User]:
    """Return the accounts that hold an API token, by e-mail."""
    return list(
        session.scalars(
            sa.select(User).where(User.api_token_hash.is_not(None)).order_by(User.email)
        )
    )


def rotate_session(user: User) -> None:
    """Invalidate every cookie issued for this account (logout, password change)."""
    user.session_token = secrets.token_urlsafe(32)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active account matching `email` and `password`, rehashing an outdated hash."""
    user = user_by_email(session, email) if len(password) <= MAX_PASSWORD else None
    if user is None or not user.active:
        try:
            HASHER.verify(_dummy_hash(), password[:MAX_PASSWORD])
        except VerificationError:
            pass
        return None
    try:
        HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        # Parameters were raised since this hash was made; upgrade it while we know the password.
        user.password_hash = HASHER.hash(password)
    user.last_login_at = datetime.now(UTC)
    session.flush()
    return user


def issue_api_token(session: Session, user: User, *, actor: str) -> str:
    """Return a new API bearer token for `user` (only its digest is stored; the old one dies)."""
    token = secrets.token_urlsafe(32)
    user.api_token_hash = token_digest(token)
    session.flush()
    _record_change(session, user, "update", None, {"api_token": "(issued)"}, actor=actor)
    return token


def active_admin_count(session: Session, *, excluding: User | None = None) -> int:
    """Return how many active administrator accounts there are, not counting `excluding`."""
    query = sa.select(sa.func.count()).where(User.role == "admin", User.active.is_(True))
    if excluding is not None:
        query = query.where(User.id != excluding.id)
    return session.scalar(query) or 0


def list_users(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).order_by(User.email)))


def _demo_owner(session: Session, side: str, department: str) -> Person | None:
    column = Tool.business_owner_id if side == "business" else Tool.technical_owner_id
    return session.scalar(
        sa.select(Person)
        .join(Tool, column == Person.id)
        .where(Person.department == department, Person.active.is_(True))
        .order_by(Person.email)
        .limit(1)
    )


def create_demo_accounts(
    session: Session, password: str | None = None
) -> list[tuple[str, str, str | None]]:
    """Create one account per role for the demo; return (email, role, password or None if kept).

    The marketer and the IT reviewer are people of the demo stack who own tools, so ownership
    rules can be tried at once. Existing accounts are left as they are.
    """
    password = password or secrets.token_urlsafe(12)
    marketer = _demo_owner(session, "business", "marketing")
    engineer = _demo_owner(session, "technical", "it")
    wanted = [
        ("admin@demo.example", "admin", "Demo Administrator"),
        ("viewer@demo.example", "viewer", "Demo Viewer"),
        (
            marketer.email if marketer else "marketing@demo.example",
            "marketing",
            marketer.name if marketer else "Demo Marketer",
        ),
        (
            engineer.email if engineer else "it@demo.example",
            "it",
            engineer.name if engineer else "Demo IT Reviewer",
        ),
    ]
    created: list[tuple[str, str, str | None]] = []
    for email, role, name in wanted:
        existing = user_by_email(session, email)
        if existing is not None:
            created.append((existing.email, existing.role, None))
            continue
        create_user(session, email=email, role=role, password=password, name=name, actor="demo")
        created.append((email, role, password))
    return created


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest stored for an API or session token (never the token)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
