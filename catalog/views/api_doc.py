"""The OpenAPI 3.1 document of the JSON API, built from the same field specs the API validates."""

from __future__ import annotations

import typing as t

from catalog import vocab
from catalog.views.api_schemas import DATE_RANGE
from catalog.views.api_schemas import component_schemas


def _json(ref: str) -> dict[str, t.Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _error(description: str) -> dict[str, t.Any]:
    return {"description": description, **_json("Error")}


# Answers any operation may give: not signed in, role refused, a busy database.
_COMMON = {
    "401": _error("no valid bearer token (or session)"),
    "403": _error(
        "the role or a governance rule does not allow this; nothing was written. "
        "`error` says what to do instead (`record` and `field` name what was refused)"
    ),
    "503": _error("the database is busy; retry after the Retry-After seconds"),
}
_WRITE = {
    "400": _error("invalid JSON or record: `fields` names each bad field"),
    "409": {
        "description": "stale version (body.current is the current record), or the same "
        "key saved by another request at the same moment",
        **_json("Conflict"),
    },
    "413": _error("request body larger than the upload limit"),
}


def _page_params() -> list[dict[str, t.Any]]:
    from flask import current_app

    size = int(current_app.config.get("API_PAGE_SIZE", 100))
    most = int(current_app.config.get("API_MAX_PAGE_SIZE", 1000))
    return [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": most},
            "description": f"page size (default {size})",
        },
        {
            "name": "cursor",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "`next` of the previous page; pages follow the register's key order",
        },
    ]


# The tools list page's filters, accepted by the tools collection too.
_TOOL_FILTERS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }
    for name, description in (
        ("q", "text in the name or vendor"),
        ("lifecycle", "a lifecycle"),
        ("owner", "e-mail of either owner"),
        ("category", "a taxonomy subcategory key"),
        ("group", "a taxonomy group key"),
        ("data_class", "a data class"),
        ("missing_owner", "any value: only tools lacking an owner"),
    )
]


def _register_paths(name: str, schema: str, key: str, key_schema: dict) -> dict[str, t.Any]:
    etag = {"ETag": {"schema": {"type": "string"}, "description": 'the version, e.g. "3"'}}
    if_match = {
        "name": "If-Match",
        "in": "header",
        "schema": {"type": "string"},
        "description": "ETag of the version the change is based on (or `version` in the body)",
    }
    key_param = {"name": key, "in": "path", "required": True, "schema": key_schema}
    missing = {"404": _error("not found")}
    stale = {"428": _error("no If-Match and no version")}
    page = {
        "type": "object",
        "required": ["items", "count", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
            "count": {"type": "integer", "description": "items on this page"},
            "next": {
                "type": ["string", "null"],
                "description": "cursor of the next page; null on the last page",
            },
        },
    }
    filters = _TOOL_FILTERS if name == "tools" else []
    # A marketer's change to fields that are IT's decision waits for IT as a proposal.
    proposed = {
        "202": {
            "description": "saved except the IT-owned changes, which wait for IT as proposals",
            **_json("Proposed"),
        }
    }
    return {
        f"/{name}": {
            "get": {
                "summary": f"List {name}, one page at a time",
                "operationId": f"list_{name}",
                "parameters": _page_params() + filters,
                "responses": {
                    "200": {
                        "description": "a page of the register",
                        "content": {"application/json": {"schema": page}},
                    },
                    "400": _error("bad limit or cursor"),
                    **_COMMON,
                },
            },
            "post": {
                "summary": f"Create one of {name}",
                "operationId": f"create_{name}",
                "requestBody": {
                    "required": True,
                    **_json("ToolCreate" if schema == "Tool" else schema),
                },
                "responses": {
                    "201": {"description": "created", "headers": etag, **_json(schema)},
                    **_WRITE,
                    **_COMMON,
                },
            },
        },
        f"/{name}/{{{key}}}": {
            "parameters": [key_param],
            "get": {
                "summary": f"Get one of {name}",
                "operationId": f"get_{name}",
                "responses": {
                    "200": {"description": "the record", "headers": etag, **_json(schema)},
                    **missing,
                    **_COMMON,
                },
            },
            "put": {
                "summary": f"Replace one of {name}",
                "operationId": f"replace_{name}",
                "parameters": [if_match],
                "requestBody": {"required": True, **_json(schema)},
                "responses": {
                    "200": {"description": "saved", "headers": etag, **_json(schema)},
                    **proposed,
                    **_WRITE,
                    **missing,
                    **stale,
                    **_COMMON,
                },
            },
            "delete": {
                "summary": f"Delete one of {name}",
                "operationId": f"delete_{name}",
                "parameters": [if_match],
                "responses": {
                    "204": {"description": "deleted"},
                    **proposed,
                    **_WRITE,
                    **missing,
                    **stale,
                    **_COMMON,
                },
            },
        },
    }


def openapi_document() -> dict[str, t.Any]:
    """Return the OpenAPI 3.1 document."""
    schemas = component_schemas()
    paths: dict[str, t.Any] = {
        "/bundle": {
            "get": {
                "summary": "Export the whole catalog",
                "operationId": "get_bundle",
                "responses": {"200": {"description": "the bundle", **_json("Bundle")}, **_COMMON},
            },
            "post": {
                "summary": "Import a bundle (upsert by key, all or nothing)",
                "operationId": "post_bundle",
                "parameters": [
                    {
                        "name": "estate_reason",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "register new tools that start sanctioned "
                        "as pre-existing estate, for this reason",
                    }
                ],
                "requestBody": {"required": True, **_json("Bundle")},
                "responses": {
                    "200": {"description": "imported", **_json("ImportSummary")},
                    **_WRITE,
                    **_COMMON,
                    "400": _error("rejected; nothing changed"),
                },
            },
        },
        "/audit": {
            "get": {
                "summary": "The rogue-tool audit as of a date",
                "operationId": "audit",
                "parameters": [
                    {
                        "name": "as_of",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "format": "date"},
                        "description": f"YYYY-MM-DD {DATE_RANGE} (default: today)",
                    }
                ],
                "responses": {
                    "200": {
                        "description": "the audit report",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["as_of", "summary", "findings"],
                                }
                            }
                        },
                    },
                    "400": _error("as_of is not a date in the supported range"),
                    **_COMMON,
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_COMMON,
                },
            }
        },
    }
    paths |= _register_paths("tools", "Tool", "slug", {"type": "string"})
    paths |= _register_paths("people", "Person", "email", {"type": "string", "format": "email"})
    paths |= _register_paths("flows", "Flow", "id", {"type": "integer"})
    paths |= _register_paths("dependencies", "Dependency", "id", {"type": "integer"})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Martech Catalog API",
            "version": "1",
            "description": "Tools, owners, data flows and dependencies of the marketing "
            "stack. Lifecycles: " + ", ".join(vocab.LIFECYCLES) + ".",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
