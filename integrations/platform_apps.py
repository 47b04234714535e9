"""The identity and productivity platforms' own first-party apps (shipped list + admin additions).

A sign-in to "Azure Portal" or "Okta Dashboard" is the platform at work, not a tool somebody
adopted. Importers mark such observations with `Observation.platform`; the discovery service
attaches them to the platform's tool or skips them as "platform app". The list lives in
`integrations/data/platform_apps.toml` (package data) so it can be read and extended without code.
"""

from __future__ import annotations

import functools
import tomllib
import typing as t
from importlib import resources

#: Platform keys and how people call them (for messages and the admin page).
PLATFORMS: dict[str, str] = {
    "microsoft": "Microsoft 365 / Entra ID",
    "google": "Google Workspace",
    "okta": "Okta",
}


class PlatformApp(t.NamedTuple):
    platform: str
    name: str
    aliases: tuple[str, ...]
    ids: tuple[str, ...]


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@functools.cache
def shipped() -> tuple[PlatformApp, ...]:
    """Return the shipped list, read once from the package data file."""
    raw = resources.files("integrations").joinpath("data/platform_apps.toml").read_text("utf-8")
    apps = []
    for entry in tomllib.loads(raw)["app"]:
        platform = entry["platform"]
        if platform not in PLATFORMS:
            raise ValueError(f"platform_apps.toml: unknown platform {platform!r}")
        apps.append(
            PlatformApp(
                platform,
                entry["name"],
                tuple(entry.get("aliases", ())),
                tuple(entry.get("ids", ())),
            )
        )
    return tuple(apps)


class PlatformApps:
    """An index of first-party apps by id and by name: the shipped list plus `extra`.

    `extra` holds an administrator's additions as (platform key, name or app id) pairs; an
    addition matches either an app id or an app name, whichever the export carries.
    """

    def __init__(self, extra: t.Iterable[tuple[str, str]] = ()) -> None:
        self.by_id: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for app in shipped():
            for value in app.ids:
                self.by_id[value.casefold()] = app.platform
            for value in (app.name, *app.aliases):
                self.by_name[_key(value)] = app.platform
        for platform, value in extra:
            if platform not in PLATFORMS:
                raise ValueError(
                    f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}"
                )
            self.by_id.setdefault(value.strip().casefold(), platform)
            self.by_name.setdefault(_key(value), platform)
        self._memo: dict[tuple[str, str | None], str | None] = {}

    def platform(self, name: str | None, app_id: str | None = None) -> str | None:
        """Return the platform key when (name, app_id) is a first-party app, else None.

        The id decides when the export has one: a third-party app may carry a first-party name
        ("Teams" as an admin's label for a Slack bookmark is rare, an id collision impossible).
        Memoised: a sign-in log repeats a few hundred apps a million times.
        """
        memo_key = (name or "", app_id)
        try:
            return self._memo[memo_key]
        except KeyError:
            pass
        found = None
        if app_id:
            found = self.by_id.get(app_id.strip().casefold())
        if found is None and name:
            found = self.by_name.get(_key(name))
        if len(self._memo) < 100_000:
            self._memo[memo_key] = found
        return found


@functools.cache
def _shipped_index() -> PlatformApps:
    return PlatformApps()


def platform_app(
    name: str | None, app_id: str | None = None, extra: t.Iterable[tuple[str, str]] = ()
) -> str | None:
    """Return the platform key ("microsoft", "google", "okta") of a first-party app, or None.

    `extra` are administrator additions as (platform key, name or app id) pairs. For many
    lookups with the same additions, build one `PlatformApps(extra)` and call `.platform()`.
    """
    extra = tuple(extra)
    index = PlatformApps(extra) if extra else _shipped_index()
    return index.platform(name, app_id)
