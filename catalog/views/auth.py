"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from catalog.extensions import db
from catalog.services import accounts

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers treat "\" like "/", so "/\evil.example" is another site; control characters
    # can hide either.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form and sign the user in."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()  # a rehashed password and the login time
            # A fresh session on every sign-in: nothing set before (CSRF token, flashes, a
            # planted session) survives into the signed-in one.
            session.clear()
            login_user(user)
            flash(f"Signed in as {user.email}.", "success")
            return redirect(safe_next(form.next.data) or url_for("main.index"))
        db.session.rollback()
        form.password.errors = ["Wrong e-mail or password, or the account is disabled."]
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out everywhere: cookies issued before stop working."""
    if current_user.is_authenticated:
        accounts.rotate_session(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash("Signed out.")
    return redirect(url_for("auth.login"))
