"""Hardening: secret key, cookie flags, security headers, login rate limit, safe error pages.

Installed by `create_app` through `init_app(app)`, after the blueprints, so it can wrap the
login view and exempt the API blueprint from the cookie-only CSRF rule (see `catalog.auth`).
"""

from __future__ import annotations

import os
import re
import secrets
import typing as t
from pathlib import Path

from flask import Flask
from flask import Response
from flask import render_template
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# No inline script anywhere, so scripts need no nonce; graphviz SVG styles itself with
# presentation attributes, which style-src does not govern.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
DEV_KEY = "dev"
# A signing key shorter than this can be guessed offline from one session cookie.
MIN_SECRET_BYTES = 32
# A JSON body may carry NUL as the escape \u0000 (an odd number of backslashes before it).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class InsecureConfig(RuntimeError):
    """The app refuses to start with a configuration that is unsafe outside development."""


def _development(app: Flask) -> bool:
    return bool(
        app.debug
        or app.testing
        or os.environ.get("FLASK_DEBUG") in ("1", "true")
        or os.environ.get("MARTECH_DEV") == "1"
    )


def ensure_secret_key(app: Flask) -> None:
    """Use the configured SECRET_KEY, else one generated once into instance/secret_key.

    The default 'dev' key would let anyone forge a session cookie, so outside development it is
    replaced by a random key kept in the instance folder (that is how `martech serve` from the
    README works with no setup); if that file cannot be written, refuse to start.
    """
    key = app.config.get("SECRET_KEY")
    if key and key != DEV_KEY:
        size = len(key if isinstance(key, bytes) else str(key).encode("utf-8"))
        if size < MIN_SECRET_BYTES and not _development(app):
            raise InsecureConfig(
                f"SECRET_KEY is {size} bytes; use at least {MIN_SECRET_BYTES} random bytes "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))'), "
                "or unset it to have one generated into the instance folder"
            )
        return
    if _development(app):
        app.config["SECRET_KEY"] = key or DEV_KEY
        return
    path = Path(app.instance_path) / "secret_key"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        generated = path.read_text().strip()
    except OSError as exc:
        raise InsecureConfig(
            f"SECRET_KEY is not set and {path} cannot be created ({exc.strerror}); "
            "set SECRET_KEY, or MARTECH_DEV=1 for local development"
        ) from None
    if len(generated) < 32:
        raise InsecureConfig(f"{path} holds too short a key; delete it to generate a new one")
    app.config["SECRET_KEY"] = generated


def _cookie_flags(app: Flask) -> None:
    secure_default = not _development(app)
    secure = os.environ.get("SESSION_COOKIE_SECURE", "1" if secure_default else "0") == "1"
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        app.config.setdefault(f"{prefix}_HTTPONLY", True)
        app.config[f"{prefix}_SAMESITE"] = app.config.get(f"{prefix}_SAMESITE") or "Lax"
        if not app.config.get(f"{prefix}_SECURE"):
            app.config[f"{prefix}_SECURE"] = secure


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        # A response may carry a stricter policy of its own (e.g. a downloaded SVG).
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _rate_limit_login(app: Flask) -> None:
    # One limiter per app: its in-memory counters must not leak between apps (tests make many).
    app.config.setdefault("LOGIN_RATE_LIMIT", "10/minute")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    # The decorated view holds the limiter only weakly; keep it alive with the app (when rate
    # limiting is disabled Flask-Limiter keeps no reference of its own).
    app.extensions["login_limiter"] = limiter
    view = app.view_functions.get("auth.login")
    if view is not None:
        app.view_functions["auth.login"] = limiter.limit(
            lambda: app.config["LOGIN_RATE_LIMIT"], methods=["POST"]
        )(view)

    message = "Too many sign-in attempts; wait a minute and retry."
    app.register_error_handler(429, lambda exc: error_page(429, "too many requests", message))


def error_page(code: int, api_error: str, message: str) -> t.Any:
    """Answer an error: JSON `{"error": api_error}` under /api/, else the error page."""
    if request.path.startswith("/api/"):
        return {"error": api_error}, code
    return render_template("error.html", code=code, message=message), code


def _nul_where() -> str | None:
    """Return where this request carries a NUL character, if it does.

    No database stores NUL in text (PostgreSQL refuses it outright), and no name, e-mail or slug
    needs one, so a request carrying one is refused before any view or query sees it.
    """
    if "\x00" in request.path:
        return "the address"
    if b"\x00" in request.query_string or b"%00" in request.query_string:
        return "the query string"
    if request.mimetype in _FORM_TYPES:
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return f"the form field {key.replace(chr(0), '')!r}"
        return None
    body = request.get_data(cache=True)
    if b"\x00" in body or _JSON_NUL.search(body):
        return "the request body"
    return None


def _refuse_nul() -> t.Any:
    where = _nul_where()
    if where is None:
        return None
    message = f"A NUL character in {where} is not accepted; nothing was changed."
    if request.path.startswith("/api/"):
        return {"error": message}, 400
    return render_template("error.html", code=400, message=message), 400


def _proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* from as many proxies as PROXY_FIX_X_* say (0, the default: none)."""
    counts = {}
    for name in ("for", "proto", "host", "port", "prefix"):
        key = f"PROXY_FIX_X_{name.upper()}"
        value = app.config.get(key, os.environ.get(key, "0"))
        try:
            counts[f"x_{name}"] = int(value)
        except (TypeError, ValueError):
            raise InsecureConfig(f"{key} must be a number of proxies, not {value!r}") from None
    if any(counts.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    """Harden `app`: secret key, cookies, headers, NUL guard, sign-in gate, login rate limit."""
    from catalog import auth

    ensure_secret_key(app)
    _cookie_flags(app)
    _proxy_fix(app)
    app.after_request(_headers)
    app.before_request(_refuse_nul)
    auth.init_app(app)
    _rate_limit_login(app)
