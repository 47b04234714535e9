"""CSV cells every export writes: text a spreadsheet shows, never a formula it runs."""

from __future__ import annotations

import typing as t

# Spreadsheet apps run a cell starting with these as a formula (OWASP ASVS 1.2.10).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def defuse_cell(value: t.Any) -> str:
    """Return a CSV cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
