"""The review checklist: the controls a request needs, its requested flows, and the preview.

IT ticks each control the policy requires for the tool's data (personal data: DPA and security
review; sign-in: SSO when the vendor offers it; whether it is a system of record) and decides
each requested flow (take it over, leave it unmanaged with a reason, or drop it). The preview
runs the audit on the catalog as it would be once the tool is sanctioned, so the sanction gate
(`review.sanction`) can refuse a decision that leaves a critical or high finding unexplained.

Controls are tool fields, saved through `entities.save_tool` (so the field rules apply and the
tool's change log shows them); each tick is also a `check` entry in the review history (who,
when, which control), which is what the review page shows beside the box.
"""

from __future__ import annotations

import dataclasses
import typing as t
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import vocab
from catalog.analysis.audit import run_audit
from catalog.analysis.registry import Rule
from catalog.analysis.registry import rule
from catalog.analysis.rules import Finding
from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Tool
from catalog.services import entities
from catalog.services import policy
from catalog.services import records
from catalog.services.entities import record_change
from catalog.services.records import ValidationError
from catalog.services.snapshot import load_snapshot
from catalog.vocab import OPEN_LIFECYCLES
from catalog.vocab import Lifecycle
from catalog.vocab import Severity

# The tool fields the checklist ticks, in the order the page shows them.
CONTROLS = ("dpa_signed", "security_reviewed", "sso_enabled", "system_of_record")
LABELS = {
    "dpa_signed": "Data processing agreement (DPA) on file",
    "security_reviewed": "Security review done",
    "sso_enabled": "Sign-in through our single sign-on (SSO)",
    "system_of_record": "It is a system of record for the data it holds",
    "vendor_sso": "The vendor offers SSO",
}
VENDOR_SSO = "vendor_sso"  # a fact about the vendor, kept with the request, not a tool field
BLOCKING = (Severity.CRITICAL, Severity.HIGH)
FLOW_CHOICES = ("take_over", "leave", "drop")


@dataclass(frozen=True)
class Control:
    field: str
    label: str
    why: str  # why the policy asks for it; "" when it is only a question
    required: bool
    done: bool
    checked_by: str | None = None
    checked_at: t.Any = None


@dataclass(frozen=True)
class Preview:
    findings: tuple[tuple[Finding, Rule], ...]

    @property
    def blocking(self) -> tuple[tuple[Finding, Rule], ...]:
        return tuple(pair for pair in self.findings if pair[0].severity in BLOCKING)

    @staticmethod
    def count(pairs: t.Iterable[tuple[Finding, Rule]]) -> int:
        return sum(1 for f, _ in pairs if f.severity in BLOCKING)


def _round_entries(
    session: Session, tool: Tool, action: str
) -> list[tuple[ChangeRecord, dict[str, t.Any]]]:
    """Return this review round's `action` entries with what each recorded, oldest first."""
    rows = session.scalars(
        sa.select(ChangeRecord)
        .where(
            ChangeRecord.object_type == "review",
            ChangeRecord.object_key == tool.slug,
            ChangeRecord.action == action,
        )
        .order_by(ChangeRecord.id)
    )
    this_round = _round_text(tool)
    return [(row, after) for row in rows if (after := row.after or {}).get("round") == this_round]


def _checks(session: Session, tool: Tool) -> dict[str, tuple[ChangeRecord, bool]]:
    """Return the latest `check` entry per control for this review round, with its value."""
    return {
        after["control"]: (row, bool(after.get("value")))
        for row, after in _round_entries(session, tool, "check")
    }


def _round_text(tool: Tool) -> str:
    return (tool.requested_at or tool.created_at.date()).isoformat()


def vendor_offers_sso(session: Session, tool: Tool) -> bool:
    return _checks(session, tool).get(VENDOR_SSO, (None, False))[1]


def controls(session: Session, tool: Tool) -> list[Control]:
    """Return the controls for this request, with whether (and by whom) each is ticked."""
    checks = _checks(session, tool)
    personal = bool(set(tool.data_classes or ()) & vocab.PERSONAL)
    sso_offered = checks.get(VENDOR_SSO, (None, False))[1]
    why = {
        "dpa_signed": "it will hold personal data" if personal else "",
        "security_reviewed": "it will hold personal data" if personal else "",
        "sso_enabled": "the vendor offers SSO" if sso_offered else "",
        "system_of_record": "",
    }
    out = []
    for name in (VENDOR_SSO, *CONTROLS):
        row = checks.get(name, (None, False))[0]
        done = sso_offered if name == VENDOR_SSO else bool(getattr(tool, name))
        out.append(
            Control(
                name,
                LABELS[name],
                why.get(name, ""),
                bool(why.get(name)),
                done,
                row.actor if row is not None else None,
                row.at if row is not None else None,
            )
        )
    return out


def review_event(
    session: Session, tool: Tool, action: str, after: dict[str, t.Any], *, actor: str
) -> None:
    """Record one step of a tool's review (a sign-off, a tick, a decision) in the change log."""
    step: dict[str, t.Any] = {"object_type": "review", "object_key": tool.slug, "before": None}
    record_change(session, actor=actor, action=action, after=after, **step)


def _require_review(tool: Tool) -> None:
    if tool.lifecycle not in OPEN_LIFECYCLES:
        raise ValidationError({"lifecycle": f"{tool.name} is not under review"}, record=tool.slug)


def set_control(
    session: Session,
    tool: Tool,
    name: str,
    value: bool,
    *,
    actor: str,
    expected_version: int | None = None,
) -> Tool:
    """Tick (or untick) one control in the review; recorded with who and when."""
    policy.check_decider(
        policy.actor_of(session, actor), tool.slug, f"ticking the review checklist of {tool.name}"
    )
    _require_review(tool)
    if name not in (VENDOR_SSO, *CONTROLS):
        raise ValidationError({"control": f"unknown control {name!r}"}, record=tool.slug)
    if name != VENDOR_SSO:
        raw = records.tool_record(tool) | {name: bool(value)}
        tool = entities.save_tool(
            session, raw, actor=actor, tool=tool, expected_version=expected_version
        )
    review_event(
        session,
        tool,
        "check",
        {"control": name, "value": bool(value), "round": _round_text(tool)},
        actor=actor,
    )
    return tool


def requested_flows(session: Session, tool: Tool) -> list[DataFlow]:
    """Return the flows into the tool IT has not taken over yet."""
    return [
        flow
        for flow in entities.tool_flows(session, tool)
        if flow.target_id == tool.id and not flow.managed_by_it
    ]


def left_unmanaged(session: Session, tool: Tool) -> dict[str, str]:
    """Return the reasons given this round for leaving a flow unmanaged, by flow key."""
    return {
        after["flow"]: after["reason"] for _, after in _round_entries(session, tool, "flow_leave")
    }


def decide_flow(
    session: Session, tool: Tool, flow: DataFlow, choice: str, *, actor: str, reason: str = ""
) -> None:
    """Take a requested flow over, leave it unmanaged (with a reason) or drop it; recorded."""
    policy.check_decider(
        policy.actor_of(session, actor), tool.slug, f"deciding the flows of {tool.name}"
    )
    _require_review(tool)
    if flow.target_id != tool.id:
        raise ValidationError(
            {"flow": "only flows into the requested tool are decided here"}, record=tool.slug
        )
    key = entities.flow_key(flow)
    reason = (reason or "").strip()
    if choice == "take_over":
        entities.save_flow(
            session, records.flow_record(flow) | {"managed_by_it": True}, actor=actor, flow=flow
        )
    elif choice == "leave":
        if not reason:
            raise ValidationError({"reason": f"say why {key} stays unmanaged"}, record=key)
    elif choice == "drop":
        entities.delete_flow(session, flow, actor=actor)
    else:
        raise ValidationError(
            {"choice": f"unknown choice {choice!r}; expected {', '.join(FLOW_CHOICES)}"}, record=key
        )
    review_event(
        session,
        tool,
        f"flow_{choice}",
        {"flow": key, "reason": reason[:2000], "round": _round_text(tool)},
        actor=actor,
    )


def concerns(snapshot_silos: t.Iterable[t.Any], slug: str) -> t.Callable[[Finding], bool]:
    """Return a test for the findings that concern the tool (as its governance panel shows)."""
    silo_keys = {s.key for s in snapshot_silos if slug in s.tools}

    def test(f: Finding) -> bool:
        return (
            (f.subject_type == "tool" and f.subject_key == slug)
            or (f.subject_type == "flow" and slug in f.subject_key.split("->"))
            or (f.subject_type == "silo" and f.subject_key in silo_keys)
        )

    return test


def preview(session: Session, tool: Tool, as_of: date, *, sla_days: int = 10) -> Preview:
    """Return the findings the tool would have once sanctioned today.

    The audit is pure, so the preview is the audit of a copy of the snapshot in which only this
    tool's lifecycle and decision date change (one audit run per call).
    """
    session.flush()
    snapshot = load_snapshot(session)
    tools = tuple(
        dataclasses.replace(node, lifecycle=Lifecycle.SANCTIONED, decided_at=as_of)
        if node.slug == tool.slug
        else node
        for node in snapshot.tools
    )
    result = run_audit(dataclasses.replace(snapshot, tools=tools), as_of, sla_days=sla_days)
    test = concerns(result.silos, tool.slug)
    return Preview(
        tuple((f, rule(f.rule)) for f in sorted(result.findings, key=Finding.sort_key) if test(f))
    )


def record_override(
    session: Session, tool: Tool, reason: str, blocking: t.Sequence[Finding], *, actor: str
) -> None:
    """Record IT's reason for sanctioning despite critical or high findings."""
    review_event(
        session,
        tool,
        "override",
        {
            "reason": reason,
            "findings": [
                {
                    "rule": f.rule,
                    "severity": f.severity,
                    "subject": f"{f.subject_type} {f.subject_key}",
                }
                for f in blocking
            ],
        },
        actor=actor,
    )


def override_reasons(
    session: Session, slugs: t.Iterable[str] | None = None
) -> dict[str, dict[str, t.Any]]:
    """Return the latest sanction override of each tool still sanctioned: reason, who, when."""
    query = (
        sa.select(ChangeRecord, Tool.name)
        .join(Tool, Tool.slug == ChangeRecord.object_key)
        .where(
            ChangeRecord.object_type == "review",
            ChangeRecord.action == "override",
            Tool.lifecycle.in_(vocab.SANCTIONED_LIFECYCLES),
        )
    )
    if slugs is not None:
        query = query.where(ChangeRecord.object_key.in_(list(slugs)))
    out: dict[str, dict[str, t.Any]] = {}
    for row, name in session.execute(query.order_by(ChangeRecord.id)):
        after = row.after or {}
        out[row.object_key] = {
            "tool": row.object_key,
            "name": name,
            "reason": after.get("reason", ""),
            "actor": row.actor,
            "at": row.at.strftime("%Y-%m-%d %H:%M"),
            "findings": after.get("findings", []),
        }
    return out
