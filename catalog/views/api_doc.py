"""The OpenAPI 3.1 document of the JSON API, built from the same field specs the API validates."""

from __future__ import annotations

import typing as t

from catalog import vocab
from catalog.services import records

_KIND_SCHEMAS: dict[str, dict[str, t.Any]] = {
    "text": {"type": "string"},
    "bool": {"type": "boolean"},
    "date": {"type": ["string", "null"], "format": "date"},
    "int": {"type": ["integer", "null"], "minimum": 0},
    "money": {"type": ["number", "null"], "minimum": 0},
    "email": {"type": ["string", "null"], "format": "email"},
    "slug": {"type": ["string", "null"], "pattern": records.SLUG_RE.pattern},
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
            schema = {"type": "array", "items": {"type": "string", "enum": list(f.choices)},
                      "uniqueItems": True}
        else:
            schema = dict(_KIND_SCHEMAS[f.kind])
        if f.default is not None and f.kind not in ("choices",):
            schema["default"] = f.default
        props[f.name] = schema
    props["version"] = {"type": "integer", "description": "optimistic-lock version (ETag)"}
    required = [f.name for f in fields if f.required]
    return {"type": "object", "properties": props, "required": required,
            "additionalProperties": False}


_ERROR = {"type": "object", "properties": {"error": {"type": "string"},
                                           "record": {"type": ["string", "null"]},
                                           "fields": {"type": "object",
                                                      "additionalProperties": {"type": "string"}}},
          "required": ["error"]}


def _json(ref: str) -> dict[str, t.Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _register_paths(name: str, schema: str, key: str, key_schema: dict) -> dict[str, t.Any]:
    etag = {"ETag": {"schema": {"type": "string"}, "description": 'the version, e.g. "3"'}}
    if_match = {"name": "If-Match", "in": "header", "schema": {"type": "string"},
                "description": "ETag of the version the change is based on (or `version` in "
                               "the body)"}
    key_param = {"name": key, "in": "path", "required": True, "schema": key_schema}
    errors = {"400": {"description": "invalid JSON or record", **_json("Error")},
              "403": {"description": "refused by a governance rule or the role; nothing "
                                     "written", **_json("Refused")},
              "404": {"description": "not found", **_json("Error")}}
    # A marketer's change to fields that are IT's decision waits for IT as a proposal.
    proposed = {"202": {"description": "saved except the IT-owned changes, which wait for IT "
                                       "as proposals", **_json("Proposed")}}
    stale = {"409": {"description": "stale version; body.current is the current record",
                     **_json("Conflict")},
             "428": {"description": "no If-Match and no version", **_json("Error")}}
    return {
        f"/{name}": {
            "get": {"summary": f"List {name}", "operationId": f"list_{name}",
                    "responses": {"200": {"description": "the register", "content": {
                        "application/json": {"schema": {"type": "object", "properties": {
                            "items": {"type": "array",
                                      "items": {"$ref": f"#/components/schemas/{schema}"}},
                            "count": {"type": "integer"}}}}}}}},
            "post": {"summary": f"Create one of {name}", "operationId": f"create_{name}",
                     "requestBody": {"required": True,
                                     **_json("ToolCreate" if schema == "Tool" else schema)},
                     "responses": {"201": {"description": "created", "headers": etag,
                                           **_json(schema)}, **errors}},
        },
        f"/{name}/{{{key}}}": {
            "parameters": [key_param],
            "get": {"summary": f"Get one of {name}", "operationId": f"get_{name}",
                    "responses": {"200": {"description": "the record", "headers": etag,
                                          **_json(schema)}, **errors}},
            "put": {"summary": f"Replace one of {name}", "operationId": f"replace_{name}",
                    "parameters": [if_match], "requestBody": {"required": True, **_json(schema)},
                    "responses": {"200": {"description": "saved", "headers": etag,
                                          **_json(schema)}, **proposed, **errors, **stale}},
            "delete": {"summary": f"Delete one of {name}", "operationId": f"delete_{name}",
                       "parameters": [if_match],
                       "responses": {"204": {"description": "deleted"}, **proposed, **errors,
                                     **stale}},
        },
    }


def openapi_document() -> dict[str, t.Any]:
    """Return the OpenAPI 3.1 document."""
    schemas = {
        "Person": _schema(records.PERSON_FIELDS),
        "Tool": _schema(records.TOOL_FIELDS),
        "Flow": _schema(records.FLOW_FIELDS, with_id=True),
        "Dependency": _schema(records.DEPENDENCY_FIELDS, with_id=True),
        "Sighting": _schema(records.SIGHTING_FIELDS),
        "Error": _ERROR,
        "Conflict": {"type": "object", "properties": {"error": {"type": "string"},
                                                      "current": {"type": "object"}}},
    }
    schemas["Sighting"]["properties"].pop("version")  # sightings have no version
    schemas["ToolCreate"] = dict(schemas["Tool"], properties=schemas["Tool"]["properties"] | {
        "estate_reason": {"type": "string", "description": "register a tool that starts "
                          "sanctioned as pre-existing estate, for this reason (IT)"}})
    schemas["Refused"] = {"type": "object", "properties": {
        "error": {"type": "string"}, "record": {"type": ["string", "null"]},
        "field": {"type": ["string", "null"]}}, "required": ["error"]}
    schemas["Proposed"] = {"type": "object", "properties": {"proposals": {
        "type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "object_type": {"type": "string"},
            "object_key": {"type": "string"}, "action": {"type": "string"},
            "changes": {"type": "object"}, "base": {"type": "object"},
            "status": {"type": "string"}, "proposed_by": {"type": "string"},
            "decided_by": {"type": ["string", "null"]}, "note": {"type": "string"}}}}},
        "required": ["proposals"], "description": "with PUT, also the record as saved"}
    section = {k: {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}
               for k, ref in (("people", "Person"), ("tools", "Tool"), ("flows", "Flow"),
                              ("dependencies", "Dependency"), ("sightings", "Sighting"))}
    schemas["Bundle"] = {"type": "object", "properties": section, "additionalProperties": False}
    counts = {"type": "object", "properties": {k: {"type": "integer"}
                                               for k in ("created", "updated", "unchanged")}}
    schemas["ImportSummary"] = {"type": "object", "properties": {"summary": {
        "type": "object", "properties": {k: counts for k in section}}}}
    paths: dict[str, t.Any] = {
        "/bundle": {
            "get": {"summary": "Export the whole catalog", "operationId": "get_bundle",
                    "responses": {"200": {"description": "the bundle", **_json("Bundle")}}},
            "post": {"summary": "Import a bundle (upsert by key, all or nothing)",
                     "operationId": "post_bundle",
                     "parameters": [{"name": "estate_reason", "in": "query",
                                     "schema": {"type": "string"},
                                     "description": "register new tools that start sanctioned "
                                                    "as pre-existing estate, for this reason"}],
                     "requestBody": {"required": True, **_json("Bundle")},
                     "responses": {"200": {"description": "imported", **_json("ImportSummary")},
                                   "400": {"description": "rejected; nothing changed",
                                           **_json("Error")},
                                   "403": {"description": "refused by a governance rule; "
                                                          "nothing changed",
                                           **_json("Refused")}}},
        },
        "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                                  "responses": {"200": {"description": "OpenAPI 3.1"}}}},
    }
    paths |= _register_paths("tools", "Tool", "slug", {"type": "string"})
    paths |= _register_paths("people", "Person", "email", {"type": "string", "format": "email"})
    paths |= _register_paths("flows", "Flow", "id", {"type": "integer"})
    paths |= _register_paths("dependencies", "Dependency", "id", {"type": "integer"})
    return {
        "openapi": "3.1.0",
        "info": {"title": "Martech Catalog API", "version": "1",
                 "description": "Tools, owners, data flows and dependencies of the marketing "
                                "stack. Lifecycles: " + ", ".join(vocab.LIFECYCLES) + "."},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
