"""Platform apps attach to their platform or are skipped; Backstage never sanctions; matching
never joins two things whose name agrees but whose slug or domain says otherwise."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.discovery_models import PlatformAppEntry
from catalog.models import ChangeRecord
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import audit
from catalog.services import discovery
from catalog.services import matching
from catalog.services import platform_apps
from catalog.services.records import ValidationError
from tests.discovery_items import obs
from tests.discovery_items import use_items
from tests.discovery_items import write_items
from tests.factories import make_tool

DATA = Path(__file__).resolve().parent / "data" / "discovery"
EXAMPLES = DATA / "backstage" / "examples"  # Backstage's own example entities
AZURE_PORTAL = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
GRAPH_EXPLORER = "de8bc8b5-d9f9-48b1-a8ad-b748da725064"
CONTOSO_BOT = "0a1b2c3d-1111-4222-8333-944455556666"  # a tenant's own app, not in the shipped list


def imported(session, source, *paths, **kw):
    summary = discovery.import_files(session, source, [str(p) for p in paths], actor="it", **kw)
    session.commit()
    return summary


def tool_of(session, source, name):
    s = session.scalar(
        sa.select(Sighting).where(Sighting.source == source, Sighting.observed_name == name)
    )
    return s.tool.slug if s is not None and s.tool is not None else None


# Platform apps --------------------------------------------------------------------------------


def test_platform_app_attaches_to_the_platform_tool(session, tmp_path, monkeypatch):
    use_items(monkeypatch, "entra")
    make_tool(session, slug="m365", name="Microsoft 365", lifecycle="sanctioned")
    session.commit()
    path = write_items(
        tmp_path / "signins.jsonl",
        obs("Azure Portal", "2026-11-20", app_id=AZURE_PORTAL, platform="microsoft", user="a"),
        obs("Graph Explorer", "2026-11-21", platform="microsoft", user="b"),
        obs("Canva", "2026-11-21", user="b"),
    )
    summary = imported(session, "entra", path)
    assert summary["platform_apps"] == {"attached": 2}
    assert summary["new_tools"] == ["Canva"]
    assert tool_of(session, "entra", "Azure Portal") == "m365"
    assert tool_of(session, "entra", "Graph Explorer") == "m365"
    assert "Platform apps: 2 attached" in discovery.format_summary(summary)
    again = imported(session, "entra", path)
    assert again["changes"] == 0


def test_platform_app_without_its_platform_in_the_catalog_is_skipped(
    session, tmp_path, monkeypatch
):
    use_items(monkeypatch, "entra")
    path = write_items(
        tmp_path / "signins.jsonl",
        obs("Azure Portal", "2026-11-20", platform="microsoft", user="a"),
        obs("Azure Portal", "2026-11-21", platform="microsoft", user="b"),
        obs("Okta Dashboard", "2026-11-21", platform="okta", user="b"),
    )
    summary = imported(session, "entra", path)
    assert summary["skipped"] == {"platform app": 3}
    assert summary["platform_apps"] == {"skipped": 2}
    assert summary["new_tools"] == [] and session.scalar(sa.select(sa.func.count(Tool.id))) == 0
    assert "Skipped 3 records: 3 platform app." in discovery.format_summary(summary)


def test_platform_app_registered_as_its_own_tool_keeps_it(session, tmp_path, monkeypatch):
    use_items(monkeypatch, "entra")
    make_tool(session, slug="teams", name="Microsoft Teams", lifecycle="sanctioned")
    make_tool(session, slug="m365", name="Microsoft 365", lifecycle="sanctioned")
    session.commit()
    path = write_items(
        tmp_path / "s.jsonl", obs("Microsoft Teams", "2026-11-20", platform="microsoft")
    )
    imported(session, "entra", path)
    assert tool_of(session, "entra", "Microsoft Teams") == "teams"


def test_administrator_list_by_name_and_app_id_on_a_real_entra_export(session, tmp_path):
    header, first = (DATA / "entra_signins_variant_b.csv").read_text().splitlines()[:2]

    def row(app, app_id, day):
        return (
            first.replace("Hubspot Inc.", app)
            .replace("1f6c0b8e-0d1a-4c55-9a57-6f1c7e0a1b01", app_id)
            .replace("2025-12-04", day)
        )

    export = tmp_path / "signins.csv"
    export.write_text(
        "\n".join(
            [
                header,
                row("Azure Portal", AZURE_PORTAL, "2026-11-20"),  # shipped: the parser knows it
                row("Contoso HR Portal", "7f0c9a6e-1111-4222-8333-944455556601", "2026-11-21"),
                row("Contoso Expense Bot", CONTOSO_BOT, "2026-11-21"),
                row("Canva", "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e04", "2026-11-22"),
            ]
        )
        + "\n"
    )
    assert (
        platform_apps.PlatformApps(session).platform("entra", "Contoso HR Portal", None, None)
        is None
    )
    platform_apps.add(
        session, platform="microsoft", name="Contoso  HR portal", app_id="", actor="adm"
    )
    platform_apps.add(session, platform="microsoft", name="", app_id=CONTOSO_BOT, actor="adm")
    session.commit()
    index = platform_apps.PlatformApps(session)
    assert index.platform("entra", "Contoso HR Portal", None, None) == "microsoft"
    assert index.platform("card_csv", "Contoso HR Portal", None, None) is None  # spend is spend
    summary = imported(session, "entra", export)
    assert summary["skipped"].get("platform app") == 3
    assert summary["platform_apps"] == {"skipped": 3}
    assert summary["new_tools"] == ["Canva"]
    created = {
        c.object_key
        for c in session.scalars(
            sa.select(ChangeRecord).where(ChangeRecord.object_type == "platform_app")
        )
    }
    assert created == {"microsoft:contoso hr portal", f"microsoft:{CONTOSO_BOT}"}


def test_platform_app_list_refuses_bad_entries(session):
    with pytest.raises(ValidationError, match="platform: choose one of microsoft, google, okta"):
        platform_apps.add(session, platform="apple", name="Xcode", app_id="", actor="adm")
    with pytest.raises(ValidationError, match="give the app's name, its app id, or both"):
        platform_apps.add(session, platform="google", name=" ", app_id="", actor="adm")
    platform_apps.add(session, platform="google", name="Admin console", app_id="", actor="adm")
    with pytest.raises(ValidationError, match="already listed"):
        platform_apps.add(session, platform="google", name="admin CONSOLE", app_id="", actor="adm")
    entry = session.scalar(sa.select(PlatformAppEntry))
    platform_apps.remove(session, entry, actor="adm")
    session.flush()
    assert platform_apps.listed(session) == []


# Backstage ------------------------------------------------------------------------------------

SHOWCASE = """\
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: github
  title: GitHub Showcase repository
  links:
    - url: https://github.com/acme/showcase
spec:
  type: repository
  lifecycle: production
  owner: team-a
"""


def google_grant(tmp_path, app_name: str, day: str = "2026-11-25") -> Path:
    data = json.loads((DATA / "google_token_audit.json").read_text())
    item = copy.deepcopy(data["items"][0])
    item["id"]["time"] = f"{day}T06:24:42.442Z"
    for param in item["events"][0]["parameters"]:
        if param["name"] == "app_name":
            param["value"] = app_name
        if param["name"] == "client_id":
            param["value"] = "1111-github.apps.googleusercontent.com"
    data["items"] = [item]
    path = tmp_path / "token.json"
    path.write_text(json.dumps(data))
    return path


def test_backstage_repository_is_not_a_tool_and_github_oauth_is_still_shadow_it(session, tmp_path):
    (tmp_path / "showcase.yaml").write_text(SHOWCASE)
    summary = imported(session, "backstage", tmp_path / "showcase.yaml")
    assert summary["tools"]["created"] == 0
    assert summary["skipped"] == {"resource of type repository: not a martech tool": 1}
    grant = imported(session, "google_workspace", google_grant(tmp_path, "GitHub"))
    assert grant["new_tools"] == ["GitHub"]
    shadow = {s["tool"] for s in audit.audit_report(session, date(2026, 12, 1))["shadow_it"]}
    assert tool_of(session, "google_workspace", "GitHub") in shadow


def test_same_slug_different_thing_is_not_joined(session, tmp_path):
    # The same entity as a Component (so it is registered): its slug `github` names the vendor
    # it lives at, not the thing; a Google grant for the GitHub app must not match it.
    (tmp_path / "showcase.yaml").write_text(
        SHOWCASE.replace("kind: Resource", "kind: Component").replace(
            "type: repository", "type: website"
        )
    )
    summary = imported(session, "backstage", tmp_path / "showcase.yaml")
    assert summary["tools"]["created"] == 1
    registered = session.scalar(sa.select(Tool).where(Tool.slug == "github"))
    assert registered.name == "GitHub Showcase repository"
    assert registered.lifecycle == "requested"  # Backstage said production; nobody reviewed it
    grant = imported(session, "google_workspace", google_grant(tmp_path, "GitHub"))
    assert grant["matched"] == 0 and grant["new_tools"] == ["GitHub"]
    assert tool_of(session, "google_workspace", "GitHub") == "github-2"


def test_a_name_that_spells_another_domain_does_not_match(session):
    tool = make_tool(session, slug="atlas", name="Atlas", website="https://www.atlas.co/app")
    session.commit()
    matcher = matching.Matcher(session, "card_csv")
    assert matcher.match("ATLAS.AI", None).tool_id is None  # another company's domain
    assert matcher.match("Atlas", None) == matching.Match(tool.id, "name")
    assert matcher.match("ATLAS.CO 800-555-0100", None) == matching.Match(tool.id, "name")


def test_backstage_real_examples_come_in_as_requests(session):
    files = sorted((EXAMPLES / "components").glob("*.yaml"))
    files = [f for f in files if f.name != "invalid-component.yaml"]
    summary = imported(session, "backstage", *files, EXAMPLES / "all-resources.yaml")
    assert summary["tools"]["created"] == len(files)
    lifecycles = set(session.scalars(sa.select(Tool.lifecycle)))
    assert lifecycles == {"requested"}
    artist = session.scalar(sa.select(Tool).where(Tool.slug == "artist-lookup"))
    assert artist.description.endswith(
        "Backstage: component, type service, lifecycle experimental."
    )
    resource = imported(session, "backstage", EXAMPLES / "resources" / "artists-db-resource.yaml")
    assert resource["skipped"] == {"resource of type database: not a martech tool": 1}


def test_register_existing_estate_needs_a_reason_and_is_recorded(session):
    files = [EXAMPLES / "components" / "artist-lookup-component.yaml"]
    with pytest.raises(discovery.ImportFailed, match="needs a reason"):
        imported(session, "backstage", *files, options={"register_existing_estate": True})
    summary = imported(
        session,
        "backstage",
        *files,
        options={"register_existing_estate": True, "reason": "estate audited by IT in 2026"},
    )
    assert summary["tools"]["created"] == 1
    tool = session.scalar(sa.select(Tool).where(Tool.slug == "artist-lookup"))
    record = session.scalar(
        sa.select(ChangeRecord).where(ChangeRecord.object_type == "import_option")
    )
    assert record.after["reason"] == "estate audited by IT in 2026"
    assert record.after["tools"] == {"artist-lookup": tool.lifecycle}
    assert tool.lifecycle == "in_review"  # Backstage's "experimental", taken as the catalog's
