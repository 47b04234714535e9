"""The docs hold together: every `docs/<page>.md#<section>` that code comments and the docs point
to exists, and the README links docs/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
POINTER = re.compile(r"docs/([a-z-]+)\.md#([a-z0-9-]+)")
LINK = re.compile(r"\]\(([a-z-]+)\.md#([a-z0-9-]+)\)")


def anchors(page: Path) -> set[str]:
    """Return the GitHub anchors of a Markdown page's headings."""
    found = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^a-z0-9 -]", "", title).replace(" ", "-"))
    return found


def pointers() -> list[tuple[str, str, str]]:
    """Return (where, page, anchor) for every pointer into docs/ from code and from the docs."""
    found = []
    for path in [
        *ROOT.glob("catalog/**/*.py"),
        *ROOT.glob("catalog/**/*.md"),
        *ROOT.glob("integrations/*.py"),
        *ROOT.glob("tests/**/*.py"),
    ]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [(f"{path.relative_to(ROOT)}:{number}", *m) for m in POINTER.findall(line)]
    for page in DOCS.glob("*.md"):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            found += [(f"docs/{page.name}:{number}", *m) for m in LINK.findall(line)]
    return found


def test_every_pointer_into_the_docs_names_a_section_that_exists() -> None:
    found = pointers()
    assert len(found) > 20  # the code does point into docs/
    broken = [
        f"{where}: docs/{page}.md#{anchor}"
        for where, page, anchor in found
        if not (DOCS / f"{page}.md").exists() or anchor not in anchors(DOCS / f"{page}.md")
    ]
    assert broken == []


def test_the_anchor_rule_matches_githubs() -> None:
    page = DOCS / "governance.md"
    assert {"shadow-it", "as-of-a-date", "impact-and-reach", "rules"} <= anchors(page)


def test_readme_links_the_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in ("docs/README.md", "docs/governance.md", "docs/architecture.md", "docs/formats.md"):
        assert f"]({page})" in readme
        assert (ROOT / page).exists()


def test_docs_lifecycle_table_matches_the_labels() -> None:
    from catalog.vocab import LIFECYCLE_LABELS

    text = (DOCS / "governance.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([A-Z][a-z ]+) \| [A-Za-z]", text, re.MULTILINE))
    assert rows == LIFECYCLE_LABELS
