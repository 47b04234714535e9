"""Notifications: turn events into outbox rows, then deliver them with retries and backoff.

`run(session, ...)` is what `martech notify` does: collect the events the catalog's state implies
(`notify_events`), write each new one once (its key in `notice_event`), queue one notice per
recipient and per chat webhook, then send what is due. A notice that fails waits longer after each
try (1, 2, 4 ... minutes, at most 6 hours) and is marked failed after MAX_ATTEMPTS; failures are
listed for administrators at /admin/notifications, where they can be retried.
"""

from __future__ import annotations

import json
import smtplib
import typing as t
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Notice
from catalog.models import NoticeEvent
from catalog.models import NotificationPreference
from catalog.models import Setting
from catalog.models import User
from catalog.services import notify_events
from catalog.services.entities import record_change
from catalog.services.notify_events import KINDS
from catalog.services.notify_events import TEAM_KINDS
from catalog.services.notify_events import Event
from catalog.services.records import ValidationError

SINCE_KEY = "notify_since"
MAX_ATTEMPTS = 6
MAX_BACKOFF = timedelta(hours=6)
SEND_TIMEOUT = 10  # seconds per SMTP conversation or webhook POST


@dataclass(frozen=True)
class Transport:
    """Where notices go: SMTP settings, chat webhooks, and the base of absolute links."""

    base_url: str
    mail_server: str = ""
    mail_port: int = 25
    mail_from: str = "martech-catalog@localhost"
    mail_username: str = ""
    mail_password: str = ""
    mail_use_tls: bool = False
    mail_use_ssl: bool = False
    webhooks: tuple[str, ...] = ()
    it_lead: str = ""

    @classmethod
    def from_config(cls, config: t.Mapping[str, t.Any]) -> Transport:
        return cls(
            base_url=str(config.get("BASE_URL", "http://127.0.0.1:5000")).rstrip("/"),
            mail_server=config.get("MAIL_SERVER", ""),
            mail_port=int(config.get("MAIL_PORT", 25)),
            mail_from=config.get("MAIL_FROM", "martech-catalog@localhost"),
            mail_username=config.get("MAIL_USERNAME", ""),
            mail_password=config.get("MAIL_PASSWORD", ""),
            mail_use_tls=bool(config.get("MAIL_USE_TLS")),
            mail_use_ssl=bool(config.get("MAIL_USE_SSL")),
            webhooks=tuple(config.get("NOTIFY_WEBHOOK_URLS", ())),
            it_lead=config.get("NOTIFY_IT_LEAD", ""),
        )


@dataclass
class RunSummary:
    events: int = 0
    queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.events} new event(s), {self.queued} notice(s) queued, {self.sent} sent, "
            f"{self.retrying} to retry, {self.failed} failed for good."
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def since(session: Session, today: date) -> date:
    """The day notifications started: events before it are history, not news."""
    setting = session.get(Setting, SINCE_KEY)
    if setting is None:
        setting = Setting(key=SINCE_KEY, value=today.isoformat(), updated_by="martech notify")
        session.add(setting)
        session.flush()
    return date.fromisoformat(setting.value)


def collect(session: Session, today: date, *, sla: int, it_lead: str = "") -> list[Event]:
    """Every event the catalog's state implies today, handled or not."""
    start = since(session, today)
    handled = set(
        session.scalars(sa.select(NoticeEvent.key).where(NoticeEvent.kind == "shadow.new"))
    )
    return (
        notify_events.review_events(session, today, sla=sla, since=start, it_lead=it_lead)
        + notify_events.finding_events(session, today, sla=sla)
        + notify_events.shadow_events(session, since=start, handled=handled)
    )


def _opted_out(session: Session) -> set[tuple[str, str]]:
    rows = session.execute(
        sa.select(User.email, NotificationPreference.kind)
        .join(User, User.id == NotificationPreference.user_id)
        .where(NotificationPreference.email.is_(False))
    )
    return {(email.lower(), kind) for email, kind in rows}


def enqueue(session: Session, events: t.Iterable[Event], transport: Transport) -> tuple[int, int]:
    """Write each new event once and queue its notices; return (new events, notices queued)."""
    handled = set(session.scalars(sa.select(NoticeEvent.key)))
    inactive = {
        e.lower() for e in session.scalars(sa.select(User.email).where(User.active.is_(False)))
    }
    opted_out = _opted_out(session)
    new_events = queued = 0
    for event in events:
        if event.key in handled:
            continue
        handled.add(event.key)
        new_events += 1
        for key in (event.key, *event.covers):
            session.add(NoticeEvent(key=key, kind=event.kind))
        link = transport.base_url + event.path
        body = f"{event.body}\n\nOpen it: {link}\n"
        # (channel, recipient): each person who wants this kind, then the team's webhooks.
        targets = [
            ("email", email)
            for email in event.recipients
            if email not in inactive and (email, event.kind) not in opted_out
        ]
        if event.kind in TEAM_KINDS:
            targets += [("webhook", url) for url in transport.webhooks]
        for channel, recipient in targets:
            session.add(
                Notice(
                    event_key=event.key,
                    kind=event.kind,
                    channel=channel,
                    recipient=recipient,
                    subject=event.subject,
                    body=body,
                )
            )
        queued += len(targets)
    session.flush()
    return new_events, queued


def _send_email(transport: Transport, notice: Notice) -> None:
    if not transport.mail_server:
        raise RuntimeError("no MAIL_SERVER is configured")
    message = EmailMessage()
    message["From"] = transport.mail_from
    message["To"] = notice.recipient
    message["Subject"] = notice.subject
    message.set_content(notice.body)
    cls = smtplib.SMTP_SSL if transport.mail_use_ssl else smtplib.SMTP
    with cls(transport.mail_server, transport.mail_port, timeout=SEND_TIMEOUT) as smtp:
        if transport.mail_use_tls:
            smtp.starttls()
        if transport.mail_username:
            smtp.login(transport.mail_username, transport.mail_password)
        smtp.send_message(message)


def _post_webhook(notice: Notice) -> None:
    # {"text": ...} is what both Slack's and Teams' incoming webhooks accept.
    payload = json.dumps({"text": f"*{notice.subject}*\n{notice.body}"}).encode()
    req = urllib.request.Request(
        notice.recipient, data=payload, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=SEND_TIMEOUT) as response:  # noqa: S310 (admin URL)
        if not 200 <= response.status < 300:
            raise RuntimeError(f"the webhook answered HTTP {response.status}")


def deliver(
    session: Session,
    transport: Transport,
    *,
    commit: t.Callable[[], None],
    now: datetime | None = None,
    summary: RunSummary | None = None,
) -> RunSummary:
    """Send every pending notice that is due; reschedule or fail the ones that do not go.

    Each notice is claimed (its attempt counted) and committed before it is sent, and nothing is
    held open while a mail server or webhook answers: two overlapping runs never send one notice
    twice, and a slow server never blocks the catalog's writers.
    """
    now = now or _now()
    summary = summary or RunSummary()
    due = session.execute(
        sa.select(Notice.id, Notice.attempts)
        .where(Notice.status == "pending", Notice.next_attempt_at <= now)
        .order_by(Notice.id)
    ).all()
    commit()
    for notice_id, attempts in due:
        claim = (
            sa.update(Notice)
            .where(Notice.id == notice_id, Notice.status == "pending", Notice.attempts == attempts)
            .values(attempts=attempts + 1)
        )
        claimed = t.cast("sa.CursorResult[t.Any]", session.execute(claim)).rowcount
        commit()
        if not claimed:
            continue  # another run took it
        notice = session.get(Notice, notice_id)
        assert notice is not None
        try:
            if notice.channel == "email":
                _send_email(transport, notice)
            else:
                _post_webhook(notice)
        except (
            OSError,
            smtplib.SMTPException,
            urllib.error.URLError,
            RuntimeError,
            ValueError,
        ) as exc:
            notice.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notice.attempts >= MAX_ATTEMPTS:
                notice.status = "failed"
                summary.failed += 1
            else:
                wait = min(timedelta(minutes=2 ** (notice.attempts - 1)), MAX_BACKOFF)
                notice.next_attempt_at = now + wait
                summary.retrying += 1
        else:
            notice.status, notice.sent_at, notice.last_error = "sent", now, ""
            summary.sent += 1
        commit()
    return summary


def run(
    session: Session,
    transport: Transport,
    today: date,
    *,
    sla: int,
    commit: t.Callable[[], None],
    now: datetime | None = None,
) -> RunSummary:
    """Collect, queue and deliver: what `martech notify` does on each run (commits as it goes)."""
    summary = RunSummary()
    events = collect(session, today, sla=sla, it_lead=transport.it_lead)
    summary.events, summary.queued = enqueue(session, events, transport)
    commit()
    return deliver(session, transport, commit=commit, now=now, summary=summary)


# Preferences and the administrators' view -----------------------------------------------------


def preferences(session: Session, user: User) -> dict[str, bool]:
    """Return kind -> receives e-mail, for every kind (absent rows mean yes)."""
    stored = dict(
        session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.email).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {kind: bool(stored.get(kind, True)) for kind in KINDS}


def set_preferences(session: Session, user: User, wanted: t.Iterable[str], *, actor: str) -> None:
    """Receive exactly the kinds in `wanted`; record what changed."""
    wanted = set(wanted)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValidationError({"kinds": f"unknown notice kind(s): {', '.join(sorted(unknown))}"})
    before = preferences(session, user)
    after = {kind: kind in wanted for kind in KINDS}
    if before == after:
        return
    rows = {
        row.kind: row
        for row in session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind, on in after.items():
        row = rows.get(kind)
        if row is None:
            session.add(NotificationPreference(user_id=user.id, kind=kind, email=on))
        else:
            row.email = on
    session.flush()
    record_change(
        session, actor, "update", "notification_preference", user.email, before=before, after=after
    )


def outbox(session: Session, status: str = "", limit: int = 200) -> list[Notice]:
    query = sa.select(Notice).order_by(Notice.id.desc()).limit(limit)
    if status:
        query = query.where(Notice.status == status)
    return list(session.scalars(query))


def counts(session: Session) -> dict[str, int]:
    return dict(
        session.execute(sa.select(Notice.status, sa.func.count()).group_by(Notice.status)).all()
    )


def retry(session: Session, notice_id: int, *, actor: str) -> Notice:
    """Put a failed notice back in the queue now (an administrator fixed the settings)."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise ValidationError({"notice": f"no notice {notice_id}"})
    if notice.status != "failed":
        raise ValidationError({"notice": f"notice {notice_id} is {notice.status}, not failed"})
    notice.status, notice.attempts, notice.next_attempt_at = "pending", 0, _now()
    session.flush()
    record_change(
        session,
        actor,
        "retry",
        "notice",
        str(notice.id),
        before={"status": "failed"},
        after={"status": "pending"},
    )
    return notice


def next_due(notice: Notice) -> datetime:
    return _aware(notice.next_attempt_at)
