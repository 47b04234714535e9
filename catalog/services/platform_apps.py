"""Platform apps: the identity and productivity platforms' own first-party apps.

A sign-in to Azure Portal, Graph Explorer or the Google Admin console is use of the platform the
company already runs, not shadow IT. The sign-in importers mark such sightings with a platform
key (`Observation.platform`, from the shipped list in `integrations.platform_apps`); an
administrator can declare more apps from /imports (by name, app id, or both), which extend that
same index here. Card and expense lines are never platform apps. An import attaches a platform
app's sightings to the platform's tool when the catalog has one (matched through the ordinary
matcher from `PLATFORM_TOOLS`), and otherwise skips them as "platform app": they never become
discovered tools.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.discovery_models import PlatformAppEntry
from catalog.services import entities
from catalog.services import matching
from catalog.services.discovery_types import SPEND_SOURCES
from catalog.services.records import ValidationError
from integrations.platform_apps import PlatformApps as ShippedIndex

#: Platform key -> the names under which the catalog may hold that platform's tool, best first.
PLATFORM_TOOLS: dict[str, tuple[str, ...]] = {
    "microsoft": (
        "Microsoft 365",
        "Office 365",
        "Microsoft Entra ID",
        "Azure Active Directory",
        "Microsoft Azure",
    ),
    "google": ("Google Workspace", "G Suite", "Google Cloud"),
    "okta": ("Okta", "Okta Workforce Identity"),
}
PLATFORM_LABELS = {"microsoft": "Microsoft", "google": "Google", "okta": "Okta"}
SKIP_REASON = "platform app"


class PlatformApps:
    """The shipped list plus the administrator's, loaded once per import, and the platform tools
    platform apps can attach to."""

    def __init__(self, session: Session) -> None:
        extra: list[tuple[str, str]] = []
        for platform, label, app_id in session.execute(
            sa.select(PlatformAppEntry.platform, PlatformAppEntry.label, PlatformAppEntry.app_id)
        ):
            extra += [(platform, value) for value in (app_id, label) if value]
        # The parsers' own index (shipped first-party apps), extended by the administrator's.
        self.index = ShippedIndex(extra)
        self._tools: dict[str, int | None] = {}

    def platform(
        self, source: str, name: str, app_id: str | None, hinted: str | None
    ) -> str | None:
        """Return the platform key of an app, or None when it is nobody's first-party app.

        Card and expense lines are spend, never a platform's sign-in: a charge for Microsoft 365
        is evidence of that tool itself and goes through ordinary matching.
        """
        if hinted:
            return hinted
        if source in SPEND_SOURCES:
            return None
        return self.index.platform(name, app_id)

    def tool_for(
        self, matcher: matching.Matcher, platform: str, usable: t.Container[int]
    ) -> int | None:
        """Return the id of the catalog's tool for a platform, or None when it has none."""
        if platform not in self._tools:
            found = None
            for candidate in PLATFORM_TOOLS.get(platform, ()):
                hit = matcher.match(candidate, None).tool_id
                if hit is not None and hit in usable:
                    found = hit
                    break
            self._tools[platform] = found
        return self._tools[platform]


def _record(entry: PlatformAppEntry) -> dict[str, str]:
    return {"platform": entry.platform, "name": entry.label, "app_id": entry.app_id}


def add(session: Session, *, platform: str, name: str, app_id: str, actor: str) -> PlatformAppEntry:
    """Declare an app a platform's own; later imports attach or skip it (recorded)."""
    name, app_id = " ".join(name.split())[:500], app_id.strip()[:500]
    errors = {}
    if platform not in PLATFORM_TOOLS:
        errors["platform"] = f"choose one of {', '.join(PLATFORM_TOOLS)}"
    if not name and not app_id:
        errors["name"] = "give the app's name, its app id, or both"
    if "\x00" in name + app_id:
        errors["name"] = "must not contain NUL characters"
    if errors:
        raise ValidationError(errors, record=name or app_id or None)
    key = matching.normalise(name) if name else ""
    if name and not key:
        raise ValidationError({"name": f"{name!r} has no letters or digits"}, record=name)
    exists = session.scalar(
        sa.select(PlatformAppEntry).where(
            PlatformAppEntry.platform == platform,
            PlatformAppEntry.name == key,
            PlatformAppEntry.app_id == app_id,
        )
    )
    if exists is not None:
        raise ValidationError(
            {"name": "this platform app is already listed"}, record=name or app_id
        )
    entry = PlatformAppEntry(
        platform=platform, name=key, label=name, app_id=app_id, created_by=actor
    )
    session.add(entry)
    session.flush()
    entities.record_change(
        session, actor, "create", "platform_app", entry.key, after=_record(entry)
    )
    return entry


def remove(session: Session, entry: PlatformAppEntry, *, actor: str) -> None:
    """Take an app off the administrator's list (recorded; add it again to undo)."""
    entities.record_change(
        session, actor, "delete", "platform_app", entry.key, before=_record(entry)
    )
    session.delete(entry)


def listed(session: Session) -> list[PlatformAppEntry]:
    return list(
        session.scalars(
            sa.select(PlatformAppEntry).order_by(
                PlatformAppEntry.platform, PlatformAppEntry.label, PlatformAppEntry.app_id
            )
        )
    )
