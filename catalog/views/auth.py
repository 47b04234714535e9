"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import abort
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
from catalog.models import User
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


@bp.get("/account/tokens")
def tokens() -> ResponseReturnValue:
    """List API tokens: your own, or every account's for an administrator."""
    from catalog.auth import can

    me = current_user._get_current_object()
    if not me.is_authenticated:
        abort(404)  # sign-in is switched off: there are no accounts, hence no tokens
    admin = can(me, "account.manage")
    holders = (
        accounts.token_holders(db.session)
        if admin
        else ([me] if me.api_token_hash is not None else [])
    )
    return render_template("auth/tokens.html", holders=holders, admin=admin)


@bp.post("/account/tokens/<int:user_id>/revoke")
def revoke_token(user_id: int) -> ResponseReturnValue:
    """Revoke an API token: one's own, or anyone's for an administrator."""
    from catalog.auth import can
    from catalog.web import current_actor

    me = current_user._get_current_object()
    user = db.session.get(User, user_id)
    if user is None or not me.is_authenticated:
        abort(404)
    if user.id != me.id and not can(me, "account.manage"):
        abort(403)
    if accounts.revoke_api_token(db.session, user, actor=current_actor()):
        db.session.commit()
        flash(
            f"The API token of {user.email} was revoked; scripts using it now get 401.", "success"
        )
    else:
        flash(f"{user.email} has no API token.")
    return redirect(url_for("auth.tokens"), 303)
