"""The analysis package stays pure: no web framework, no ORM session, no database access."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ANALYSIS = Path(__file__).resolve().parents[2] / "catalog" / "analysis"
FORBIDDEN = ("flask", "sqlalchemy.orm", "catalog.extensions", "catalog.services", "catalog.models")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def is_forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


@pytest.mark.parametrize("path", sorted(ANALYSIS.glob("*.py")), ids=lambda p: p.name)
def test_analysis_module_imports_nothing_impure(path: Path) -> None:
    assert sorted(n for n in imported_modules(path) if is_forbidden(n)) == []


def test_the_check_catches_an_impure_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sqlalchemy.orm import Session\nimport flask\nfrom catalog import models\n")
    assert sorted(n for n in imported_modules(bad) if is_forbidden(n)) == [
        "catalog.models",
        "flask",
        "sqlalchemy.orm",
        "sqlalchemy.orm.Session",
    ]
