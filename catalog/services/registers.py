"""Every register, in the order a bundle lists (and loads) its sections.

The declarations live beside their save and delete services (`people`, `tools`, `relations`);
everything per record type is read from here: the JSON API's resources, the bundle's sections,
the change log's object types. A new register is one declaration added to `REGISTERS`.
"""

from __future__ import annotations

from catalog.services.people import PEOPLE
from catalog.services.relations import DEPENDENCIES
from catalog.services.relations import FLOWS
from catalog.services.relations import SIGHTINGS
from catalog.services.tools import TOOLS
from catalog.services.writes import Register

REGISTERS: dict[str, Register] = {
    r.name: r for r in (PEOPLE, TOOLS, FLOWS, DEPENDENCIES, SIGHTINGS)
}
# The bundle's sections, in the order they load (a record's references load before it).
SECTIONS = tuple(REGISTERS)
# The registers the JSON API serves at /api/v1/<name>.
API_REGISTERS = {name: r for name, r in REGISTERS.items() if r.api}
# The change log's names for the records of the registers.
OBJECT_TYPES = {r.object_type: r for r in REGISTERS.values()}

__all__ = ["API_REGISTERS", "OBJECT_TYPES", "REGISTERS", "SECTIONS", "Register"]
