"""The role matrix's catalog and its runner, shared by tests/test_permissions_*.py.

Mia (marketing) is the business owner of `mine`; Otto (marketing) owns `theirs`; `hub` is IT's.
An allowed action must succeed (2xx/3xx), a forbidden one must be refused with 403 and change
nothing. A change that is IT's decision, made by a marketer on their own tool or flow, is
*proposed*: the answer is a success (2xx/3xx), the catalog's records stay as they were, and one
open proposal waits for IT in the review queue.

An action is (name, allowed roles, request[, roles whose request becomes a proposal]), where
request(client, app, ids) sends it and `ids` are the stack's flow, dependency and person ids.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

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
# Vera views, Mia markets, Ivan is IT, Ada administers.
NAMES = ("vera", "mia", "ivan", "ada")
EMAIL = {role: f"{name}@example.com" for role, name in zip(ROLES, NAMES, strict=True)}
ALL, CONTRIB, IT, ADMIN = set(ROLES), {"marketing", "it", "admin"}, {"it", "admin"}, {"admin"}
MKT = {"marketing"}  # the roles whose change becomes a proposal (4th element of an action)
CONTROLS = ("security_reviewed", "dpa_signed", "sso_enabled", "system_of_record")
# `mine` starts with one control already ticked, so "change" covers ticking and unticking.
MINE_CONTROLS = dict.fromkeys(CONTROLS, False) | {"dpa_signed": True}
STACK_CHANGES = 11  # the change records `stack` writes

Action = tuple[t.Any, ...]
Request = t.Callable[..., t.Any]


def form(record: dict[str, t.Any], **changes: t.Any) -> dict[str, t.Any]:
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


def tool_form(app: Flask, slug: str, **changes: t.Any) -> dict[str, t.Any]:
    with app.app_context():
        tool = entities.tool_by_slug(db.session, slug)
        return form(records.tool_record(tool) | {"version": str(tool.version)}, **changes)


def api_tool(app: Flask, slug: str, **changes: t.Any) -> dict[str, t.Any]:
    with app.app_context():
        tool = entities.tool_by_slug(db.session, slug)
        return records.tool_record(tool) | {"version": tool.version} | changes


def version(app: Flask, slug: str) -> int:
    with app.app_context():
        return entities.tool_by_slug(db.session, slug).version


def get(path: str) -> Request:
    return lambda c, a, i: c.get(path)


def edit_tool(slug: str, **changes: t.Any) -> Request:
    """The edit form of tool `slug`, posted with `changes`."""
    return lambda c, a, i: c.post(f"/tools/{slug}/edit", data=tool_form(a, slug, **changes))


def put_tool(slug: str, **changes: t.Any) -> Request:
    """The API's replacement of tool `slug` with `changes`."""
    return lambda c, a, i: c.put(f"/api/v1/tools/{slug}", json=api_tool(a, slug, **changes))


def edit_flow(which: str, **changes: t.Any) -> Request:
    """The edit form of flow `which` ("mine", "theirs" or "managed"), posted with `changes`."""
    return lambda c, a, i: c.post(
        f"/flows/{i[f'flow_{which}']}/edit",
        data=form(i[f"flow_{which}_record"], version=str(i[f"flow_{which}_v"]), **changes),
    )


def control_actions(prefix: str, send: t.Callable[..., Request]) -> list[Action]:
    """Ticking or unticking a control of one's own tool is IT's decision: a marketer proposes."""
    return [
        (
            f"{prefix}change {field} of own tool",
            IT,
            send("mine", **{field: not MINE_CONTROLS[field]}),
            MKT,
        )
        for field in CONTROLS
    ]


NEW_TOOL = {"name": "New thing", "lifecycle": "requested", "currency": "USD"}


def register(api: bool) -> t.Callable[..., Request]:
    """Registering a tool with `raw` fields: on the registration form, or with `api` through the
    API (a request, in USD, unless `raw` says otherwise)."""

    def send(**raw: t.Any) -> Request:
        if api:
            return lambda c, a, i: c.post("/api/v1/tools", json={"name": "Via API"} | raw)
        return lambda c, a, i: c.post("/tools/new", data=NEW_TOOL | raw)

    return send


def tool_edits(
    names: tuple[str, str, str], send: t.Callable[..., Request], text: str
) -> list[Action]:
    """Editing one's own tool is a contributor's, another team's IT's. Sanctioning an open request
    this way is nobody's: it goes through the review's dual sign-off, for every role (a marketer's
    attempt is only a proposal, which IT's acceptance would refuse the same way)."""
    own, others, sanction = names
    return [
        (own, CONTRIB, send("mine", description=text)),
        (others, IT, send("theirs", description=text)),
        (sanction, set(), send("mine", lifecycle="sanctioned", decided_at="2026-11-22"), MKT),
    ]


def estate_actions(what: str, create: t.Callable[..., Request]) -> list[Action]:
    """A tool starts sanctioned only as pre-existing estate, registered by IT with a reason."""
    sanctioned = {"lifecycle": "sanctioned"}
    return [
        (
            f"{what} (pre-existing estate)",
            IT,
            create(**sanctioned, estate_reason="runs since 2019"),
        ),
        (f"{what} without an estate reason", set(), create(**sanctioned)),
    ]


def ids(app: Flask) -> dict[str, t.Any]:
    with app.app_context():
        flows = {
            f.target.slug if f.source.slug == "hub" else "managed": f
            for f in db.session.scalars(sa.select(DataFlow))
        }
        deps = {d.tool.slug: d for d in db.session.scalars(sa.select(Dependency))}
        otto = db.session.scalar(sa.select(Person).where(Person.email == "otto@example.com"))
        found: dict[str, t.Any] = {"otto": otto.id, "otto_v": otto.version}
        for which, flow in flows.items():
            found |= {
                f"flow_{which}": flow.id,
                f"flow_{which}_v": flow.version,
                f"flow_{which}_record": records.flow_record(flow),
            }
        return found | {"dep_theirs": deps["theirs"].id, "dep_theirs_v": deps["theirs"].version}


def stack(app: Flask) -> None:
    with app.app_context():
        s = db.session
        make_person(s, email="mia@example.com", name="Mia", department="marketing")
        make_person(s, email="otto@example.com", name="Otto", department="marketing")
        make_person(s, email="ivan@example.com", name="Ivan", department="it")
        make_tool(s, slug="hub", name="Hub", technical_owner="ivan@example.com")
        owners = {"business_owner": "mia@example.com", "technical_owner": "ivan@example.com"}
        make_tool(
            s, slug="mine", name="Mine", data_classes=["contact_pii"], **owners | MINE_CONTROLS
        )
        make_tool(s, slug="theirs", name="Theirs", business_owner="otto@example.com")
        make_flow(s, "hub", "mine", data_classes=["contact_pii"])
        make_flow(s, "hub", "theirs")
        make_flow(s, "theirs", "mine", data_classes=["contact_pii"], managed_by_it=True)
        make_dependency(s, "mine", "hub")
        make_dependency(s, "theirs", "hub")
        s.commit()


def change_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(ChangeRecord.id)))


def catalog(app: Flask) -> tuple[list[t.Any], list[t.Any]]:
    """Return every tool and flow record, to show that a proposal changed nothing yet."""
    with app.app_context():
        return (
            [records.tool_record(t) for t in db.session.scalars(sa.select(Tool))],
            [records.flow_record(f) for f in db.session.scalars(sa.select(DataFlow))],
        )


def open_proposals(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count(Proposal.id)).where(Proposal.status == "open")
        )


def role_matrix(actions: list[Action]) -> t.Callable[[t.Any], t.Any]:
    """Parametrize a test over every role and action: role, name, allowed, call, proposed."""
    by_role = pytest.mark.parametrize("role", ROLES)
    by_action = pytest.mark.parametrize(
        "name, allowed, call, proposed",
        [(*a, set())[:4] for a in actions],
        ids=[a[0] for a in actions],
    )
    return lambda test: by_role(by_action(test))


def check(
    tmp_path: Path, role: str, name: str, allowed: set[str], call: Request, proposed: set[str]
) -> None:
    """Sign in as `role` on the stack, send the action, and check what became of it."""
    app = auth_app(tmp_path)
    stack(app)
    add_user(app, EMAIL[role], role)
    client = app.test_client()
    assert login(client, EMAIL[role]).status_code == 302
    before = change_count(app)
    records_before = catalog(app)
    response = call(client, app, ids(app))
    if role in proposed:
        assert response.status_code in (200, 202, 302), (
            f"{role} should be able to propose to {name}: {response.status_code}"
        )
        assert catalog(app) == records_before, f"{role}'s proposal to {name} took effect"
        assert open_proposals(app) == 1
    elif role in allowed:
        assert response.status_code in (200, 201, 204, 302), (
            f"{role} should be able to {name}: {response.status_code} {response.text[:300]}"
        )
    else:
        assert response.status_code == 403, f"{role} must not {name}: {response.status_code}"
        assert change_count(app) == before
    with app.app_context():
        db.engine.dispose()
