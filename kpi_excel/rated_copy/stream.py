"""A worksheet part read a chunk at a time, and the pieces of its XML the rated copy looks into."""

from __future__ import annotations

import re
from typing import IO

from kpi_excel.rated_copy.model import CannotEdit

CHUNK = 1 << 20
MAX_ROW_BYTES = 16 << 20  # one row's XML; a KPI row is a few kilobytes

TAG = re.compile(rb"""<(/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>""")
ROW_OR_END = re.compile(rb"<row[\s/>]|</sheetData>")
SHEET_DATA_END = b"</sheetData>"
_CELL_START = re.compile(rb"<c[\s/>]")
ATTR_R = re.compile(rb"""\sr\s*=\s*["']([A-Z]{0,3})(\d+)["']""")
ATTR_S = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
_CONTENT = re.compile(rb"<(v|f|is)[\s>/]")


class Stream:
    """The part's bytes, read a chunk at a time; positions count from the first byte not yet taken."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.data = b""
        self.pos = 0  # bytes of data already taken
        self.done = False

    def fill(self) -> bool:
        if self.done:
            return False
        chunk = self.source.read(CHUNK)
        if not chunk:
            self.done = True
            return False
        self.data = self.data[self.pos:] + chunk  # the taken bytes are dropped only here
        self.pos = 0
        return True

    def find(self, pattern: re.Pattern[bytes] | bytes, start: int, limit: int, why: str) -> int:
        """Where pattern next starts, counted from the first byte not taken (reading more as needed),
        or -1 at the end of the part."""
        while True:
            if isinstance(pattern, bytes):
                at = self.data.find(pattern, self.pos + start)
            else:
                match = pattern.search(self.data, self.pos + start)
                at = match.start() if match else -1
            if at >= 0:
                return at - self.pos
            if len(self.data) - self.pos > limit:
                raise CannotEdit(why)
            if not self.fill():
                return -1

    def at(self, start: int, end: int) -> bytes:
        return self.data[self.pos + start:self.pos + end]

    def until(self, marker: bytes, limit: int, why: str) -> bytes:
        """Take everything before marker (through it, when marker is '>')."""
        at = self.find(marker, 0, limit, why)
        if at < 0:
            raise CannotEdit(why)
        return self.take(at + len(marker) if marker == b">" else at)

    def take(self, end: int) -> bytes:
        taken = self.data[self.pos:self.pos + end]
        self.pos += end
        return taken

    def copy_until(self, marker: bytes, target: IO[bytes] | None) -> bool:
        """Write everything before marker to target (or pass over it, with None) a chunk at a time;
        False when there is no marker."""
        while True:
            at = self.data.find(marker, self.pos)
            if at >= 0:
                taken = self.take(at - self.pos)
                if target is not None:
                    target.write(taken)
                return True
            keep = len(marker) - 1  # the marker may begin at the chunk's end
            if len(self.data) - self.pos > keep:
                taken = self.take(len(self.data) - self.pos - keep)
                if target is not None:
                    target.write(taken)
            if not self.fill():
                return False

    def rest(self, limit: int, why: str) -> bytes:
        while self.fill():
            if len(self.data) - self.pos > limit:
                raise CannotEdit(why)
        return self.take(len(self.data) - self.pos)

    def next_row(self, target: IO[bytes] | None) -> bytes | None:
        """The next <row> element whole, writing what comes before it to target; None at the end of
        the cells (the stream then stands at </sheetData>)."""
        at = self.find(ROW_OR_END, 0, MAX_ROW_BYTES, "a row of the sheet is too large")
        if at < 0:
            raise CannotEdit("its cell table does not close")
        before = self.take(at)
        if target is not None:
            target.write(before)
        if self.at(0, 2) == b"</":
            return None
        return self.take_element(b"row")

    def take_element(self, name: bytes) -> bytes:
        """The element starting the buffer, whole: its start tag, content and end tag."""
        tag_end = self.find(b">", 0, MAX_ROW_BYTES, "a row of the sheet is too large")
        if tag_end < 0:
            raise CannotEdit("the sheet ends inside a row")
        if self.at(tag_end - 1, tag_end) == b"/":
            return self.take(tag_end + 1)
        close = b"</" + name + b">"
        end = self.find(close, tag_end, MAX_ROW_BYTES, "a row of the sheet is too large")
        if end < 0:
            raise CannotEdit("the sheet ends inside a row")
        return self.take(end + len(close))


def start_tag(element: bytes) -> bytes:
    match = TAG.match(element)
    if match is None:
        raise CannotEdit("a row's XML is not as Excel writes it")
    return match.group(0)


def row_number(row: bytes, previous: int) -> int:
    r = ATTR_R.search(start_tag(row))
    return int(r.group(2)) if r else previous + 1


def cells(row: bytes, offset: int) -> list[tuple[int, int, int, bytes]]:
    """Each cell of a row: its 0-based column, where it begins and ends, and its XML."""
    found: list[tuple[int, int, int, bytes]] = []
    col = -1
    pos = offset
    while True:
        match = _CELL_START.search(row, pos)
        if match is None:
            return found
        begin = match.start()
        tag = TAG.match(row, begin)
        if tag is None:
            raise CannotEdit("a cell's XML is not as Excel writes it")
        if tag.group(4):
            end = tag.end()
        else:
            close = row.find(b"</c>", tag.end())
            if close < 0:
                raise CannotEdit("a cell's XML is not as Excel writes it")
            end = close + 4
        ref = ATTR_R.search(tag.group(0))
        col = column_index(ref.group(1)) if ref and ref.group(1) else col + 1
        found.append((col, begin, end, row[begin:end]))
        pos = end


def has_content(cell: bytes) -> bool:
    """Whether a cell holds a value or a formula (not only a style)."""
    return bool(_CONTENT.search(cell))


def column_index(letters: bytes | str) -> int:
    """The 0-based column of Excel's letters: A -> 0."""
    col = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
        col = col * 26 + letter - 64
    return col - 1


def style_of(element: bytes) -> int:
    match = ATTR_S.search(start_tag(element))
    return int(match.group(1)) if match else 0
