"""Build committee-paper.docx, the shipped Word template for the paper (python-docx, docxtpl tags).

Run `uv run python kpi_excel/report_templates/make_template.py` after changing this script; the
template is written beside it and is byte-identical on every run, so a changed file means a changed
layout. docs/paper.md lists the variables the tags may use.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from kpi_excel.paper import HEADER_FILL, deterministic_docx, tidy_package

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "committee-paper.docx"
FONT = "Arial"
MARGIN = Cm(1.8)
PORTRAIT_WIDTH_CM = 21.0 - 2 * 1.8  # 17.4 cm of text
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
    short, long = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, MARGIN)
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


def paged_heading(doc: DocumentObject, item: str, text: str, level: int) -> None:
    """A heading that starts a new page when item.break_before says so.

    Two copies of the heading, one with 'page break before', rather than a break paragraph,
    which would leave an empty line at the top of the page.
    """
    tag(doc, f"{{%p if {item}.break_before %}}")
    heading(doc, text, level, page_break=True)
    tag(doc, "{%p else %}")
    heading(doc, text, level)
    tag(doc, "{%p endif %}")


def numbered(doc: DocumentObject, number: str, text: str) -> Paragraph:
    return doc.add_paragraph(f"{number}\t{text}", style="Numbered Paragraph")


def bullet(doc: DocumentObject, text: str, *, indent_cm: float = 1.9) -> Paragraph:
    paragraph = doc.add_paragraph(text, style="List Bullet")
    paragraph.paragraph_format.left_indent = Cm(indent_cm)
    paragraph.paragraph_format.first_line_indent = -Cm(0.6)
    return paragraph


def page_break(doc: DocumentObject) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# --- Tables ---------------------------------------------------------------------------------------


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


# --- The paper ------------------------------------------------------------------------------------


def cover(doc: DocumentObject) -> None:
    """The cover report, as the council's papers lay it out."""
    tag(doc, "{%p for person in from_people %}")
    labelled(doc, "{{ person.label }}", "{{ person.line }}")
    tag(doc, "{%p endfor %}")
    doc.add_paragraph(style="Header Block")
    labelled(doc, "To:", "{{ to_line }}")
    doc.add_paragraph(style="Header Block")
    labelled(doc, "Subject:", "{{ subject }}")
    doc.add_paragraph(style="Header Block")
    labelled(doc, "Classification:", "{{ classification }}")
    heading(doc, "Summary:", 1)
    doc.add_paragraph("{{ summary_intro }}")
    doc.add_paragraph("{{ summary_headline }} {{ summary_red }}")
    heading(doc, "Recommendation(s):", 1)
    doc.add_paragraph("{{ recommendation }}")
    heading(doc, "1. Introduction", 1)
    numbered(doc, "1.1.", "{{ introduction }}")
    heading(doc, "2. Performance Dashboard", 1)
    tag(doc, "{%p for para in dashboard_paragraphs %}")
    tag(doc, "{%p if para.bullets %}")
    numbered(doc, "{{ para.number }}", "{{ para.text }}").paragraph_format.keep_with_next = True
    tag(doc, "{%p else %}")
    numbered(doc, "{{ para.number }}", "{{ para.text }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for item in para.bullets %}")
    bullet(doc, "{{ item }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    directorate_counts(doc)
    heading(doc, "3. Recommendation(s):", 1)
    doc.add_paragraph("{{ recommendation }}")
    heading(doc, "4. Contact details", 1)
    for label, person in (("Report Author:", "author"), ("Relevant Director:", "director")):
        name = labelled(doc, label, f"{{{{ {person}.name }}}}", style="Contact", sep=" ")
        name.paragraph_format.space_before = Pt(8)
        name.paragraph_format.keep_with_next = True
        tag(doc, f"{{%p for line in {person}.details %}}")
        doc.add_paragraph("{{ line }}", style="Contact").paragraph_format.keep_with_next = True
        tag(doc, "{%p endfor %}")


def directorate_counts(doc: DocumentObject) -> None:
    """In a report spanning several directorates (a council-wide report), their counts."""
    tag(doc, "{%p if directorates %}")
    doc.add_paragraph("{{ directorates_intro }}", style="Lead-in")
    data_table(doc, ["Directorate", "KPIs", "Green", "Amber", "Red", "Not rated"],
               ["{{ dir.name }}", "{{ dir.total }}", "{{ dir.green }}", "{{ dir.amber }}", "{{ dir.red }}",
                "{{ dir.not_rated }}"], [7.4, 2.0, 2.0, 2.0, 2.0, 2.0], loop="dir in directorates",
               caption="KPIs by directorate",
               description="How many KPIs each directorate has, and how many were RAG rated Green, "
                           "Amber and Red or were not rated.",
               right=(1, 2, 3, 4, 5), whole=True)
    tag(doc, "{%p endif %}")


def guidance_notes(doc: DocumentObject) -> None:
    """The keys, each only when the paper uses what it explains (the context leaves out the rest)."""
    heading(doc, "Guidance Notes", 2)
    heading(doc, "RAG ratings", 3)
    data_table(doc, ["RAG rating", "What it means"],
               ["{% cellbg key.fill %}{{ key.label }}", "{{ key.meaning }}"], [3.0, 14.4],
               loop="key in guidance.rag", caption="RAG ratings",
               description="What each RAG rating means under the rule applied.", whole=True)
    doc.add_paragraph("{{ guidance.colours }}", style="Note")
    doc.add_paragraph("How the ratings are applied:", style="Lead-in")
    tag(doc, "{%p for note in guidance.rag_notes %}")
    bullet(doc, "{{ note }}", indent_cm=0.6)
    tag(doc, "{%p endfor %}")
    heading(doc, "Direction of travel", 3)
    data_table(doc, ["Arrow", "Direction", "What it means"],
               ["{{ key.arrow }}", "{{ key.label }}", "{{ key.meaning }}"], [1.6, 2.6, 13.2],
               loop="key in guidance.direction", caption="Direction of travel",
               description="What each direction-of-travel arrow means under the method applied.",
               whole=True)
    tag(doc, "{%p if activities %}")
    heading(doc, "Activity indicators", 3)
    doc.add_paragraph("{{ guidance.activity_note }}", style="Lead-in")
    data_table(doc, ["Alert", "What it means"], ["{{ key.label }}", "{{ key.meaning }}"], [3.0, 14.4],
               loop="key in guidance.range", caption="Activity indicator alerts",
               description="What each expected-range alert means.", whole=True)
    tag(doc, "{%p endif %}")


def kpi_summary(doc: DocumentObject) -> None:
    heading(doc, "KPI Summary", 2)
    doc.add_paragraph("{{ summary_table_note }}")
    tag(doc, "{%p for section in sections %}")
    heading(doc, "{{ section.name }}", 3)
    data_table(
        doc,
        ["Code", "Indicator", "Polarity", "Latest value", "Target", "Floor standard", "RAG rating",
         "Direction of travel"],
        ["{{ kpi.code }}", "{{ kpi.name }}", "{{ kpi.polarity }}", "{{ kpi.value_text }}",
         "{{ kpi.target }}", "{{ kpi.floor }}", "{% cellbg kpi.rag_fill %}{{ kpi.rag }}",
         "{{ kpi.direction_text }}"],
        [1.4, 5.3, 1.8, 1.9, 1.6, 1.7, 1.5, 2.2], loop="kpi in section.kpis",
        caption="KPI summary: {{ section.name }}",
        description="Each KPI's polarity (whether higher or lower is better), latest value, target, "
                    "floor standard, RAG rating and direction of travel.",
        right=(3, 4, 5),
    )
    tag(doc, "{%p endfor %}")


def red_kpis(doc: DocumentObject) -> None:
    """The KPIs rated Red, briefly, after the summary: their chart, values and commentary are in
    their own place under KPI details, so they are not printed twice; the council-wide paper,
    which has no details, gives the commentary here."""
    tag(doc, "{%p if red_kpis %}")
    heading(doc, "Indicators rated Red", 2)
    doc.add_paragraph("{{ red_intro }}", style="Lead-in")
    tag(doc, "{%p for kpi in red_kpis %}")
    bullet(doc, "{{ kpi.label }}{% if directorates %} ({{ kpi.section }}){% endif %}. {{ kpi.facts }}",
           indent_cm=0.6)
    tag(doc, "{%p if not show_details %}")
    comment = labelled(doc, "Commentary:", "{{ kpi.commentary_text }}", style="Normal", sep=" ")
    comment.paragraph_format.left_indent = Cm(0.6)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    doc.add_paragraph("No KPIs were rated Red.", style="Note")
    tag(doc, "{%p endif %}")


def kpi_details(doc: DocumentObject) -> None:
    """Each KPI's block, one after another: the blocks never split and pages fill as they come."""
    tag(doc, "{%p if show_details %}")
    heading(doc, "KPI details", 2)
    tag(doc, "{%p for section in sections %}")
    heading(doc, "{{ section.name }}", 3)
    tag(doc, "{%p for kpi in section.kpis %}")
    indicator_block(doc, "kpi", ("RAG", "{% cellbg col.rag_fill %}{{ col.rag }}"))
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def indicator_block(doc: DocumentObject, item: str, last_row: tuple[str, str]) -> None:
    """One indicator: heading, facts, commentary, chart, then the table of period values.

    Every paragraph down to the table's last row is kept with the next, so the block moves to a
    new page whole; the commentary comes before the chart so that it can never be left alone.
    """
    heading(doc, f"{{{{ {item}.code }}}} {{{{ {item}.name }}}}", 4)
    facts = doc.add_paragraph(f"{{{{ {item}.facts }}}}")
    facts.paragraph_format.keep_with_next = True
    facts.paragraph_format.keep_together = True  # a split facts line would leave the heading behind
    tag(doc, f"{{%p if {item}.commentary %}}")
    comment = labelled(doc, "Commentary:", f"{{{{ {item}.commentary }}}}", style="Normal", sep=" ")
    comment.paragraph_format.keep_with_next = True
    comment.paragraph_format.keep_together = True
    tag(doc, "{%p endif %}")
    figure = doc.add_paragraph(f"{{{{ {item}.chart }}}}", style="Chart")
    figure.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period_table(doc, item, last_row, caption=f"Values by period: {{{{ {item}.code }}}}")
    doc.add_paragraph(style="Block End")


def activity_indicators(doc: DocumentObject) -> None:
    tag(doc, "{%p if activities %}")
    heading(doc, "Activity indicators", 2)
    doc.add_paragraph("{{ guidance.activity_note }}", style="Lead-in")
    data_table(
        doc,
        ["Code", "Indicator", "Latest value", "Period", "Lower threshold", "Upper threshold",
         "Against range"],
        ["{{ act.code }}", "{{ act.name }}", "{{ act.value }}", "{{ act.period }}", "{{ act.lower }}",
         "{{ act.upper }}", "{{ act.range }}"],
        [1.6, 6.6, 2.0, 1.6, 1.9, 1.9, 1.8], loop="act in activities",
        caption="Activity indicators against their expected ranges",
        description="Each activity indicator's latest value and period, the lower and upper "
                    "thresholds of its expected range, and whether it is above, within or below it.",
        right=(2, 4, 5),
    )
    tag(doc, "{%p if show_details %}")
    tag(doc, "{%p for act in activities %}")
    indicator_block(doc, "act", ("Range", "{{ col.range }}"))
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def proposals(doc: DocumentObject) -> None:
    """Appendix 2 in a landscape section of its own, only when the workbook has proposals.

    The section ends inside the {%p if %}, so without proposals no empty page is left; with them
    the empty portrait section after it is removed when the paper is rendered.
    """
    tag(doc, "{%p if proposals %}")
    new_section(doc, landscape=True)
    heading(doc, "Appendix 2: Proposed KPIs and targets for {{ next_year }}", 1)
    doc.add_paragraph("{{ proposals_intro }}")
    # the year on a line of its own: a narrow header never breaks inside "2020-21"
    data_table(
        doc,
        ["Code", "Indicator", "Polarity", "Target\n{{ financial_year }}", "Floor\n{{ financial_year }}",
         "Target\n{{ next_year }}", "Floor\n{{ next_year }}", "Change"],
        ["{{ prop.code }}", "{{ prop.name }}", "{{ prop.polarity }}", "{{ prop.current_target }}",
         "{{ prop.current_floor }}", "{{ prop.target }}", "{{ prop.floor }}",
         "{% cellbg prop.change_fill %}{{ prop.change }}"],
        [1.6, 9.0, 2.2, 2.2, 2.2, 2.2, 2.2, 4.5], loop="prop in proposals",
        caption="Proposed KPIs and targets for {{ next_year }}",
        description="Each proposed KPI's polarity, and its target and floor standard for {{ next_year }} "
                    "beside {{ financial_year }}'s, with the change described in the last column.",
        right=(3, 4, 5, 6),
    )
    new_section(doc, landscape=False)
    tag(doc, "{%p endif %}")


def build() -> bytes:
    """The whole template as .docx bytes."""
    doc = Document()
    set_styles(doc)
    page_setup(doc.sections[0])
    page_number_footer(doc.sections[0])
    cover(doc)
    # Appendix 1 is portrait throughout: orientation changes only where an appendix starts
    heading(doc, "Appendix 1: {{ dashboard_title }}", 1, page_break=True)
    doc.add_paragraph("{{ data_note }} {{ guidance.table_note }}")
    guidance_notes(doc)
    kpi_summary(doc)
    red_kpis(doc)
    kpi_details(doc)
    activity_indicators(doc)
    proposals(doc)
    _drop_thumbnail(doc)
    tidy_package(doc)
    doc.core_properties.title = "{{ title }}"
    doc.core_properties.author = "{{ author.name }}"
    doc.core_properties.comments = "Template for the committee paper written by kpi-excel"
    buffer = io.BytesIO()
    doc.save(buffer)
    return deterministic_docx(buffer.getvalue(), dt.datetime(2020, 1, 1))


def _drop_thumbnail(doc: DocumentObject) -> None:
    """python-docx's default document carries a thumbnail of an empty page: remove it."""
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rel_id]


if __name__ == "__main__":
    TEMPLATE.write_bytes(build())
    print(f"Wrote {TEMPLATE}")
