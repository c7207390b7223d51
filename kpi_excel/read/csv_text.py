"""A CSV export's bytes as text: its encoding (line by line where two are mixed), NUL padding,
Excel's `sep=` line and its delimiter."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from itertools import islice

from kpi_excel.core.model import Warning_
from kpi_excel.errors import UnreadableWorkbookError
from kpi_excel.excel.refs import LineRef

DELIMITERS = (",", ";", "\t")
SNIFF_ROWS = 30
FIX_SAVE = "In Excel: File > Save As > CSV UTF-8 (Comma delimited), and retry"
_SEP_LINE = re.compile(r"\A\ufeff?\"?sep=([,;\t|])\"?[ \t]*(?:\r\n|\n|\r|\Z)")


@dataclass(frozen=True)
class CsvText:
    """A CSV file's text once decoded, and how it was written."""

    text: str  # from its first line of figures: a `sep=` line before them is left out
    encoding: str  # utf-8, utf-8-sig (with a byte-order mark), cp1252 (Windows-1252), or mixed
    delimiter: str
    first_line: int = 1  # the line `text` starts on (2 after a `sep=` line)
    warnings: tuple[Warning_, ...] = ()


def decode(data: bytes, name: str, short_name: str = "") -> CsvText:
    """The text, decoded strictly as UTF-8 (with or without a byte-order mark), else Windows-1252;
    a file whose lines are some UTF-8 and some Windows-1252 (two exports pasted together) line by
    line. NUL bytes padding a file are left out; a file that is UTF-16 is refused."""
    short_name = short_name or name
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableWorkbookError("this is an Excel workbook, not a CSV file", file=name,
                                      fix="Give it its own name (.xlsx), or save it from Excel as CSV")
    warnings: list[Warning_] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"\x00" in data and _looks_utf16(data)):
        raise UnreadableWorkbookError(
            "this text is UTF-16 (Excel's 'Unicode Text'), not UTF-8 or Windows-1252", file=name,
            fix=FIX_SAVE)
    if b"\x00" in data:
        count = data.count(b"\x00")
        data = data.replace(b"\x00", b"")
        warnings.append(Warning_(f"the file holds {count:,} NUL bytes (padding, as a copy cut short or some "
                                 "systems leave), which were left out", short_name))
        if not data.strip():
            raise UnreadableWorkbookError("the file holds nothing but NUL bytes", file=name,
                                          fix="Export the KPI table again")
    text, encoding = _decoded(data, name, short_name, warnings)
    first_line = 1
    if sep := _SEP_LINE.match(text):  # Excel's hint for the delimiter, on a line of its own
        text, first_line = text[sep.end():], 2
        delimiter = sep.group(1)
    else:
        delimiter = sniff_delimiter(text)
    return CsvText(text, encoding, delimiter, first_line, tuple(warnings))


def _looks_utf16(data: bytes) -> bool:
    """Whether NUL bytes fall every other byte, as UTF-16 writes text in the Latin alphabet (NULs
    padding a UTF-8 file fall anywhere, mostly together at its end)."""
    head = data.rstrip(b"\x00")[:4096]
    if len(head) < 4:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    return max(even, odd) >= pairs * 0.3 and min(even, odd) <= pairs * 0.02


def _decoded(data: bytes, name: str, short_name: str, warnings: list[Warning_]) -> tuple[str, str]:
    try:
        text = data.decode("utf-8-sig")  # reads UTF-8 with or without the mark
    except UnicodeDecodeError:
        pass
    else:
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    lines = data.splitlines(keepends=True)
    decoded: list[str] = []
    utf8 = 0  # lines with characters beyond ASCII, in UTF-8
    other: list[int] = []  # lines that are not UTF-8 (line numbers)
    for number, line in enumerate(lines, start=1):
        try:
            decoded.append(line.decode("utf-8-sig" if number == 1 else "utf-8"))
            utf8 += not line.isascii()
        except UnicodeDecodeError:
            try:
                decoded.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                raise UnreadableWorkbookError(
                    f"line {number} is neither UTF-8 nor Windows-1252 text", file=name,
                    fix=FIX_SAVE) from None
            other.append(number)
    if not utf8:  # a Windows-1252 file
        return data.decode("cp1252"), "cp1252"
    more = f" and {len(other) - 1:,} other line{'s' if len(other) > 2 else ''}" if len(other) > 1 else ""
    warnings.append(Warning_(
        f"the file mixes two encodings (rows pasted from two exports?): its other lines are UTF-8, but "
        f"this line{more} {'are' if more else 'is'} Windows-1252; each line was read in its own encoding",
        LineRef(short_name, other[0])))
    return "".join(decoded), "mixed"


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the first rows into the most rows of the same
    width (two or more fields). Excel pads every row of an export to the table's width."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(islice(csv.reader(io.StringIO(text), delimiter=delimiter), SNIFF_ROWS))
        except csv.Error:
            continue
        widths = [len(row) for row in rows if any(cell.strip() for cell in row)]
        counts = {w: widths.count(w) for w in set(widths) if w >= 2}
        if not counts:
            continue
        width = max(counts, key=lambda w: (counts[w], w))
        score = (counts[width], width)
        if score > best_score:
            best, best_score = delimiter, score
    return best
