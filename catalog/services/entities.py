"""Create, update and delete people, tools, flows, dependencies and sightings.

Every function takes the Session, validates through `records`, checks the version the caller saw,
writes the change, records it in the change log, and flushes. The caller (view, CLI, API)
commits once, so a form save or a whole bundle import is all-or-nothing.

The services live with their register's declaration (`people`, `tools`, `relations`) and share
one write path (`writes`); this module gathers them under the names callers have always used
(with `records`, the validation they share).
"""

from __future__ import annotations

from catalog.services import records
from catalog.services.people import delete_person
from catalog.services.people import owned_tools
from catalog.services.people import save_person
from catalog.services.relations import delete_dependency
from catalog.services.relations import delete_flow
from catalog.services.relations import flow_key
from catalog.services.relations import save_dependency
from catalog.services.relations import save_flow
from catalog.services.relations import save_sighting
from catalog.services.tools import RESERVED_SLUGS
from catalog.services.tools import delete_tool
from catalog.services.tools import reserve_route_words
from catalog.services.tools import save_tool
from catalog.services.tools import tool_aliases
from catalog.services.tools import tool_dependencies
from catalog.services.tools import tool_flows
from catalog.services.tools import tool_sightings
from catalog.services.writes import ConflictError
from catalog.services.writes import person_by_email
from catalog.services.writes import record_change
from catalog.services.writes import recorded_at
from catalog.services.writes import tool_by_slug

__all__ = [
    "RESERVED_SLUGS",
    "ConflictError",
    "delete_dependency",
    "delete_flow",
    "delete_person",
    "delete_tool",
    "flow_key",
    "owned_tools",
    "person_by_email",
    "record_change",
    "recorded_at",
    "records",
    "reserve_route_words",
    "save_dependency",
    "save_flow",
    "save_person",
    "save_sighting",
    "save_tool",
    "tool_aliases",
    "tool_by_slug",
    "tool_dependencies",
    "tool_flows",
    "tool_sightings",
]
