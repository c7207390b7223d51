"""The zip that openpyxl reads, metered: what it unpacks is counted against the budgets, whatever
the workbook's parts say of themselves."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from kpi_excel.errors import UnreadableWorkbookError
from kpi_excel.read.intake import CheckedFile, check_whole_parse
from kpi_excel.read.partscan import is_sheet_part

MAX_SHEET_XML_READ = 8 * 2**20  # openpyxl parses sheets at about 1 MB a second


class MeteredArchive:
    """The zip that openpyxl reads, counting what it unpacks, whatever the parts say of themselves.

    While the workbook loads, every part is parsed whole: a sheet part (which container.py does
    not count) read then is counted like the others. Once loaded, the sheets are streamed, and a
    workbook may make the reader parse at most MAX_SHEET_XML_READ bytes of them, so time stays
    bounded.
    """

    def __init__(self, archive: zipfile.ZipFile, path: Path, checked: CheckedFile) -> None:
        self.archive = archive
        self.path = path
        self.spent = 0
        self.loaded = False
        self.whole_elements = checked.whole_parse_elements
        self.whole_bytes = checked.whole_parse_bytes

    def __getattr__(self, name: str) -> Any:  # namelist, filename, infolist ...
        return getattr(self.archive, name)

    def open(self, name: str, *args: Any, **kwargs: Any) -> MeteredStream:
        counted = not self.loaded and not is_sheet_part(name)  # container.py counted it
        return MeteredStream(self.archive.open(name, *args, **kwargs), self, counted)

    def read(self, name: str) -> bytes:
        with self.open(name) as stream:
            return stream.read()

    def charge(self, data: bytes, counted: bool) -> None:
        if counted:
            return
        if not self.loaded:
            self.whole_elements += data.count(b"<") - data.count(b"</")
            self.whole_bytes += len(data)
            check_whole_parse(str(self.path), self.whole_elements, self.whole_bytes)
            return
        self.spent += len(data)
        if self.spent > MAX_SHEET_XML_READ:
            raise UnreadableWorkbookError(
                f"the sheets hold more than {MAX_SHEET_XML_READ // 2**20} MB of cells before their KPI "
                "tables end, far more than KPI tables need", file=str(self.path),
                fix="Copy the KPI sheets to a new workbook, save that, and retry")

    def close(self) -> None:
        self.archive.close()


class MeteredStream:
    """One part being read, charged to its archive's meter."""

    def __init__(self, stream: Any, meter: MeteredArchive, counted: bool) -> None:
        self.stream = stream
        self.meter = meter
        self.counted = counted

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.stream.read(size)
        self.meter.charge(data, self.counted)
        return data

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> MeteredStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
