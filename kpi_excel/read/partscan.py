"""A package part scanned as it unpacks, before any parser sees it: DTDs, the widest row, rows
stored out of order, and what parsing it whole would cost."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from kpi_excel.excel import ns

MAX_CELLS_IN_A_ROW = 16_384  # Excel's limit: a row with more was made to harm
_CHUNK = 2**18  # small enough that most pieces hold fewer cells than a row may


def chunks(stream: IO[bytes], boundary: bytes = b"<") -> Iterator[bytes]:
    """The part in pieces that each end just before a boundary (a tag), so none is cut in two.

    A piece with no boundary in it is passed on whole.
    """
    carry = b""
    while chunk := stream.read(_CHUNK):
        data = carry + chunk
        cut = data.rfind(boundary)
        if cut <= 0:
            yield data
            carry = b""
        else:
            yield data[:cut]
            carry = data[cut:]
    if carry:
        yield carry


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# a namespace declaration, however spaced or quoted: the prefixes a sheet's cells may carry
_XMLNS = re.compile(rb"""xmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
SHEET_NAMESPACES = (ns.MAIN.encode(), ns.STRICT_MAIN.encode())


def is_sheet_part(part: str) -> bool:
    """A part that the reader streams row by row (every other XML part is parsed whole)."""
    return part.startswith("xl/worksheets/") and part.endswith(".xml") and part.count("/") == 2


class PartScan:
    """What one pass over a part's bytes finds: DTDs, the widest row, the cost of a whole parse.

    The reader streams worksheets row by row and never sizes them first; every other XML part is
    parsed whole. Nothing a part says about itself (a <dimension>, prefixes, comments) changes what
    is counted: every "<" counts as an element (comments, processing instructions and CDATA too,
    which only over-counts), and a cell is any element named c, whatever its prefix.
    """

    def __init__(self, part: str) -> None:
        self.is_xml = part.lower().endswith((".xml", ".rels", ".vml"))
        self.is_sheet = is_sheet_part(part)
        self.declares_entities = False
        self.widest_row = 0  # exact once a row may be too wide; a lower bound before
        self.bytes = 0
        self._elements = 0  # start tags seen (and comments, which are as rare as they are cheap)
        self._prefixes: set[bytes] = {b""}  # prefixes bound to a sheet namespace, as b"x:"
        self._in_row = 0  # cells so far in the row the last chunk ended in
        self.rows_in_order = True  # every row stored after those numbered below it
        self._last_row = 0

    @property
    def whole_parse_elements(self) -> int:
        return self._elements if self.is_xml and not self.is_sheet else 0

    @property
    def whole_parse_bytes(self) -> int:
        return self.bytes if self.is_xml and not self.is_sheet else 0

    def feed(self, chunk: bytes) -> None:
        if not self.is_xml:
            return
        self.bytes += len(chunk)
        if _DTD.search(chunk):
            self.declares_entities = True
        self._elements += chunk.count(b"<") - chunk.count(b"</")
        if self.is_sheet:
            if b"xmlns" in chunk:
                self._prefixes |= {(m.group(1) + b":") if m.group(1) else b""
                                   for m in _XMLNS.finditer(chunk)
                                   if (m.group(2) or m.group(3) or b"") in SHEET_NAMESPACES}
            self._count_cells(chunk)
            if self.rows_in_order:
                self._follow_row_numbers(chunk)

    def _count_cells(self, chunk: bytes) -> None:
        """Track the cells in each row; split the chunk into rows only when one could be too wide."""
        if self._in_row + self._cells_in(chunk) <= MAX_CELLS_IN_A_ROW:
            starts = self._row_starts(chunk)
            last = starts[-1] if starts else -1
            tail = chunk if last < 0 else chunk[last:]
            self._in_row = (self._in_row if last < 0 else 0) + self._cells_in(tail)
            return
        starts = self._row_starts(chunk)
        for i, (start, end) in enumerate(zip([0, *starts], [*starts, len(chunk)], strict=True)):
            if i > 0:  # a new row starts here
                self.widest_row = max(self.widest_row, self._in_row)
                self._in_row = 0
            self._in_row += self._cells_in(chunk[start:end])
        self.widest_row = max(self.widest_row, self._in_row)

    def _follow_row_numbers(self, chunk: bytes) -> None:
        """Whether each row's number (its r, else one more than the last) is above the last one's:
        openpyxl's reader would drop a row stored after a higher-numbered one."""
        pattern = _ROW_NUMBER if self._prefixes == {b""} else _ANY_ROW_NUMBER
        last = self._last_row
        for match in pattern.finditer(chunk):
            number = int(match.group(1)) if match.group(1) else last + 1
            if number <= last:
                self.rows_in_order = False
                return
            last = number
        self._last_row = last

    def _cells_in(self, data: bytes) -> int:
        if len(self._prefixes) > _FEW_PREFIXES:  # counting each prefix's tags would take too long
            return len(_ANY_CELL.findall(data))
        return sum(data.count(b"<" + prefix + b"c" + end) for prefix in self._prefixes for end in _ENDS)

    def _row_starts(self, data: bytes) -> list[int]:
        if len(self._prefixes) > _FEW_PREFIXES:
            return [match.start() for match in _ANY_ROW.finditer(data)]
        tags = [re.escape(b"<" + prefix + b"row" + end) for prefix in self._prefixes for end in _ENDS]
        return [match.start() for match in re.finditer(b"|".join(tags), data)]


_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")  # what may follow an element's name
_FEW_PREFIXES = 3  # beyond, cells and rows are counted under any prefix (which only over-counts)
_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_ANY_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
# a row's start tag and its number, when it gives one ("<row" first: searched for as plain bytes)
_ROW_NUMBER = re.compile(rb"""<row(?=[\s>/])(?:[^<>]*?\sr\s*=\s*["'](\d{1,9})["'])?""")
_ANY_ROW_NUMBER = re.compile(rb"""<(?:[\w.-]+:)?row(?=[\s>/])(?:[^<>]*?\sr\s*=\s*["'](\d{1,9})["'])?""")
