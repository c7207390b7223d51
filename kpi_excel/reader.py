"""Reading a department's KPI workbook as it is: the only module that imports openpyxl."""

from __future__ import annotations

import gc
import hashlib
import io
import sys
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException

from . import config
from .container import CheckedFile, SheetFacts, read_checked, sheet_facts
from .errors import (
    BadValueError,
    KpiExcelError,
    MissingColumnError,
    NoKpiTableError,
    UnreadableWorkbookError,
)
from .model import (
    Dataset,
    Indicator,
    KpiType,
    Observation,
    PaperDetails,
    Period,
    Polarity,
    Proposal,
    RuleSettings,
    Warning_,
    quote_sheet,
)
from .parsing import (
    CellNumber,
    Role,
    clean_text,
    header_role,
    normalise,
    parse_number,
    parse_polarity,
    parse_type,
)
from .periods import parse_period, parse_period_text


def _import_openpyxl_without_numpy() -> None:
    """openpyxl imports numpy only to accept numpy numbers when writing, and Pillow only to write
    images (read-only mode never loads them); reading needs neither, and they cost nearly half a
    second at every start. Hide those not yet loaded while openpyxl loads."""
    hidden = [name for name in ("numpy", "PIL") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import numpy` fail fast
    try:
        import openpyxl  # noqa: F401
    finally:
        for name in hidden:
            del sys.modules[name]


_import_openpyxl_without_numpy()

import openpyxl  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

assert openpyxl.DEFUSEDXML, "defusedxml must be installed: it guards against XML bombs"

HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 1_000  # columns read from any sheet; a KPI table is never wider
MAX_DATA_ROWS = 50_000
BLANK_ROWS_ENDING_SHEET = 1_000  # stop reading after this many empty rows in a row
MAX_SHEET_XML_READ = 8 * 2**20  # openpyxl parses sheets at about 1 MB a second
MAX_TEXT = 32_767  # the most characters an Excel cell holds

_FIX_TABLE = (
    "Give one sheet a header row (in its first 20 rows) with an 'Indicator' column, a 'Target' "
    "column and one column per period (or a value column), or start from `kpi-excel init`"
)


@dataclass(frozen=True)
class Cell:
    """A cell as read: its value and number format."""

    value: object
    number_format: str = "General"
    is_error: bool = False

    @property
    def number(self) -> CellNumber:
        """The cell read as a number (parsed once: scale detection and reading both need it)."""
        # a plain memo: functools.cached_property takes a lock on every read before Python 3.12
        try:
            return self.__dict__["_number"]
        except KeyError:
            number = self.__dict__["_number"] = parse_number(self.value, self.number_format)
            return number


_EMPTY = Cell(None)


def read_workbook(path: Path, checked: CheckedFile | None = None) -> Dataset:
    """Read every KPI table, the proposals and the key/value sheets of a workbook.

    The file is read into memory once, checked before any XML is parsed (see container.py;
    pass `checked` when that is done already), and never opened for writing.
    """
    checked = checked or read_checked(path)
    book = _open(path, checked.data)
    book._archive = _MeteredArchive(book._archive, path)  # sheets are streamed from it
    try:
        with _collector_paused():
            return _read_book(book, path, checked)
    except KpiExcelError as error:  # a sheet's reader knows the cell, not the file
        error.name_file(str(path))
        raise
    finally:
        book.close()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while reading: a read makes a few objects per cell and
    frees none, so the collector's passes find nothing (a fifth of the time on a large workbook)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _open(path: Path, data: bytes) -> openpyxl.Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it skips (data validation, sparklines): not our concern
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise _unreadable("the workbook cannot be opened", error, str(path)) from error


_FIX_RESAVE = "Open it in Excel, save it again as .xlsx, and retry"


def _unreadable(problem: str, error: BaseException, file: str = "") -> UnreadableWorkbookError:
    """A parser's exception as one clean line: the cause, without the parser's own advice."""
    cause = error.__cause__ or error  # openpyxl wraps the XML error in a ValueError of its own
    if isinstance(cause, DefusedXmlException):
        return UnreadableWorkbookError(
            f"{problem}: it declares XML entities (a DTD), which no spreadsheet program writes, "
            "so it may be an 'XML bomb'", file=file,
            fix="Do not open it; ask the sender for a copy saved from Excel")
    detail = " ".join(f"{type(cause).__name__}: {cause}".split())
    return UnreadableWorkbookError(f"{problem} ({detail[:200]})", file=file, fix=_FIX_RESAVE)


class _MeteredArchive:
    """The zip that openpyxl streams sheets from, counting what it unpacks: a workbook may make
    the reader parse at most MAX_SHEET_XML_READ bytes of sheets, so time stays bounded."""

    def __init__(self, archive: zipfile.ZipFile, path: Path) -> None:
        self.archive = archive
        self.path = path
        self.spent = 0

    def open(self, name: str, *args: Any, **kwargs: Any) -> _MeteredStream:
        return _MeteredStream(self.archive.open(name, *args, **kwargs), self)

    def charge(self, size: int) -> None:
        self.spent += size
        if self.spent > MAX_SHEET_XML_READ:
            raise UnreadableWorkbookError(
                f"the sheets hold more than {MAX_SHEET_XML_READ // 2**20} MB of cells before their KPI "
                "tables end, far more than KPI tables need", file=str(self.path),
                fix="Copy the KPI sheets to a new workbook, save that, and retry")

    def close(self) -> None:
        self.archive.close()


class _MeteredStream:
    """One part being read, charged to its archive's meter."""

    def __init__(self, stream: Any, meter: _MeteredArchive) -> None:
        self.stream = stream
        self.meter = meter

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.stream.read(size)
        self.meter.charge(len(data))
        return data

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> _MeteredStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- the whole book -------------------------------------------------------------------------


@dataclass
class _Found:
    """What the reader has collected so far."""

    indicators: list[Indicator] = field(default_factory=list)
    proposals_sheet: tuple[str, list[list[Cell]]] | None = None
    details: PaperDetails = field(default_factory=PaperDetails)
    settings: RuleSettings = field(default_factory=RuleSettings)
    warnings: list[Warning_] = field(default_factory=list)
    extra_headers: list[str] = field(default_factory=list)
    title: str = ""
    empty_tables: list[str] = field(default_factory=list)  # headers with no rows under them
    hidden_tables: list[str] = field(default_factory=list)  # hidden sheets with a KPI header


def _read_book(book: openpyxl.Workbook, path: Path, checked: CheckedFile) -> Dataset:
    found = _Found(warnings=list(checked.warnings))
    table_errors: list[MissingColumnError] = []
    for ws in book.worksheets:
        kind = _sheet_kind(ws.title)
        if ws.sheet_state != "visible":
            _note_hidden_table(ws, path, found)
            continue
        rows = _sheet_rows(ws, path, found.warnings, header_needed=kind == "table")
        facts = _check_sheet_xml(ws, rows, checked.data)
        read_before = len(found.indicators)
        if kind == "details":
            found.details = config.details_from_rows(list(_key_rows(ws.title, rows)))
        elif kind == "settings":
            found.settings = config.settings_from_rows(list(_key_rows(ws.title, rows)))
        elif kind == "proposals":
            found.proposals_sheet = (ws.title, rows)
        else:
            try:
                _read_table_sheet(ws.title, rows, found)
            except MissingColumnError as error:
                table_errors.append(error)
        _warn_hidden_rows(found.indicators[read_before:], facts.hidden_rows, found.warnings)
    if not found.indicators:
        _no_indicators(path, table_errors, found)
    indicators = tuple(found.indicators)
    proposals = _read_proposals(found.proposals_sheet, indicators, found.warnings)
    periods = tuple(sorted({o.period for ind in indicators for o in ind.observations}))
    return Dataset(
        source=path.name,
        sha256=hashlib.sha256(checked.data).hexdigest(),
        indicators=indicators,
        periods=periods,
        proposals=proposals,
        details=found.details,
        settings=found.settings,
        warnings=tuple(found.warnings),
        extra_headers=tuple(dict.fromkeys(found.extra_headers)),
        title=found.title,
    )


def _no_indicators(path: Path, table_errors: Sequence[MissingColumnError], found: _Found) -> None:
    """Say why no indicator was read, as precisely as we can."""
    if table_errors:
        raise table_errors[0]
    if found.empty_tables:
        raise NoKpiTableError("the KPI table has a header row but no indicator rows under it",
                              where=found.empty_tables[0], fix="Add one row per indicator below the header")
    if found.hidden_tables:
        raise NoKpiTableError(
            f"the only KPI table is on sheet {found.hidden_tables[0]}, which is hidden", file=str(path),
            fix="Unhide it (right-click a sheet tab > Unhide), save, and retry")
    raise NoKpiTableError("no sheet holds a KPI table", file=str(path), fix=_FIX_TABLE)


def _note_hidden_table(ws: Any, path: Path, found: _Found) -> None:
    """A hidden sheet is not read, but a KPI table on one deserves a warning."""
    try:
        rows = _sheet_rows(ws, path, [], header_needed=True, limit=HEADER_SEARCH_ROWS)
    except UnreadableWorkbookError:  # a damaged sheet that is not read stops nothing
        return
    if find_header(rows) is not None:
        name = quote_sheet(ws.title)
        found.hidden_tables.append(name)
        found.warnings.append(Warning_(
            f"sheet {name} is hidden and holds a KPI table, which was not read; unhide it to include it",
            f"{name}!A1"))


def _sheet_kind(title: str) -> str:
    key = normalise(title)
    if "detail" in key or key in {"paper", "report", "reportinfo", "coverreport"}:
        return "details"
    if "setting" in key or key in {"rules", "ragrules", "config", "configuration"}:
        return "settings"
    if "propos" in key or "nextyear" in key:
        return "proposals"
    return "table"


def _sheet_rows(ws: Any, path: Path, sink: list[Warning_], *, header_needed: bool = False,
                limit: int | None = None) -> list[list[Cell]]:
    """The sheet's rows as cells, stopping after a long run of empty rows.

    A sheet that could only hold a KPI table is read no further than its first rows when they
    hold no header, so a data dump beside the table costs nothing.
    """
    rows: list[list[Cell]] = []
    blank_run = 0
    cut_at = ""
    for row, cut in _parsed_rows(ws, path):
        if cut and not cut_at:
            cut_at = ref(ws.title, len(rows), MAX_COLUMNS)
        blank = all(c.value in (None, "") for c in row)
        blank_run = blank_run + 1 if blank else 0
        if blank_run >= BLANK_ROWS_ENDING_SHEET:
            break
        rows.append([] if blank else row)
        if len(rows) > MAX_DATA_ROWS:
            raise UnreadableWorkbookError(
                f"sheet {quote_sheet(ws.title)} has more than {MAX_DATA_ROWS:,} rows",
                file=str(path), fix="Keep the KPI table on a sheet of its own, without data dumps",
            )
        if len(rows) == limit or (header_needed and len(rows) == HEADER_SEARCH_ROWS
                                  and find_header(rows) is None):
            break
    while rows and not rows[-1]:
        rows.pop()
    if cut_at:
        sink.append(Warning_(f"cells beyond column {get_column_letter(MAX_COLUMNS)} were not read "
                             "(a KPI table is never that wide)", cut_at))
    return rows


def _parsed_rows(ws: Any, path: Path) -> Iterator[tuple[list[Cell], bool]]:
    """Each row's first MAX_COLUMNS cells, and whether non-empty cells beyond were cut off.

    A sheet that openpyxl cannot parse gives one clean error that names it.
    """
    ws.reset_dimensions()  # a stale stored size can hide data
    # no max_col: in read-only mode it pads every row with empty cells up to that column
    raws = iter(ws.iter_rows())
    while True:
        try:
            raw = next(raws, None)
            if raw is None:
                return
            row = _trim([_cell(c) for c in raw[:MAX_COLUMNS]])
            cut = len(raw) > MAX_COLUMNS and any(c.value is not None for c in raw[MAX_COLUMNS:])
        except KpiExcelError:
            raise
        except Exception as error:  # openpyxl and the XML parser raise many types for damaged sheets
            raise _unreadable(f"sheet {quote_sheet(ws.title)} cannot be read", error, str(path)) from error
        yield row, cut


def _check_sheet_xml(ws: Any, rows: Sequence[Sequence[Cell]], data: bytes) -> SheetFacts:
    """What the sheet's XML says about the rows read that openpyxl's values do not.

    Formulas without saved results read as blanks, so they stop the read: a blank is not a value.
    """
    part = getattr(ws, "_worksheet_path", None)
    facts = sheet_facts(data, part, len(rows)) if part else SheetFacts()
    if facts.unsaved_formulas:
        count = len(facts.unsaved_formulas)
        raise UnreadableWorkbookError(
            "formulas in this workbook have no saved results (it was written by a program, not saved "
            f"in Excel), so {count:,} formula cell{'s' if count > 1 else ''} on this sheet, the first "
            "here, would read as blank",
            where=f"{quote_sheet(ws.title)}!{facts.unsaved_formulas[0]}",
            fix="Open it in Excel and save it, then retry")
    return facts


def _warn_hidden_rows(indicators: Sequence[Indicator], hidden: frozenset[int], sink: list[Warning_]) -> None:
    for indicator in indicators:
        if indicator.row in hidden:
            sink.append(Warning_(f"{indicator.label}: its row is hidden in Excel; it was read like the "
                                 "others", indicator.ref))


def _trim(row: list[Cell]) -> list[Cell]:
    while row and row[-1] is _EMPTY:
        row.pop()
    return row


def _cell(raw: Any) -> Cell:
    value = raw.value  # read-only cells and empty cells both have value, data_type, number_format
    if value is None:
        return _EMPTY
    return Cell(value, raw.number_format or "General", raw.data_type == "e")


def ref(sheet: str, row: int, col: int) -> str:
    """A cell reference as Excel writes it: Sheet!B7, or 'KPI data'!B7 when the name needs quotes."""
    return f"{quote_sheet(sheet)}!{get_column_letter(col + 1)}{row + 1}"


def _key_rows(sheet: str, rows: Sequence[Sequence[Cell]]) -> Iterator[config.KeyRow]:
    for r, row in enumerate(rows):
        if not row or not isinstance(row[0].value, str):
            continue
        yield row[0].value.strip(), [c.value for c in row[1:]], ref(sheet, r, 0)


# --- tables ---------------------------------------------------------------------------------


@dataclass
class _Header:
    """A located header row: where each role and each period is."""

    row: int
    roles: dict[Role, int]
    periods: dict[int, Period]
    extras: dict[int, str]
    texts: dict[int, str]

    @property
    def long_form(self) -> bool:
        return Role.PERIOD in self.roles and Role.VALUE in self.roles


def find_header(rows: Sequence[Sequence[Cell]]) -> _Header | None:
    """The best header row in the first rows: it names an indicator column and some values."""
    best: tuple[int, _Header] | None = None
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for header in (_header_at(r, row), _two_row_header(r, rows)):
            if header is None:
                continue
            score = len(header.roles) + len(header.periods)
            if best is None or score > best[0]:
                best = (score, header)
    return best[1] if best else None


def _two_row_header(r: int, rows: Sequence[Sequence[Cell]]) -> _Header | None:
    """A header over two rows, as merged cells make it: the fixed columns (merged down) in the top
    row, the periods in the row below, under an empty cell or a banner such as 'Monthly 2019/20'.

    Read as one row ending at the lower row; only tried when the lower row gives two periods.
    """
    if r + 1 >= len(rows):
        return None
    top, below = rows[r], rows[r + 1]
    merged = list(top) + [_EMPTY] * (len(below) - len(top))
    taken = 0
    for c, cell in enumerate(below):
        if parse_period(cell.value) is not None and header_role(merged[c].value) is None:
            merged[c] = cell
            taken += 1
    return _header_at(r + 1, merged) if taken >= 2 else None


def _header_at(r: int, row: Sequence[Cell]) -> _Header | None:
    roles: dict[Role, int] = {}
    periods: dict[int, Period] = {}
    extras: dict[int, str] = {}
    texts: dict[int, str] = {}
    for c, cell in enumerate(row):
        if cell.value in (None, ""):
            continue
        text = clean_text(cell.value) if not hasattr(cell.value, "year") else str(cell.value)
        texts[c] = text
        role = header_role(cell.value)
        period = parse_period(cell.value) if role is None else None
        if role is not None and role not in roles:
            roles[role] = c
        elif period is not None:
            periods[c] = period
        elif isinstance(cell.value, str) and text:
            extras[c] = text
    if Role.INDICATOR not in roles:
        return None
    has_values = periods or {Role.TARGET, Role.VALUE, Role.LOWER, Role.UPPER} & roles.keys()
    if not has_values:
        return None
    return _Header(r, roles, _one_period_kind(periods, extras, texts), extras, texts)


def _one_period_kind(
    periods: dict[int, Period], extras: dict[int, str], texts: dict[int, str]
) -> dict[int, Period]:
    """Keep the commonest kind of period (months, say); a '2018/19' summary column is carried."""
    if not periods:
        return periods
    kinds = [p.kind for p in periods.values()]
    main = max(set(kinds), key=kinds.count)
    for c, p in list(periods.items()):
        if p.kind is not main:
            extras[c] = texts[c]
            del periods[c]
    return periods


def _read_table_sheet(sheet: str, rows: list[list[Cell]], found: _Found) -> None:
    header = find_header(rows)
    if header is None:
        return
    if Role.TARGET not in header.roles and not {Role.LOWER, Role.UPPER} & header.roles.keys():
        raise MissingColumnError(
            "the KPI table has no Target column",
            where=ref(sheet, header.row, header.roles[Role.INDICATOR]),
            fix="Add a 'Target' column to the header row (or 'Lower threshold'/'Upper threshold' "
                "for activity indicators)",
        )
    if not header.periods and Role.VALUE not in header.roles:
        raise MissingColumnError(
            "the KPI table has no values: no period columns (such as Apr-19) and no 'Actual' column",
            where=ref(sheet, header.row, header.roles[Role.INDICATOR]),
            fix="Head each value column with its period (Apr-19, Q1 2019/20) or add an 'Actual' column",
        )
    if not found.title:
        found.title = _title_above(rows, header.row)
    found.extra_headers.extend(header.extras.values())
    table = _TableReader(sheet, rows, header, found.warnings)
    indicators = table.indicators()
    if not indicators:
        found.empty_tables.append(ref(sheet, header.row, header.roles[Role.INDICATOR]))
    found.indicators.extend(indicators)


def _title_above(rows: Sequence[Sequence[Cell]], header_row: int) -> str:
    for row in rows[:header_row]:
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip():
                return clean_text(cell.value)
    return ""


@dataclass
class _Row:
    """One indicator row's cells, by role."""

    index: int
    cells: Sequence[Cell]

    def at(self, col: int | None) -> Cell:
        if col is None or col >= len(self.cells):
            return _EMPTY
        return self.cells[col]


class _TableReader:
    """Reads the indicator rows of one located table."""

    def __init__(self, sheet: str, rows: list[list[Cell]], header: _Header, sink: list[Warning_]):
        self.sheet = sheet
        self.rows = rows
        self.header = header
        self.warnings = sink
        self.default_type = KpiType.ACTIVITY if "activit" in normalise(sheet) else KpiType.KPI

    def col(self, role: Role) -> int | None:
        return self.header.roles.get(role)

    def where(self, row: int, col: int | None) -> str:
        return ref(self.sheet, row, col if col is not None else 0)

    def indicators(self) -> list[Indicator]:
        rows = list(self._indicator_rows())
        if self.header.long_form:
            return self._long_form(rows)
        return [self._indicator(row, section, self._wide_series(row)) for row, section in rows]

    def _indicator_rows(self) -> Iterator[tuple[_Row, str]]:
        """Each indicator row with its section, skipping blank and section-heading rows."""
        section = ""
        for r in range(self.header.row + 1, len(self.rows)):
            row = _Row(r, self.rows[r])
            filled = [(c, cell) for c, cell in enumerate(row.cells) if cell.value not in (None, "")]
            if not filled:
                continue
            if self._is_section_heading(filled):
                section = clean_text(filled[0][1].value)
                continue
            name = clean_text(row.at(self.col(Role.INDICATOR)).value)
            code = clean_text(row.at(self.col(Role.CODE)).value)
            if not name and not code:
                continue
            yield row, section

    def _is_section_heading(self, filled: Sequence[tuple[int, Cell]]) -> bool:
        """One text cell near the left of the table, nothing else: a heading such as 'Finance'."""
        if len(filled) != 1:
            return False
        col, cell = filled[0]
        first_cols = sorted(self.header.roles.values())[:3] + [0, 1, 2]
        return isinstance(cell.value, str) and col in first_cols

    def _indicator(self, row: _Row, section: str, series: list[tuple[Period, Cell, str]]) -> Indicator:
        r = row.index
        name = clean_text(row.at(self.col(Role.INDICATOR)).value)
        code = clean_text(row.at(self.col(Role.CODE)).value)
        label = f"{code} {name}".strip()
        section = clean_text(row.at(self.col(Role.SECTION)).value) or section
        numbers = _Numbers(label, self.warnings)
        number_cells = [(c, row.at(self.col(role)), self.where(r, self.col(role)))
                        for role, c in ((Role.TARGET, "target"), (Role.FLOOR, "floor"),
                                        (Role.LOWER, "lower threshold"),
                                        (Role.UPPER, "upper threshold"))]
        unit = clean_text(row.at(self.col(Role.UNIT)).value)
        scale = _PercentScale.of([cell for _, cell, _ in number_cells] + [c for _, c, _ in series], unit)
        target, floor, lower, upper = (numbers.setting(what, cell, where, scale)
                                       for what, cell, where in number_cells)
        observations = tuple(numbers.observation(p, cell, where, scale) for p, cell, where in series)
        if scale.mixed:
            self.warnings.append(Warning_(
                f"{label}: percentages on mixed scales (some cells 0.85, some 85); "
                "plain numbers above 1.5 were taken as whole percentages", self.where(r, 0)))
        self._warn_long_text(row, label)
        polarity = self._polarity(row, target, floor)
        kpi_type = self._type(row, target, lower, upper)
        return Indicator(
            name=name or code,
            code=code,
            section=section,
            type=kpi_type,
            polarity=polarity,
            target=target,
            floor=floor,
            tolerance=self._tolerance(row),
            lower_threshold=lower,
            upper_threshold=upper,
            unit=unit,
            frequency=clean_text(row.at(self.col(Role.FREQUENCY)).value),
            commentary=clean_text(row.at(self.col(Role.COMMENTARY)).value),
            owner=clean_text(row.at(self.col(Role.OWNER)).value),
            directorate=clean_text(row.at(self.col(Role.DIRECTORATE)).value),
            is_percent=scale.percent,
            number_format=_value_format(series),
            observations=observations,
            extra=tuple((text, clean_text(row.at(c).value)) for c, text in self.header.extras.items()),
            sheet=self.sheet,
            row=r + 1,
        )

    def _warn_long_text(self, row: _Row, label: str) -> None:
        """An Excel cell holds at most MAX_TEXT characters: say so before an output cuts a text."""
        for c, cell in enumerate(row.cells):
            if isinstance(cell.value, str) and len(cell.value) > MAX_TEXT:
                short = label if len(label) <= 60 else label[:57] + "..."
                self.warnings.append(Warning_(
                    f"{short}: this cell holds {len(cell.value):,} characters; an Excel cell holds "
                    f"{MAX_TEXT:,}, so the RAG workbook cuts it", self.where(row.index, c)))

    def _wide_series(self, row: _Row) -> list[tuple[Period, Cell, str]]:
        series = [(p, row.at(c), self.where(row.index, c)) for c, p in self.header.periods.items()]
        if not series and Role.VALUE in self.header.roles:
            c = self.header.roles[Role.VALUE]
            period = _value_column_period(self.header.texts.get(c, ""))
            if period is None:
                raise MissingColumnError(
                    f"the value column '{self.header.texts.get(c, '')}' does not say which period it is",
                    where=self.where(self.header.row, c),
                    fix="Name it with its period, such as 'Actual Mar-20' or 'Outturn 2019/20'",
                )
            series = [(period, row.at(c), self.where(row.index, c))]
        return sorted(series, key=lambda item: item[0])

    def _long_form(self, rows: list[tuple[_Row, str]]) -> list[Indicator]:
        """One row per indicator per period: group rows by code (or name), periods in order."""
        groups: dict[str, list[tuple[_Row, str]]] = {}
        for row, section in rows:
            key = normalise(clean_text(row.at(self.col(Role.DIRECTORATE)).value)) + "|" + normalise(
                clean_text(row.at(self.col(Role.CODE)).value)
                or clean_text(row.at(self.col(Role.INDICATOR)).value))
            groups.setdefault(key, []).append((row, section))
        indicators = []
        period_col, value_col = self.header.roles[Role.PERIOD], self.header.roles[Role.VALUE]
        for members in groups.values():
            series = []
            for row, _ in members:
                period = parse_period(row.at(period_col).value)
                if period is None:
                    raise BadValueError(
                        f"the period '{clean_text(row.at(period_col).value)}' is not a date or period",
                        where=self.where(row.index, period_col),
                        fix="Write a date or a period such as Apr-19 or Q1 2019/20",
                    )
                series.append((period, row.at(value_col), self.where(row.index, value_col)))
            first_row, section = _row_with_settings(members, self.col(Role.TARGET))
            indicators.append(self._indicator(first_row, section, sorted(series, key=lambda s: s[0])))
        return indicators

    def _polarity(self, row: _Row, target: float | None, floor: float | None) -> Polarity:
        col = self.col(Role.POLARITY)
        cell = row.at(col)
        if cell.value not in (None, ""):
            polarity = parse_polarity(cell.value)
            if polarity is None:
                raise BadValueError(
                    f"the polarity '{clean_text(cell.value)}' is not one we know",
                    where=self.where(row.index, col),
                    fix="Write H (higher is better), L (lower is better) or T (close to target)",
                )
            return polarity
        # no polarity given: a floor above the target can only mean lower is better
        if target is not None and floor is not None and floor > target:
            return Polarity.LOWER
        return Polarity.HIGHER

    def _type(self, row: _Row, target: float | None, lower: float | None,
              upper: float | None) -> KpiType:
        col = self.col(Role.TYPE)
        cell = row.at(col)
        if cell.value not in (None, ""):
            kpi_type = parse_type(cell.value)
            if kpi_type is None:
                raise BadValueError(
                    f"the type '{clean_text(cell.value)}' is not one we know",
                    where=self.where(row.index, col), fix="Write KPI or Activity",
                )
            return kpi_type
        if target is None and (lower is not None or upper is not None):
            return KpiType.ACTIVITY
        return self.default_type

    def _tolerance(self, row: _Row) -> float | None:
        col = self.col(Role.TOLERANCE)
        cell = row.at(col)
        if cell.value in (None, "") or parse_number(cell.value).missing:
            return None
        try:
            return config.parse_fraction(cell.value, self.where(row.index, col), "tolerance")
        except config.SettingsError as error:
            raise BadValueError(error.problem, where=error.where, fix=error.fix) from error


def _row_with_settings(members: list[tuple[_Row, str]], target_col: int | None) -> tuple[_Row, str]:
    """In long form, the latest row that gives a target carries the indicator's settings."""
    with_target = [m for m in members if m[0].at(target_col).value not in (None, "")]
    return (with_target or members)[-1]


def _value_column_period(header: str) -> Period | None:
    words = header.split(maxsplit=1)
    rest = words[1] if len(words) > 1 else ""
    return parse_period_text(rest) or parse_period_text(header)


def _value_format(series: Sequence[tuple[Period, Cell, str]]) -> str:
    for _, cell, _ in reversed(series):
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
            return cell.number_format
    return "General"


@dataclass(frozen=True)
class _PercentScale:
    """Whether an indicator is a percentage, and whether its plain numbers are whole percentages."""

    percent: bool
    whole_numbers: bool
    mixed: bool

    @classmethod
    def of(cls, cells: Iterable[Cell], unit: str) -> _PercentScale:
        parsed = [c.number for c in cells if c.value is not None]
        numbers = [p for p in parsed if p.value is not None]
        formatted = any(p.percent for p in numbers)
        percent = formatted or unit.strip().lower() in {"%", "percent", "percentage", "pct"}
        whole = percent and any(not p.percent and abs(p.value) > 1.5 for p in numbers if p.value is not None)
        return cls(percent, whole, formatted and whole)

    def apply(self, number: CellNumber) -> float | None:
        if number.value is None or not self.whole_numbers or number.percent:
            return number.value
        return number.value / 100


class _Numbers:
    """Reads one indicator's number cells, collecting warnings and raising on unusable settings."""

    def __init__(self, label: str, sink: list[Warning_]):
        self.label = label
        self.warnings = sink

    def setting(self, what: str, cell: Cell, where: str, scale: _PercentScale) -> float | None:
        number = cell.number
        if number.unreadable:
            raise BadValueError(
                f"the {what} '{clean_text(cell.value)}' of {self.label} is not a number",
                where=where,
                fix=f"Type a number such as 90% or 0.9 (or TBC when there is no {what} yet)",
            )
        if number.is_error:
            self.warnings.append(Warning_(f"{self.label}: the {what} is the error {number.missing}", where))
        return scale.apply(number)

    def observation(self, period: Period, cell: Cell, where: str, scale: _PercentScale) -> Observation:
        number = cell.number
        if number.is_error:
            self.warnings.append(Warning_(
                f"{self.label}: {period.label} is the error {number.missing}, so it is not rated", where))
        elif number.unreadable:
            self.warnings.append(Warning_(
                f"{self.label}: {period.label} holds '{number.missing}', which is not a number; "
                "treated as no data", where))
        return Observation(period, scale.apply(number), where, number.missing)


# --- proposals ------------------------------------------------------------------------------


def _read_proposals(
    sheet_rows: tuple[str, list[list[Cell]]] | None,
    indicators: Sequence[Indicator],
    sink: list[Warning_],
) -> tuple[Proposal, ...]:
    if sheet_rows is None:
        return ()
    sheet, rows = sheet_rows
    header = find_header(rows)
    if header is None or Role.TARGET not in header.roles:
        sink.append(Warning_("the proposals sheet has no header row with Indicator and Target "
                             "columns, so it was not read", f"{quote_sheet(sheet)}!A1"))
        return ()
    by_code = {normalise(i.code): i for i in indicators if i.code}
    by_name = {normalise(i.name): i for i in indicators}
    table = _TableReader(sheet, rows, header, sink)
    proposals = []
    for row, _ in table._indicator_rows():
        code = clean_text(row.at(header.roles.get(Role.CODE)).value)
        name = clean_text(row.at(header.roles[Role.INDICATOR]).value) or code
        current = by_code.get(normalise(code)) if code else None
        current = current or by_name.get(normalise(name))
        proposals.append(_proposal(table, row, code, name, current))
    return tuple(proposals)


def _proposal(table: _TableReader, row: _Row, code: str, name: str,
              current: Indicator | None) -> Proposal:
    cells = {role: (row.at(table.col(role)), table.where(row.index, table.col(role)))
             for role in (Role.TARGET, Role.FLOOR)}
    unit = clean_text(row.at(table.col(Role.UNIT)).value) or (current.unit if current else "")
    scale = _PercentScale.of([c for c, _ in cells.values()], unit)
    if current and current.is_percent and not scale.percent:
        scale = _PercentScale(True, any(_plain_over(c) for c, _ in cells.values()), False)
    numbers = _Numbers(f"{code} {name}".strip(), table.warnings)
    target = numbers.setting("proposed target", *cells[Role.TARGET], scale)
    floor = numbers.setting("proposed floor", *cells[Role.FLOOR], scale)
    polarity_cell = row.at(table.col(Role.POLARITY))
    return Proposal(
        name=name,
        code=code,
        polarity=parse_polarity(polarity_cell.value) or (current.polarity if current else None),
        target=target,
        floor=floor,
        current_target=current.target if current else None,
        current_floor=current.floor if current else None,
        is_percent=scale.percent or bool(current and current.is_percent),
        is_new=current is None,
        note=clean_text(row.at(table.col(Role.COMMENTARY)).value),
    )


def _plain_over(cell: Cell) -> bool:
    number = cell.number
    return number.value is not None and not number.percent and abs(number.value) > 1.5
