"""The department's own workbook with RAG columns added: edited part by part, everything else as it was."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError, ParserCreate

from kpi_excel.core.formatting import NO_DATA_WORD, NOT_RATED_WORD, RANGE_WORDS
from kpi_excel.core.model import Rag, RangeStatus, Report, Warning_
from kpi_excel.excel.refs import column_letter, quote_sheet
from kpi_excel.rated_copy.mark import marked_parts
from kpi_excel.rated_copy.notes import Notes
from kpi_excel.rated_copy.parts import (
    Box,
    Styles,
    conditional_formats,
    grow_table,
    highest_priority,
    read_small,
    relationships,
    sheet_index,
    sheet_parts,
    table_box,
    table_parts,
    validation_boxes,
    widen_print_areas,
)
from kpi_excel.rated_copy.plan import SheetPlan, plan_copy
from kpi_excel.rated_copy.sheet import CannotEdit, SheetAdditions, edit_sheet, validation_note

NOTE_TITLE = "Added by kpi-excel"
_RAG_WORDS = (*(r.word for r in Rag), NO_DATA_WORD, NOT_RATED_WORD)
_RANGE_WORDS = (RANGE_WORDS[RangeStatus.ABOVE], RANGE_WORDS[RangeStatus.BELOW], NO_DATA_WORD)
_SPOOL = 4 << 20  # an edited sheet stays in memory up to this size, then goes to a temporary file


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
    """The department's workbook with rated columns on each sheet that can take them safely.

    source is the workbook's bytes as the report was read from them (or its path); name is its
    file's name, for the notes."""
    plans = plan_copy(report)
    result = RatedCopy(notes=list(plans.notes))
    if not plans.sheets:
        return result
    name = name or (source.name if isinstance(source, Path) else "")
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
        edits: dict[str, IO[bytes]] = {}
        try:
            _edit_parts(archive, plans.sheets, result, edits)
            if not result.sheets:
                return result
            out = tempfile.TemporaryFile()  # noqa: SIM115  (kept open: RatedCopy.write copies it)
            try:
                _write_package(archive, out, edits)
                _verify(out, edits)
            except BaseException:
                out.close()
                raise
        except (CannotEdit, ExpatError, KeyError) as error:
            result.notes.append(Warning_(f"no rated copy was written: {_why(error)}", name))
            return result
        finally:
            for part in edits.values():
                part.close()
    result._file = out
    return result


def _why(error: Exception) -> str:
    if isinstance(error, ExpatError):
        return f"a part's XML could not be read back ({error})"
    if isinstance(error, KeyError):
        return f"a part the workbook names is missing ({error})"
    return str(error)


def _edit_parts(archive: zipfile.ZipFile, plans: tuple[SheetPlan, ...], result: RatedCopy,
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
    for plan in plans:
        where = f"{quote_sheet(plan.sheet)}!{column_letter(plan.first_col + 1)}{plan.header_row}"
        part = parts.get(plan.sheet)
        try:
            if part is None:
                raise CannotEdit("the sheet's part is not in the workbook")
            tables = _grown_tables(archive, part, plan)
            saved = notes.snapshot()
            try:
                edits[part] = _edited_sheet(archive, part, plan, styles, notes)
            except BaseException:
                notes.restore(saved)
                raise
        except (CannotEdit, ExpatError) as error:
            result.notes.append(Warning_(f"no rated columns on this sheet: {_why(error)}", where))
            continue
        for name, xml in tables.items():
            edits[name] = _spooled(xml)
        result.sheets.append(plan.sheet)
    edits[styles_part] = _spooled(styles.edited())
    widenings = [(sheet_index(archive, book, plan.sheet), plan.first_col - 1, plan.last_col)
                 for plan in plans if plan.sheet in result.sheets]
    workbook_xml = read_small(archive, book)
    widened = widen_print_areas(workbook_xml, widenings)
    if widened != workbook_xml:  # a print area that stopped at a table's edge takes in the columns
        edits[book] = _spooled(widened)
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


def _grown_tables(archive: zipfile.ZipFile, part: str, plan: SheetPlan) -> dict[str, bytes]:
    area = Box(plan.first_col, plan.header_row, plan.last_col, max(plan.rows))
    grown = {}
    for table in table_parts(archive, part):
        xml = read_small(archive, table)
        box = table_box(xml)
        if box is None:
            raise CannotEdit("an Excel table on the sheet has no range")
        if box.row2 < area.row2 and box.col2 == area.col1 - 1 and box.row1 == area.row1:
            raise CannotEdit("the sheet's Excel table stops above its last indicator")
        new = grow_table(xml, box, area, [text for _, text in plan.headers])
        if new is not None:
            grown[table] = new
    return grown


def _edited_sheet(archive: zipfile.ZipFile, part: str, plan: SheetPlan, styles: Styles,
                  notes: Notes) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(_SPOOL)  # noqa: SIM115  (the caller closes it)

    def additions(tail: bytes) -> SheetAdditions:
        top, bottom = plan.data_rows
        ranges = []
        for kind, words in (("rag", _RAG_WORDS), ("range", _RANGE_WORDS)):
            if kind in [k for k, _ in plan.headers]:
                letter = column_letter(plan.col_of(kind) + 1)
                ranges.append((f"{letter}{top}:{letter}{bottom}", words))
        formats = conditional_formats(ranges, styles, highest_priority(tail))
        cells = [(plan.first_col + i, plan.header_row) for i in range(len(plan.headers))]
        try:
            return SheetAdditions(formats, legacy_drawing=notes.add(part, cells, plan.note))
        except CannotEdit:  # notes kept in a way this does not edit: input messages instead
            return SheetAdditions(formats, _input_messages(plan, tail))

    try:
        with archive.open(part) as source:
            edit_sheet(source, out, plan, styles.requests, additions)
        out.seek(0)
        _check_well_formed(out)
    except BaseException:
        out.close()
        raise
    return out


def _input_messages(plan: SheetPlan, tail: bytes) -> list[bytes]:
    """The header note as the message Excel shows when a header cell is selected, on each header
    cell that no data validation of the sheet's own covers."""
    taken = validation_boxes(tail)
    messages = []
    for i in range(len(plan.headers)):
        cell = Box(plan.first_col + i, plan.header_row, plan.first_col + i, plan.header_row)
        if not any(box.meets(cell) for box in taken):
            where = f"{column_letter(cell.col1 + 1)}{cell.row1}"
            messages.append(validation_note(where, NOTE_TITLE, plan.note))
    return messages


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
