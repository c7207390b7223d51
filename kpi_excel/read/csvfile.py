"""Reading a CSV export as a KPI table: its encoding, delimiter and size; the table finder does the rest."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kpi_excel.core.model import Dataset, Period, Warning_
from kpi_excel.errors import UnreadableWorkbookError
from kpi_excel.excel.refs import LineRef
from kpi_excel.read.csv_numbers import decimal_commas_read
from kpi_excel.read.csv_text import DELIMITERS, FIX_SAVE, SNIFF_ROWS, CsvText, decode, sniff_delimiter
from kpi_excel.read.intake import read_input_bytes

__all__ = ["DELIMITERS", "SNIFF_ROWS", "CsvPlaces", "CsvText", "decode", "is_csv", "parse_rows", "read_csv",
           "sniff_delimiter"]

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
MAX_CSV_BYTES = 50 * 2**20  # a long-form export of 2,000 KPIs over 36 months is about 15 MB
MAX_ROWS = 200_000  # long form: one row per indicator per period
MAX_COLUMNS = 1_000  # as for a sheet: a KPI table is never wider
MAX_LINE_CHARS = 2**20  # a line longer than this is not a row of a KPI table
MAX_FIELD_CHARS = csv.field_size_limit()  # 131,072: Python's csv reader refuses a longer field
_FIX_SAVE = FIX_SAVE


@dataclass
class CsvPlaces:
    """Places in a CSV file as compilers name them: tracker.csv:14:Target (line, column heading)."""

    name: str
    lines: list[int]  # the line each row starts on (a quoted field may span lines)
    headings: dict[int, str] = field(default_factory=dict)

    def cell(self, row: int, col: int | None) -> LineRef:
        line = self.line(row)
        if col is None:
            return LineRef(self.name, line)
        return LineRef(self.name, line, self.headings.get(col) or f"column {col + 1}")

    def line(self, row: int) -> int:
        return self.lines[row] if 0 <= row < len(self.lines) else row + 1


def is_csv(path: Path) -> bool:
    """Whether a path names a CSV (or tab-separated text) export rather than a workbook."""
    return path.suffix.lower() in CSV_SUFFIXES


def read_csv(path: Path, period: Period | None = None, columns: Mapping[str, str] | None = None) -> Dataset:
    """Read a CSV export (UTF-8, UTF-8 with BOM or Windows-1252; comma, semicolon or tab; long form
    or period columns) as one sheet holding a KPI table, by the same rules as a workbook; `period`
    dates a value column whose heading names no period (--period); `columns` names the columns to
    read as roles ({role: heading}, --column)."""
    from kpi_excel.read import Cell, find_header
    from kpi_excel.read.header import HEADER_SEARCH_ROWS
    from kpi_excel.read.rows import read_plain_rows

    name = str(path)
    data = _read_bytes(path)
    decoded = decode(data, name, path.name)
    rows, lines, warnings = parse_rows(decoded, path.name, name)
    header = find_header([[Cell(v or None) for v in row] for row in rows[:HEADER_SEARCH_ROWS + 11]])
    places = CsvPlaces(path.name, lines, dict(header.texts) if header else {})
    if header is not None and decoded.delimiter == ";":  # Europe's exports: a decimal comma, '77,5%'
        warnings += decimal_commas_read(rows, header, places)
    return read_plain_rows(rows, places, sha256=hashlib.sha256(data).hexdigest(), file=name,
                           warnings=[*decoded.warnings, *warnings], period=period, columns=columns)


def _read_bytes(path: Path) -> bytes:
    data = read_input_bytes(path, MAX_CSV_BYTES, not_a="a CSV file", give="a .csv file",
                            rarely_over="a KPI export",
                            smaller="Export only the KPI table, without data dumps")
    if not data.strip():
        raise UnreadableWorkbookError("the file is empty", file=str(path), fix="Export the KPI table again")
    return data


def parse_rows(decoded: CsvText, short_name: str, name: str
               ) -> tuple[list[list[str | None]], list[int], list[Warning_]]:
    """The rows (blanks as None), the line each starts on, and a warning for cut-off cells."""
    _check_line_lengths(decoded.text, name, decoded.first_line)
    reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=decoded.delimiter)
    rows: list[list[str | None]] = []
    lines: list[int] = []
    warnings: list[Warning_] = []
    start = decoded.first_line
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                raise UnreadableWorkbookError(
                    f"the file has more than {MAX_ROWS:,} rows, far more than a KPI table needs",
                    file=name, fix="Export only the KPI table, without data dumps")
            if len(record) > MAX_COLUMNS and any(v.strip() for v in record[MAX_COLUMNS:]) and not warnings:
                warnings.append(Warning_(f"cells beyond column {MAX_COLUMNS:,} were not read (a KPI table "
                                         "is never that wide)", LineRef(short_name, start)))
            rows.append([_value(v) for v in record[:MAX_COLUMNS]])
            lines.append(start)
            start = reader.line_num + decoded.first_line
    except csv.Error as error:
        raise UnreadableWorkbookError(f"line {reader.line_num} cannot be read as CSV ({error})", file=name,
                                      fix=_FIX_SAVE) from error
    return rows, lines, warnings


def _value(text: str) -> str | None:
    return text if text.strip() else None


def _check_line_lengths(text: str, name: str, first_line: int = 1) -> None:
    start = 0
    for number, line in enumerate(_line_spans(text), start=first_line):
        if line - start > MAX_LINE_CHARS:
            raise UnreadableWorkbookError(
                f"line {number} is over {MAX_LINE_CHARS // 2**20} MB long: not a row of a KPI table",
                file=name, fix="Export only the KPI table")
        start = line + 1


def _line_spans(text: str) -> Sequence[int]:
    """Where each line ends (the index of its newline, or the end of the text)."""
    ends = []
    at = text.find("\n")
    while at != -1:
        ends.append(at)
        at = text.find("\n", at + 1)
    ends.append(len(text))
    return ends
