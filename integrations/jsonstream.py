"""Stream the records of a JSON export without loading the whole file.

Handles the three shapes discovery exports come in: a top-level array (`[{...}, ...]`), an API
envelope whose records sit under one key (`{"value": [...]}`, `{"items": [...]}`), and JSON lines
(one object per line, or objects simply concatenated). Each record is decoded by the standard
library's C scanner, so the stdlib guards apply per record: nesting ~1000 deep raises
RecursionError and integers over 4,300 digits raise ValueError; both become a ParseError with the
line number. Memory is bounded by the largest single record (MAX_RECORD), not by the file.
"""

from __future__ import annotations

import json
import typing as t

from integrations.base import ParseError
from integrations.base import text_stream

CHUNK = 1 << 18
MAX_RECORD = 16 * 1024 * 1024
_WS = " \t\r\n"
_decoder = json.JSONDecoder()


class _Reader:
    def __init__(self, stream: t.BinaryIO) -> None:
        self._text = text_stream(stream)
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._line = 1  # line number at self._line_pos
        self._line_pos = 0
        # Where buf[0] sits in the whole text, and where the line holding buf[0] starts: the
        # buffer is trimmed as it is read, so an error's offset must be made absolute first.
        self.base = 0
        self._line_start = 0

    def line(self, at: int | None = None) -> int:
        at = self.pos if at is None else at
        if at >= self._line_pos:
            self._line += self.buf.count("\n", self._line_pos, at)
            self._line_pos = at
            return self._line
        return self._line - self.buf.count("\n", at, self._line_pos)

    def where(self, at: int | None = None) -> str:
        """Return "line L, column C" of a buffer offset (the read position by default)."""
        at = self.pos if at is None else at
        newline = self.buf.rfind("\n", 0, at)
        column = at - newline if newline >= 0 else self.base + at - self._line_start + 1
        return f"line {self.line(at)}, column {column}"

    def fill(self) -> bool:
        """Read another chunk; return False at end of file."""
        if self.eof:
            return False
        self.line()  # count the lines we are about to drop
        keep = min(self.pos, self._line_pos)
        newline = self.buf.rfind("\n", 0, keep)
        if newline >= 0:
            self._line_start = self.base + newline + 1
        self.base += keep
        self.buf = self.buf[keep:]
        self.pos -= keep
        self._line_pos -= keep
        try:
            chunk = self._text.read(CHUNK)
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"bytes that are not UTF-8 ({exc.reason}); save the export as UTF-8",
                where=f"near line {self.line(len(self.buf))}",
            ) from None
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def peek(self) -> str:
        """Skip whitespace and return the next character ("" at end of file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def decode(self) -> t.Any:
        """Decode one JSON value at the next non-blank position, reading more input as needed."""
        self.peek()
        while True:
            try:
                value, end = _decoder.raw_decode(self.buf, self.pos)
            except RecursionError:
                if self.fill():
                    continue
                raise ParseError(
                    "JSON nested too deeply (over ~1000 levels)", where=self.where()
                ) from None
            except json.JSONDecodeError as exc:
                at = self.base + exc.pos  # absolute: fill() may trim the buffer under it
                if not _is_syntax_error(exc, len(self.buf)) and self.fill():
                    self._check_size()
                    continue
                raise ParseError(
                    f"not valid JSON ({exc.msg})", where=self.where(at - self.base)
                ) from None
            except ValueError as exc:  # int() digit limit (CVE-2020-10735 guard)
                if self.fill():
                    self._check_size()
                    continue
                raise ParseError(
                    f"a number is too long to read ({exc})".split(";")[0], where=self.where()
                ) from None
            # A number or literal cut at the end of the buffer may continue in the next chunk.
            if end == len(self.buf) and self.fill():
                continue
            self.pos = end
            return value

    def _check_size(self) -> None:
        if len(self.buf) - self.pos > MAX_RECORD:
            raise ParseError(
                f"a single JSON record is larger than {MAX_RECORD // 2**20} MB", where=self.where()
            )

    def expect(self, chars: str, what: str) -> str:
        c = self.peek()
        if c == "" or c not in chars:
            found = "the end of the file" if c == "" else repr(c)
            raise ParseError(f"not valid JSON (expected {what}, found {found})", where=self.where())
        self.pos += 1
        return c


def iter_records(
    stream: t.BinaryIO, envelope_keys: tuple[str, ...] = ()
) -> t.Iterator[tuple[int, t.Any]]:
    """Yield (line, record) for every record of a JSON export, streaming."""
    reader = _Reader(stream)
    if reader.peek() == "":
        raise ParseError("the file is empty; expected JSON")
    while (c := reader.peek()) != "":
        if c == "[":
            reader.pos += 1
            yield from _array(reader)
        elif c == "{":
            yield from _object(reader, envelope_keys)
        else:
            raise ParseError(
                f"not valid JSON (expected an object or an array, found {c!r})",
                where=reader.where(),
            )


def _array(reader: _Reader) -> t.Iterator[tuple[int, t.Any]]:
    if reader.peek() == "]":
        reader.pos += 1
        return
    while True:
        line = reader.line()
        yield line, reader.decode()
        if reader.expect(",]", "',' or ']'") == "]":
            return
        if reader.peek() == "]":  # tolerate a trailing comma
            reader.pos += 1
            return


def _object(reader: _Reader, envelope_keys: tuple[str, ...]) -> t.Iterator[tuple[int, t.Any]]:
    start = reader.pos
    line = reader.line()
    # Fast path: the whole object is already in the buffer (JSON lines, small files).
    try:
        value, end = _decoder.raw_decode(reader.buf, start)
    except (ValueError, RecursionError):
        value, end = None, -1
    if end != -1 and not _is_envelope(value, envelope_keys):
        reader.pos = end
        yield line, value
        return
    # Slow path: an envelope (possibly bigger than memory); walk its members and stream the
    # record array, which also gives every record its own line number.
    reader.pos += 1
    members: dict[str, t.Any] = {}
    streamed = False
    if reader.peek() == "}":
        reader.pos += 1
        yield line, members
        return
    while True:
        key = reader.decode()
        if not isinstance(key, str):
            raise ParseError("not valid JSON (object keys must be strings)", where=reader.where())
        reader.expect(":", "':'")
        if key in envelope_keys and reader.peek() == "[":
            reader.pos += 1
            streamed = True
            yield from _array(reader)
        else:
            members[key] = reader.decode()
            if key in envelope_keys and members[key] is None:
                streamed = True  # an empty page: "items": null
        if reader.expect(",}", "',' or '}'") == "}":
            break
    if not streamed:
        yield line, members


def _is_syntax_error(exc: json.JSONDecodeError, size: int) -> bool:
    """Tell a real syntax error from a record cut at the end of the buffer.

    A cut record fails at (or just before) the buffer's end, or as an unterminated string; an
    error well inside the buffer is the file's own, and reading on (up to MAX_RECORD) would only
    turn it into a misleading "record too large".
    """
    return exc.pos + 64 < size and not exc.msg.startswith("Unterminated string")


def _is_envelope(value: t.Any, envelope_keys: tuple[str, ...]) -> bool:
    return isinstance(value, dict) and any(
        key in value and (value[key] is None or isinstance(value[key], list))
        for key in envelope_keys
    )
