"""Imports point down: views -> services -> models; analysis and integrations depend on neither.

Every module under catalog/ and integrations/ is parsed with `ast` (nothing is imported, so a
module that only reaches another at run time is caught too). A module depends on another through
an import statement (at any depth, TYPE_CHECKING blocks included), an
`importlib.import_module("...")` / `__import__("...")` call with a literal (or an f-string's
literal prefix), or an attribute chain through an imported package (`catalog.views.tools.x`).
The layers and their direction are described in docs/architecture.md.

ALLOWED lists the known exceptions, each with its reason. It may only shrink: an entry that no
longer matches a dependency fails the test too, so fixing a violation means deleting its line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("catalog", "integrations")

# (importer, imported): the layering exceptions that remain, each with why it is still there.
# None is left; an entry added here must say why, and the test fails once it no longer matches.
ALLOWED: dict[tuple[str, str], str] = {}

# What the pure layers (catalog.analysis, catalog.vocab, catalog.taxonomy, catalog.fields,
# integrations) may not reach: the web framework, the database, the models and everything built
# on them.
FRAMEWORK = (
    "flask",
    "flask_login",
    "flask_wtf",
    "flask_limiter",
    "flask_sqlalchemy_lite",
    "werkzeug",
    "wtforms",
    "sqlalchemy",
    "alembic",
)
# The catalog's own web layer, which the services never reach.
WEB_MODULES = (
    "catalog.views",
    "catalog.web",
    "catalog.auth",
    "catalog.forms",
    "catalog.security",
    "catalog.cli",
    "catalog.cli_setup",
)
APP = (
    "catalog.services",
    "catalog.models",
    "catalog.models_governance",
    "catalog.extensions",
    *WEB_MODULES,
)
# The web layer and the web libraries.
WEB = (*WEB_MODULES, "flask", "flask_login", "flask_wtf", "werkzeug")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _resolve(dotted: str) -> str:
    """Return the longest known module that `dotted` names or reaches into (else `dotted`)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return dotted


def _dotted(node: ast.expr) -> str | None:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    names.append(node.id)
    return ".".join(reversed(names))


def _literal_prefix(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            # f"catalog.views.{name}" may reach any module of the package.
            return first.value.rstrip(".") + ".*"
    return None


def dependencies(module: str, source: str) -> set[str]:
    """Every module (or outside package) `module` reaches, resolved to the longest known name.

    >>> sorted(dependencies("catalog.x", "import catalog.views.tools\\n"
    ...                     "catalog.views.tools.filtered_tools()"))
    ['catalog.views', 'catalog.views.tools']
    >>> sorted(dependencies("catalog.x", "import importlib\\n"
    ...                     "importlib.import_module(f'catalog.views.{n}')"))
    ['catalog.views.*', 'importlib']
    """
    tree = ast.parse(source)
    package = (
        module if MODULES.get(module, Path()).name == "__init__.py" else module.rpartition(".")[0]
    )
    found: set[str] = set()
    aliases: dict[str, str] = {}  # local name -> the module or package it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_resolve(alias.name))
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    aliases[root] = root
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"  # a submodule, or a name defined in `base`
                found.add(full if full in MODULES else _resolve(base))
                aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = _dotted(node.func) or ""
            if func.endswith("import_module") or func == "__import__":
                target = _literal_prefix(node.args[0])
                if target:
                    found.add(target if target.endswith(".*") else _resolve(target))
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted:
                root, _, rest = dotted.partition(".")
                if root in aliases and rest:
                    full = f"{aliases[root]}.{rest}"
                    if _within(_resolve(full), PACKAGES) and _resolve(full) in MODULES:
                        found.add(_resolve(full))
    found.discard(module)
    return found


def _reaches(target: str, prefixes: tuple[str, ...]) -> bool:
    if target.endswith(".*"):
        stem = target[:-2]
        return any(_within(p, (stem,)) or _within(stem, (p,)) for p in prefixes)
    return _within(target, prefixes) or _within(target.split(".")[0], prefixes)


def _is_blueprint_module(module: str) -> bool:
    """A view module is one that declares a blueprint (`bp = Blueprint(...)`)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == "bp" for target in node.targets)
        for node in tree.body
    )


def violations() -> set[tuple[str, str]]:
    """Every (importer, imported) pair that breaks the direction of imports."""
    bad = set()
    blueprints = {m for m in MODULES if m.startswith("catalog.views.") and _is_blueprint_module(m)}
    for module, path in MODULES.items():
        for target in dependencies(module, path.read_text(encoding="utf-8")):
            pure = module.startswith(("catalog.analysis", "integrations")) or module in (
                "catalog.vocab",
                "catalog.taxonomy",
                "catalog.fields",
            )
            if pure and (
                _reaches(target, FRAMEWORK)
                or _reaches(target, APP)
                or (module.startswith("catalog.analysis") and target == "catalog.taxonomy")
            ):
                bad.add((module, target))
            # `catalog` itself is the app factory (catalog/__init__.py): the web layer's top.
            if (pure or module.startswith("catalog.services")) and target == "catalog":
                bad.add((module, target))
            if module.startswith("catalog.services") and _reaches(target, WEB):
                bad.add((module, target))
            if module in ("catalog.models", "catalog.models_governance") and _reaches(
                target,
                (
                    "catalog.services",
                    "catalog.views",
                    "catalog.web",
                    "catalog.auth",
                    "catalog.analysis",
                    "flask",
                ),
            ):
                bad.add((module, target))
            if module in blueprints and (target in blueprints or target == "catalog.views.*"):
                bad.add((module, target))
    return bad | _service_cycles()


def _service_cycles() -> set[tuple[str, str]]:
    """Service modules that import each other in a circle, one ("cycle", members) per circle."""
    services = {m for m in MODULES if m.startswith("catalog.services.")}
    graph = nx.DiGraph()
    for module in services:
        for target in dependencies(module, MODULES[module].read_text(encoding="utf-8")):
            if target in services:
                graph.add_edge(module, target)
    return {
        ("cycle", " ".join(sorted(component)))
        for component in nx.strongly_connected_components(graph)
        if len(component) > 1
    }


def test_imports_point_down() -> None:
    found = violations()
    unexpected = sorted(found - set(ALLOWED))
    assert not unexpected, "imports against the layering (docs/architecture.md): " + ", ".join(
        f"{a} -> {b}" for a, b in unexpected
    )


def test_allow_list_only_shrinks() -> None:
    stale = sorted(set(ALLOWED) - violations())
    assert not stale, "fixed, so remove from ALLOWED: " + ", ".join(f"{a} -> {b}" for a, b in stale)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        # A violation reached through an attribute chain, a string import and a relative import.
        (
            "catalog.services.x",
            "import catalog\ncatalog.views.tools.index()",
            "catalog.views.tools",
        ),
        (
            "catalog.services.x",
            "import importlib\nimportlib.import_module('catalog.auth')",
            "catalog.auth",
        ),
        ("catalog.services.x", "from ..views import tools", "catalog.views.tools"),
        ("catalog.services.x", "from catalog import views as v\nv.api.bp", "catalog.views.api"),
        ("catalog.services.x", "from catalog import create_app", "catalog"),
    ],
)
def test_dependencies_follow_attributes_and_strings(
    module: str, source: str, expected: str
) -> None:
    assert expected in dependencies(module, source)


APP_WIDE_HOOKS = {
    "before_app_request",
    "after_app_request",
    "teardown_app_request",
    "app_errorhandler",
    "app_context_processor",
    "app_url_value_preprocessor",
    "app_url_defaults",
    "before_app_first_request",
}


def test_no_blueprint_installs_app_wide_hooks() -> None:
    # A hook for every request belongs to the app factory (catalog.web.init_app), where the
    # order of the hooks is visible in one place, not to whichever feature blueprint declared it.
    found = []
    for module, path in MODULES.items():
        if module.startswith("catalog.views."):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in APP_WIDE_HOOKS:
                    found.append(f"{module}: {node.attr}")
    assert not found, found
