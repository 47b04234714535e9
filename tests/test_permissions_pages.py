"""Every role against every action on the pages, with sign-in enforced (see tests/roles.py)."""

from __future__ import annotations

from tests.roles import ADMIN
from tests.roles import ALL
from tests.roles import CONTRIB
from tests.roles import IT
from tests.roles import MKT
from tests.roles import Action
from tests.roles import check
from tests.roles import control_actions
from tests.roles import edit_flow
from tests.roles import edit_tool
from tests.roles import estate_actions
from tests.roles import form
from tests.roles import get
from tests.roles import register
from tests.roles import role_matrix
from tests.roles import tool_edits
from tests.roles import version

new_tool = register(api=False)

# Every role may read every page.
READS = {
    "tool list": "/tools",
    "tool page": "/tools/theirs",
    "graph": "/graph?format=dot",
    "audit": "/audit",
    "scorecard": "/scorecard",
    "review queue": "/review",
}

ACTIONS: list[Action] = [
    *[(f"read {page}", ALL, get(path)) for page, path in READS.items()],
    ("open registration form", CONTRIB, get("/tools/new")),
    ("register a requested tool", CONTRIB, new_tool()),
    *estate_actions("register a tool as sanctioned", new_tool),
    ("open edit form of own tool", CONTRIB, get("/tools/mine/edit")),
    ("open edit form of another team's tool", IT, get("/tools/theirs/edit")),
    *tool_edits(
        (
            "edit own tool",
            "edit another team's tool",
            "sanction a requested tool through the edit form",
        ),
        edit_tool,
        "Updated",
    ),
    (
        "deprecate a requested tool through the edit form",
        set(),
        edit_tool("mine", lifecycle="deprecated"),
        MKT,
    ),
    *control_actions("", edit_tool),
    # Owners cannot clear their own findings: the review dates and personal data are IT's.
    *[
        (f"rewrite {field} of own tool", IT, edit_tool("mine", **{field: "2026-01-05"}), MKT)
        for field in ("requested_at", "retired_at", "decided_at")
    ],
    ("remove a personal data class from own tool", IT, edit_tool("mine", data_classes=[]), MKT),
    (
        "add a data class to own tool",
        CONTRIB,
        edit_tool("mine", data_classes=["contact_pii", "consent"]),
    ),
    (
        "change cost, seats and renewal of own tool",
        CONTRIB,
        edit_tool("mine", annual_cost="1200", seats="5", renewal_date="2027-03-01"),
    ),
    ("register a tool with its security review ticked", IT, new_tool(security_reviewed="y")),
    (
        "delete a tool",
        IT,
        lambda c, a, i: c.post("/tools/mine/delete", data={"version": str(version(a, "mine"))}),
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
    ("edit a flow of own tool", CONTRIB, edit_flow("mine", frequency="hourly")),
    ("mark own flow managed by IT", IT, edit_flow("mine", managed_by_it=True), MKT),
    ("mark own flow anonymized", IT, edit_flow("mine", anonymized=True), MKT),
    ("remove the personal data of own flow", IT, edit_flow("mine", data_classes=[]), MKT),
    ("deactivate a flow IT manages into own tool", IT, edit_flow("managed", active=False), MKT),
    (
        "delete a flow IT manages into own tool",
        IT,
        lambda c, a, i: c.post(
            f"/flows/{i['flow_managed']}/delete", data={"version": str(i["flow_managed_v"])}
        ),
        MKT,
    ),
    ("edit another team's flow", IT, edit_flow("theirs", frequency="hourly")),
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
            data=form(
                {"email": "otto@example.com", "name": "Otto II", "department": "marketing"},
                active=True,
                version=str(i["otto_v"]),
            ),
        ),
    ),
    ("start a review", IT, lambda c, a, i: c.post("/review/mine/start")),
    # Four-eyes: the business side is the business owner's (marketing) or an administrator's,
    # the technical side IT's or an administrator's; one account never signs both (see
    # tests/test_governance_signoffs.py for the sequences).
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
]


@role_matrix(ACTIONS)
def test_role_matrix(tmp_path, _postgres_schema, role, name, allowed, call, proposed):
    check(tmp_path, role, name, allowed, call, proposed)
