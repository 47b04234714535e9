"""Every audit rule, declared once: id, severity, subject kind, plain title, explanation, remedy.

The engine (`rules/`, `facts.py`), the pages, the exports, docs/governance.md and the tests
all read these declarations, so a rule's words and severity are written in one place. A new rule
is one `Rule(...)` below (added to `RULES`) plus its generator in `rules/` decorated with
`@emits(...)`; tests/analysis/test_rule_registry.py checks that the two agree and that the table
in docs/governance.md is this module's `markdown_table()`.

Ids are part of the contract (they appear in the audit JSON and CSV and never change); titles,
explanations and remedies are for people and may be reworded.

Print the documentation table: ``python -m catalog.analysis.registry --markdown``.
"""

from __future__ import annotations

import sys
import typing as t
from collections.abc import Callable
from typing import NamedTuple

from catalog.vocab import SEVERITIES
from catalog.vocab import Severity

__all__ = ["Rule", "RULES", "SUBJECT_KINDS", "EMITTERS", "emits", "rule", "markdown_table"]

#: What a finding can be about, and how its subject key is written.
SUBJECT_KINDS = dict(
    tool="the tool's slug",
    flow="`source->target` (slugs)",
    silo="the silo's sorted slugs joined by `,`",
    category="the taxonomy category key",
    catalog="`catalog`",
)


class Rule(NamedTuple):
    """One governance rule as people read it."""

    id: str
    subject: str  # a key of SUBJECT_KINDS
    severity: str  # the severity it is raised at
    title: str  # a few plain words, shown instead of the id
    explanation: str  # one sentence: what it means
    remedy: str  # one sentence: what to do
    escalated: str | None = None  # the higher severity it is raised at when ...
    escalation: str = ""  # ... this holds (plain words)

    @property
    def severities(self) -> tuple[str, ...]:
        """Return every severity this rule can carry, worst first."""
        return (self.escalated, self.severity) if self.escalated else (self.severity,)


SHADOW_DISCOVERED = Rule(
    "SHADOW_DISCOVERED",
    "tool",
    Severity.HIGH,
    "Shadow IT: in use, never registered",
    "Discovery saw the tool in use (sign-ins, OAuth grants, card spend or a data flow), but "
    "nobody ever registered it.",
    "Register it and have IT review it.",
    Severity.CRITICAL,
    "it holds customer data",
)
SHADOW_UNAPPROVED = Rule(
    "SHADOW_UNAPPROVED",
    "tool",
    Severity.HIGH,
    "Shadow IT: in use before IT decided",
    "The tool is requested or in review, and already in use.",
    "Decide on the request, or pause its use until IT does.",
    Severity.CRITICAL,
    "it holds customer data",
)
SHADOW_REJECTED_IN_USE = Rule(
    "SHADOW_REJECTED_IN_USE",
    "tool",
    Severity.CRITICAL,
    "Shadow IT: rejected, still in use",
    "IT rejected the tool, yet it is still in use.",
    "Move its users to a sanctioned tool and cancel it.",
)
SHADOW_RETIRED_IN_USE = Rule(
    "SHADOW_RETIRED_IN_USE",
    "tool",
    Severity.CRITICAL,
    "Shadow IT: retired, still in use",
    "The tool was retired, yet it is still in use.",
    "Cut its remaining access and flows, or bring it back through review.",
)
DATA_SILO = Rule(
    "DATA_SILO",
    "silo",
    Severity.HIGH,
    "Customer data stranded in a silo",
    "Tools in use hold customer data that never reaches a system of record through active flows.",
    "Connect the silo to a system of record through an IT-managed integration, or retire it.",
    Severity.CRITICAL,
    "the silo is rogue: it contains shadow IT, or a flow into or inside it is unmanaged",
)
FLOW_UNMANAGED_PERSONAL_DATA = Rule(
    "FLOW_UNMANAGED_PERSONAL_DATA",
    "flow",
    Severity.HIGH,
    "Customer data moved without IT",
    "An active flow carries personal data that is not anonymized, and IT does not manage it.",
    "Have IT take the flow over as a managed integration, or stop it.",
    Severity.CRITICAL,
    "its target is shadow IT",
)
OWNER_MISSING_BUSINESS = Rule(
    "OWNER_MISSING_BUSINESS",
    "tool",
    Severity.MEDIUM,
    "No business owner",
    "A tool in use has no accountable marketing-side owner.",
    "Name the accountable marketing-side person.",
)
OWNER_MISSING_TECHNICAL = Rule(
    "OWNER_MISSING_TECHNICAL",
    "tool",
    Severity.MEDIUM,
    "No technical owner",
    "A tool in use has no accountable IT-side owner.",
    "Name the accountable IT-side person.",
)
OWNER_DEPARTED = Rule(
    "OWNER_DEPARTED",
    "tool",
    Severity.HIGH,
    "An owner has left the company",
    "The business or technical owner of a tool in use is no longer active.",
    "Hand the tool to a current owner.",
)
OWNER_WRONG_SIDE = Rule(
    "OWNER_WRONG_SIDE",
    "tool",
    Severity.LOW,
    "Ownership not shared between marketing and IT",
    "The business owner is not in marketing, or the technical owner is not in IT.",
    "Give each side an owner from its own department.",
)
PERSONAL_DATA_EXPOSURE = Rule(
    "PERSONAL_DATA_EXPOSURE",
    "tool",
    Severity.HIGH,
    "Customer data without safeguards",
    "A tool in use holds customer data without a signed DPA, a security review or single "
    "sign-on (the finding lists which).",
    "Close the gap, or move the data out.",
)
USED_BEFORE_APPROVAL = Rule(
    "USED_BEFORE_APPROVAL",
    "tool",
    Severity.MEDIUM,
    "Used before IT approved it",
    "A sanctioned tool was first seen in use before the day IT decided on it (the finding "
    "gives the lead in days).",
    "Bring requests to IT before the tool is bought or used.",
)
REVIEW_OVERDUE = Rule(
    "REVIEW_OVERDUE",
    "tool",
    Severity.MEDIUM,
    "Request waiting past the review SLA",
    "A requested or in-review tool has waited longer than the review SLA for IT's decision.",
    "Decide on the request before marketing goes ahead without IT.",
)
REDUNDANT_TOOLS = Rule(
    "REDUNDANT_TOOLS",
    "category",
    Severity.LOW,
    "Several tools doing one job",
    "Two or more tools in use share a category (the finding names them and sums their cost).",
    "Consider consolidating onto one.",
)
RENEWAL_AT_RISK = Rule(
    "RENEWAL_AT_RISK",
    "tool",
    Severity.HIGH,
    "Renewal due with serious findings",
    "The tool renews within 90 days while it has a critical or high finding.",
    "Resolve the findings, or renegotiate before signing.",
)
SINGLE_POINT_OF_FAILURE = Rule(
    "SINGLE_POINT_OF_FAILURE",
    "tool",
    Severity.INFO,
    "Single point of failure",
    "The tool is the only link between parts of the stack: losing it cuts tools off from each "
    "other.",
    "Plan a fallback before changing or retiring it.",
)
NO_SYSTEM_OF_RECORD = Rule(
    "NO_SYSTEM_OF_RECORD",
    "catalog",
    Severity.HIGH,
    "No system of record",
    "No sanctioned tool is marked as a system of record, so customer data has no governed hub.",
    "Sanction a CRM, CDP or warehouse as the system of record.",
)

#: Every rule by id, in the order the documentation lists them.
RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        SHADOW_DISCOVERED,
        SHADOW_UNAPPROVED,
        SHADOW_REJECTED_IN_USE,
        SHADOW_RETIRED_IN_USE,
        DATA_SILO,
        FLOW_UNMANAGED_PERSONAL_DATA,
        OWNER_MISSING_BUSINESS,
        OWNER_MISSING_TECHNICAL,
        OWNER_DEPARTED,
        OWNER_WRONG_SIDE,
        PERSONAL_DATA_EXPOSURE,
        USED_BEFORE_APPROVAL,
        REVIEW_OVERDUE,
        REDUNDANT_TOOLS,
        RENEWAL_AT_RISK,
        SINGLE_POINT_OF_FAILURE,
        NO_SYSTEM_OF_RECORD,
    )
}


#: rule id -> the generator in rules/ that emits it (filled by @emits; tests check every
#: declared rule has one).
EMITTERS: dict[str, Callable[..., t.Iterator[t.Any]]] = {}
_G = t.TypeVar("_G", bound=Callable[..., t.Iterator[t.Any]])


def emits(*rules: Rule) -> Callable[[_G], _G]:
    """Mark a generator as the one that emits these declared rules (each has exactly one)."""

    def mark(generator: _G) -> _G:
        for declared in rules:
            if RULES.get(declared.id) is not declared or declared.id in EMITTERS:
                raise ValueError(f"{declared.id}: not declared, or emitted twice")
            EMITTERS[declared.id] = generator
        return generator

    return mark


def rule(rule_id: str) -> Rule:
    """Return the declaration of a rule id; an unknown id gets a plain stand-in, never an error.

    >>> rule("OWNER_DEPARTED").title
    'An owner has left the company'
    >>> rule("SOMETHING_NEW").title
    'Something new'
    """
    found = RULES.get(rule_id)
    if found is not None:
        return found
    return Rule(rule_id, "catalog", Severity.INFO, rule_id.replace("_", " ").capitalize(), "", "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table() -> str:
    """Return the rule table of docs/governance.md (GitHub Markdown)."""
    lines = [
        "| id | severity | subject | title | what it means | what to do |",
        "|---|---|---|---|---|---|",
    ]
    for r in RULES.values():
        severity = r.severity
        if r.escalated:
            severity = f"{r.severity}; {r.escalated} when {r.escalation}"
        lines.append(
            f"| `{r.id}` | {_cell(severity)} | {r.subject} | {_cell(r.title)} | "
            f"{_cell(r.explanation)} | {_cell(r.remedy)} |"
        )
    return "\n".join(lines) + "\n"


def _check() -> None:
    # Declarations are data: catch a typo in a severity or subject kind at import time.
    for r in RULES.values():
        if r.subject not in SUBJECT_KINDS or not set(r.severities) <= set(SEVERITIES):
            raise ValueError(f"rule {r.id}: unknown subject kind or severity")


_check()

if __name__ == "__main__":  # pragma: no cover - a documentation helper
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m catalog.analysis.registry --markdown")
    sys.stdout.write(markdown_table())
