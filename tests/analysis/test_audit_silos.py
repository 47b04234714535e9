"""Silos (docs/governance.md#silos): stranded tools, components, feeders, rogue, severities."""

from __future__ import annotations

from tests.analysis.helpers import AS_OF
from tests.analysis.helpers import PII
from tests.analysis.helpers import audit
from tests.analysis.helpers import finding
from tests.analysis.helpers import flow
from tests.analysis.helpers import seen
from tests.analysis.helpers import snap
from tests.analysis.helpers import tool

CRM = tool("crm", name="Salesforce", system_of_record=True, data_classes=PII)


def silos(result: object) -> list[tuple[tuple[str, ...], tuple[str, ...], bool, str]]:
    return [(s.tools, s.feeders, s.rogue, s.severity) for s in result.silos]  # type: ignore[attr-defined]


def test_a_tool_whose_data_never_reaches_the_sor_is_a_silo_with_a_cmo_message() -> None:
    result = audit(snap([CRM, tool("mailchimp", name="Mailchimp", data_classes=PII)]))
    assert silos(result) == [(("mailchimp",), (), False, "high")]
    assert result.silos[0].data_classes == ("contact_pii",)
    f = finding(result, "DATA_SILO", "mailchimp")
    assert (f.severity, f.subject_type) == ("high", "silo")
    assert f.message == (
        "Mailchimp holds customer contact data that never reaches Salesforce; "
        "connect it through a managed integration or retire it."
    )


def test_a_path_through_a_tool_without_customer_data_still_reaches_the_sor() -> None:
    result = audit(
        snap(
            [CRM, tool("esp", data_classes=PII), tool("bi")],
            flows=[flow("esp", "bi", "campaign_metrics"), flow("bi", "crm")],
        )
    )
    assert result.silos == ()


def test_a_flow_from_the_sor_does_not_connect_a_tool_to_it() -> None:
    result = audit(snap([CRM, tool("esp")], flows=[flow("crm", "esp", "contact_pii")]))
    assert silos(result) == [(("esp",), ("crm",), False, "high")]


def test_an_anonymized_flow_carries_no_customer_data() -> None:
    result = audit(
        snap([CRM, tool("bi")], flows=[flow("crm", "bi", "behavioral", anonymized=True)])
    )
    assert result.silos == ()


def test_a_sor_that_is_not_sanctioned_does_not_count() -> None:
    result = audit(
        snap(
            [
                CRM,
                tool(
                    "cdp",
                    system_of_record=True,
                    lifecycle="in_review",
                    data_classes=PII,
                    requested_at=AS_OF,
                ),
                tool("esp", data_classes=PII),
            ],
            flows=[flow("esp", "cdp", "contact_pii")],
        )
    )
    # The in-review CDP is in use (it has a flow) and holds data; it is not a hub, so both strand.
    assert silos(result) == [(("cdp", "esp"), (), True, "critical")]  # cdp is shadow IT


def test_a_deprecated_sor_still_counts() -> None:
    result = audit(
        snap(
            [
                tool("crm", system_of_record=True, lifecycle="deprecated"),
                tool("esp", data_classes=PII),
            ],
            flows=[flow("esp", "crm", "contact_pii")],
        )
    )
    assert result.silos == ()
    assert "NO_SYSTEM_OF_RECORD" not in {f.rule for f in result.findings}


def test_a_cycle_among_stranded_tools_is_one_silo() -> None:
    result = audit(
        snap(
            [CRM, tool("a", data_classes=PII), tool("b"), tool("c")],
            flows=[
                flow("a", "b", "contact_pii"),
                flow("b", "c", "contact_pii"),
                flow("c", "a", "contact_pii"),
            ],
        )
    )
    assert silos(result) == [(("a", "b", "c"), (), False, "high")]
    assert finding(result, "DATA_SILO", "a,b,c").subject_type == "silo"


def test_inactive_flows_count_for_nothing() -> None:
    result = audit(
        snap(
            [CRM, tool("esp", data_classes=PII), tool("zap", lifecycle="discovered")],
            flows=[
                flow("esp", "crm", "contact_pii", active=False),
                flow("crm", "zap", "contact_pii", active=False),
            ],
        )
    )
    assert silos(result) == [(("esp",), (), False, "high")]
    assert [s.tool for s in result.shadow] == []  # an inactive flow is no evidence of use


def test_tools_not_in_use_are_never_stranded() -> None:
    result = audit(snap([CRM, tool("idea", lifecycle="requested", data_classes=PII)]))
    assert result.silos == ()


def test_two_separate_silos_with_feeders_and_rogue_flags() -> None:
    result = audit(
        snap(
            [
                CRM,
                tool("shop", data_classes=PII),
                tool("esp"),
                tool("sms"),
                tool("quiz", lifecycle="discovered", data_classes=PII),
            ],
            flows=[
                flow("shop", "crm", "contact_pii"),
                flow("shop", "esp", "contact_pii", managed_by_it=False),
                flow("esp", "sms", "contact_pii"),
            ],
            sightings=[seen("quiz", AS_OF)],
        )
    )
    assert silos(result) == [
        (("esp", "sms"), ("shop",), True, "critical"),  # an unmanaged flow into it
        (("quiz",), (), True, "critical"),  # contains shadow IT
    ]
    message = finding(result, "DATA_SILO", "esp,sms").message
    assert message.startswith(
        "Esp and Sms hold customer contact data that never reaches Salesforce"
    )
    assert "Unmanaged flows: Shop to Esp." in message


def test_no_system_of_record_still_lists_the_silos() -> None:
    result = audit(
        snap(
            [tool("esp", data_classes=PII), tool("shop", data_classes=PII)],
            flows=[flow("shop", "esp", "contact_pii")],
        )
    )
    assert silos(result) == [(("esp", "shop"), (), False, "high")]
    assert finding(result, "NO_SYSTEM_OF_RECORD", "catalog").severity == "high"
    assert (
        "never reaches any system of record (none exists)"
        in finding(result, "DATA_SILO", "esp,shop").message
    )
