"""Options an import passes to its importers: a card CSV's column mapping, Backstage's
"register the existing estate" switch. One parser for the mapping, shared by the web form and
the CLI's `--columns`."""

from __future__ import annotations

import inspect
import re
import typing as t

import integrations
from integrations.base import Importer
from integrations.base import ParseError
from integrations.card_layouts import MAPPING_KEYS as COLUMN_KEYS
from integrations.card_layouts import mapped_layout

PURCHASES = ("positive", "negative")


class OptionError(ValueError):
    """An import option is malformed; the message says which part and why."""


_PART = re.compile(r'\s*([^=,]*?)\s*=\s*(?:"([^"]*)"|([^,"]*?))\s*(?:,|$)')


def parse_columns(text: str, purchases: str = "positive") -> dict[str, str]:
    """Parse `date=Trans Date,merchant=Description,amount=Amount[,category=Category]`.

    A header that contains a comma is quoted: `merchant="Payee, name"`. The names are those of
    `integrations.card_layouts.MAPPING_KEYS` (debit/credit may stand for amount). Returns {} for
    an empty text; raises OptionError naming the bad part otherwise.
    """
    text = text.strip()
    if not text:
        return {}
    mapping: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _PART.match(text, position)
        if match is None or match.end() == position:
            part = text[position:].split(",", 1)[0].strip()
            raise OptionError(f"column mapping {part[:80]!r} is not key=Header")
        position = match.end()
        key = match.group(1).casefold()
        header = (match.group(2) if match.group(2) is not None else match.group(3)).strip()
        if not header:
            raise OptionError(f"column mapping {key or '?'}= has no header name")
        if key not in COLUMN_KEYS:
            raise OptionError(
                f"unknown column mapping key {key!r}; expected some of {', '.join(COLUMN_KEYS)}"
            )
        if key in mapping:
            raise OptionError(f"column mapping key {key} is given twice")
        mapping[key] = header[:200]
    try:
        mapped_layout(mapping, purchases)  # the card importer's own check, once, up front
    except ParseError as exc:
        raise OptionError(str(exc)) from None
    return mapping


def importer(source: str, options: t.Mapping[str, t.Any] | None) -> Importer:
    """Return the importer for `source`, given the options its constructor accepts.

    An option another importer understands (the column mapping when the file is Backstage) is
    left out rather than refused, so one set of options serves a multi-file import.
    """
    cls = integrations.IMPORTERS.get(source)
    if cls is None or not options:
        return integrations.get_importer(source)
    accepted = inspect.signature(cls.__init__).parameters
    wanted = {k: v for k, v in options.items() if k in accepted and v not in (None, {}, False)}
    return cls(**wanted) if wanted else integrations.get_importer(source)
