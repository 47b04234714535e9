"""The JSON API (docs/formats.md#json-api): the bundle, the registers with optimistic concurrency.

Every object answer carries `ETag: "<version>"` and a `version` field. PUT and DELETE must say
which version they were based on (`If-Match` or `version` in the body): none is 428, an old one
is 409 with the current record, so two API clients never silently overwrite each other.
"""

from __future__ import annotations

import json
import re
import typing as t
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import abort
from flask import jsonify
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload

from catalog.auth import require
from catalog.auth import require_write
from catalog.extensions import csrf
from catalog.extensions import db
from catalog.services import bundle
from catalog.services import policy
from catalog.services import proposals
from catalog.services import records
from catalog.services import tool_query
from catalog.services.entities import ConflictError
from catalog.services.records import ValidationError
from catalog.services.registers import API_REGISTERS
from catalog.services.registers import REGISTERS
from catalog.services.registers import Register
from catalog.services.tools import TOOLS
from catalog.views.api_doc import openapi_document
from catalog.web import current_actor

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Cookie-less clients (bearer tokens) need no CSRF token; cookie sessions on the API are held to
# the CSRF header by catalog.auth, which owns that rule.
csrf.exempt(bp)


# An id, version, limit or cursor: ASCII digits ("²".isdigit() is true, int("²") fails), and
# few enough of them to fit a 64-bit column (SQLite cannot even compare a larger one).
_DIGITS = re.compile(r"^[0-9]{1,18}$")


class BadRequest(Exception):
    """The request cannot be understood; answered 400 (or `status`) as JSON."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@bp.errorhandler(BadRequest)
def _bad_request(exc: BadRequest) -> ResponseReturnValue:
    return {"error": str(exc)}, exc.status


@bp.errorhandler(413)
def _too_large(exc: Exception) -> ResponseReturnValue:
    return {"error": "request body too large"}, 413


def json_body() -> t.Any:
    """Return the parsed JSON body, or raise BadRequest saying what is wrong with it."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise BadRequest("request body is empty; send a JSON document")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise BadRequest("request body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise BadRequest("request body is nested too deeply") from None
    except ValueError:  # an integer longer than Python's 4,300-digit conversion limit
        raise BadRequest("request body is not valid JSON: a number has too many digits") from None


def invalid(exc: ValidationError, what: str) -> ResponseReturnValue:
    """Answer a rejected record: 400 naming the record and each bad field."""
    return {
        "error": f"invalid {what}: " + "; ".join(f"{k}: {v}" for k, v in exc.errors.items()),
        "record": exc.record,
        "fields": exc.errors,
    }, 400


# The bundle -----------------------------------------------------------------------------------


@bp.get("/bundle")
def get_bundle() -> ResponseReturnValue:
    """Return the whole catalog as a bundle."""
    return jsonify(bundle.export_bundle(db.session))


@bp.post("/bundle")
def post_bundle() -> ResponseReturnValue:
    """Import a bundle: all records or none; 400 names the first bad record and field."""
    require("bundle.import")
    document = json_body()
    try:
        summary = bundle.import_bundle(
            db.session, document, actor=_estate(request.args.get("estate_reason"))
        )
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        return {"error": str(exc), "record": exc.record, "fields": exc.errors}, 400
    return {"summary": summary}


# The registers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """How one register (catalog/services/registers.py) maps onto the generic endpoints."""

    register: Register

    @property
    def name(self) -> str:  # URL segment and collection key
        return self.register.name

    @property
    def object_type(self) -> str:  # change-log name, used in messages
        return self.register.object_type

    @property
    def with_id(self) -> bool:
        return self.register.lookup == "id"

    @property
    def column(self) -> t.Any:
        """The key column: keyset pagination walks a register in its order, which never changes."""
        return getattr(self.register.model, self.register.lookup)

    def find(self, key: str) -> t.Any:
        return self.register.find(db.session, key)

    def query(self) -> sa.Select[t.Any]:
        if self.register is TOOLS:  # the list page's filters: q, lifecycle, owner...
            return tool_query.filtered_tools(db.session, request.args)
        model = self.register.model
        loads = [selectinload(getattr(model, f.name)) for f in self.register.refs]
        return sa.select(model).options(*loads).order_by(self.column)

    def save(self, raw: t.Any, obj: t.Any = None, **kw: t.Any) -> t.Any:
        return self.register.write(db.session, raw, obj, **kw)

    def delete(self, obj: t.Any, **kw: t.Any) -> None:
        assert self.register.delete is not None
        self.register.delete(db.session, obj, **kw)

    def key(self, obj: t.Any) -> str | int:
        key: str | int = getattr(obj, self.register.lookup)
        return key

    def body(self, obj: t.Any) -> dict[str, t.Any]:
        """Return the API shape: the record plus version (and id where the key is an id)."""
        extra = {"id": obj.id} if self.with_id else {}
        return extra | self.register.record(obj) | {"version": obj.version}

    def respond(self, obj: t.Any, status: int = 200) -> Response:
        response = jsonify(self.body(obj))
        response.status_code = status
        response.headers["ETag"] = f'"{obj.version}"'
        response.headers["Location"] = url_for("api.item", name=self.name, key=self.key(obj))
        return response


RESOURCES: dict[str, Resource] = {name: Resource(r) for name, r in API_REGISTERS.items()}
# The URL converter matching the registers' segments: /api/v1/<register>[/<key>].
_REGISTER = f"<any({', '.join(RESOURCES)}):name>"


def _resource(name: str) -> Resource:
    # Read from the registry on each request: the declaration is the one source of truth.
    register = REGISTERS.get(name)
    if register is None or not register.api:
        abort(404)
    return Resource(register)


def _record(resource: Resource, body: t.Any) -> t.Any:
    """Return the body without read-only `id`, so a GET answer can be PUT back as is."""
    if resource.with_id and isinstance(body, t.Mapping):
        return {k: v for k, v in body.items() if k != "id"}
    return body


def _object(resource: Resource, key: str) -> t.Any:
    obj = resource.find(key)
    if obj is None:
        abort(404)
    return obj


def expected_version(body: t.Any = None) -> int:
    """Return the version the client based its change on (If-Match, else body `version`)."""
    header = request.headers.get("If-Match")
    if header is not None:
        tag = header.strip()
        tag = tag.removeprefix("W/").strip('"')
        if not _DIGITS.match(tag):
            raise BadRequest('If-Match must carry the ETag of the object, e.g. "3"', 428)
        return int(tag)
    if isinstance(body, t.Mapping) and "version" in body:
        version = body["version"]
        if isinstance(version, bool) or not isinstance(version, int):
            raise BadRequest("version must be an integer")
        return version
    raise BadRequest(
        "this change needs the version it is based on: send If-Match with the object's ETag "
        "(or `version` in the body)",
        428,
    )


def _conflict(resource: Resource, key: str) -> ResponseReturnValue:
    obj = resource.find(key)
    if obj is None:
        return {"error": f"the {resource.object_type} was deleted meanwhile"}, 404
    db.session.refresh(obj)
    response = jsonify(
        {
            "error": f"the {resource.object_type} changed since version you sent; "
            f"it is now version {obj.version}. Re-apply your change to the current record.",
            "current": resource.body(obj),
        }
    )
    response.status_code = 409
    response.headers["ETag"] = f'"{obj.version}"'
    return response


def _page_args(name: str) -> tuple[int, str | int | None]:
    """Return (limit, cursor) from the query string, or raise BadRequest naming the parameter."""
    from flask import current_app

    most = int(current_app.config.get("API_MAX_PAGE_SIZE", 1000))
    raw = request.args.get("limit", "").strip()
    limit = int(current_app.config.get("API_PAGE_SIZE", 100))
    if raw:
        if not _DIGITS.match(raw) or not 1 <= int(raw) <= most:
            raise BadRequest(f"limit: {raw[:20]!r} is not a page size from 1 to {most}")
        limit = int(raw)
    cursor = request.args.get("cursor")
    if cursor is None or cursor == "":
        return limit, None
    if isinstance(_resource(name).column.type, sa.Integer):
        if not _DIGITS.match(cursor):
            raise BadRequest(
                f"cursor: {cursor[:20]!r} is not a cursor of {name}; use `next` "
                "from the previous page"
            )
        return limit, min(int(cursor), records.MAX_INT)  # past the last possible id: empty
    if len(cursor) > 254:
        raise BadRequest(f"cursor: too long for a cursor of {name}")
    return limit, cursor


def _estate(reason: t.Any) -> str:
    """Return the actor, registering pre-existing estate when IT gives a reason for it."""
    actor = current_actor()
    if isinstance(reason, str) and reason.strip() and isinstance(actor, policy.Actor):
        return actor.registering_estate(reason)
    return actor


def _answer(resource: Resource, obj: t.Any, status: int) -> Response:
    """Answer a write; 202 with the proposals when part of it waits for IT's decision."""
    queued = [proposals.proposal_record(p) for p in policy.take_queued(db.session)]
    if not queued:
        return resource.respond(obj, status)
    response = resource.respond(obj, 202)
    response.set_data(json.dumps(resource.body(obj) | {"proposals": queued}))
    return response


@bp.get(f"/{_REGISTER}")
def collection(name: str) -> ResponseReturnValue:
    """List a register one page at a time (`limit`, `cursor`); `next` is the following page's
    cursor, null on the last page. Tools accept the list page's filters: q, lifecycle, owner...
    """
    resource = _resource(name)
    limit, cursor = _page_args(name)
    column = resource.column
    query = resource.query().order_by(None).order_by(column)
    if cursor is not None:
        query = query.where(column > cursor)
    objs = list(db.session.scalars(query.limit(limit + 1)))
    more = len(objs) > limit
    objs = objs[:limit]
    items = [resource.body(obj) for obj in objs]
    return {
        "items": items,
        "count": len(items),
        "next": str(resource.key(objs[-1])) if more else None,
    }


@bp.post(f"/{_REGISTER}")
def create(name: str) -> ResponseReturnValue:
    """Create a record; 201 with its ETag and Location."""
    resource = _resource(name)
    body = _record(resource, json_body())
    require_write(resource.object_type, record=body)
    reason = body.pop("estate_reason", None) if isinstance(body, dict) else None
    try:
        obj = resource.save(body, actor=_estate(reason))
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        return invalid(exc, resource.object_type)
    return resource.respond(obj, 201)


@bp.get(f"/{_REGISTER}/<path:key>")
def item(name: str, key: str) -> ResponseReturnValue:
    """Return one record with its ETag."""
    resource = _resource(name)
    return resource.respond(_object(resource, key))


@bp.put(f"/{_REGISTER}/<path:key>")
def replace(name: str, key: str) -> ResponseReturnValue:
    """Replace a record (omitted fields take their defaults); needs If-Match or `version`."""
    resource = _resource(name)
    obj = _object(resource, key)
    body = _record(resource, json_body())
    require_write(resource.object_type, obj, body)
    version = expected_version(body)
    try:
        obj = resource.save(body, obj, actor=current_actor(), expected_version=version)
        answer = _answer(resource, obj, 200)
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        return invalid(exc, resource.object_type)
    except ConflictError:
        db.session.rollback()
        return _conflict(resource, key)
    return answer


@bp.delete(f"/{_REGISTER}/<path:key>")
def remove(name: str, key: str) -> ResponseReturnValue:
    """Delete a record; needs If-Match (or `version` in a JSON body)."""
    resource = _resource(name)
    obj = _object(resource, key)
    require_write(resource.object_type, obj, delete=True)
    body = json_body() if request.get_data(cache=True).strip() else None
    version = expected_version(body)
    try:
        resource.delete(obj, actor=current_actor(), expected_version=version)
        queued = [proposals.proposal_record(p) for p in policy.take_queued(db.session)]
        db.session.commit()
    except ConflictError:
        db.session.rollback()
        return _conflict(resource, key)
    if queued:  # the delete waits for IT (a flow IT manages)
        return {"proposals": queued}, 202
    return "", 204


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """Return the OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())
