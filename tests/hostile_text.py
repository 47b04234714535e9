"""Catalog text written to break out of DOT and HTML, for the graph's escaping tests."""

from __future__ import annotations

#: Each tries another way out: DOT attribute injection, markup, escString expansion, a trailing
#: backslash, a closing quote, an HTML-like label.
HOSTILE_TEXT = (
    '<x> ] ; injected [label=<<b>pwn</b>> URL="javascript:alert(1)"]',
    "<script>alert(1)</script>",
    r"a \N \G \L",
    "ends with \\",
    'Evil" color=red',
    '<<TABLE><TR><TD><IMG SRC="/etc/passwd"/></TD></TR></TABLE>>',
)
