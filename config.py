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
    # Hours an uploaded file may wait between preview and import before it is deleted.
    UPLOAD_MAX_AGE_HOURS = float(os.environ.get("UPLOAD_MAX_AGE_HOURS", "24"))
    # API collections: page size when `limit` is not given, and the largest `limit` accepted.
    API_PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "100"))
    API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "1000"))
