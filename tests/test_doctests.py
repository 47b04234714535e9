"""The examples in the pure modules' docstrings run as tests (catalog.analysis, integrations).

Those modules touch neither Flask nor the database, so their examples run as they are written;
an example that no longer matches what the function does fails here.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = [
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for package in ("catalog/analysis", "integrations")
    for path in sorted((ROOT / package).glob("*.py"))
]


@pytest.mark.parametrize("name", PURE)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(
        importlib.import_module(name),
        optionflags=doctest.ELLIPSIS,
        raise_on_error=False,
        report=True,
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_the_pure_modules_carry_examples() -> None:
    # The suite above is not vacuous: most of the graph and spend code explains itself by example.
    attempted = sum(
        doctest.testmod(importlib.import_module(name), report=False).attempted for name in PURE
    )
    assert attempted >= 20, attempted
