"""Each rule of docs/governance.md, positive and negative, with boundaries, on literal snapshots."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.analysis.audit import in_use
from catalog.analysis.registry import SHADOW_DISCOVERED
from catalog.analysis.registry import SHADOW_REJECTED_IN_USE
from catalog.analysis.registry import SHADOW_RETIRED_IN_USE
from catalog.analysis.registry import SHADOW_UNAPPROVED
from catalog.analysis.snapshot import PersonRec
from tests.analysis.helpers import AS_OF
from tests.analysis.helpers import IAN
from tests.analysis.helpers import MIA
from tests.analysis.helpers import PII
from tests.analysis.helpers import audit
from tests.analysis.helpers import dep
from tests.analysis.helpers import finding
from tests.analysis.helpers import flow
from tests.analysis.helpers import rules_for
from tests.analysis.helpers import seen
from tests.analysis.helpers import snap
from tests.analysis.helpers import tool

CRM = tool("crm", system_of_record=True, category="crm")
IPAAS = "ipaas-cloud-data-integration-tag-management"


def days(n: int) -> timedelta:
    return timedelta(days=n)


@pytest.mark.parametrize(("age", "used"), [(0, True), (90, True), (91, False), (-1, False)])
def test_a_sighting_is_recent_up_to_90_days_and_never_after_as_of(age: int, used: bool) -> None:
    s = snap(
        [CRM, tool("canva", lifecycle="discovered")], sightings=[seen("canva", AS_OF - days(age))]
    )
    assert ("canva" in in_use(s, AS_OF)) is used
    assert ("SHADOW_DISCOVERED" in rules_for(audit(s), "canva")) is used


def test_an_active_flow_puts_both_ends_in_use_and_an_inactive_one_does_not() -> None:
    s = snap(
        [
            CRM,
            tool("a", lifecycle="requested"),
            tool("b", lifecycle="requested"),
            tool("c", lifecycle="requested"),
            tool("d", lifecycle="requested"),
        ],
        flows=[flow("a", "b"), flow("c", "d", active=False)],
    )
    assert in_use(s, AS_OF) == {"crm", "a", "b"}


def test_a_request_nobody_uses_is_not_shadow_it() -> None:
    result = audit(snap([CRM, tool("idea", lifecycle="requested")]))
    assert [x.tool for x in result.shadow] == []
    assert rules_for(result, "idea") == set()


# A tool in use with each unsanctioned lifecycle: the rule it is shadow IT by, and the severity.
SHADOW_BY_LIFECYCLE = {
    "discovered": (SHADOW_DISCOVERED, "high"),
    "requested": (SHADOW_UNAPPROVED, "high"),
    "in_review": (SHADOW_UNAPPROVED, "high"),
    "rejected": (SHADOW_REJECTED_IN_USE, "critical"),
    "retired": (SHADOW_RETIRED_IN_USE, "critical"),
}


@pytest.mark.parametrize("lifecycle", SHADOW_BY_LIFECYCLE)
def test_each_shadow_reason_and_its_severity(lifecycle: str) -> None:
    rule, severity = SHADOW_BY_LIFECYCLE[lifecycle]
    reason = rule.id
    result = audit(
        snap([CRM, tool("x", lifecycle=lifecycle)], sightings=[seen("x", AS_OF - days(3))])
    )
    assert [(s.tool, s.reasons, s.severity) for s in result.shadow] == [("x", (reason,), severity)]
    assert finding(result, reason, "x").severity == severity
    assert finding(result, reason, "x").subject_type == "tool"


def test_shadow_holding_customer_data_is_critical_and_sanctioned_is_never_shadow() -> None:
    result = audit(
        snap(
            [
                CRM,
                tool("canva", lifecycle="discovered", data_classes=PII),
                tool("old", lifecycle="deprecated"),
            ],
            sightings=[seen("canva", AS_OF)],
        )
    )
    assert [(s.tool, s.severity) for s in result.shadow] == [("canva", "critical")]


def test_unmanaged_personal_flow_is_high_and_critical_into_shadow_it() -> None:
    result = audit(
        snap(
            [
                CRM,
                tool("esp", category="email-marketing"),
                tool("zap", lifecycle="discovered", category=IPAAS),
            ],
            flows=[
                flow("crm", "esp", "contact_pii", managed_by_it=False, mechanism="manual_export"),
                flow("crm", "zap", "behavioral", managed_by_it=False),
                flow("esp", "crm", "contact_pii", managed_by_it=False, anonymized=True),
                flow("zap", "crm", "campaign_metrics", managed_by_it=False),
                flow("esp", "zap", "contact_pii"),
            ],
        )
    )
    flows = {
        (f.subject_key, f.severity)
        for f in result.findings
        if f.rule == "FLOW_UNMANAGED_PERSONAL_DATA"
    }
    assert flows == {("crm->esp", "high"), ("crm->zap", "critical")}
    message = finding(result, "FLOW_UNMANAGED_PERSONAL_DATA", "crm->esp").message
    assert message.startswith("Crm sends customer contact data to Esp by manual export")


def test_flows_between_one_pair_by_two_mechanisms_are_one_finding() -> None:
    result = audit(
        snap(
            [CRM, tool("esp"), tool("zap", lifecycle="discovered")],
            flows=[
                flow("crm", "esp", "contact_pii", managed_by_it=False, mechanism="manual_export"),
                flow("crm", "esp", "behavioral", managed_by_it=False, mechanism="api"),
                flow("crm", "esp", "transactional", mechanism="webhook"),  # managed: not counted
                flow("crm", "zap", "consent", managed_by_it=False, mechanism="api"),
                flow(
                    "crm",
                    "zap",
                    "contact_pii",
                    managed_by_it=False,
                    mechanism="webhook",
                    anonymized=True,
                ),
            ],
        )
    )
    found = [
        (f.subject_key, f.severity)
        for f in result.findings
        if f.rule == "FLOW_UNMANAGED_PERSONAL_DATA"
    ]
    assert found == [("crm->zap", "critical"), ("crm->esp", "high")]
    message = finding(result, "FLOW_UNMANAGED_PERSONAL_DATA", "crm->esp").message
    assert message == (
        "Crm sends customer behavioral and contact data to Esp by API and manual "
        "export without IT managing the flows; have IT take them over as a managed "
        "integration or stop them."
    )
    assert finding(result, "FLOW_UNMANAGED_PERSONAL_DATA", "crm->zap").message.startswith(
        "Crm sends customer consent data to Zap by API without IT managing the flow (and Zap "
        "is shadow IT)"
    )


def test_missing_owners_are_medium_and_only_for_tools_in_use() -> None:
    result = audit(
        snap(
            [
                CRM,
                tool("esp", business_owner=None, technical_owner=None),
                tool("idea", lifecycle="requested", business_owner=None),
            ]
        )
    )
    assert finding(result, "OWNER_MISSING_BUSINESS", "esp").severity == "medium"
    assert finding(result, "OWNER_MISSING_TECHNICAL", "esp").severity == "medium"
    assert rules_for(result, "idea") == set()
    assert rules_for(result, "crm") == set()


def test_departed_owner_is_high_and_names_the_person() -> None:
    gone = PersonRec("gone@x.com", "Greta Gone", "marketing", active=False)
    result = audit(snap([CRM, tool("esp", business_owner=gone.email)], people=[MIA, IAN, gone]))
    f = finding(result, "OWNER_DEPARTED", "esp")
    assert f.severity == "high"
    assert "Greta Gone <gone@x.com> has left the company" in f.message
    assert "OWNER_DEPARTED" not in rules_for(result, "crm")


def test_owner_on_the_wrong_side_is_low() -> None:
    sales = PersonRec("sam@x.com", "Sam Sales", "Sales")
    result = audit(
        snap(
            [CRM, tool("esp", business_owner=IAN.email, technical_owner=sales.email)],
            people=[MIA, IAN, sales],
        )
    )
    f = finding(result, "OWNER_WRONG_SIDE", "esp")
    assert f.severity == "low"
    assert "business owner Ian It <ian@x.com> is in it, not marketing" in f.message
    assert "technical owner Sam Sales <sam@x.com> is in Sales, not IT" in f.message
    assert "OWNER_WRONG_SIDE" not in rules_for(result, "crm")


def test_personal_data_exposure_lists_the_missing_controls() -> None:
    result = audit(
        snap(
            [
                CRM,
                tool("esp", data_classes=PII, sso_enabled=False, dpa_signed=False),
                tool("cms", sso_enabled=False),
            ]
        )
    )
    f = finding(result, "PERSONAL_DATA_EXPOSURE", "esp")
    assert f.severity == "high"
    assert "without a signed DPA or SSO" in f.message
    assert "PERSONAL_DATA_EXPOSURE" not in rules_for(result, "cms")  # no customer data


def test_customer_data_can_arrive_by_flow_but_not_by_anonymized_flow() -> None:
    result = audit(
        snap(
            [CRM, tool("esp", sso_enabled=False), tool("bi", sso_enabled=False)],
            flows=[
                flow("crm", "esp", "behavioral"),
                flow("crm", "bi", "behavioral", anonymized=True),
            ],
        )
    )
    assert "PERSONAL_DATA_EXPOSURE" in rules_for(result, "esp")
    assert "PERSONAL_DATA_EXPOSURE" not in rules_for(result, "bi")


@pytest.mark.parametrize(("first_seen", "expected"), [(-30, True), (0, False), (5, False)])
def test_used_before_approval_gives_the_lead_in_days(first_seen: int, expected: bool) -> None:
    decided = AS_OF - days(100)
    result = audit(
        snap(
            [CRM, tool("esp", decided_at=decided)],
            sightings=[seen("esp", AS_OF, first=decided + days(first_seen))],
        )
    )
    assert ("USED_BEFORE_APPROVAL" in rules_for(result, "esp")) is expected
    if expected:
        f = finding(result, "USED_BEFORE_APPROVAL", "esp")
        assert f.severity == "medium"
        assert "30 days before IT approved it on 2026-08-14" in f.message


@pytest.mark.parametrize(("waited", "overdue"), [(10, False), (11, True)])
def test_review_overdue_after_the_sla(waited: int, overdue: bool) -> None:
    result = audit(
        snap([CRM, tool("esp", lifecycle="in_review", requested_at=AS_OF - days(waited))])
    )
    assert ("REVIEW_OVERDUE" in rules_for(result, "esp")) is overdue
    assert result.summary["overdue_requests"] == int(overdue)


def test_review_sla_is_configurable() -> None:
    s = snap([CRM, tool("esp", lifecycle="requested", requested_at=AS_OF - days(11))])
    assert "REVIEW_OVERDUE" not in rules_for(audit(s, sla_days=20), "esp")
    assert "has waited 11 days" in finding(audit(s), "REVIEW_OVERDUE", "esp").message


def test_redundant_tools_names_them_and_sums_their_cost() -> None:
    result = audit(
        snap(
            [
                CRM,
                tool("esp", name="Mailchimp", category="email-marketing", annual_cost=1000.0),
                tool("esp2", name="Brevo", category="email-marketing", annual_cost=500.0),
                tool("unused", lifecycle="requested", category="email-marketing"),
            ]
        )
    )
    f = finding(result, "REDUNDANT_TOOLS", "email-marketing")
    assert (f.severity, f.subject_type) == ("low", "category")
    assert "2 tools in use for Email marketing: Brevo and Mailchimp" in f.message
    assert "USD 1,500 a year" in f.message
    assert "REDUNDANT_TOOLS" not in rules_for(result, "crm")


@pytest.mark.parametrize(("ahead", "expected"), [(0, True), (90, True), (91, False), (-1, False)])
def test_renewal_at_risk_window(ahead: int, expected: bool) -> None:
    gone = PersonRec("gone@x.com", "Greta Gone", "marketing", active=False)
    result = audit(
        snap(
            [CRM, tool("esp", business_owner=gone.email, renewal_date=AS_OF + days(ahead))],
            people=[MIA, IAN, gone],
        )
    )
    assert ("RENEWAL_AT_RISK" in rules_for(result, "esp")) is expected


def test_renewal_needs_another_high_or_critical_finding() -> None:
    result = audit(snap([CRM, tool("esp", business_owner=None, renewal_date=AS_OF + days(5))]))
    assert rules_for(result, "esp") == {"OWNER_MISSING_BUSINESS"}  # medium only


def test_single_points_of_failure_are_articulation_points_of_in_use_tools() -> None:
    result = audit(
        snap(
            [CRM, tool("esp"), tool("bi"), tool("sso"), tool("idea", lifecycle="requested")],
            flows=[flow("crm", "esp"), flow("crm", "bi", active=False)],
            deps=[dep("bi", "sso"), dep("crm", "sso"), dep("idea", "esp")],
        )
    )
    spof = {f.subject_key for f in result.findings if f.rule == "SINGLE_POINT_OF_FAILURE"}
    # esp - crm - sso - bi is a path; idea is not in use and the crm->bi flow is inactive.
    assert spof == {"crm", "sso"}
    assert finding(result, "SINGLE_POINT_OF_FAILURE", "crm").severity == "info"


@pytest.mark.parametrize(
    ("lifecycle", "expected"), [("retired", {"a", "b"}), ("sanctioned", set())]
)
def test_a_tool_out_of_use_closes_no_loop(lifecycle: str, expected: set[str]) -> None:
    # c - a - b - d is a path; x links d back to c by two dependencies. In use, x closes a
    # loop and no tool is a single point of failure; retired and unused, it counts for
    # nothing, and a and b each hold the path together again.
    result = audit(
        snap(
            [tool("c"), tool("a"), tool("b"), tool("d"), tool("x", lifecycle=lifecycle)],
            flows=[flow("c", "a"), flow("a", "b"), flow("b", "d")],
            deps=[dep("x", "c"), dep("d", "x")],
        )
    )
    spof = {f.subject_key for f in result.findings if f.rule == "SINGLE_POINT_OF_FAILURE"}
    assert spof == expected


def test_no_system_of_record_is_reported_once() -> None:
    result = audit(snap([tool("crm", system_of_record=True, lifecycle="in_review"), tool("esp")]))
    f = finding(result, "NO_SYSTEM_OF_RECORD", "catalog")
    assert (f.severity, f.subject_type) == ("high", "catalog")
    assert "NO_SYSTEM_OF_RECORD" not in {f.rule for f in audit(snap([CRM])).findings}


def test_an_empty_catalog_has_no_system_of_record() -> None:
    result = audit(snap([], people=[]))
    assert [(f.rule, f.severity, f.subject_type, f.subject_key) for f in result.findings] == [
        ("NO_SYSTEM_OF_RECORD", "high", "catalog", "catalog")
    ]


def test_findings_are_sorted_by_severity_rule_and_subject() -> None:
    result = audit(
        snap(
            [
                tool("b", business_owner=None),
                tool("a", business_owner=None),
                tool("c", lifecycle="rejected"),
            ],
            sightings=[seen("c", AS_OF)],
        )
    )
    keys = [(f.severity, f.rule, f.subject_key) for f in result.findings]
    assert keys[0] == ("critical", "SHADOW_REJECTED_IN_USE", "c")
    assert keys == sorted(
        keys, key=lambda k: (["critical", "high", "medium", "low", "info"].index(k[0]), k[1], k[2])
    )
    assert [k for k in keys if k[1] == "OWNER_MISSING_BUSINESS"] == [
        ("medium", "OWNER_MISSING_BUSINESS", "a"),
        ("medium", "OWNER_MISSING_BUSINESS", "b"),
    ]
