"""The department's own workbook with RAG columns added: edited part by part, everything else as it was."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError, ParserCreate

from kpi_excel.core.formatting import NO_DATA_WORD, NOT_RATED_WORD, RANGE_WORDS
from kpi_excel.core.model import Rag, RangeStatus, Report, Warning_
from kpi_excel.excel.refs import CellRef, column_letter
from kpi_excel.rated_copy.mark import marked_parts
from kpi_excel.rated_copy.model import RAG, RANGE, Box, CannotEdit, Plans, TablePlan, TableRatings
from kpi_excel.rated_copy.notes import Notes
from kpi_excel.rated_copy.parts import (
    is_strict,
    marked_blocks,
    read_small,
    relationships,
    sheet_names,
    sheet_parts,
    widen_print_areas,
    with_marks,
    workbook_part,
)
from kpi_excel.rated_copy.place import SheetLayout, place, scan_sheet
from kpi_excel.rated_copy.plan import Placement, plan_copy, rated_tables
from kpi_excel.rated_copy.sheet import edit_sheet
from kpi_excel.rated_copy.sheet_tail import SheetAdditions, legacy_drawing_id, validation_note
from kpi_excel.rated_copy.styles import Styles, conditional_formats, word_formula
from kpi_excel.rated_copy.tables import grow_table, table_box

NOTE_TITLE = "Added by kpi-excel"
_RAG_WORDS = (*(r.word for r in Rag), NO_DATA_WORD, NOT_RATED_WORD)
_RANGE_WORDS = (RANGE_WORDS[RangeStatus.ABOVE], RANGE_WORDS[RangeStatus.BELOW], NO_DATA_WORD)
_OUR_FORMULAS = tuple(word_formula(word) for word in (*_RAG_WORDS, *_RANGE_WORDS))
_SPOOL = 4 << 20  # an edited sheet stays in memory up to this size, then goes to a temporary file
_TABLE_TYPE = "/table"
STRICT = ("the workbook is saved as Strict Open XML Spreadsheet, which kpi-excel reads but does not edit "
          "(its parts are named otherwise than the rated copy's edits expect); save it in Excel as "
          "'Excel Workbook (*.xlsx)' and build again for a rated copy")


def rated_name(source: Path) -> str:
    """The rated copy's file name: <name>-rated.xlsx, or .xlsm for a macro-enabled workbook."""
    suffix = ".xlsm" if source.suffix.lower() == ".xlsm" else ".xlsx"
    return f"{source.stem}-rated{suffix}"


@dataclass
class RatedCopy:
    """A rated copy made and checked in a temporary file, or the reasons there is none."""

    notes: list[Warning_] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)  # the sheets that gained columns
    _file: IO[bytes] | None = None

    @property
    def made(self) -> bool:
        return self._file is not None

    def write(self, target: Path) -> None:
        """Copy the finished rated copy to target."""
        assert self._file is not None
        self._file.seek(0)
        with open(target, "wb") as out:
            shutil.copyfileobj(self._file, out)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def make_rated_copy(report: Report, source: Path | bytes, *, name: str = "") -> RatedCopy:
    """The department's workbook with rated columns on each table that can take them safely.

    source is the workbook's bytes as the report was read from them (or its path); name is its
    file's name, for the notes."""
    result = RatedCopy()
    name = name or (source.name if isinstance(source, Path) else "")
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
        edits: dict[str, IO[bytes]] = {}
        try:
            book = workbook_part(archive)
            if is_strict(read_small(archive, book)):
                raise CannotEdit(STRICT)
            plans = plan_copy(report, _placement(archive, report))
            result.notes.extend(plans.notes)
            if not plans.tables:
                return result
            _edit_parts(archive, plans.tables, result, edits)
            if not result.sheets:
                return result
            out = tempfile.TemporaryFile()  # noqa: SIM115  (kept open: RatedCopy.write copies it)
            try:
                _write_package(archive, out, edits)
                _verify(out, edits)
            except BaseException:
                out.close()
                raise
        except (CannotEdit, ExpatError, ParseError, KeyError) as error:
            result.notes.append(Warning_(f"no rated copy was written: {_why(error)}", name))
            return result
        finally:
            for part in edits.values():
                part.close()
    result._file = out
    return result


def planned(report: Report, source: Path | bytes) -> Plans | None:
    """The columns build's rated copy would add to source, placed as build places them (None where
    the workbook cannot be looked into)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            return plan_copy(report, _placement(archive, report))
    except (OSError, zipfile.BadZipFile, CannotEdit, ExpatError, ParseError, KeyError):
        return None


def _why(error: Exception) -> str:
    if isinstance(error, (ExpatError, ParseError)):
        return f"a part's XML could not be read ({error})"
    if isinstance(error, KeyError):
        return f"a part the workbook names is missing ({error})"
    return str(error)


def _placement(archive: zipfile.ZipFile, report: Report) -> Placement:
    """Where each table's columns go: each sheet holding tables is read once to see what is in the
    way (placement.place), and where an earlier build put its columns (the workbook's marks)."""
    _, parts = sheet_parts(archive)
    marks = marked_blocks(read_small(archive, workbook_part(archive)))
    tables, _ = rated_tables(report)
    layouts: dict[str, SheetLayout] = {}

    def placed(table: TableRatings) -> tuple[int, Box | None, list[Warning_]]:
        part = parts.get(table.sheet)
        if part is None:
            return table.last_col + 1, None, []
        if table.sheet not in layouts:
            on_sheet = [t for t in tables if t.sheet == table.sheet]
            earlier = marks.get(table.sheet, [])
            top = min(t.header_row for t in on_sheet)
            bottom = max([max(t.rows) for t in on_sheet] + [b.row2 for b in earlier])
            boxes = [box for name in _table_parts(archive, part)
                     if (box := table_box(read_small(archive, name))) is not None]
            with archive.open(part) as stream:
                layouts[table.sheet] = scan_sheet(stream, range(top, bottom + 1), boxes)
        return place(table, layouts[table.sheet], marks.get(table.sheet, []))

    return placed


def _table_parts(archive: zipfile.ZipFile, sheet_part: str) -> list[str]:
    return [path for _, kind, path in relationships(archive, sheet_part) if kind.endswith(_TABLE_TYPE)]


def _edit_parts(archive: zipfile.ZipFile, plans: Sequence[TablePlan], result: RatedCopy,
                edits: dict[str, IO[bytes]]) -> None:
    """Each edited part into edits (part name -> its new bytes), the sheets first, then the styles
    they need; a sheet that cannot be edited is left as it was, with a note in result."""
    book, parts = sheet_parts(archive)
    styles_part = next((path for _, kind, path in relationships(archive, book) if kind.endswith("/styles")),
                       None)
    if styles_part is None:
        raise CannotEdit("the workbook has no styles part")
    styles = Styles(read_small(archive, styles_part))
    notes = Notes(archive)
    by_sheet: dict[str, list[TablePlan]] = {}
    for plan in plans:
        by_sheet.setdefault(plan.sheet, []).append(plan)
    edited: list[TablePlan] = []
    for sheet, sheet_plans in by_sheet.items():
        first = sheet_plans[0]
        where = CellRef(sheet, first.header_row, first.first_col + 1)
        part = parts.get(sheet)
        try:
            if part is None:
                raise CannotEdit("the sheet's part is not in the workbook")
            tables = _grown_tables(archive, part, sheet_plans)
            saved = notes.snapshot()
            try:
                edits[part], said = _edited_sheet(archive, part, sheet_plans, styles, notes)
            except BaseException:
                notes.restore(saved)
                raise
        except (CannotEdit, ExpatError) as error:
            result.notes.append(Warning_(f"no rated columns on this sheet: {_why(error)}", where))
            continue
        result.notes.extend(Warning_(line, where) for line in said)
        for name, xml in tables.items():
            edits[name] = _spooled(xml)
        result.sheets.append(sheet)
        edited += sheet_plans
    edits[styles_part] = _spooled(styles.edited())
    _edit_workbook_part(archive, book, edited, edits)
    for name, data in notes.parts.items():
        edits[name] = _spooled(data)
    types = notes.content_types()
    if types is not None:
        edits["[Content_Types].xml"] = _spooled(types)
    try:  # the mark that lets a later build know the file as kpi-excel's
        marked = marked_parts(archive, types or read_small(archive, "[Content_Types].xml"))
    except (CannotEdit, ParseError) as error:
        result.notes.append(Warning_(f"the rated copy does not carry kpi-excel's mark, so a later build "
                                     f"will not replace it without --force: {_why(error)}", "docProps"))
    else:
        for name, data in marked.items():
            if name in edits:  # the content types, edited again
                edits[name].close()
            edits[name] = _spooled(data)


def _edit_workbook_part(archive: zipfile.ZipFile, book: str, plans: Sequence[TablePlan],
                        edits: dict[str, IO[bytes]]) -> None:
    """A print area that stopped at a table's edge takes in its columns, and each sheet's columns
    carry the mark a later build refreshes them by."""
    xml = read_small(archive, book)
    names = sheet_names(xml)
    widenings = [(names.index(plan.sheet), plan.first_col - 1, plan.last_col) for plan in plans
                 if plan.refreshed is None]
    blocks: dict[str, list[Box]] = {}
    for plan in plans:
        blocks.setdefault(plan.sheet, []).append(plan.block)
    edited = with_marks(widen_print_areas(xml, widenings), blocks)
    if edited != xml:
        edits[book] = _spooled(edited)


def _grown_tables(archive: zipfile.ZipFile, part: str, plans: Sequence[TablePlan]) -> dict[str, bytes]:
    grown: dict[str, bytes] = {}
    for table in _table_parts(archive, part):
        for plan in plans:
            xml = grown.get(table) or read_small(archive, table)
            new = grow_table(xml, plan)
            if new is not None:
                grown[table] = new
    return grown


def _edited_sheet(archive: zipfile.ZipFile, part: str, plans: Sequence[TablePlan], styles: Styles,
                  notes: Notes) -> tuple[IO[bytes], list[str]]:
    out = tempfile.SpooledTemporaryFile(_SPOOL)  # noqa: SIM115  (the caller closes it)

    def additions(tail: bytes) -> SheetAdditions:
        ranges = []
        for plan in plans:
            top, bottom = plan.data_rows
            for kind, words in ((RAG, _RAG_WORDS), (RANGE, _RANGE_WORDS)):
                if plan.has(kind):
                    letter = column_letter(plan.col_of(kind) + 1)
                    ranges.append((f"{letter}{top}:{letter}{bottom}", words))
        formats, rules = conditional_formats(ranges, styles)
        cells = [(plan.first_col + i, plan.header_row, plan.note) for plan in plans
                 for i in range(len(plan.headers))]
        try:
            drawing = notes.add(part, cells, legacy_drawing_id(tail))
            return SheetAdditions(formats, rules, legacy_drawing=drawing, ours=_OUR_FORMULAS)
        except CannotEdit:  # notes kept in a way this does not edit: input messages instead
            messages = [validation_note(f"{column_letter(col + 1)}{row}", NOTE_TITLE, text)
                        for col, row, text in cells]
            return SheetAdditions(formats, rules, messages, ours=_OUR_FORMULAS)

    try:
        with archive.open(part) as source:
            said = edit_sheet(source, out, plans, styles.requests, additions)
        out.seek(0)
        _check_well_formed(out)
    except BaseException:
        out.close()
        raise
    return out, said


def _spooled(data: bytes) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(_SPOOL)  # noqa: SIM115  (the caller closes it)
    out.write(data)
    return out


def _check_well_formed(stream: IO[bytes]) -> None:
    """Parse the XML as it streams by, keeping nothing: raises ExpatError where it is broken."""
    stream.seek(0)
    parser = ParserCreate()
    while chunk := stream.read(1 << 20):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    stream.seek(0)


def _write_package(archive: zipfile.ZipFile, out: IO[bytes], edits: dict[str, IO[bytes]]) -> None:
    """Every part in its place and order: edited parts from edits, the others as they were."""
    with zipfile.ZipFile(out, "w") as package:
        for info in archive.infolist():
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.external_attr = info.external_attr
            with package.open(copy, "w") as target:
                if info.filename in edits:
                    source = edits[info.filename]
                    source.seek(0)
                    shutil.copyfileobj(source, target)
                else:
                    with archive.open(info) as original:
                        shutil.copyfileobj(original, target)
        names = set(archive.namelist())
        for name in [n for n in edits if n not in names]:  # new parts (notes) go last
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with package.open(info, "w") as target:
                edits[name].seek(0)
                shutil.copyfileobj(edits[name], target)


def _verify(out: IO[bytes], edits: dict[str, IO[bytes]]) -> None:
    """Read back every edited part from the finished package."""
    out.seek(0)
    with zipfile.ZipFile(out) as package:
        bad = package.testzip()
        if bad is not None:
            raise CannotEdit(f"part {bad} did not read back")
        for name in edits:
            with package.open(name) as part:
                _check_well_formed(part)
