"""A JSON syntax error names its true line and column, wherever it sits in the file.

The streaming reader trims its buffer as it goes; the error offset must survive the trim.
"""

from __future__ import annotations

import io
import json

import pytest

import integrations
from integrations.base import ParseError


def okta_event(n: int, extra: int = 76) -> dict:
    return {
        "uuid": f"d5bbf620-c7c3-11ef-8b08-{n:012d}",
        "published": "2025-12-01T10:00:00.000Z",
        "eventType": "user.authentication.sso",
        "displayMessage": "User single sign on to app",
        "outcome": {"result": "SUCCESS", "reason": None},
        "actor": {"id": f"00u{n:05d}", "type": "User", "alternateId": f"user{n}@example.com"},
        "client": {"zone": "null", "ipAddress": "203.0.113.7"},
        "target": [
            {"id": "0oam44qwezA075Gms501", "type": "AppInstance", "displayName": "Hotjar"},
            {"id": f"0ua{n:05d}", "type": "AppUser", "displayName": f"User {n}"},
        ],
        # debugData is free-form and long in real events; it makes ~111 lines per record.
        "debugContext": {"debugData": {f"key{k:02d}": f"value {k}" for k in range(extra)}},
    }


def pretty_array(count: int, extra: int = 76) -> str:
    """An Okta export as a pretty-printed array: many lines per record, as `jq .` writes it."""
    return json.dumps([okta_event(n, extra) for n in range(count)], indent=2)


def drop_colon(text: str, line: int) -> tuple[str, int]:
    """Drop the colon after the key on 1-based `line`; return the text and the 1-based column
    where the parser then stumbles (the character that follows the key)."""
    lines = text.split("\n")
    assert ":" in lines[line - 1], lines[line - 1]
    colon = lines[line - 1].index('": ') + 1
    lines[line - 1] = lines[line - 1][:colon] + lines[line - 1][colon + 1 :]
    return "\n".join(lines), colon + 2  # after the space that followed the colon


def error_of(payload: str) -> str:
    with pytest.raises(ParseError) as caught:
        list(integrations.get_importer("okta").parse(io.BytesIO(payload.encode())))
    return str(caught.value)


def test_small_file_error_near_the_end_names_line_64():
    # The whole file is read before the error is found; the records before the broken one
    # were trimmed from the buffer, which is what used to shift the line (68 for 64).
    text = pretty_array(3, extra=1)
    assert 64 < text.count("\n") < 120
    broken, column = drop_colon(text, 64)
    assert error_of(broken).startswith(f"line 64, column {column}: not valid JSON")


def test_three_thousand_records_error_on_line_319954():
    text = pretty_array(2900)  # ~111 lines a record; the error sits in the last chunk read
    target = 319_954
    lines = text.split("\n")
    assert len(lines) > target
    broken, column = drop_colon(text, target)
    message = error_of(broken)
    assert message.startswith(f"line {target}, column {column}: not valid JSON"), message


def test_json_lines_error_names_its_line_and_column():
    rows = [json.dumps(okta_event(n)) for n in range(2000)]
    rows[1500] = rows[1500].replace('"eventType": ', '"eventType" ', 1)
    column = rows[1500].index('"eventType" ') + len('"eventType" ') + 1
    assert column > 1
    assert error_of("\n".join(rows)).startswith(f"line 1501, column {column}: not valid JSON")


def test_error_in_the_middle_of_a_big_file_is_a_syntax_error_not_a_size_error(monkeypatch):
    from integrations import jsonstream

    monkeypatch.setattr(jsonstream, "MAX_RECORD", 4096)
    text = pretty_array(400)
    broken, column = drop_colon(text, 100)
    assert error_of(broken).startswith(f"line 100, column {column}: not valid JSON")


def test_truncated_file_still_names_the_last_line():
    text = pretty_array(50)
    cut = text[: len(text) // 2]
    message = error_of(cut)
    assert message.startswith(f"line {cut.count(chr(10)) + 1}, column "), message
