"""Configuration read from the environment, with development defaults."""

from __future__ import annotations

import os


def database_url() -> str:
    """Return DATABASE_URL, defaulting to SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL", "sqlite:///catalog.sqlite")
    # Hosts still hand out postgres:// URLs; SQLAlchemy needs an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev")  # override in any shared deployment
    SQLALCHEMY_ENGINES = {"default": database_url()}
    # Days IT has to decide on a request before REVIEW_OVERDUE fires (SPEC 3.3).
    REVIEW_SLA_DAYS = int(os.environ.get("REVIEW_SLA_DAYS", "10"))
    # Uploads (discovery imports, bundles) are capped; the importers stream what gets through.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(64 * 1024 * 1024)))
    # Seconds a graphviz layout may run before the graph page gives up and offers narrower views.
    GRAPH_LAYOUT_TIMEOUT = float(os.environ.get("GRAPH_LAYOUT_TIMEOUT", "10"))
    PAGE_SIZE = 25

    # Notifications (docs/notifications.md). Links in messages are absolute: set BASE_URL to the
    # address people open. E-mail goes over SMTP when MAIL_SERVER is set; chat notices go to the
    # Slack- or Teams-compatible incoming webhooks in NOTIFY_WEBHOOK_URLS (comma-separated).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"  # STARTTLS
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"  # SMTPS
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "martech-catalog@localhost")
    NOTIFY_WEBHOOK_URLS = [u for u in os.environ.get("NOTIFY_WEBHOOK_URLS", "").split(",") if u]
    # Who hears about reviews about to breach (or breaching) the SLA besides the requester;
    # empty means every active IT account.
    NOTIFY_IT_LEAD = os.environ.get("NOTIFY_IT_LEAD", "")
    # Hours an uploaded file may wait between preview and import before it is deleted.
    UPLOAD_MAX_AGE_HOURS = float(os.environ.get("UPLOAD_MAX_AGE_HOURS", "24"))
    # API collections: page size when `limit` is not given, and the largest `limit` accepted.
    API_PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "100"))
    API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "1000"))
