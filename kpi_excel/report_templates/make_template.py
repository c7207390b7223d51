"""Build committee-paper.docx, the shipped Word template for the paper (python-docx, docxtpl tags).

Run `uv run python kpi_excel/report_templates/make_template.py` after changing this script or
template_blocks.py (its styles, pages, paragraphs and tables); the template is written beside it
and is byte-identical on every run, so a changed file means a changed layout. docs/paper.md lists
the variables the tags may use.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from kpi_excel.paper import deterministic_docx, tidy_package
from kpi_excel.present import narrative
from kpi_excel.report_templates.template_blocks import (
    bullet,
    data_table,
    heading,
    labelled,
    new_section,
    numbered,
    page_number_footer,
    page_setup,
    period_table,
    set_styles,
    tag,
)

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "committee-paper.docx"


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
    # with no Red KPI to name, no space is left at the end of the headline
    doc.add_paragraph("{{ summary_headline }}{% if summary_red %} {{ summary_red }}{% endif %}")
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
    doc.add_paragraph(narrative.NO_RED, style="Note")  # as paragraph 2.5 says it
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
