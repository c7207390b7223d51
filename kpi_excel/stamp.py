"""Whose file is this: the mark every output carries, and a folder's record of what was written.

A build replaces a file in its output folder only when kpi-excel wrote it and nobody has changed
it since: another department's workbook that happens to share a name, or a rated copy the
department has worked in for a month, is never overwritten without --force.

- Each output carries a mark a person can see too: a custom document property named
  "kpi-excel output" (.xlsx, .xlsm, .docx; File > Properties > Custom), "kpi-excel" among a PDF's
  keywords, and a generator meta element in HTML.
- Each folder keeps `.kpi-excel-outputs.json`, the SHA-256 of every file a build wrote there, so a
  marked file that has been edited since is told apart from one as it was written.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from defusedxml import ElementTree

from kpi_excel.excel import ns

PROPERTY = "kpi-excel output"  # the custom document property's name
RATED_COPY = "rated copy (RAG columns added to the department's workbook)"  # its value on a rated copy
# the defined name (one per sheet) over the columns a rated copy added, header row to last row:
# a build from the rated copy reads past them and refreshes them in place; Excel keeps it in step
# when the department inserts rows or columns
RATED_COLUMNS = "kpi_excel_rated_columns"
KEYWORD = "kpi-excel"  # in a PDF's keywords
GENERATOR = "kpi-excel"  # an HTML page's <meta name="generator">
RECORD = ".kpi-excel-outputs.json"

_CUSTOM_PART = "docProps/custom.xml"
_MAX_PART = 1 << 20  # a custom-properties part is a few hundred bytes; more is not ours
_MAX_RECORD = 4 << 20
_EDGE = 256 << 10  # how much of each end of a PDF or the start of an HTML page is read for the mark
_PDF_KEYWORDS = re.compile(rb"/Keywords\s*(?:\(([^)]{0,2000})\)|<([0-9A-Fa-f\s]{0,8000})>)")
_HTML_GENERATOR = re.compile(rb"<meta\s+name=\"generator\"\s+content=\"" + GENERATOR.encode())


class Ownership(enum.Enum):
    OURS = "written by kpi-excel and unchanged since"
    CHANGED = "written by kpi-excel, then changed"
    FOREIGN = "not written by kpi-excel"


def ownership(path: Path) -> Ownership:
    """Whether a file in an output folder may be replaced: it carries the mark, and matches what
    the folder's record says was written (a marked file the record does not list is taken as
    written by kpi-excel: the record may have been lost or the file copied in)."""
    if not is_marked(path):
        return Ownership.FOREIGN
    written = read_record(path.parent).get(path.name)
    if written is None or written == file_sha256(path):
        return Ownership.OURS
    return Ownership.CHANGED


def is_marked(path: Path) -> bool:
    """Whether a file carries kpi-excel's mark; a file that cannot be read carries none."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".docx"):
            return _package_marked(path)
        if suffix == ".pdf":
            return _pdf_marked(path)
        if suffix in (".html", ".htm"):
            with open(path, "rb") as page:
                return bool(_HTML_GENERATOR.search(page.read(_EDGE)))
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError, ValueError):
        return False
    return False


def _package_marked(path: Path) -> bool:
    return _package_mark(path) is not None


def _package_mark(path: Path) -> str | None:
    """The mark's value in a package's custom properties ("RAG workbook", RATED_COPY ...), or None."""
    with zipfile.ZipFile(path) as archive:
        try:
            info = archive.getinfo(_CUSTOM_PART)
        except KeyError:
            return None
        if info.file_size > _MAX_PART:
            return None
        with archive.open(info) as part:
            data = part.read(_MAX_PART + 1)
    root = ElementTree.fromstring(data)
    for prop in root.iter(ns.clark(ns.CUSTOM_PROPERTIES, "property")):
        if prop.get("name") == PROPERTY:
            return "".join(prop.itertext()).strip()
    return None


def is_rated_copy(path: Path) -> bool:
    """Whether a workbook is a rated copy kpi-excel wrote (the department may have worked in it since)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    try:
        return _package_mark(path) == RATED_COPY
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError, ValueError):
        return False


def _pdf_marked(path: Path) -> bool:
    size = path.stat().st_size
    with open(path, "rb") as pdf:
        ends = pdf.read(_EDGE)
        if size > _EDGE:
            pdf.seek(max(_EDGE, size - _EDGE))
            ends += pdf.read(_EDGE)
    return any(KEYWORD in _pdf_text(match) for match in _PDF_KEYWORDS.finditer(ends))


def _pdf_text(match: re.Match[bytes]) -> str:
    """A PDF string as text: (literal) or <hex>, the hex in UTF-16 after a byte-order mark."""
    if match.group(1) is not None:
        return match.group(1).decode("latin-1")
    data = bytes.fromhex(match.group(2).decode("ascii"))
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", "replace")
    return data.decode("latin-1")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_record(folder: Path) -> dict[str, str]:
    """The folder's record of the files kpi-excel wrote there: file name -> SHA-256."""
    return _load_record(folder) or {}


def _load_record(folder: Path) -> dict[str, str] | None:
    """The record; {} when there is none; None when a file of its name is not kpi-excel's record."""
    path = folder / RECORD
    try:
        if path.stat().st_size > _MAX_RECORD:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) and data.get("written by") == GENERATOR else None
    if not isinstance(files, dict):
        return None
    return {str(name): str(sha) for name, sha in files.items() if isinstance(sha, str)}


def record_written(paths: Iterable[Path]) -> None:
    """Add the files just written to their folders' records. Best effort: a record that cannot be
    written only means those files are later known by their mark alone."""
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    for folder, written in by_folder.items():
        files = _load_record(folder)
        if files is None:
            continue  # a file of that name that is not our record: leave it alone
        for path in written:
            with contextlib.suppress(OSError):
                files[path.name] = file_sha256(path)
        _replace_record(folder, files)


def _replace_record(folder: Path, files: dict[str, str]) -> None:
    text = json.dumps({"written by": GENERATOR, "files": dict(sorted(files.items()))}, indent=1)
    try:
        fd, name = tempfile.mkstemp(prefix=".kpi-excel-outputs-", suffix=".tmp", dir=folder)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(name, 0o666 & ~mask)  # as any new file (mkstemp makes it private)
        os.replace(name, folder / RECORD)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(name)
