"""Every role against every action, on the pages and the API, with sign-in enforced.

Mia (marketing) is the business owner of `mine`; Otto (marketing) owns `theirs`; `hub` is IT's.
An allowed action must succeed (2xx/3xx), a forbidden one must be refused with 403 and change
nothing. A change that is IT's decision, made by a marketer on their own tool or flow, is
*proposed*: the answer is a success (2xx/3xx), the catalog's records stay as they were, and one
open proposal waits for IT in the review queue.
"""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Proposal
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import login
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

ROLES = ("viewer", "marketing", "it", "admin")
EMAIL = {
    "viewer": "vera@example.com",
    "marketing": "mia@example.com",
    "it": "ivan@example.com",
    "admin": "ada@example.com",
}
ALL, CONTRIB, IT, ADMIN = set(ROLES), {"marketing", "it", "admin"}, {"it", "admin"}, {"admin"}
MKT = {"marketing"}  # the roles whose change becomes a proposal (4th element of an action)
CONTROLS = ("security_reviewed", "dpa_signed", "sso_enabled", "system_of_record")
# `mine` starts with one control already ticked, so "change" covers ticking and unticking.
MINE_CONTROLS = dict.fromkeys(CONTROLS, False) | {"dpa_signed": True}


def _form(record: dict[str, t.Any], **changes: t.Any) -> dict[str, t.Any]:
    """Return a record as browser form data (unticked boxes are absent, None is empty)."""
    data: dict[str, t.Any] = {}
    for key, value in (record | changes).items():
        if value is True:
            data[key] = "y"
        elif value is False or value is None:
            data[key] = "" if value is None else None
        else:
            data[key] = value
    return {k: v for k, v in data.items() if v is not None}


def _tool_form(app, slug, **changes):
    with app.app_context():
        tool = entities.tool_by_slug(db.session, slug)
        return _form(records.tool_record(tool) | {"version": str(tool.version)}, **changes)


def _ids(app):
    with app.app_context():
        flows = {
            f.target.slug if f.source.slug == "hub" else "managed": f
            for f in db.session.scalars(sa.select(DataFlow))
        }
        deps = {d.tool.slug: d for d in db.session.scalars(sa.select(Dependency))}
        otto = db.session.scalar(sa.select(Person).where(Person.email == "otto@example.com"))
        return {
            "flow_mine": flows["mine"].id,
            "flow_mine_v": flows["mine"].version,
            "flow_theirs": flows["theirs"].id,
            "flow_theirs_v": flows["theirs"].version,
            "flow_mine_record": records.flow_record(flows["mine"]),
            "flow_theirs_record": records.flow_record(flows["theirs"]),
            "flow_managed": flows["managed"].id,
            "flow_managed_v": flows["managed"].version,
            "flow_managed_record": records.flow_record(flows["managed"]),
            "dep_theirs": deps["theirs"].id,
            "dep_theirs_v": deps["theirs"].version,
            "otto": otto.id,
            "otto_v": otto.version,
        }


def _version(app, slug):
    with app.app_context():
        return entities.tool_by_slug(db.session, slug).version


# (name, allowed roles, request) -- request(client, app, ids) -> response
ACTIONS: list[tuple[str, set[str], t.Callable[..., t.Any]]] = [
    ("read tool list", ALL, lambda c, a, i: c.get("/tools")),
    ("read tool page", ALL, lambda c, a, i: c.get("/tools/theirs")),
    ("read graph", ALL, lambda c, a, i: c.get("/graph?format=dot")),
    ("read audit", ALL, lambda c, a, i: c.get("/audit")),
    ("read scorecard", ALL, lambda c, a, i: c.get("/scorecard")),
    ("read review queue", ALL, lambda c, a, i: c.get("/review")),
    ("open registration form", CONTRIB, lambda c, a, i: c.get("/tools/new")),
    (
        "register a requested tool",
        CONTRIB,
        lambda c, a, i: c.post(
            "/tools/new", data={"name": "New thing", "lifecycle": "requested", "currency": "USD"}
        ),
    ),
    (
        "register a tool as sanctioned (pre-existing estate)",
        IT,
        lambda c, a, i: c.post(
            "/tools/new",
            data={
                "name": "New thing",
                "lifecycle": "sanctioned",
                "currency": "USD",
                "estate_reason": "runs since 2019",
            },
        ),
    ),
    (
        "register a tool as sanctioned without an estate reason",
        set(),
        lambda c, a, i: c.post(
            "/tools/new", data={"name": "New thing", "lifecycle": "sanctioned", "currency": "USD"}
        ),
    ),
    ("open edit form of own tool", CONTRIB, lambda c, a, i: c.get("/tools/mine/edit")),
    ("open edit form of another team's tool", IT, lambda c, a, i: c.get("/tools/theirs/edit")),
    (
        "edit own tool",
        CONTRIB,
        lambda c, a, i: c.post(
            "/tools/mine/edit", data=_tool_form(a, "mine", description="Updated")
        ),
    ),
    (
        "edit another team's tool",
        IT,
        lambda c, a, i: c.post(
            "/tools/theirs/edit", data=_tool_form(a, "theirs", description="Updated")
        ),
    ),
    # Sanctioning an open request goes through the review's dual sign-off, for every role.
    # (a marketer's attempt is only a proposal, which IT's acceptance would refuse the same way)
    (
        "sanction a requested tool through the edit form",
        set(),
        lambda c, a, i: c.post(
            "/tools/mine/edit",
            data=_tool_form(a, "mine", lifecycle="sanctioned", decided_at="2026-11-22"),
        ),
        MKT,
    ),
    (
        "deprecate a requested tool through the edit form",
        set(),
        lambda c, a, i: c.post(
            "/tools/mine/edit", data=_tool_form(a, "mine", lifecycle="deprecated")
        ),
        MKT,
    ),
    *[
        (
            f"change {field} of own tool",
            IT,
            lambda c, a, i, field=field: c.post(
                "/tools/mine/edit", data=_tool_form(a, "mine", **{field: not MINE_CONTROLS[field]})
            ),
            MKT,
        )
        for field in CONTROLS
    ],
    # Owners cannot clear their own findings: the review dates and personal data are IT's.
    *[
        (
            f"rewrite {field} of own tool",
            IT,
            lambda c, a, i, field=field: c.post(
                "/tools/mine/edit", data=_tool_form(a, "mine", **{field: "2026-01-05"})
            ),
            MKT,
        )
        for field in ("requested_at", "retired_at", "decided_at")
    ],
    (
        "remove a personal data class from own tool",
        IT,
        lambda c, a, i: c.post("/tools/mine/edit", data=_tool_form(a, "mine", data_classes=[])),
        MKT,
    ),
    (
        "add a data class to own tool",
        CONTRIB,
        lambda c, a, i: c.post(
            "/tools/mine/edit", data=_tool_form(a, "mine", data_classes=["contact_pii", "consent"])
        ),
    ),
    (
        "change cost, seats and renewal of own tool",
        CONTRIB,
        lambda c, a, i: c.post(
            "/tools/mine/edit",
            data=_tool_form(a, "mine", annual_cost="1200", seats="5", renewal_date="2027-03-01"),
        ),
    ),
    (
        "register a tool with its security review ticked",
        IT,
        lambda c, a, i: c.post(
            "/tools/new",
            data={
                "name": "New thing",
                "lifecycle": "requested",
                "currency": "USD",
                "security_reviewed": "y",
            },
        ),
    ),
    (
        "delete a tool",
        IT,
        lambda c, a, i: c.post("/tools/mine/delete", data={"version": str(_version(a, "mine"))}),
    ),
    (
        "add a flow into own tool",
        CONTRIB,
        lambda c, a, i: c.post(
            "/flows/new",
            data={
                "source": "theirs",
                "target": "mine",
                "mechanism": "webhook",
                "data_classes": ["contact_pii"],
                "active": "y",
            },
        ),
    ),
    (
        "add a flow between others' tools",
        IT,
        lambda c, a, i: c.post(
            "/flows/new",
            data={"source": "hub", "target": "theirs", "mechanism": "webhook", "active": "y"},
        ),
    ),
    (
        "edit a flow of own tool",
        CONTRIB,
        lambda c, a, i: c.post(
            f"/flows/{i['flow_mine']}/edit",
            data=_form(i["flow_mine_record"], version=str(i["flow_mine_v"]), frequency="hourly"),
        ),
    ),
    (
        "mark own flow managed by IT",
        IT,
        lambda c, a, i: c.post(
            f"/flows/{i['flow_mine']}/edit",
            data=_form(i["flow_mine_record"], version=str(i["flow_mine_v"]), managed_by_it=True),
        ),
        MKT,
    ),
    (
        "mark own flow anonymized",
        IT,
        lambda c, a, i: c.post(
            f"/flows/{i['flow_mine']}/edit",
            data=_form(i["flow_mine_record"], version=str(i["flow_mine_v"]), anonymized=True),
        ),
        MKT,
    ),
    (
        "remove the personal data of own flow",
        IT,
        lambda c, a, i: c.post(
            f"/flows/{i['flow_mine']}/edit",
            data=_form(i["flow_mine_record"], version=str(i["flow_mine_v"]), data_classes=[]),
        ),
        MKT,
    ),
    (
        "deactivate a flow IT manages into own tool",
        IT,
        lambda c, a, i: c.post(
            f"/flows/{i['flow_managed']}/edit",
            data=_form(i["flow_managed_record"], version=str(i["flow_managed_v"]), active=False),
        ),
        MKT,
    ),
    (
        "delete a flow IT manages into own tool",
        IT,
        lambda c, a, i: c.post(
            f"/flows/{i['flow_managed']}/delete", data={"version": str(i["flow_managed_v"])}
        ),
        MKT,
    ),
    (
        "API: delete a flow IT manages into own tool",
        IT,
        lambda c, a, i: c.delete(
            f"/api/v1/flows/{i['flow_managed']}", headers={"If-Match": f'"{i["flow_managed_v"]}"'}
        ),
        MKT,
    ),
    (
        "edit another team's flow",
        IT,
        lambda c, a, i: c.post(
            f"/flows/{i['flow_theirs']}/edit",
            data=_form(
                i["flow_theirs_record"], version=str(i["flow_theirs_v"]), frequency="hourly"
            ),
        ),
    ),
    (
        "add a dependency of own tool",
        CONTRIB,
        lambda c, a, i: c.post(
            "/dependencies/new", data={"tool": "mine", "depends_on": "theirs", "kind": "data"}
        ),
    ),
    (
        "delete another team's dependency",
        IT,
        lambda c, a, i: c.post(
            f"/dependencies/{i['dep_theirs']}/delete", data={"version": str(i["dep_theirs_v"])}
        ),
    ),
    (
        "add a person",
        ADMIN,
        lambda c, a, i: c.post(
            "/people/new",
            data={"email": "new@example.com", "name": "New", "department": "it", "active": "y"},
        ),
    ),
    (
        "edit a person",
        ADMIN,
        lambda c, a, i: c.post(
            f"/people/{i['otto']}/edit",
            data={
                "email": "otto@example.com",
                "name": "Otto II",
                "department": "marketing",
                "active": "y",
                "version": str(i["otto_v"]),
            },
        ),
    ),
    ("start a review", IT, lambda c, a, i: c.post("/review/mine/start")),
    # Four-eyes: the business side is the business owner's (marketing) or an administrator's,
    # the technical side IT's or an administrator's; one account never signs both (see
    # tests/test_governance.py for the sequences).
    (
        "sign the business side of a request",
        {"marketing", "admin"},
        lambda c, a, i: c.post("/review/mine/signoff/business"),
    ),
    (
        "sign the technical side of a request",
        IT,
        lambda c, a, i: c.post("/review/mine/signoff/technical"),
    ),
    (
        "sign the business side of another team's request",
        ADMIN,
        lambda c, a, i: c.post("/review/theirs/signoff/business"),
    ),
    ("change the review SLA", ADMIN, lambda c, a, i: c.post("/review/sla", data={"sla_days": "7"})),
    ("API: list tools", ALL, lambda c, a, i: c.get("/api/v1/tools")),
    ("API: export bundle", ALL, lambda c, a, i: c.get("/api/v1/bundle")),
    (
        "API: create a requested tool",
        CONTRIB,
        lambda c, a, i: c.post("/api/v1/tools", json={"name": "Via API"}),
    ),
    (
        "API: create a sanctioned tool (pre-existing estate)",
        IT,
        lambda c, a, i: c.post(
            "/api/v1/tools",
            json={"name": "Via API", "lifecycle": "sanctioned", "estate_reason": "runs since 2019"},
        ),
    ),
    (
        "API: create a sanctioned tool without an estate reason",
        set(),
        lambda c, a, i: c.post(
            "/api/v1/tools", json={"name": "Via API", "lifecycle": "sanctioned"}
        ),
    ),
    (
        "API: replace own tool",
        CONTRIB,
        lambda c, a, i: c.put(
            "/api/v1/tools/mine", json=_api_tool(a, "mine", description="via API")
        ),
    ),
    (
        "API: replace another team's tool",
        IT,
        lambda c, a, i: c.put(
            "/api/v1/tools/theirs", json=_api_tool(a, "theirs", description="via API")
        ),
    ),
    (
        "API: sanction a requested tool",
        set(),
        lambda c, a, i: c.put(
            "/api/v1/tools/mine",
            json=_api_tool(a, "mine", lifecycle="sanctioned", decided_at="2026-11-22"),
        ),
        MKT,
    ),
    *[
        (
            f"API: change {field} of own tool",
            IT,
            lambda c, a, i, field=field: c.put(
                "/api/v1/tools/mine", json=_api_tool(a, "mine", **{field: not MINE_CONTROLS[field]})
            ),
            MKT,
        )
        for field in CONTROLS
    ],
    (
        "API: rewrite requested_at of own tool",
        IT,
        lambda c, a, i: c.put(
            "/api/v1/tools/mine", json=_api_tool(a, "mine", requested_at="2150-01-01")
        ),
        MKT,
    ),
    (
        "API: create a tool declared system of record",
        IT,
        lambda c, a, i: c.post("/api/v1/tools", json={"name": "Via API", "system_of_record": True}),
    ),
    (
        "API: sanction a requested tool by bundle",
        set(),
        lambda c, a, i: c.post(
            "/api/v1/bundle", json={"tools": [_api_tool(a, "mine", lifecycle="sanctioned")]}
        ),
    ),
    (
        "API: delete a tool",
        IT,
        lambda c, a, i: c.delete(
            "/api/v1/tools/theirs", headers={"If-Match": f'"{_version(a, "theirs")}"'}
        ),
    ),
    (
        "API: add a person",
        ADMIN,
        lambda c, a, i: c.post("/api/v1/people", json={"email": "api@example.com"}),
    ),
    (
        "API: import a bundle",
        ADMIN,
        lambda c, a, i: c.post("/api/v1/bundle", json={"people": [{"email": "b@example.com"}]}),
    ),
]


def _api_tool(app, slug, **changes):
    with app.app_context():
        tool = entities.tool_by_slug(db.session, slug)
        return records.tool_record(tool) | {"version": tool.version} | changes


def _stack(app):
    with app.app_context():
        s = db.session
        make_person(s, email="mia@example.com", name="Mia", department="marketing")
        make_person(s, email="otto@example.com", name="Otto", department="marketing")
        make_person(s, email="ivan@example.com", name="Ivan", department="it")
        make_tool(s, slug="hub", name="Hub", technical_owner="ivan@example.com")
        make_tool(
            s,
            slug="mine",
            name="Mine",
            business_owner="mia@example.com",
            technical_owner="ivan@example.com",
            data_classes=["contact_pii"],
            **MINE_CONTROLS,
        )
        make_tool(s, slug="theirs", name="Theirs", business_owner="otto@example.com")
        make_flow(s, "hub", "mine", data_classes=["contact_pii"])
        make_flow(s, "hub", "theirs")
        make_flow(s, "theirs", "mine", data_classes=["contact_pii"], managed_by_it=True)
        make_dependency(s, "mine", "hub")
        make_dependency(s, "theirs", "hub")
        s.commit()


def _changes(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(ChangeRecord.id)))


def _catalog(app):
    """Return every tool and flow record, to show that a proposal changed nothing yet."""
    with app.app_context():
        return (
            [records.tool_record(t) for t in db.session.scalars(sa.select(Tool))],
            [records.flow_record(f) for f in db.session.scalars(sa.select(DataFlow))],
        )


def _open_proposals(app) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count(Proposal.id)).where(Proposal.status == "open")
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name, allowed, call, proposed", [(*a, set())[:4] for a in ACTIONS], ids=[a[0] for a in ACTIONS]
)
def test_role_matrix(tmp_path, _postgres_schema, role, name, allowed, call, proposed):
    app = auth_app(tmp_path)
    _stack(app)
    add_user(app, EMAIL[role], role)
    client = app.test_client()
    assert login(client, EMAIL[role]).status_code == 302
    ids = _ids(app)
    before = _changes(app)
    catalog = _catalog(app)
    response = call(client, app, ids)
    if role in proposed:
        assert response.status_code in (200, 202, 302), (
            f"{role} should be able to propose to {name}: {response.status_code}"
        )
        assert _catalog(app) == catalog, f"{role}'s proposal to {name} took effect"
        assert _open_proposals(app) == 1
    elif role in allowed:
        assert response.status_code in (200, 201, 204, 302), (
            f"{role} should be able to {name}: {response.status_code} {response.text[:300]}"
        )
    else:
        assert response.status_code == 403, f"{role} must not {name}: {response.status_code}"
        assert _changes(app) == before
    with app.app_context():
        db.engine.dispose()


def test_signed_out_api_write_is_401_and_page_write_redirects(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    _stack(app)
    client = app.test_client()
    assert client.post("/api/v1/tools", json={"name": "X"}).status_code == 401
    response = client.post("/tools/new", data={"name": "X"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _changes(app) == 11  # only the stack
