"""A marketer's request for a tool: validated at once, matched against the catalog, recorded.

A request for a tool the catalog already holds is refused when the tool is sanctioned or its
review is open, and reopens a new review round when it was rejected (or discovered, retired).
Split from `catalog.services.review`, which re-exports `request_tool`; the review that follows
is there.
"""

from __future__ import annotations

import typing as t
from datetime import date

from sqlalchemy.orm import Session

from catalog.models import Tool
from catalog.services import entities
from catalog.services import policy
from catalog.services import records
from catalog.services import request_match
from catalog.services import review_checklist
from catalog.services.records import ValidationError
from catalog.vocab import Lifecycle
from catalog.vocab import Mechanism

#: The tool fields a marketer gives on a request (the request form shows these).
REQUEST_FIELDS = (
    "name",
    "vendor",
    "website",
    "description",
    "category",
    "business_owner",
    "technical_owner",
)


def request_tool(
    session: Session,
    raw: t.Mapping[str, t.Any],
    *,
    sources: t.Sequence[str] = (),
    data_classes: t.Sequence[str] = (),
    mechanism: str = Mechanism.API,
    actor: str,
    today: date,
) -> Tool:
    """Register a requested tool and the (unmanaged) flows that will feed it customer data.

    :param raw: tool fields a marketer gives: name, vendor, website, description, category,
        business_owner, technical_owner.
    :param sources: slugs of the tools the data will come from; one draft flow each.
    """
    unknown = set(raw) - set(REQUEST_FIELDS) - {"slug"}
    if unknown:
        raise ValidationError({name: "cannot be set on a request" for name in sorted(unknown)})
    errors: dict[str, str] = {}
    try:  # report every field's problem at once, not just the request-specific ones
        records.clean(records.TOOL_FIELDS, raw)
    except ValidationError as exc:
        errors.update(exc.errors)
    policy.check_contributor(policy.actor_of(session, actor), str(raw.get("name") or ""))
    if not raw.get("technical_owner"):
        errors["technical_owner"] = "name your IT counterpart (the technical owner)"
    elif (
        str(raw["technical_owner"]).strip().lower()
        == str(raw.get("business_owner") or "").strip().lower()
    ):
        # Four eyes: the technical owner signs off for IT, so it is someone else.
        errors["technical_owner"] = "must be someone other than the business owner (from IT)"
    if sources and not data_classes:
        errors["data_classes"] = "say which data the tool will receive from those tools"
    if data_classes and not sources:
        errors["sources"] = "say which tools the data will come from"
    try:
        records.clean(
            records.FLOW_FIELDS,
            {
                "source": "x",
                "target": "y",
                "mechanism": mechanism,
                "data_classes": list(data_classes),
            },
        )
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    known = _known(session, raw)
    if known is not None and known.status in ("sanctioned", "open"):
        # A second record of a tool the catalog has would split its findings and its owners.
        raise ValidationError(
            {"name": f"{known.tool.name} is {known.notice}."}, record=known.tool.slug
        )
    if known is not None:
        tool = _reopen(session, known.tool, raw, data_classes, actor=actor, today=today)
    else:
        tool = entities.save_tool(
            session,
            dict(raw)
            | {
                "lifecycle": Lifecycle.REQUESTED,
                "requested_at": today.isoformat(),
                "data_classes": list(data_classes),
            },
            actor=actor,
        )
    for index, source in enumerate(sources):
        try:
            entities.save_flow(
                session,
                {
                    "source": source,
                    "target": tool.slug,
                    "data_classes": list(data_classes),
                    "mechanism": mechanism,
                    "managed_by_it": False,
                },
                actor=actor,
            )
        except ValidationError as exc:
            raise ValidationError({"sources": f"flow {index + 1} from {source!r}: {exc}"}) from None
    return tool


def _known(session: Session, raw: t.Mapping[str, t.Any]) -> request_match.Match | None:
    """Return the catalog tool this request is for (same slug, or a close name/alias/domain)."""
    slug = str(raw.get("slug") or "") or records.slugify(str(raw.get("name") or ""))
    found = request_match.matches(
        session, str(raw.get("name") or ""), website=str(raw.get("website") or "")
    )
    exact = entities.tool_by_slug(session, slug) if slug else None
    if exact is not None:
        return next((m for m in found if m.tool is exact), None) or request_match.Match(
            exact, "name", 100.0, *request_match.status(session, exact)
        )
    return next((m for m in found if m.same), None)


def _reopen(
    session: Session,
    tool: Tool,
    raw: t.Mapping[str, t.Any],
    data_classes: t.Sequence[str],
    *,
    actor: str,
    today: date,
) -> Tool:
    """Reopen a rejected (or discovered, retired) tool's review for a new request: a new round.

    Anyone who may request a tool may request a rejected one again (that is the way back from a
    rejection); the request workflow makes this one transition itself, so it is saved as the
    system on the requester's behalf, with the requester recorded as the actor.
    """
    when, reason = request_match.rejection(session, tool)
    tool_was = tool.lifecycle
    if tool.requested_at == today:
        raise ValidationError(
            {
                "name": f"{tool.name} was requested and rejected today; "
                "change the request and try again tomorrow"
            },
            record=tool.slug,
        )
    changes = {name: raw[name] for name in REQUEST_FIELDS if name != "name" and raw.get(name)}
    record = (
        records.tool_record(tool)
        | changes
        | {
            "lifecycle": Lifecycle.REQUESTED,
            "requested_at": today.isoformat(),
            "decided_at": None,
            "data_classes": sorted(set(tool.data_classes or ()) | set(data_classes)),
        }
    )
    saved = entities.save_tool(
        session, record, tool=tool, actor=policy.Actor(str(actor), policy.SYSTEM), decision=True
    )
    review_checklist.review_event(
        session,
        tool,
        "reopen",
        {
            "round": today.isoformat(),
            "rejected_on": when.isoformat() if when else None,
            "was": tool_was,
            "reason": f"requested again (rejected before: {reason})"
            if reason
            else "requested again",
        },
        actor=actor,
    )
    return saved
