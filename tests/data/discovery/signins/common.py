"""What the sign-in fixtures share: the tenant, the people, the random source, the labels.

One random source for every file, drawn in the order generate.py writes them: the committed
files come out the same on every run.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
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
    """`count` kinds drawn from (kind, weight) pairs."""
    names = [k for k, w in table for _ in range(w)]
    return [RNG.choice(names) for _ in range(count)]


def label(app: tuple[str, str, bool], kind: str) -> dict:
    """Only a person's successful sign-in to a third-party tool is use; otherwise say why not."""
    use = kind == "success" and app[2]
    why = "use" if use else ("platform app" if kind == "success" else kind)
    return {"app": app[0], "use": use, "why": why}


def la_stamp(when: datetime) -> str:
    hour = when.hour % 12 or 12
    half = "AM" if when.hour < 12 else "PM"
    millis = when.microsecond // 1000
    return f"{when.month}/{when.day}/{when.year}, {hour}:{when:%M:%S}.{millis:03d} {half}"
