"""Hostile tool names and the check that a drawing of them is inert SVG (graph pages, renders)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

# Names that try to break out of DOT quoting, HTML labels or escapes, or to read a file.
HOSTILE = [
    '<x> ] ; injected [label=<<b>pwn</b>> URL="javascript:alert(1)"]',
    "<script>alert(1)</script>",
    r"a \N \G \L",
    "ends with \\",
    'Evil" color=red',
    '<<TABLE><TR><TD><IMG SRC="/etc/passwd"/></TD></TR></TABLE>>',
]


def assert_safe_svg(svg: bytes | str) -> ET.Element:
    """Assert the SVG has no script, event handler, foreignObject, javascript: URL or file read."""
    text = svg.decode() if isinstance(svg, bytes) else svg
    root = ET.fromstring(text)
    lowered = text.lower()
    assert "javascript:" not in lowered
    assert "<script" not in lowered
    # The name may show "/etc/passwd" as text; nothing may load it or show what is in it.
    assert "root:x:0:0" not in text
    for element in root.iter():
        assert not element.tag.lower().endswith("foreignobject")
        assert not element.tag.lower().endswith("image")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            assert "passwd" not in value
            assert not local.startswith("on"), (element.tag, name)
            if local == "href":
                assert value.startswith("/tools/"), value
    return root
