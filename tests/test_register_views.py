"""The pages every register shares (views/generic.py), run for tools, people, flows and
dependencies (tests/register_cases.py): the list, create, edit, stale edit, delete, 404 and roles.

What is particular to one register (the tool page's lists, prefilled flow links, people's
owned tools) is tested in test_views_<register>.py.
"""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from catalog.extensions import db
from tests.accounts import add_user
from tests.accounts import signed_in
from tests.factories import seed
from tests.pages import count
from tests.pages import error_beside
from tests.pages import form_data
from tests.pages import selected
from tests.register_cases import BY_KIND
from tests.register_cases import CASES
from tests.register_cases import CREATED
from tests.register_cases import EDITS
from tests.register_cases import INVALID
from tests.register_cases import INVALID_BASE
from tests.register_cases import Case
from tests.service_checks import change_keys


@pytest.fixture(params=CASES, ids=str)
def case(request: pytest.FixtureRequest) -> Case:
    return t.cast(Case, request.param)


def seed_case(app: Flask, case: Case) -> t.Any:
    """Seed the register's record (and what it needs); return its URL key."""
    seed(app, case.setup)
    return seed(app, lambda s: case.key_of(case.make(s)))


@pytest.fixture
def key(app: Flask, case: Case) -> t.Any:
    return seed_case(app, case)


def edit_form(app: Flask, case: Case, key: t.Any, **changes: t.Any) -> dict[str, t.Any]:
    """Return the record's edit form as the browser posts it, with `changes` made."""
    with app.app_context():
        obj = case.get(db.session, key)
        return form_data(case.record(obj) | changes) | {"version": str(obj.version)}


def value(app: Flask, case: Case, key: t.Any, name: str) -> t.Any:
    with app.app_context():
        return getattr(case.get(db.session, key), name)


def theirs(app: Flask, case: Case, key: t.Any) -> None:
    """Someone else saves a change to the record (version 1 -> 2) while our form is open."""
    _, (name, new, _shown) = EDITS[case.kind]

    def save(s: t.Any) -> None:
        obj = case.get(s, key)
        case.save(s, case.record(obj) | {name: new}, actor="it@example.com", **{case.kind: obj})

    seed(app, save)


def test_list_shows_the_record_with_its_edit_link(app: Flask, client, case: Case, key) -> None:
    html = client.get(case.prefix).text
    assert case.shown in html
    assert f'href="{case.prefix}/{key}/edit"' in html or case.kind == "tool"


@pytest.mark.parametrize("case", [c for c in CASES if c.prefill], ids=str, indirect=True)
def test_create_form_is_prefilled_from_the_query(app: Flask, client, case: Case, key) -> None:
    name, value = case.prefill
    assert selected(client.get(f"{case.prefix}/new?{name}={value}").text, name) == value


def test_create_records_the_change(app: Flask, client, case: Case, key) -> None:
    assert client.get(f"{case.prefix}/new").status_code == 200
    before = count(app, case.model)
    data, change_key, location = CREATED[case.kind]
    response = client.post(f"{case.prefix}/new", data=data)
    assert response.status_code == 302 and response.headers["Location"] == location
    assert count(app, case.model) == before + 1
    assert change_keys(app, case.kind)[-1] == ("create", change_key)


@pytest.mark.parametrize(("kind", "data", "field", "message"), INVALID)
def test_invalid_create_names_the_field_and_writes_nothing(
    app: Flask, client, kind: str, data: dict, field: str, message: str
) -> None:
    case = BY_KIND[kind]
    seed_case(app, case)
    before, log = count(app, case.model), change_keys(app, case.kind)
    response = client.post(f"{case.prefix}/new", data=INVALID_BASE[kind] | data)
    assert response.status_code == 422
    assert message in error_beside(response.text, field)
    assert "Nothing was saved" in response.text
    assert count(app, case.model) == before and change_keys(app, case.kind) == log


def test_edit_saves_and_records_the_change(app: Flask, client, case: Case, key) -> None:
    form = client.get(f"{case.prefix}/{key}/edit").text
    assert 'name="version" type="hidden" value="1"' in form
    (name, new), _ = EDITS[case.kind]
    response = client.post(
        f"{case.prefix}/{key}/edit", data=edit_form(app, case, key, **{name: new})
    )
    assert response.status_code == 302
    assert value(app, case, key, name) == new
    assert change_keys(app, case.kind)[-1][0] == "update"


def test_stale_edit_is_refused_with_409_and_overwrites_nothing(
    app: Flask, client, case: Case, key
) -> None:
    (name, new), _ = EDITS[case.kind]
    data = edit_form(app, case, key, **{name: new})  # opened at version 1
    theirs(app, case, key)
    _, (their_field, their_value, shown) = EDITS[case.kind]
    stale = client.post(f"{case.prefix}/{key}/edit", data=data)
    assert stale.status_code == 409
    assert f"This {case.kind} changed since you opened it" in stale.text
    assert f'<td class="now">{shown}</td>' in stale.text and "it@example.com" in stale.text
    assert 'name="version" type="hidden" value="2"' in stale.text  # ready to re-apply
    assert value(app, case, key, their_field) == their_value
    assert value(app, case, key, name) != new
    # Re-applied on top of the newer version, the edit goes through and keeps theirs.
    again = client.post(
        f"{case.prefix}/{key}/edit",
        data=data | {"version": "2", their_field: "y" if their_value is True else their_value},
    )
    assert again.status_code == 302
    assert value(app, case, key, name) == new and value(app, case, key, their_field) == their_value


def test_delete_confirmation_lists_what_goes(app: Flask, client, case: Case, key) -> None:
    response = client.get(f"{case.prefix}/{key}/delete")
    assert response.status_code == 200
    for text in case.goes:
        assert text in response.text
    assert 'name="version" type="hidden" value="1"' in response.text


def test_delete_removes_and_records(app: Flask, client, case: Case, key) -> None:
    before = count(app, case.model)
    assert client.delete(f"{case.prefix}/{key}/delete").status_code == 405
    response = client.post(f"{case.prefix}/{key}/delete", data={"version": "1"})
    assert response.status_code == 302 and response.headers["Location"] == case.prefix
    assert count(app, case.model) == before - 1
    assert change_keys(app, case.kind)[-1][0] == "delete"


def test_stale_delete_is_refused_with_409(app: Flask, client, case: Case, key) -> None:
    theirs(app, case, key)
    response = client.post(f"{case.prefix}/{key}/delete", data={"version": "1"})
    assert response.status_code == 409
    assert f"This {case.kind} changed since you opened it" in response.text
    assert f'<td class="now">{EDITS[case.kind][1][2]}</td>' in response.text
    assert value(app, case, key, "version") == 2
    assert change_keys(app, case.kind)[-1][0] == "update"


@pytest.mark.parametrize("page", ["edit", "delete"])
def test_unknown_key_is_404(app: Flask, client, case: Case, key, page: str) -> None:
    assert client.get(f"{case.prefix}/{case.unknown}/{page}").status_code == 404
    assert (
        client.post(f"{case.prefix}/{case.unknown}/{page}", data={"version": "1"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("role", "email"), [("marketing", "mia@example.com"), ("it", "ivan@example.com")]
)
def test_roles_edit_and_delete_as_the_rules_say(
    app: Flask, case: Case, key, role: str, email: str
) -> None:
    """A marketer who owns nothing changes nothing; IT changes what IT governs (not people)."""
    add_user(app, email, role)
    client = signed_in(app, email)
    allowed = role == "it" and case.it_may_change
    log = change_keys(app, case.kind)
    (name, new), _ = EDITS[case.kind]
    edit = client.post(f"{case.prefix}/{key}/edit", data=edit_form(app, case, key, **{name: new}))
    assert edit.status_code == (302 if allowed else 403)
    assert client.get(f"{case.prefix}/{key}/delete").status_code == (200 if allowed else 403)
    if not allowed:
        assert client.post(f"{case.prefix}/{key}/delete", data={"version": "1"}).status_code == 403
        assert value(app, case, key, name) != new and change_keys(app, case.kind) == log
    else:
        assert value(app, case, key, name) == new
