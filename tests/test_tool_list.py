"""The tool list to work in: typo-tolerant search, governance columns and filters, exports."""

from __future__ import annotations

import csv
import io
import re
import typing as t
import zipfile
from datetime import date
from datetime import timedelta

import pytest
from flask import Flask

from catalog.extensions import db
from catalog.services import discovery_write
from catalog.services import entities
from catalog.services import tool_search
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool
from tests.factories import seed
from tests.pages import make_tools


def catalog(session: t.Any) -> None:
    make_person(session, email="jenna.brooks@example.com", name="Jenna Brooks")
    make_person(session, email="omar.haddad@example.com", name="Omar Haddad", department="it")
    soon = (date.today() + timedelta(days=10)).isoformat()
    later = (date.today() + timedelta(days=200)).isoformat()
    jenna, omar, pii = "jenna.brooks@example.com", "omar.haddad@example.com", ["contact_pii"]
    ok = "sanctioned"
    make_tools(
        session,
        "slug name vendor category lifecycle business_owner technical_owner data_classes"
        " renewal_date",
        ("hubspot", "HubSpot", "HubSpot Inc.", "crm", ok, jenna, omar, None, soon),
        ("salesforce", "Salesforce Sales Cloud", None, "crm", ok, None, None, None, later),
        ("mailchimp", "Mailchimp", "Intuit", "email-marketing", ok, None, omar, pii, None),
        ("klaviyo", "Klaviyo", None, "email-marketing", "requested", jenna, None, None, None),
        # A shadow tool: discovered, holding contact data, feeding Mailchimp (critical).
        ("typeform", "Typeform", None, "feedback-chat", "discovered", None, None, pii, None),
        ("zoom", "Zoom", None, "events-meetings-webinars", ok, None, None, None, None),
    )
    make_flow(session, "typeform", "mailchimp", data_classes=pii)


def listed(client: t.Any, query: str) -> list[str]:
    html = client.get("/tools" + query).text
    return re.findall(r'<a class="strong" href="/tools/([a-z0-9-]+)">', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hubsopt", ["hubspot"]),  # a transposition
        ("HubSpot", ["hubspot"]),
        ("salesforse", ["salesforce"]),
        ("crm", ["hubspot", "salesforce"]),  # the category label
        ("email", ["klaviyo", "mailchimp"]),  # "Email marketing"
        ("jenna", ["hubspot", "klaviyo"]),  # an owner's name
        ("Jenna Brooks", ["hubspot", "klaviyo"]),
        ("omar.haddad@example.com", ["hubspot", "mailchimp"]),  # an owner's e-mail
        ("intuit", ["mailchimp"]),  # the vendor
        ("hubspot crm", ["hubspot"]),  # every word must match
        ("zzzz", []),
    ],
)
def test_search_forgives_typos_and_reads_categories_and_owners(
    app: Flask, client: t.Any, query: str, expected: list[str]
) -> None:
    seed(app, catalog)
    assert sorted(listed(client, f"?q={query}")) == expected


def test_search_finds_aliases_and_follows_catalog_changes(app: Flask, client: t.Any) -> None:
    seed(app, catalog)
    assert listed(client, "?q=feathr") == []

    with app.app_context():
        tool = entities.tool_by_slug(db.session, "zoom")
        discovery_write.add_alias(db.session, tool, "Feathr Events", actor="test")
        db.session.commit()
    assert listed(client, "?q=feathr") == ["zoom"]  # the index was rebuilt for the new version


def test_search_ranks_the_best_match_first(app: Flask, client: t.Any) -> None:
    seed(app, catalog)
    with app.app_context():
        hits = tool_search.suggest(db.session, "mailchimp", 5)
    assert hits[0] == {"slug": "mailchimp", "name": "Mailchimp"}


def test_api_list_search_uses_the_same_fuzzy_search(app: Flask, client: t.Any) -> None:
    seed(app, catalog)
    body = client.get("/api/v1/tools?q=hubsopt").get_json()
    items = body["items"] if isinstance(body, dict) else body
    assert [item["slug"] for item in items] == ["hubspot"]


def row_of(html: str, slug: str) -> str:
    match = re.search(rf'<tr id="row-{slug}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {slug}"
    return match.group(1)


def test_governance_columns_come_from_the_audit(app: Flask, client: t.Any) -> None:
    seed(app, catalog)
    html = client.get("/tools").text
    typeform = row_of(html, "typeform")
    assert re.search(r'class="shadow"><span class="badge discovered">yes', typeform)
    assert re.search(r'class="num risk">([1-9]\d*)<', typeform)
    assert re.search(r"\d+ critical", typeform)
    zoom = row_of(html, "zoom")
    assert 'class="shadow"><span class="muted">no' in zoom
    assert "critical" not in zoom
    hubspot = row_of(html, "hubspot")
    assert (date.today() + timedelta(days=10)).isoformat() in hubspot
    # The same figures as the tool page.
    with app.app_context():
        from catalog.services import audit

        gov = audit.tool_governance(db.session, "typeform", date.today())
    risk = int(re.search(r'class="num risk">(\d+)<', typeform).group(1))
    assert risk == gov["risk"]["score"]
    critical = sum(1 for f in gov["findings"] if f["severity"] == "critical")
    assert f"{critical} critical" in typeform


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?shadow=1", ["typeform"]),
        (
            "?severity=critical",
            ["mailchimp", "typeform"],
        ),  # the flow into Mailchimp concerns it too
        ("?renewal_within=30", ["hubspot"]),
        ("?renewal_within=365", ["hubspot", "salesforce"]),
        ("?lifecycle=requested", ["klaviyo"]),
        ("?category=crm", ["hubspot", "salesforce"]),
        ("?owner=jenna.brooks@example.com", ["hubspot", "klaviyo"]),
        ("?shadow=1&q=type", ["typeform"]),
        ("?shadow=1&q=crm", []),
    ],
)
def test_governance_filters(app: Flask, client: t.Any, query: str, expected: list[str]) -> None:
    seed(app, catalog)
    assert sorted(listed(client, query)) == expected


def test_min_risk_and_risk_sort(app: Flask, client: t.Any) -> None:
    seed(app, catalog)
    html = client.get("/tools?sort=risk").text
    risks = [int(r) for r in re.findall(r'class="num risk">(\d+)<', html)]
    assert risks == sorted(risks, reverse=True) and risks[0] > 0
    top = risks[0]
    shown = listed(client, f"?min_risk={top}")
    assert shown and "typeform" in shown
    assert len(shown) == sum(1 for r in risks if r >= top)


def test_bad_filter_values_are_named_and_not_applied(app: Flask, client: t.Any) -> None:
    seed(app, catalog)
    response = client.get("/tools?min_risk=lots&renewal_within=-3&severity=bad")
    assert response.status_code == 200
    assert "Minimum risk score: &#39;lots&#39; is not a whole number" in response.text
    assert "Renewal within (days): must be between 0 and 3650" in response.text
    assert "Open findings: &#39;bad&#39; is not one of critical, high" in response.text
    assert len(listed(client, "?min_risk=lots")) == 6


def csv_rows(client: t.Any, query: str) -> list[dict[str, str]]:
    response = client.get("/tool-list/export.csv" + query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.text)))


def test_csv_export_is_exactly_the_filtered_list(app: Flask, client: t.Any) -> None:
    seed(app, catalog)
    rows = csv_rows(client, "?q=crm&sort=name")
    assert [r["slug"] for r in rows] == ["hubspot", "salesforce"]
    assert rows[0]["category"] == "CRM"
    assert rows[0]["business_owner"] == "jenna.brooks@example.com"
    shadow = csv_rows(client, "?shadow=1")
    assert [(r["slug"], r["shadow"]) for r in shadow] == [("typeform", "yes")]
    assert int(shadow[0]["open_critical"]) >= 1 and int(shadow[0]["risk_score"]) > 0
    # Every page, not only the first: the whole filtered list.
    assert len(csv_rows(client, "")) == 6


def test_exports_never_carry_a_formula(app: Flask, client: t.Any) -> None:
    seed(app, catalog)
    seed(
        app,
        lambda s: make_tool(
            s, slug="evil", name='=HYPERLINK("http://x","y")', vendor="@SUM(1+1)", category="crm"
        ),
    )
    seed(app, lambda s: make_tool(s, slug="ref", name="#REF!", vendor="-1+2", category="crm"))
    rows = csv_rows(client, "?q=evil")
    assert rows[0]["name"] == '\'=HYPERLINK("http://x","y")'
    assert rows[0]["vendor"] == "'@SUM(1+1)"

    response = client.get("/tool-list/export.xlsx?category=crm")
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Tools"]
    header = [c.value for c in sheet[1]]
    values = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert set(values) == {"evil", "hubspot", "ref", "salesforce"}
    assert (values["ref"]["name"], values["ref"]["vendor"]) == ("#REF!", "-1+2")
    ref = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "ref")
    assert (ref[1].data_type, ref[2].data_type) == ("s", "s")  # not an error value, not a sum
    assert values["evil"]["name"] == '=HYPERLINK("http://x","y")'  # shown as text
    cell = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "evil")[1]
    assert cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere
    assert isinstance(values["hubspot"]["risk_score"], int)


def test_list_stays_one_page_of_queries_with_governance(app: Flask, client: t.Any) -> None:
    seed(app, catalog)
    response = client.get("/tools?page=2")
    assert response.status_code == 200  # one page only: the page number is clamped


def test_pages_of_a_search_follow_its_order(tmp_path: t.Any) -> None:
    from tests.conftest import make_app

    app = make_app(tmp_path, PAGE_SIZE=2, AUTH_ENABLED=False)  # paging, not permissions
    seed(app, catalog)
    client = app.test_client()
    first, second = listed(client, "?q=e&sort=name"), listed(client, "?q=e&sort=name&page=2")
    everything = [r["slug"] for r in csv_rows(client, "?q=e&sort=name")]
    assert len(first) == 2 and first + second == everything[:4]
    html = client.get("/tools?q=e&sort=name").text
    assert re.search(r'<span class="count">\s*' + str(len(everything)), html)
