"""The building blocks of the paper's Word template: styles, A4 pages, tagged paragraphs, tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from kpi_excel.present.paper import HEADER_FILL

FONT = "Arial"
A4_CM = (21.0, 29.7)
MARGIN_CM = 1.8
PORTRAIT_WIDTH_CM = A4_CM[0] - 2 * MARGIN_CM  # 17.4 cm of text
HANGING = Cm(1.1)  # numbered paragraphs: "2.1." then the text
LABEL_WIDTH = Cm(3.6)  # the header block: "Classification:" then the value


# --- Styles ---------------------------------------------------------------------------------------


def set_styles(doc: DocumentObject) -> None:
    """Arial throughout, British English for proofing and screen readers, plain black headings."""
    _document_defaults(doc)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for level, size in ((1, 13), (2, 12), (3, 11), (4, 11)):
        _heading(doc, level, size)
    _paragraph_style(doc, "Header Block", indent=LABEL_WIDTH, hanging=LABEL_WIDTH, after=2)
    _paragraph_style(doc, "Numbered Paragraph", indent=HANGING, hanging=HANGING, after=8)
    _paragraph_style(doc, "Contact", after=0)
    _paragraph_style(doc, "Table Text", size=9, after=0, line=1.0)
    _paragraph_style(doc, "Table Heading", size=9, after=0, line=1.0, bold=True)
    # no text below 9 pt anywhere: twelve periods are laid out as two rows of six, not shrunk
    _paragraph_style(doc, "Period Text", size=9, after=0, line=1.0)
    _paragraph_style(doc, "Period Heading", size=9, after=0, line=1.0, bold=True)
    # not "Figure": a tagged PDF names a paragraph's structure element after its style, and a
    # paragraph "Figure" holding the chart's own Figure element would be a Figure with no alt text
    _paragraph_style(doc, "Chart", after=4, keep_with_next=True)
    _paragraph_style(doc, "Note", after=6, before=8)
    _paragraph_style(doc, "Lead-in", after=4, before=8, keep_with_next=True)  # kept with its list
    _paragraph_style(doc, "Block End", size=9, after=6, line=1.0)  # ends an indicator's kept block
    bullet = doc.styles["List Bullet"]
    bullet.font.name = FONT
    bullet.paragraph_format.space_after = Pt(3)
    bullet.paragraph_format.keep_with_next = True  # a list stays with what follows it, never split
    for name in ("Header", "Footer"):
        doc.styles[name].font.name = FONT
        doc.styles[name].font.size = Pt(9)
    _no_style_below(doc, Pt(9))


def _no_style_below(doc: DocumentObject, smallest: Pt) -> None:
    """python-docx's default template has styles below 9 pt (Body Text 3 at 8 pt): raise them, so no
    style an editor picks prints smaller than the paper's smallest text."""
    half_points = str(int(smallest.pt * 2))
    for size in doc.styles.element.iter(qn("w:sz"), qn("w:szCs")):
        if int(size.get(qn("w:val"))) < int(half_points):
            size.set(qn("w:val"), half_points)


def _document_defaults(doc: DocumentObject) -> None:
    # the style defaults, not core_properties.language, set proofing and screen-reader language
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for style_fonts in doc.styles.element.iter(qn("w:rFonts")):  # theme fonts would win over Arial
        themed = [name for name in style_fonts.attrib if name.endswith("Theme") or name.endswith("theme")]
        for name in themed:
            del style_fonts.attrib[name]
        if themed:
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                style_fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")


def _heading(doc: DocumentObject, level: int, size: int) -> None:
    style = doc.styles[f"Heading {level}"]
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:  # theme fonts would win over Arial
        rpr.remove(fonts)
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = True
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.space_before = Pt(14 if level == 1 else 10)
    fmt.space_after = Pt(6)
    fmt.keep_with_next = True


def _paragraph_style(doc: DocumentObject, name: str, *, indent: Cm | None = None,
                     hanging: Cm | None = None, after: float = 6, size: float | None = None,
                     line: float | None = None, bold: bool = False,
                     keep_with_next: bool = False, before: float = 0) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    fmt = style.paragraph_format
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(before) if before else None
    fmt.keep_with_next = keep_with_next
    if line is not None:
        fmt.line_spacing = line
    if indent is not None:
        fmt.left_indent = indent
        fmt.tab_stops.add_tab_stop(indent)
    if hanging is not None:
        fmt.first_line_indent = -hanging
    if size is not None:
        style.font.size = Pt(size)
    style.font.bold = bold or None


# --- Page layout ----------------------------------------------------------------------------------


def page_setup(section: Section, *, landscape: bool = False) -> None:
    """A4, with width and height swapped for landscape (orientation alone does not swap them)."""
    short, long = Cm(A4_CM[0]), Cm(A4_CM[1])
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)


def page_number_footer(section: Section) -> None:
    """'Page N of M', from PAGE and NUMPAGES fields, centred in the footer."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES")


def _field(paragraph: Paragraph, code: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "1":
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def new_section(doc: DocumentObject, *, landscape: bool) -> None:
    page_setup(doc.add_section(WD_SECTION.NEW_PAGE), landscape=landscape)


# --- Paragraphs -----------------------------------------------------------------------------------


def tag(doc: DocumentObject, text: str) -> None:
    """A paragraph holding only a {%p ... %} tag: docxtpl removes it when rendering."""
    doc.add_paragraph(text)


def labelled(doc: DocumentObject, label: str, value: str, style: str = "Header Block",
             sep: str = "\t") -> Paragraph:
    """'Label:<tab>value' with the label in bold."""
    paragraph = doc.add_paragraph(style=style)
    paragraph.add_run(label).bold = True
    paragraph.add_run(sep + value)
    return paragraph


def heading(doc: DocumentObject, text: str, level: int, *, page_break: bool = False) -> Paragraph:
    paragraph = doc.add_heading(text, level)
    paragraph.paragraph_format.page_break_before = page_break or None
    return paragraph


def numbered(doc: DocumentObject, number: str, text: str) -> Paragraph:
    return doc.add_paragraph(f"{number}\t{text}", style="Numbered Paragraph")


def bullet(doc: DocumentObject, text: str, *, indent_cm: float = 1.9) -> Paragraph:
    paragraph = doc.add_paragraph(text, style="List Bullet")
    paragraph.paragraph_format.left_indent = Cm(indent_cm)
    paragraph.paragraph_format.first_line_indent = -Cm(0.6)
    return paragraph


def data_table(doc: DocumentObject, headers: Sequence[str], row: Sequence[str], widths: Sequence[float],
               *, loop: str | None, caption: str, description: str,
               right: Sequence[int] = (), whole: bool = False) -> Table:
    """A data table: one repeating header row, rows that never split, a caption and description.

    With `loop` ("kpi in section.kpis"), the template row repeats once per item ({%tr for %}).
    A short table kept `whole` moves to the next page rather than leave a row or two behind.
    """
    rows = [list(headers), list(row)]
    if loop:
        rows = [list(headers), [f"{{%tr for {loop} %}}"] + [""] * (len(headers) - 1), list(row),
                ["{%tr endfor %}"] + [""] * (len(headers) - 1)]
    table = doc.add_table(rows=len(rows), cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = Cm(widths[c])
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["Table Heading" if r == 0 else "Table Text"]
            paragraph.text = value
            paragraph.paragraph_format.keep_with_next = (whole and r < len(rows) - 1) or None
            if c in right and r > 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for c, width in enumerate(widths):
        table.columns[c].width = Cm(width)
    mark_table(table, caption, description)
    return table


def mark_table(table: Table, caption: str, description: str, *, side_margin: int = 85) -> None:
    """Header row that repeats on each page, rows that do not split, caption and description."""
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))  # schema order: cantSplit before tblHeader
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
            for cell in row.cells:
                _shade(cell._tc, HEADER_FILL)
    _table_properties(table, caption, description, side_margin=side_margin)


def _table_properties(table: Table, caption: str, description: str, *, side_margin: int) -> None:
    """Cell padding, then the caption and description a screen reader announces."""
    tbl_pr = table._tbl.tblPr  # table.autofit = False wrote the fixed w:tblLayout already
    tbl_pr.insert_element_before(_cell_margins(side_margin), "w:tblLook", "w:tblCaption",
                                 "w:tblDescription")
    for name, text in (("w:tblCaption", caption), ("w:tblDescription", description)):
        element = OxmlElement(name)
        element.set(qn("w:val"), text)
        tbl_pr.append(element)  # last in w:tblPr, after w:tblLook


def _cell_margins(side: int) -> Any:
    """Padding inside every cell, in twentieths of a point."""
    margins = OxmlElement("w:tblCellMar")
    for edge, size in (("top", 28), ("left", side), ("bottom", 28), ("right", side)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(size))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    return margins


def _shade(tc: object, fill: str) -> None:
    tc_pr = tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    for name, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shd.set(qn(name), value)
    tc_pr.insert_element_before(shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText",
                                "w:vAlign", "w:hideMark")


def period_table(doc: DocumentObject, item: str, last_row: tuple[str, str], caption: str) -> Table:
    """Periods across the page in rows of at most six: a row of periods, the values, then RAG or
    range words, repeated for the next six.

    Twelve periods at 9 pt do not fit across a portrait page, so they are not shrunk but wrapped:
    the {%tr for %} repeats the three rows for each group of periods, and {%tc for %} repeats the
    period columns; the row labels stay in the first column.
    """
    label, cell = last_row
    loop = "{%tc for col in chunk %}"
    rows = [
        ["{%tr for chunk in " + item + ".period_rows %}", "", "", ""],
        ["Period", loop, "{{ col.label }}", "{%tc endfor %}"],
        ["Value", loop, "{{ col.value }}", "{%tc endfor %}"],
        [label, loop, cell, "{%tc endfor %}"],
        ["{%tr endfor %}", "", "", ""],
    ]
    table = doc.add_table(rows=len(rows), cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    width = PORTRAIT_WIDTH_CM / 4
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell_obj = table.cell(r, c)
            cell_obj.width = Cm(width)
            paragraph = cell_obj.paragraphs[0]
            paragraph.style = doc.styles["Period Heading" if r == 1 or c == 0 else "Period Text"]
            paragraph.text = value
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.CENTER
            # every row is kept with the next: the table stays whole and with what follows it
            paragraph.paragraph_format.keep_with_next = True
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for cell_obj in table.rows[1].cells:
        _shade(cell_obj._tc, HEADER_FILL)
    table.rows[1]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    _table_properties(table, caption,
                      "Values for each period shown in the chart above, six periods to a row; "
                      "a dash means no value.", side_margin=28)
    return table
