"""Notifications end to end, through a real SMTP server (aiosmtpd) and a real HTTP receiver."""

from __future__ import annotations

import json
import socket
import threading
import typing as t
from datetime import date
from datetime import timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask

from catalog.extensions import db
from catalog.models import Notice
from catalog.services import entities
from catalog.services import review
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import run_cli
from tests.accounts import signed_in
from tests.factories import crm_feeding_quiz

D0 = date.today()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[t.Any] = []

    async def handle_DATA(self, server: t.Any, session: t.Any, envelope: t.Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content)
        self.messages.append((tuple(envelope.rcpt_tos), msg["Subject"], msg.get_payload()))
        return "250 OK"

    def to(self, email: str) -> list[str]:
        return [subject for rcpts, subject, _ in self.messages if email in rcpts]


@pytest.fixture(autouse=True)
def _schema(_postgres_schema: None) -> None:
    """The PostgreSQL pass creates the tables once per run."""


@pytest.fixture
def smtp() -> t.Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


class _Receiver:
    def __init__(self) -> None:
        self.posts: list[dict[str, t.Any]] = []
        self.fail = False


@pytest.fixture
def hook() -> t.Iterator[tuple[_Receiver, str]]:
    receiver = _Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if receiver.fail:
                self.send_response(500)
            else:
                receiver.posts.append(json.loads(body))
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args: t.Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _app(tmp_path: Path, smtp_port: int, hook_url: str, **config: t.Any) -> Flask:
    app = auth_app(
        tmp_path,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_port,
        NOTIFY_WEBHOOK_URLS=[hook_url],
        BASE_URL="https://catalog.example.com",
        **config,
    )
    add_user(app, "mia@example.com", "marketing", name="Mia Marketer")
    add_user(app, "ivan@example.com", "it", name="Ivan IT")
    add_user(app, "ada@example.com", "admin", name="Ada Admin")
    with app.app_context():
        for email, name in (("mia@example.com", "Mia"), ("ivan@example.com", "Ivan")):
            entities.save_person(db.session, {"email": email, "name": name}, actor="test")
        db.session.commit()
    return app


def _notify(app: Flask, day: date) -> str:
    result = run_cli(app, ["notify", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _request(app: Flask) -> None:
    with app.app_context():
        owners = {"business_owner": "mia@example.com", "technical_owner": "ivan@example.com"}
        drift = {"name": "Drift", "vendor": "Salesloft"} | owners
        review.request_tool(db.session, drift, actor="mia@example.com", today=D0)
        db.session.commit()


def test_request_signoff_breach_decision_end_to_end(
    tmp_path: Path, smtp: t.Any, hook: t.Any
) -> None:
    (inbox, port), (receiver, url) = smtp, hook
    app = _app(tmp_path, port, url)
    _request(app)

    out = _notify(app, D0)
    assert "0 failed" in out
    # The new request goes to IT (the it and admin accounts), the owed sign-offs to each owner.
    assert inbox.to("ivan@example.com") == [
        "New request: Drift",
        "Your technical sign-off is needed: Drift",
    ]
    assert inbox.to("ada@example.com") == ["New request: Drift"]
    assert inbox.to("mia@example.com") == ["Your business sign-off is needed: Drift"]
    assert [p["text"].splitlines()[0] for p in receiver.posts] == ["*New request: Drift*"]
    assert "https://catalog.example.com/review/drift" in receiver.posts[0]["text"]
    # Links are absolute.
    body = next(b for r, s, b in inbox.messages if s.startswith("Your business"))
    assert "https://catalog.example.com/review/drift" in body

    # Run again (cron every few minutes): nothing new is sent.
    before = len(inbox.messages), len(receiver.posts)
    assert "0 new event(s), 0 notice(s) queued, 0 sent" in _notify(app, D0)
    assert (len(inbox.messages), len(receiver.posts)) == before

    # The SLA (10 days) is breached: IT and the requester hear of it, once.
    with app.app_context():
        tool = entities.tool_by_slug(db.session, "drift")
        review.sign_off(db.session, tool, "business", actor="mia@example.com")
        db.session.commit()
    _notify(app, D0 + timedelta(days=9))  # due within 2 days: the warning
    _notify(app, D0 + timedelta(days=11))
    _notify(app, D0 + timedelta(days=12))
    assert inbox.to("mia@example.com")[1:] == ["Review due soon: Drift", "Review overdue: Drift"]
    assert inbox.to("ivan@example.com")[2:] == ["Review due soon: Drift", "Review overdue: Drift"]

    # The decision reaches the requester and both owners, and the team channel.
    with app.app_context():
        tool = entities.tool_by_slug(db.session, "drift")
        tool = review.start_review(db.session, tool, actor="ivan@example.com", today=D0)
        review.sign_off(db.session, tool, "technical", actor="ivan@example.com")
        review.sanction(db.session, tool, actor="ivan@example.com", today=D0 + timedelta(days=12))
        db.session.commit()
    _notify(app, D0 + timedelta(days=12))
    assert inbox.to("mia@example.com")[-1] == "Drift was sanctioned"
    assert inbox.to("ivan@example.com")[-1] == "Drift was sanctioned"
    assert receiver.posts[-1]["text"].startswith("*Drift was sanctioned*")
    assert "0 new event(s)" in _notify(app, D0 + timedelta(days=12))


def test_preferences_are_respected(tmp_path: Path, smtp: t.Any, hook: t.Any) -> None:
    (inbox, port), (_, url) = smtp, hook
    app = _app(tmp_path, port, url)
    client = signed_in(app, "ivan@example.com")
    page = client.get("/account/notifications")
    assert page.status_code == 200 and "A new tool request waits" in page.text
    kinds = ["signoff.owed", "decision"]  # everything but new requests and the rest
    assert client.post("/account/notifications", data={"kind": kinds}).status_code == 302
    _request(app)
    _notify(app, D0)
    assert inbox.to("ivan@example.com") == ["Your technical sign-off is needed: Drift"]
    assert inbox.to("ada@example.com") == ["New request: Drift"]
    with app.app_context():
        changes = db.session.execute(
            sa.text(
                "select count(*) from change_record where object_type = 'notification_preference'"
            )
        ).scalar()
    assert changes == 1


def test_failures_retry_with_backoff_and_show_to_admins(
    tmp_path: Path, smtp: t.Any, hook: t.Any
) -> None:
    (inbox, _), (receiver, url) = smtp, hook
    app = _app(tmp_path, _free_port(), url)  # nothing listens on that SMTP port
    receiver.fail = True
    _request(app)
    out = _notify(app, D0)
    assert "5 notice(s) queued, 0 sent, 5 to retry" in out  # 4 e-mails + the webhook
    # Backoff: an immediate second run does not hammer the servers.
    assert "0 sent, 0 to retry" in _notify(app, D0)
    with app.app_context():
        db.session.execute(sa.update(Notice).values(attempts=5, next_attempt_at=D0))
        db.session.commit()
    out = _notify(app, D0)
    assert "5 failed for good" in out
    admin = signed_in(app, "ada@example.com")
    page = admin.get("/admin/notifications?status=failed")
    assert page.status_code == 200
    assert "could not be delivered" in page.text and "ConnectionRefusedError" in page.text
    assert signed_in(app, "mia@example.com").get("/admin/notifications").status_code == 403

    # Fix the webhook, retry it from the page: it goes out on the next run.
    receiver.fail = False
    with app.app_context():
        hook_id = db.session.scalar(sa.select(Notice.id).where(Notice.channel == "webhook"))
    assert admin.post(f"/admin/notifications/{hook_id}/retry").status_code == 302
    assert "1 sent" in _notify(app, D0)
    assert receiver.posts[0]["text"].startswith("*New request: Drift*")
    assert inbox.messages == []


def test_renewal_with_serious_findings_and_weekly_digest(
    tmp_path: Path, smtp: t.Any, hook: t.Any
) -> None:
    (inbox, port), (_, url) = smtp, hook
    app = _app(tmp_path, port, url)
    with app.app_context():
        s = db.session
        owners = {"business_owner": "mia@example.com", "technical_owner": "ivan@example.com"}
        renewal = (D0 + timedelta(days=80)).isoformat()
        crm_feeding_quiz(s, crm=owners, renewal_date=renewal, **owners)
        s.commit()
    _notify(app, D0)
    renewal = [s for s in inbox.to("mia@example.com") if "renews" in s]
    assert renewal == [f"Quiz renews on {D0 + timedelta(days=80)} with open findings"]
    assert "Your tools' open findings this week" in inbox.to("mia@example.com")
    # 30 days out is a second, different notice; the same week's digest is not sent again.
    _notify(app, D0 + timedelta(days=55))
    renewal = [s for s in inbox.to("mia@example.com") if "renews" in s]
    assert len(renewal) == 2
    digests = inbox.to("mia@example.com").count("Your tools' open findings this week")
    assert digests == (
        1 if (D0 + timedelta(days=55)).isocalendar()[:2] == D0.isocalendar()[:2] else 2
    )
