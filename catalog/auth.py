"""Who may do what: the roles, the one permission check, and the sign-in gate for every request.

Roles (docs/governance.md#roles: marketing registers and owns, IT reviews and governs, both read):

| action | viewer | marketing | it | admin |
|---|---|---|---|---|
| `read` (every page, exports, API GET) | yes | yes | yes | yes |
| `tool.create`, `review.request` | | yes | yes | yes |
| `tool.edit`, `flow.*`, `dependency.*` (obj) | | own tools | yes | yes |
| `tool.decide` (lifecycle, decided_at, controls), `tool.delete`, `flow.manage` | | | yes | yes |
| `review.manage`, `import.run` | | | yes | yes |
| `review.signoff` (obj = (tool, side)) | | business owner | technical owner / it | yes |
| `person.*`, `account.manage`, `settings.edit`, `taxonomy.edit`, `bundle.import` | | | | yes |

"Own tools" means tools whose business owner is the person with the user's e-mail; a flow is the
marketer's when it touches one of their tools, a dependency when its dependent tool is theirs.
Which fields each role decides, the review's four-eyes sign-off and lifecycle decisions are the
services' rules (`catalog.services.policy`), so they hold on every path; this module only knows
who is signed in, with which role, and which pages and objects that role may open.
With `AUTH_ENABLED` false (the team's test apps) every check passes and nobody has to sign in.
"""

from __future__ import annotations

import functools
import typing as t

import sqlalchemy as sa
from flask import Flask
from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask import url_for
from flask_login import LoginManager
from flask_login import current_user

from catalog.extensions import csrf
from catalog.extensions import db
from catalog.models import User
from catalog.services.accounts import ROLES
from catalog.services.accounts import token_digest

ROLE_LABELS = {
    "viewer": "Viewer (reads everything)",
    "marketing": "Marketing (requests tools, edits the tools they own)",
    "it": "IT (reviews, sanctions, edits every tool)",
    "admin": "Administrator (people, accounts, settings, everything)",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})

_CONTRIBUTOR = frozenset({"marketing", "it", "admin"})
_IT = frozenset({"it", "admin"})
_ADMIN = frozenset({"admin"})
# Actions decided by role alone.
_BY_ROLE: dict[str, frozenset[str]] = {
    "tool.create": _CONTRIBUTOR,
    "review.request": _CONTRIBUTOR,
    "tool.decide": _IT,
    "tool.delete": _IT,
    "flow.manage": _IT,
    "review.manage": _IT,
    "import.run": _IT,
    "person.create": _ADMIN,
    "person.edit": _ADMIN,
    "person.delete": _ADMIN,
    "account.manage": _ADMIN,
    "settings.edit": _ADMIN,
    "taxonomy.edit": _ADMIN,
    "bundle.import": _ADMIN,
}
# Actions a marketer may take on what they own (IT and admins on everything).
_OWNED = frozenset(
    {
        "tool.edit",
        "flow.create",
        "flow.edit",
        "flow.delete",
        "dependency.create",
        "dependency.edit",
        "dependency.delete",
    }
)


login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.session_protection = "strong"


def auth_enabled() -> bool:
    return bool(current_app.config.get("AUTH_ENABLED", True))


def _owner_email(tool: t.Any, side: str) -> str | None:
    """Return the e-mail of a tool's owner on `side`, for ORM tools and analysis records alike."""
    owner = getattr(tool, f"{side}_owner", None)
    if owner is None or isinstance(owner, str):
        return owner
    return getattr(owner, "email", None)


def owns(user: t.Any, tool: t.Any) -> bool:
    """Return True if `user` is the business owner of `tool`."""
    email = _owner_email(tool, "business") if tool is not None else None
    return email is not None and email.lower() == str(user.email).lower()


def _owns_any(user: t.Any, action: str, obj: t.Any) -> bool:
    if obj is None:
        # "May this user create one of these at all?" The view asks again with the object.
        return True
    if action.startswith("tool."):
        return owns(user, obj)
    if action.startswith("flow."):
        return owns(user, getattr(obj, "source", None)) or owns(user, getattr(obj, "target", None))
    return owns(user, getattr(obj, "tool", None))


def can(user: t.Any, action: str, obj: t.Any = None) -> bool:
    """Return True if `user` may perform `action` (on `obj`, where ownership matters)."""
    if not auth_enabled():
        return True
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if not authenticated or not getattr(user, "is_active", False):
        return action == "read" and not current_app.config.get("LOGIN_REQUIRED", True)
    role = user.role
    if action == "read":
        return role in ROLES
    if action in _BY_ROLE:
        return role in _BY_ROLE[action]
    if action in _OWNED:
        return role in _IT or (role == "marketing" and _owns_any(user, action, obj))
    if action == "review.signoff":
        # Which button to offer; the service decides (`policy.check_signoff`), so without an
        # object this only asks whether the role signs off at all.
        if obj is None:
            return role in _CONTRIBUTOR
        tool, side = obj
        if role == "admin":
            return True
        if side == "technical":
            return role == "it"
        return role == "marketing" and _signs_as(user, tool, "business")
    raise ValueError(f"unknown action {action!r}")


def _signs_as(user: t.Any, tool: t.Any, side: str) -> bool:
    email = _owner_email(tool, side)
    return email is not None and email.lower() == str(user.email).lower()


def _wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def require(action: str, obj: t.Any = None) -> None:
    """Abort unless the current user may perform `action`: sign-in first (401), else 403."""
    if can(current_user, action, obj):
        return
    if not current_user.is_authenticated:
        if _wants_json():
            abort(401)
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))
    abort(403)


def require_write(
    kind: str, obj: t.Any = None, record: t.Any = None, *, delete: bool = False
) -> None:
    """Abort unless the current user's role may create, change or delete this kind of object.

    Only the door: which fields a role decides, sign-offs and lifecycle decisions are the
    services' rules (`catalog.services.policy`), whatever page, API call or import carries
    them. `record` is accepted for the callers' convenience and not inspected here.
    """
    action = f"{kind}.{'delete' if delete else 'create' if obj is None else 'edit'}"
    require(action, obj)


F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def requires(action: str) -> t.Callable[[F], F]:
    """Decorate a view so that it runs only for users allowed `action` (no object)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: t.Any, **kwargs: t.Any) -> t.Any:
            require(action)
            return view(*args, **kwargs)

        return t.cast(F, wrapped)

    return decorator


@login_manager.user_loader
def _load_user(session_token: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(User.session_token == session_token, User.active.is_(True))
    )


@login_manager.request_loader
def _load_bearer(req: t.Any) -> User | None:
    # Scripts call the API with `Authorization: Bearer <token>` (see `martech user token`).
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
        return None
    user = db.session.scalar(
        sa.select(User).where(
            User.api_token_hash == token_digest(header[7:].strip()), User.active.is_(True)
        )
    )
    if user is not None:
        g._bearer = True
    return user


@login_manager.unauthorized_handler
def _unauthorized() -> t.Any:
    if _wants_json():
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _gate() -> t.Any:
    """Sign-in gate for every request, plus the API's CSRF rule."""
    unsafe = request.method not in SAFE_METHODS
    # Loading the user first runs the bearer-token loader, which marks g._bearer.
    user = current_user._get_current_object() if auth_enabled() else None
    # The API accepts the session cookie (then a CSRF header is required, like any form) or a
    # bearer token (no ambient authority, so no CSRF token). Its blueprint is exempt from the
    # global check so that this rule can tell the two apart.
    config = current_app.config
    if (
        unsafe
        and request.blueprint == "api"
        and not g.get("_bearer")
        and config.get("WTF_CSRF_ENABLED", True)
        and config.get("WTF_CSRF_CHECK_DEFAULT", True)
    ):
        csrf.protect()
    if user is None:
        return None
    if user.is_authenticated:
        g.user = user
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not user.is_authenticated:
        if not unsafe and not current_app.config["LOGIN_REQUIRED"]:
            return None
        return _unauthorized()
    # Defence in depth: whatever a page forgets, a viewer never writes.
    if (
        unsafe
        and user.role == "viewer"
        and request.endpoint not in ("auth.logout", "auth.revoke_token")
    ):  # a viewer may still revoke their own token
        abort(403)
    return None


def init_app(app: Flask) -> None:
    """Install Flask-Login and the sign-in gate."""
    import os

    app.config.setdefault("AUTH_ENABLED", True)
    app.config.setdefault("LOGIN_REQUIRED", os.environ.get("ANONYMOUS_READ", "") != "1")
    login_manager.init_app(app)
    if "api" in app.blueprints:
        csrf.exempt(app.blueprints["api"])
    app.before_request(_gate)

    @app.errorhandler(401)
    def _unauthorised(exc: Exception) -> t.Any:
        from flask import render_template

        if _wants_json():
            return {"error": "authentication required"}, 401, {"WWW-Authenticate": "Bearer"}
        return render_template("error.html", code=401, message="Sign in to continue."), 401

    @app.errorhandler(403)
    def _forbidden(exc: Exception) -> t.Any:
        from flask import render_template

        if _wants_json():
            return {"error": "forbidden"}, 403
        message = "Your role does not allow this."
        return render_template("error.html", code=403, message=message), 403

    app.jinja_env.globals.update(can=lambda action, obj=None: can(current_user, action, obj))
