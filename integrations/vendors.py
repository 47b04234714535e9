"""The shipped knowledge base of software vendors, and of merchants that are never software.

`integrations/data/vendors.yaml` lists several hundred SaaS products (martech first, then the
generative-AI tools and developer platforms that share the same statements) with their vendor,
aliases, domains, statement descriptors and taxonomy category, plus shops, meals, travel,
utilities, telecom and rent merchants. `match` finds the entry a cleaned descriptor names.

A name matches as the whole descriptor or as its leading words (`MAILCHIMP *MONTHLY` is
Mailchimp; `OPENAI *CHATGPT SUBSCR` is ChatGPT), longest first, so `AMAZON WEB SERVICES` is not
Amazon's shop. Entries whose name is a common word (`Front`, `Box`, `Target`) are `strict`: they
match only the whole descriptor, give or take billing words.
"""

from __future__ import annotations

import bisect
import typing as t
from functools import lru_cache
from pathlib import Path

import yaml

from integrations.merchants import BILLING_WORDS
from integrations.merchants import LEGAL_WORDS
from integrations.merchants import tokens

DATA_FILE = Path(__file__).resolve().parent / "data" / "vendors.yaml"
MAX_WORDS = 6
_TLDS = frozenset("com net org io ai co us app so md me dev tech ly tv fm uk de art new".split())


class Vendor(t.NamedTuple):
    name: str  # canonical product name: the one tool every variant lands on
    vendor: str
    category: str | None  # taxonomy key, or None
    software: bool
    kind: str  # for merchants that are not software: shop, meals, travel, utilities, ...


class KnowledgeBase:
    """An index from match keys (lower-case words joined by spaces) to entries."""

    def __init__(self, data: t.Mapping[str, t.Any]) -> None:
        self.entries: list[Vendor] = []
        self.prefix: dict[str, Vendor] = {}  # keys that may be followed by more words
        self.whole: dict[str, Vendor] = {}  # keys of strict entries: the whole descriptor only
        self.domains: dict[str, Vendor] = {}
        for row in data.get("software") or []:
            self._add(row, True)
        for row in data.get("not_software") or []:
            self._add(row, False)
        self._sorted = sorted(self.prefix)

    def _add(self, row: t.Mapping[str, t.Any], software: bool) -> None:
        entry = Vendor(
            row["n"], row.get("v") or row["n"], row.get("c"), software, row.get("k", "software")
        )
        self.entries.append(entry)
        strict = bool(row.get("strict"))
        names = [row["n"], *(row.get("a") or [])]
        # Descriptors of two words or a domain are specific enough to lead a line.
        specific = [s for s in row.get("s") or [] if len(tokens(s)) > 1 or "." in s]
        names += [s for s in row.get("s") or [] if s not in specific]
        for domain in row.get("d") or []:
            self.domains.setdefault(domain.lower(), entry)
            specific.append(domain)
            label = domain.lower().split(".")[0]
            if not strict and len(label) > 2:
                names.append(label)
        loose = self.whole if strict else self.prefix
        for group, target in ((names, loose), (specific, self.prefix)):
            for name in group:
                words = tokens(name)
                if not words:
                    continue
                for key in {" ".join(words), "".join(words)}:
                    # The first entry to claim a key keeps it: the file lists the likelier first.
                    if key not in self.prefix and key not in self.whole:
                        target[key] = entry

    def match(self, merchant: str) -> Vendor | None:
        """Return the entry a cleaned descriptor names, or None.

        >>> kb = knowledge_base()
        >>> kb.match("MAILCHIMP *MONTHLY").name, kb.match("CLAUDE.AI SUBSCRIPTI").name
        ('Mailchimp', 'Claude')
        >>> kb.match("AMAZON WEB SERVICES").name, kb.match("AMZN Mktp US").name
        ('Amazon Web Services', 'Amazon Marketplace')
        >>> kb.match("FRONT ROW CAFE") is None
        True
        """
        words = tokens(merchant)
        if not words:
            return None
        core = list(words)
        while len(core) > 1 and (core[-1] in BILLING_WORDS or core[-1] in LEGAL_WORDS):
            core.pop()
        found = self.whole.get(" ".join(core)) or self.whole.get("".join(core))
        if found is not None:
            return found
        for n in range(min(len(words), MAX_WORDS), 0, -1):
            head = words[:n]
            found = self.prefix.get(" ".join(head))
            if found is None and n > 1:
                found = self.prefix.get("".join(head))
            if found is None and (n > 1 or n == len(words)):
                found = self._complete(head)
            if found is not None:
                return found
            if n <= len(core) and all(w in BILLING_WORDS or w in LEGAL_WORDS for w in words[n:]):
                found = self.whole.get(" ".join(head))
                if found is not None:
                    return found
        for word in words:  # a domain anywhere: "PAYPAL *CLAUDE.AI", "HELP.UBER.COM"
            if "." in word and word.rsplit(".", 1)[1] in _TLDS:
                labels = word.split(".")
                for i in range(len(labels) - 1):  # help.uber.com, then uber.com
                    found = self.domains.get(".".join(labels[i:]))
                    if found is not None:
                        return found
        return None

    def _complete(self, head: list[str]) -> Vendor | None:
        """Return the one entry whose key the words complete, when the last word was cut short
        by a fixed-width field (`INTUIT *MAILC`, `MICROSOFT*MICROSOFT 36`)."""
        if len(head[-1]) < (2 if len(head) > 1 else 5):
            return None
        start = " ".join(head)
        i = bisect.bisect_left(self._sorted, start)
        found: Vendor | None = None
        while i < len(self._sorted) and self._sorted[i].startswith(start):
            entry = self.prefix[self._sorted[i]]
            if found is not None and entry != found:
                return None  # ambiguous: two products share the start
            found, i = entry, i + 1
        return found


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """Return the shipped knowledge base (read once per process)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(DATA_FILE, encoding="utf-8") as fh:
        return KnowledgeBase(yaml.load(fh, Loader=loader))  # noqa: S506 - a safe loader


@lru_cache(maxsize=65536)
def match(merchant: str) -> Vendor | None:
    """Return the knowledge-base entry a cleaned descriptor names, or None."""
    return knowledge_base().match(merchant)
