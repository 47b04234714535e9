"""Hostile input through the tool, person and flow forms: never a 500, always escaped back."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from catalog.extensions import db
from catalog.services import audit
from catalog.services import entities
from tests.factories import make_tool

HOSTILE = [
    "<script>alert(1)</script>",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "\u202e<b>rtl</b>",
    "x" * 10_240,
    '"<>\\{}|;[] -> label=<b>',
    '] ; n [label=<<b>x</b>> URL="javascript:1"]',
    '=HYPERLINK("http://evil")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tindent",
    "ends with \\",
    "\\N \\G \\L",
    "'; DROP TABLE tool; --",
    "{{ 7*7 }}",
    "&amp; &lt;",
    "\r\n\r\n",
    "javascript:alert(1)",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ 漢字",
]
texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.tuples(st.sampled_from(HOSTILE), st.text(max_size=20)).map("".join),
)
OK = {200, 302, 400, 409, 413, 422}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_n = itertools.count()
FUZZ = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _shown_escaped(html: str, value: str) -> None:
    """Assert user text with a "<" never reaches the page raw (only its escaped form can)."""
    stored = value.strip()
    if "<" not in stored:
        return
    snippet = stored[stored.index("<") :][:12]
    if len(snippet) >= 4:
        assert snippet not in html, f"raw {snippet!r} in page"


# Hostile text through the forms, as an administrator would type it: the test is about escaping
# and never answering 500, and every request of it must reach the form handler.
AUTH_OFF = "hostile input, not permissions: every request must reach the form handler"


@pytest.fixture
def tools(app):
    with app.app_context():
        make_tool(db.session, slug="src", name="Source")
        make_tool(db.session, slug="dst", name="Target")
        db.session.commit()
    return app


def _saved(name: str) -> dict[str, str]:
    """Return an example whose other fields are valid, so the tool is saved and audited."""
    return {"name": name, "vendor": "", "description": "", "website": "", "currency": "USD"}


@FUZZ
@given(name=texts, vendor=texts, description=texts, website=texts, currency=texts)
# Random currencies rarely validate, so these make sure formula-like names reach the audit CSV.
@example(**_saved('=HYPERLINK("http://evil")'))
@example(**_saved("+1+1"))
@example(**_saved("-2+3 <b>"))
@example(**_saved("@SUM(A1)"))
def test_tool_form(tools, name, vendor, description, website, currency):
    client = tools.test_client()
    slug = f"fuzz-{next(_n)}"
    response = client.post(
        "/tools/new",
        data={
            "name": name,
            "slug": slug,
            "vendor": vendor,
            "description": description,
            "website": website,
            "currency": currency,
            "lifecycle": "requested",
        },
    )
    assert response.status_code in OK, response.status_code
    assert "<script>alert(1)</script>" not in response.text
    if response.status_code == 302:
        page = client.get(f"/tools/{slug}")
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text
        for value in (name, vendor, description):
            _shown_escaped(page.text, value)
        listing = client.get("/tools", query_string={"q": name[:50]})
        assert listing.status_code == 200
        _assert_audit_csv_defused(tools, client, slug)


def _assert_audit_csv_defused(app, client, slug: str) -> None:
    """Make the tool shadow IT (seen today, still requested) and check the CSV naming it."""
    with app.app_context():
        entities.save_sighting(
            db.session,
            {
                "source": "okta",
                "observed_name": f"app {slug}",
                "tool": slug,
                "first_seen": date.today(),
                "last_seen": date.today(),
                "users": 3,
            },
            actor="test",
        )
        db.session.commit()
    response = client.get("/audit.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows[0] == list(audit.CSV_HEADER)
    assert any(row[3] == slug for row in rows[1:]), f"no finding names {slug}"
    for row in rows:
        for cell in row:
            # A cell a spreadsheet would run as a formula must have been prefixed with a quote.
            assert not cell.startswith(TRIGGERS), f"formula-like cell {cell[:40]!r}"


@FUZZ
@given(
    local=st.text(alphabet="abcxyz09._+-", min_size=1, max_size=20), name=texts, department=texts
)
def test_person_form(app, local, name, department):
    client = app.test_client()
    email = f"{local}.{next(_n)}@example.com"
    response = client.post(
        "/people/new", data={"email": email, "name": name, "department": department, "active": "y"}
    )
    assert response.status_code in OK, response.status_code
    page = client.get("/people")
    assert page.status_code == 200
    if response.status_code == 302:
        _shown_escaped(page.text, name)
    assert "<script>alert(1)</script>" not in page.text


@FUZZ
@given(
    frequency=texts,
    description=texts,
    source=st.sampled_from(["src", "dst", "nope", "<x>"]),
    mechanism=st.sampled_from(["api", "tag", "<script>", ""]),
)
def test_flow_form(tools, frequency, description, source, mechanism):
    client = tools.test_client()
    response = client.post(
        "/flows/new",
        data={
            "source": source,
            "target": "dst",
            "mechanism": mechanism,
            "frequency": frequency,
            "description": description,
            "data_classes": ["contact_pii"],
            "active": "y",
        },
    )
    assert response.status_code in OK, response.status_code
    assert "<script>alert(1)</script>" not in response.text
    page = client.get("/flows")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    graph = client.get("/graph", query_string={"format": "dot"})
    assert graph.status_code in (200, 400)
