"""Discovery importers: one module per source, registered explicitly by name."""

from __future__ import annotations

import csv
import re
import typing as t
from pathlib import Path

from integrations.backstage import BackstageImporter
from integrations.base import Importer
from integrations.base import ParseError
from integrations.base import norm_header
from integrations.base import sniff_bytes
from integrations.card_csv import CardCsvImporter
from integrations.catalog_csv import CatalogCsvImporter
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
    """Return the importer name for a file by looking at its first bytes; raise ParseError."""
    with open(path, "rb") as fh:
        head = sniff_bytes(fh)
    text = head.lstrip()
    if not text:
        raise ParseError("the file is empty")
    if text[0] in "[{":
        for marker, name in (
            ('"eventType"', "okta"),
            ('"appDisplayName"', "entra"),
            ("signins", "entra"),
            ("admin#reports#activit", "google_workspace"),
            ('"applicationName"', "google_workspace"),
        ):
            if marker in text or marker in text.lower():
                return name
        raise ParseError("cannot tell which source this JSON comes from; choose the source")
    if re.search(r"(?m)^apiVersion:\s*backstage\.io/", text) or (
        re.search(r"(?m)^apiVersion:", text) and re.search(r"(?m)^kind:", text)
    ):
        return "backstage"
    first = next(csv.reader([text.splitlines()[0]]), [])
    header = {norm_header(c).replace(" ", "_") for c in first}
    if {"application_id", "date_(utc)"} <= header or {
        "createddatetime",
        "appdisplayname",
    } <= header:
        return "entra"
    if {"timestamp", "merchant", "amount"} <= header:
        return "expensify"
    if "merchant_name" in header or {"date", "description", "amount"} <= header:
        return "card_csv"
    if "name" in header and header & {"slug", "category", "lifecycle", "vendor", "business_owner"}:
        return "catalog_csv"
    raise ParseError("cannot tell which source this file comes from; choose the source")
