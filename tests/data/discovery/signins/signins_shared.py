"""What the sign-in fixtures share: one seeded random generator (the files are drawn from it in
a fixed order, so regenerating them writes the same bytes), the tenant, the people, the labels.
"""

from __future__ import annotations

import random
from datetime import datetime

RNG = random.Random(7)
TENANT = "4b2462a4-bbee-495a-a0e1-f23ae524cc9c"
USERS = [
    ("Ann Lee", "ann.lee@example.com", "Member"),
    ("Raj Patel", "raj.patel@example.com", "Member"),
    ("Mia Wong", "mia.wong@example.com", "Member"),
    ("Tom Berg", "tom.berg@example.com", "Member"),
    ("Ola Nowak", "ola.nowak_partner.example#EXT#@example.onmicrosoft.com", "Guest"),
]


def weighted(table: list[tuple[str, int]], count: int) -> list[str]:
    """Draw `count` kinds of sign-in from (kind, weight) pairs."""
    names = [k for k, w in table for _ in range(w)]
    return [RNG.choice(names) for _ in range(count)]


def label(app: tuple[str, str, bool], kind: str) -> dict:
    use = kind == "success" and app[2]
    why = "use" if use else ("platform app" if kind == "success" else kind)
    return {"app": app[0], "use": use, "why": why}


def la_stamp(when: datetime) -> str:
    hour = when.hour % 12 or 12
    half = "AM" if when.hour < 12 else "PM"
    millis = when.microsecond // 1000
    return f"{when.month}/{when.day}/{when.year}, {hour}:{when:%M:%S}.{millis:03d} {half}"
