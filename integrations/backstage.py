"""Backstage `catalog-info.yaml` descriptors: Components and Resources become tools, dependsOn
becomes dependencies.

A Backstage import never decides a tool's lifecycle: a new tool comes in as a request, with
Backstage's own `spec.lifecycle` kept in its description ("Backstage: component, type service,
lifecycle production."), because sanctioning is the review's job. Only an administrator who
registers an existing estate (`register_existing_estate=True`, which the service records in the
change log with its reason) maps Backstage's lifecycle onto the catalog's. A Resource that is
infrastructure (a repository, database, bucket, queue ...) is not a martech tool: skipped.
"""

from __future__ import annotations

import re
import typing as t

from integrations.base import BadRow
from integrations.base import DependencyRecord
from integrations.base import Importer
from integrations.base import Item
from integrations.base import ParseError
from integrations.base import Skipped
from integrations.base import ToolRecord
from integrations.base import Warning_
from integrations.base import text_stream

if t.TYPE_CHECKING:
    import yaml

TOOL_KINDS = {"component", "resource"}
# Backstage's entity-name rule: 1-63 chars, [a-zA-Z0-9] separated by single [-_.].
NAME_RE = re.compile(r"^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$")
# Backstage's lifecycle is IT's own word on the service; map it onto the catalog's.
LIFECYCLES = {"production": "sanctioned", "deprecated": "deprecated", "experimental": "in_review"}
#: Resource types that are infrastructure, not a tool anyone signs in to or pays for.
NOT_TOOL_RESOURCES = frozenset(
    "repository repo git-repository code-repository database db table schema bucket s3-bucket "
    "gcs-bucket storage blob-storage object-storage file-share queue topic kafka-topic "
    "message-queue stream cache redis cluster kubernetes-cluster namespace vm server "
    "network vpc subnet dns dns-zone load-balancer secret key-vault certificate".split()
)


def slug_for(namespace: str, name: str) -> str:
    """Return the catalog slug of a Backstage entity (namespace kept unless it is `default`)."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if namespace.lower() != "default":
        base = re.sub(r"[^a-z0-9]+", "-", namespace.lower()).strip("-") + "-" + base
    return base[:100].strip("-")


def parse_ref(ref: str, namespace: str) -> tuple[str | None, str, str]:
    """Split an entity ref `[kind:][namespace/]name` into lowercased (kind, namespace, name)."""
    kind: str | None = None
    if ":" in ref:
        kind, ref = ref.split(":", 1)
    if "/" in ref:
        namespace, ref = ref.split("/", 1)
    return (kind.lower() if kind else None), namespace.lower(), ref.lower()


class BackstageImporter(Importer):
    name = "backstage"
    label = "Backstage catalog descriptors (catalog-info.yaml)"
    produces = "tools"

    def __init__(self, register_existing_estate: bool = False) -> None:
        self.register_existing_estate = register_existing_estate

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield tool records for Components and Resources, then their dependencies."""
        kinds: dict[tuple[str, str], str] = {}  # (namespace, name) -> kind, for ref checks
        self._infra: dict[tuple[str, str], str] = {}  # skipped resources -> their type
        pending: list[tuple[str, str, str, str]] = []  # where, source slug, raw ref, namespace
        seen_entity = False
        import yaml  # only this importer needs it: keep it out of every start-up

        documents = yaml.load_all(text_stream(stream), Loader=budgeted_loader())
        number = 0
        while True:
            try:
                doc = next(documents)
            except StopIteration:
                break
            except yaml.YAMLError as exc:
                raise ParseError(
                    f"not valid YAML ({_first_line(exc)})", where=_yaml_where(exc, number + 1)
                ) from None
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"bytes that are not UTF-8 ({exc.reason})", where=f"document {number + 1}"
                ) from None
            except RecursionError:
                raise ParseError("YAML nested too deeply", where=f"document {number + 1}") from None
            number += 1
            where = f"document {number}"
            if doc is None:
                continue
            if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                if not seen_entity:
                    raise ParseError(
                        "this is not a Backstage descriptor: documents need apiVersion and kind",
                        where=where,
                    )
                yield BadRow(where, "not a Backstage entity (apiVersion and kind are required)")
                continue
            seen_entity = True
            yield from self._entity(doc, where, kinds, pending)
        if not seen_entity:
            raise ParseError("the file has no Backstage entities")
        for where, source, raw, namespace in pending:
            kind, ns, name = parse_ref(raw, namespace)
            known = kinds.get((ns, name))
            infra = self._infra.get((ns, name))
            if infra is not None and (kind is None or kind == "resource"):
                yield Warning_(
                    where, f"dependsOn {raw!r} points at a {infra} resource, not a tool; left out"
                )
                continue
            if known is not None and known not in TOOL_KINDS:
                yield Warning_(
                    where,
                    f"dependsOn {raw!r} points at a {known} entity, not a "
                    "component or resource; left out",
                )
                continue
            if kind is not None and kind not in TOOL_KINDS:
                yield Warning_(
                    where,
                    f"dependsOn {raw!r} points at a {kind} entity, not a "
                    "component or resource; left out",
                )
                continue
            yield DependencyRecord(where, source, slug_for(ns, name), "other", f"Backstage: {raw}")

    def _entity(
        self,
        doc: dict[str, t.Any],
        where: str,
        kinds: dict[tuple[str, str], str],
        pending: list[tuple[str, str, str, str]],
    ) -> t.Iterator[Item]:
        kind = str(doc.get("kind")).lower()
        meta = doc.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
        spec = doc.get("spec")
        if not isinstance(spec, dict):
            spec = {}
        name = str(meta.get("name") or "")
        namespace = str(meta.get("namespace") or "default")
        where = f"{where} ({kind}:{name})" if name else where
        if kind == "location":
            yield Warning_(where, "Location targets are not followed; import the files it lists")
            return
        if not NAME_RE.match(name) or len(name) > 63:
            yield BadRow(
                where,
                f"metadata.name {name[:80]!r} is not a valid Backstage entity "
                "name (1-63 letters and digits separated by -, _ or .)",
            )
            return
        kinds[(namespace.lower(), name.lower())] = kind
        if kind not in TOOL_KINDS:
            yield Skipped(where, f"{kind} entities are not tools")
            return
        kind_type = str(spec.get("type") or "").strip()
        if kind == "resource" and kind_type.lower() in NOT_TOOL_RESOURCES:
            self._infra[(namespace.lower(), name.lower())] = kind_type.lower()
            yield Skipped(where, f"resource of type {kind_type.lower()}: not a martech tool")
            return
        slug = slug_for(namespace, name)
        links = meta.get("links")
        if not isinstance(links, list):
            links = []
        website = next(
            (
                str(x["url"])
                for x in links
                if isinstance(x, dict) and str(x.get("url", "")).startswith(("http://", "https://"))
            ),
            "",
        )
        observed = str(spec.get("lifecycle") or "").strip()
        note = ", ".join(
            [kind]
            + ([f"type {kind_type[:60]}"] if kind_type else [])
            + ([f"lifecycle {observed[:60]}"] if observed else [])
        )
        description = str(meta.get("description") or "").strip()
        fields = {
            "slug": slug,
            "name": str(meta.get("title") or name),
            # Backstage's lifecycle is kept as what Backstage says, never as the catalog's.
            "description": f"{description}\n\nBackstage: {note}.".strip(),
            "website": website if len(website) <= 500 else "",
        }
        lifecycle = "requested"
        if self.register_existing_estate:
            lifecycle = LIFECYCLES.get(observed.lower(), "requested")
        yield ToolRecord(where, fields, {"lifecycle": lifecycle})
        for field in ("dependsOn", "dependencyOf"):
            refs = spec.get(field) or []
            for raw in refs if isinstance(refs, list) else [refs]:
                if field == "dependsOn":
                    pending.append((where, slug, str(raw), namespace))
                else:
                    # "X dependencyOf Y" is "Y dependsOn X": resolved from Y's side.
                    kind_, ns, other = parse_ref(str(raw), namespace)
                    pending.append(
                        (where, slug_for(ns, other), f"{kind}:{namespace}/{name}", namespace)
                    )


# A descriptor is a few dozen nodes. Aliases let a few hundred bytes stand for billions of nodes
# ("billion laughs"), which the import would then walk until memory runs out: a document may
# expand to at most this many nodes, aliases counted at their full size.
MAX_EXPANDED_NODES = 100_000
_LOADER: t.Any = None


def budgeted_loader() -> t.Any:
    """Return a safe YAML loader that refuses documents expanding past MAX_EXPANDED_NODES."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml
    from yaml.composer import ComposerError

    class BudgetedLoader(yaml.SafeLoader):
        def compose_document(self) -> t.Any:
            self._sizes: dict[int, int] = {}  # id(node) -> nodes it stands for, expanded
            return super().compose_document()

        def compose_node(self, parent: t.Any, index: t.Any) -> t.Any:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # yaml stubs
            node = super().compose_node(parent, index)
            sizes = self._sizes
            if id(node) in sizes:  # an alias: its anchor's full size counts again
                return node
            if isinstance(node, yaml.SequenceNode):
                size = 1 + sum(sizes.get(id(child), 1) for child in node.value)
            elif isinstance(node, yaml.MappingNode):
                size = 1 + sum(sizes.get(id(k), 1) + sizes.get(id(v), 1) for k, v in node.value)
            else:
                size = 1
            if size > MAX_EXPANDED_NODES:
                raise ComposerError(
                    None,
                    None,
                    f"aliases expand this document past {MAX_EXPANDED_NODES:,} "
                    "nodes, far more than any descriptor needs; refused",
                    mark,
                )
            sizes[id(node)] = size
            return node

    _LOADER = BudgetedLoader
    return _LOADER


def _first_line(exc: yaml.YAMLError) -> str:
    return str(exc).splitlines()[0][:200]


def _yaml_where(exc: yaml.YAMLError, number: int) -> str:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return f"line {mark.line + 1}"
    return f"document {number}"
