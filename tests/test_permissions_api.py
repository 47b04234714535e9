"""Every role against every action of the JSON API, with sign-in enforced (see tests/roles.py)."""

from __future__ import annotations

from tests.accounts import auth_app
from tests.roles import ADMIN
from tests.roles import ALL
from tests.roles import CONTRIB
from tests.roles import IT
from tests.roles import MKT
from tests.roles import STACK_CHANGES
from tests.roles import Action
from tests.roles import api_tool
from tests.roles import change_count
from tests.roles import check
from tests.roles import control_actions
from tests.roles import estate_actions
from tests.roles import get
from tests.roles import put_tool
from tests.roles import register
from tests.roles import role_matrix
from tests.roles import stack
from tests.roles import tool_edits
from tests.roles import version

create_tool = register(api=True)

READS = {"API: list tools": "/api/v1/tools", "API: export bundle": "/api/v1/bundle"}

ACTIONS: list[Action] = [
    (
        "API: delete a flow IT manages into own tool",
        IT,
        lambda c, a, i: c.delete(
            f"/api/v1/flows/{i['flow_managed']}", headers={"If-Match": f'"{i["flow_managed_v"]}"'}
        ),
        MKT,
    ),
    *[(name, ALL, get(path)) for name, path in READS.items()],
    ("API: create a requested tool", CONTRIB, create_tool()),
    *estate_actions("API: create a sanctioned tool", create_tool),
    *tool_edits(
        (
            "API: replace own tool",
            "API: replace another team's tool",
            "API: sanction a requested tool",
        ),
        put_tool,
        "via API",
    ),
    *control_actions("API: ", put_tool),
    ("API: rewrite requested_at of own tool", IT, put_tool("mine", requested_at="2150-01-01"), MKT),
    ("API: create a tool declared system of record", IT, create_tool(system_of_record=True)),
    (
        "API: sanction a requested tool by bundle",
        set(),
        lambda c, a, i: c.post(
            "/api/v1/bundle", json={"tools": [api_tool(a, "mine", lifecycle="sanctioned")]}
        ),
    ),
    (
        "API: delete a tool",
        IT,
        lambda c, a, i: c.delete(
            "/api/v1/tools/theirs", headers={"If-Match": f'"{version(a, "theirs")}"'}
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


@role_matrix(ACTIONS)
def test_role_matrix(tmp_path, _postgres_schema, role, name, allowed, call, proposed):
    check(tmp_path, role, name, allowed, call, proposed)


def test_signed_out_api_write_is_401_and_page_write_redirects(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    stack(app)
    client = app.test_client()
    assert client.post("/api/v1/tools", json={"name": "X"}).status_code == 401
    response = client.post("/tools/new", data={"name": "X"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert change_count(app) == STACK_CHANGES  # only the stack
