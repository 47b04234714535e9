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
An open request (requested, in review) becomes sanctioned or deprecated only with both owners'
sign-offs (`review.sign_off`); a new tool may be registered as sanctioned by IT.
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
from werkzeug.exceptions import Forbidden

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
_OWNED = frozenset({
    "tool.edit", "flow.create", "flow.edit", "flow.delete",
    "dependency.create", "dependency.edit", "dependency.delete",
})

# Tool fields that settle governance findings (PERSONAL_DATA_EXPOSURE, silos): IT decides them,
# as it decides lifecycle, so an owner cannot clear a finding about their own tool.
CONTROL_FIELDS = ("security_reviewed", "dpa_signed", "sso_enabled", "system_of_record")
# Lifecycles an open request reaches only through the review workflow's dual sign-off.
DECIDED_BY_REVIEW = frozenset({"sanctioned", "deprecated"})


class Refused(Forbidden):
    """A 403 whose description tells the user what to do instead (shown on page and API)."""


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
        tool, side = obj
        if role == "admin":
            return True
        if side == "technical":
            return role == "it" or _signs_as(user, tool, "technical")
        return _signs_as(user, tool, "business")
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


_FIELDS_OF = {"tool": "TOOL_FIELDS", "flow": "FLOW_FIELDS", "dependency": "DEPENDENCY_FIELDS",
              "person": "PERSON_FIELDS"}


def require_write(kind: str, obj: t.Any = None, record: t.Any = None, *,
                  delete: bool = False) -> None:
    """Abort unless the current user may create, change or delete this tool/person/flow/dependency.

    :param obj: the object as it is now (None when creating).
    :param record: the record dict about to be saved, so the new state is checked too: a
        marketer may only wire flows to their own tools, and lifecycle decisions and "managed
        by IT" belong to IT whatever page or API call carries them.
    """
    from types import SimpleNamespace

    from catalog.services import entities
    from catalog.services import records

    action = f"{kind}.{'delete' if delete else 'create' if obj is None else 'edit'}"
    require(action, obj)
    if record is None or kind == "person" or not auth_enabled():
        return
    try:
        new = records.clean(getattr(records, _FIELDS_OF[kind]), record)
    except records.ValidationError:
        return  # the service will refuse it with field messages; nothing to authorise
    def tool(slug: str | None) -> t.Any:
        return entities.tool_by_slug(db.session, slug) if slug else None

    if kind == "tool":
        before = (obj.lifecycle, records.plain(obj.decided_at)) if obj is not None else (
            "requested", None)
        after = (new["lifecycle"], records.plain(new["decided_at"]))
        if after != before and not (obj is None and new["lifecycle"] == "discovered"):
            require("tool.decide", obj)
        if any(new[name] != (bool(getattr(obj, name)) if obj is not None else False)
               for name in CONTROL_FIELDS):
            require("tool.decide", obj)
        _require_signoffs(obj, new["lifecycle"])
    elif kind == "flow":
        require(action, SimpleNamespace(source=tool(new["source"]), target=tool(new["target"])))
        if new["managed_by_it"] != (obj.managed_by_it if obj is not None else False):
            require("flow.manage", obj)
    elif kind == "dependency":
        require(action, SimpleNamespace(tool=tool(new["tool"])))


def require_tool_writes(raws: t.Iterable[t.Any]) -> None:
    """Apply `require_write` to each tool record an import is about to save (by slug or name)."""
    from catalog.services import entities
    from catalog.services import records

    for raw in raws:
        if not isinstance(raw, t.Mapping):
            continue  # the import refuses it with a message naming the record
        slug = raw.get("slug") or records.slugify(str(raw.get("name") or ""))
        existing = entities.tool_by_slug(db.session, slug) if isinstance(slug, str) else None
        require_write("tool", existing, raw)


def _require_signoffs(tool: t.Any, lifecycle: str) -> None:
    """Refuse deciding a tool by plain edit: sanctioning and rejecting go through its review.

    Sanctioning needs both owners' sign-offs, each with who and when, and a rejection needs a
    reason (issue 6); only the review workflow records those. So an existing tool becomes
    sanctioned (or deprecated) from an open request only once both sides signed off, and from any
    other state (discovered, rejected, retired) only by being requested again and reviewed. A NEW
    tool registered as sanctioned is allowed (for IT and admins, by `tool.decide`): that catalogues
    a system already running and approved before the catalog existed, like the CRM, and its
    creation is in the change log like any other.
    """
    from catalog.services import review

    if tool is None or tool.lifecycle == lifecycle:
        return
    state = tool.lifecycle.replace("_", " ")
    if lifecycle == "rejected" and tool.lifecycle in review.OPEN:
        raise Refused(f"{tool.name} is {state}: reject it through its review, which records the "
                      f"reason. Use /review/{tool.slug}.")
    if lifecycle not in DECIDED_BY_REVIEW or tool.lifecycle in DECIDED_BY_REVIEW:
        return
    if tool.lifecycle not in review.OPEN:
        raise Refused(f"{tool.name} is {state}: to sanction it, request it again (lifecycle "
                      f"requested) and decide it through its review, with both the business "
                      f"owner's and the technical owner's sign-off.")
    missing = [side for side in review.SIDES if side not in review.signoffs(db.session, tool)]
    if missing:
        raise Refused(
            f"{tool.name} is {state}: it can become {lifecycle} only "
            f"through its review, with both the business owner's and the technical owner's "
            f"sign-off (missing: {' and '.join(missing)}). Use /review/{tool.slug}."
        )


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
        sa.select(User).where(User.api_token_hash == token_digest(header[7:].strip()),
                              User.active.is_(True))
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
    if (unsafe and request.blueprint == "api" and not g.get("_bearer")
            and config.get("WTF_CSRF_ENABLED", True)
            and config.get("WTF_CSRF_CHECK_DEFAULT", True)):
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
    if unsafe and user.role == "viewer" and request.endpoint not in (
            "auth.logout", "auth.revoke_token"):  # a viewer may still revoke their own token
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

        message = exc.description if isinstance(exc, Refused) else None
        if _wants_json():
            return {"error": message or "forbidden"}, 403
        return render_template(
            "error.html", code=403, message=message or "Your role does not allow this."
        ), 403

    app.jinja_env.globals.update(can=lambda action, obj=None: can(current_user, action, obj))
