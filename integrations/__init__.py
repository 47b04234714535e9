"""Discovery importers: one module per source, registered explicitly by name."""

from __future__ import annotations

import typing as t
from pathlib import Path

from integrations.backstage import BackstageImporter
from integrations.base import Importer
from integrations.base import ParseError
from integrations.base import sniff_bytes
from integrations.card_csv import CardCsvImporter
from integrations.catalog_csv import CatalogCsvImporter
from integrations.detection import detect_text
from integrations.entra import EntraImporter
from integrations.expensify import ExpensifyImporter
from integrations.google_workspace import GoogleWorkspaceImporter
from integrations.okta import OktaImporter

IMPORTERS: dict[str, type[Importer]] = {
    cls.name: cls
    for cls in (
        OktaImporter,
        EntraImporter,
        GoogleWorkspaceImporter,
        ExpensifyImporter,
        CardCsvImporter,
        BackstageImporter,
        CatalogCsvImporter,
    )
}

__all__ = ["IMPORTERS", "Importer", "ParseError", "detect", "get_importer"]


def get_importer(name: str, **options: t.Any) -> Importer:
    """Return an importer instance by its stable name; `options` go to its constructor
    (card_csv: `columns=` mapping and `purchases=`)."""
    try:
        cls = IMPORTERS[name]
    except KeyError:
        raise ParseError(
            f"unknown source {name!r}; expected one of {', '.join(IMPORTERS)}"
        ) from None
    return cls(**options)


def detect(path: str | Path) -> str:
    """Return the importer name for a file by looking at its first bytes; raise ParseError.

    A BOM, blank rows and up to MAX_PREAMBLE preamble rows before the header are passed over;
    when nothing fits, the message lists what was looked for (integrations/detection.py).
    """
    with open(path, "rb") as fh:
        head = sniff_bytes(fh)
    return detect_text(head)
