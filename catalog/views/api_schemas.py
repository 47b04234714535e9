"""The OpenAPI document's component schemas: the registers' records, built from the same field
specs the API validates (`catalog.services.records`), and the API's errors, bundle and summaries.
"""

from __future__ import annotations

import typing as t

from catalog.services import records

DATE_RANGE = f"from {records.MIN_DATE.isoformat()} to {records.MAX_DATE.isoformat()}"
_KIND_SCHEMAS: dict[str, dict[str, t.Any]] = {
    "text": {"type": "string"},
    "bool": {"type": "boolean"},
    "date": {"type": ["string", "null"], "format": "date", "description": DATE_RANGE},
    "int": {"type": ["integer", "null"], "minimum": 0, "maximum": records.MAX_INT},
    "money": {"type": ["number", "null"], "minimum": 0, "maximum": float(records.MAX_MONEY)},
    "email": {"type": ["string", "null"], "format": "email"},
    "slug": {
        "type": ["string", "null"],
        "pattern": records.SLUG_RE.pattern,
        "maxLength": records.SLUG_MAX,
    },
    "url": {"type": "string", "description": "http:// or https:// URL, or empty"},
    "currency": {"type": "string", "pattern": "^[A-Za-z]{3}$", "default": "USD"},
    "category": {"type": ["string", "null"], "description": "a taxonomy subcategory key"},
}


def _schema(fields: tuple[records.Field, ...], *, with_id: bool = False) -> dict[str, t.Any]:
    props: dict[str, t.Any] = {"id": {"type": "integer", "readOnly": True}} if with_id else {}
    for f in fields:
        if f.kind == "choice":
            schema: dict[str, t.Any] = {"type": "string", "enum": list(f.choices)}
        elif f.kind == "choices":
            schema = {
                "type": "array",
                "items": {"type": "string", "enum": list(f.choices)},
                "uniqueItems": True,
            }
        else:
            schema = dict(_KIND_SCHEMAS[f.kind])
            if f.kind in ("text", "url"):
                schema["maxLength"] = f.max_length
        if f.default is not None and f.kind not in ("choices",):
            schema["default"] = f.default
        props[f.name] = schema
    props["version"] = {"type": "integer", "description": "optimistic-lock version (ETag)"}
    required = [f.name for f in fields if f.required]
    return {
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "record": {"type": ["string", "null"]},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["error"],
}


def component_schemas() -> dict[str, t.Any]:
    """Return `components.schemas`: every record, error and summary the paths refer to."""
    schemas = {
        "Person": _schema(records.PERSON_FIELDS),
        "Tool": _schema(records.TOOL_FIELDS),
        "Flow": _schema(records.FLOW_FIELDS, with_id=True),
        "Dependency": _schema(records.DEPENDENCY_FIELDS, with_id=True),
        "Sighting": _schema(records.SIGHTING_FIELDS),
        "Error": ERROR,
        "Conflict": {
            "type": "object",
            "properties": {"error": {"type": "string"}, "current": {"type": "object"}},
        },
    }
    schemas["Sighting"]["properties"].pop("version")  # sightings have no version
    schemas["ToolCreate"] = dict(
        schemas["Tool"],
        properties=schemas["Tool"]["properties"]
        | {
            "estate_reason": {
                "type": "string",
                "description": "register a tool that starts "
                "sanctioned as pre-existing estate, for this reason (IT)",
            }
        },
    )
    schemas["Refused"] = {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "record": {"type": ["string", "null"]},
            "field": {"type": ["string", "null"]},
        },
        "required": ["error"],
    }
    schemas["Proposed"] = {
        "type": "object",
        "properties": {
            "proposals": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "object_type": {"type": "string"},
                        "object_key": {"type": "string"},
                        "action": {"type": "string"},
                        "changes": {"type": "object"},
                        "base": {"type": "object"},
                        "status": {"type": "string"},
                        "proposed_by": {"type": "string"},
                        "decided_by": {"type": ["string", "null"]},
                        "note": {"type": "string"},
                    },
                },
            }
        },
        "required": ["proposals"],
        "description": "with PUT, also the record as saved",
    }
    section = {
        k: {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}
        for k, ref in (
            ("people", "Person"),
            ("tools", "Tool"),
            ("flows", "Flow"),
            ("dependencies", "Dependency"),
            ("sightings", "Sighting"),
        )
    }
    schemas["Bundle"] = {"type": "object", "properties": section, "additionalProperties": False}
    counts = {
        "type": "object",
        "properties": {k: {"type": "integer"} for k in ("created", "updated", "unchanged")},
    }
    schemas["ImportSummary"] = {
        "type": "object",
        "properties": {"summary": {"type": "object", "properties": {k: counts for k in section}}},
    }
    return schemas
