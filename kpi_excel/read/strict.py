"""Excel's "Strict Open XML Spreadsheet": the same workbook under other namespace names, mapped to
the usual ones in memory so the reader can read it."""

from __future__ import annotations

import io
import re
import zipfile

_STRICT = re.compile(rb"""(=\s*["'])http://purl\.oclc\.org/ooxml/([\w-]+)/([\w-]+)((?:/[\w-]+)*)(?=["'])""")
_STRICT_NAMES = {b"extendedProperties": b"extended-properties", b"customProperties": b"custom-properties"}


def is_strict(archive: zipfile.ZipFile) -> bool:
    """Whether the workbook was saved as Excel's "Strict Open XML Spreadsheet"."""
    return b"purl.oclc.org/ooxml/spreadsheetml/main" in archive.read("xl/workbook.xml")  # size checked


def as_transitional(archive: zipfile.ZipFile) -> bytes:
    """A Strict workbook with its namespaces and relationship types named as in every other .xlsx
    (http://purl.oclc.org/ooxml/spreadsheetml/main -> http://schemas.openxmlformats.org/
    spreadsheetml/2006/main), which is all the parser needs to read it. The parts are already
    checked; only quoted names (attribute values) change, never a cell's text."""

    def transitional(match: re.Match[bytes]) -> bytes:
        quote, area, name, rest = match.groups()
        if rest:
            head, _, last = rest.rpartition(b"/")
            rest = head + b"/" + _STRICT_NAMES.get(last, last)
        return (quote + b"http://schemas.openxmlformats.org/" + area + b"/2006/"
                + _STRICT_NAMES.get(name, name) + rest)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
        for member in archive.infolist():
            data = archive.read(member)
            if member.filename.lower().endswith((".xml", ".rels")):
                data = _STRICT.sub(transitional, data)
            copy.writestr(member.filename, data)
    return out.getvalue()
