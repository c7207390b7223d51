"""Build an .xlsx from a real-layout spec (specs/*.json): the table as its department would type it.

A spec holds the sheet's rows (None is an empty cell), and optionally number formats by range, solid
fills by cell (a rating some bodies publish only as a colour), merged ranges and bold rows. Run as a
script to write every spec's workbook into a folder:

    uv run python tests/real_layouts/build.py OUTDIR
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

SPECS = Path(__file__).parent / "specs"

# The colours councils' trackers use for a RAG fill (Excel's standard red, amber and green).
NAMED_FILLS = {"red": "#FF0000", "amber": "#FFC000", "green": "#00B050"}


def load_specs() -> dict[str, dict]:
    """Every spec by its file's stem, in name order."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SPECS.glob("*.json"))}


def cells_of(ref: str) -> Iterator[tuple[int, int]]:
    """The zero-based (row, column) of every cell in an A1 reference or range such as 'B5:C9'."""
    first, _, last = ref.partition(":")
    r1, c1 = xl_cell_to_rowcol(first)
    r2, c2 = xl_cell_to_rowcol(last or first)
    for r in range(min(r1, r2), max(r1, r2) + 1):
        for c in range(min(c1, c2), max(c1, c2) + 1):
            yield r, c


def fill_colour(name: str) -> str:
    """A named RAG colour or a #RRGGBB colour as given."""
    return NAMED_FILLS.get(name.lower(), name)


def cell_styles(spec: dict) -> dict[tuple[int, int], dict]:
    """The XlsxWriter format properties of each styled cell: number format, fill, bold, wrap."""
    styles: dict[tuple[int, int], dict] = {}
    for ref, num_format in spec.get("formats", {}).items():  # later ranges win, as in the spec's order
        for cell in cells_of(ref):
            styles.setdefault(cell, {})["num_format"] = num_format
    for ref, colour in spec.get("fills", {}).items():
        for cell in cells_of(ref):
            styles.setdefault(cell, {}).update(pattern=1, bg_color=fill_colour(colour))
    bold = {r - 1 for r in spec.get("bold_rows", [])}
    for r, row in enumerate(spec["rows"]):
        for c, value in enumerate(row):
            if r in bold and value is not None:
                styles.setdefault((r, c), {})["bold"] = True
            if isinstance(value, str) and "\n" in value:
                styles.setdefault((r, c), {})["text_wrap"] = True
    return styles


def build_workbook(spec: dict, path: Path) -> Path:
    """Write spec's sheet to path as an .xlsx and return path."""
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"title": spec["report"], "company": spec["body"]})
    sheet = book.add_worksheet(spec["sheet"])
    formats: dict[tuple, object] = {}

    def fmt(props: dict | None):
        if not props:
            return None
        key = tuple(sorted(props.items()))
        if key not in formats:
            formats[key] = book.add_format(props)
        return formats[key]

    styles = cell_styles(spec)
    merged: set[tuple[int, int]] = set()
    for ref in spec.get("merges", []):
        first, _, last = ref.partition(":")
        r1, c1 = xl_cell_to_rowcol(first)
        r2, c2 = xl_cell_to_rowcol(last)
        rows = spec["rows"]
        value = rows[r1][c1] if r1 < len(rows) and c1 < len(rows[r1]) else None
        sheet.merge_range(r1, c1, r2, c2, "" if value is None else value, fmt(styles.get((r1, c1))))
        merged.update(cells_of(ref))
    for r, row in enumerate(spec["rows"]):
        for c, value in enumerate(row):
            if (r, c) in merged:
                continue
            style = fmt(styles.get((r, c)))
            if value is None:
                if style is not None:  # a fill with no value: the rating shown only as a colour
                    sheet.write_blank(r, c, None, style)
            elif isinstance(value, str):
                sheet.write_string(r, c, value, style)
            else:
                sheet.write_number(r, c, value, style)
    for c in range(max(len(row) for row in spec["rows"])):
        texts = [str(row[c]) for row in spec["rows"] if c < len(row) and row[c] is not None]
        sheet.set_column(c, c, min(max([8, *map(len, texts)]), 60))
    book.close()
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: build.py OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in load_specs().items():
        print(build_workbook(spec, out / f"{name}.xlsx"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
