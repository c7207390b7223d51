"""The committee paper: its numbers, its accessibility mark-up, its template handling and its bytes."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from kpi_excel import paper, pipeline
from kpi_excel.core.formatting import DIRECTION_ARROWS, POLARITY_WORDS, direction_word, format_value, rag_word
from kpi_excel.core.model import Report
from kpi_excel.errors import TemplateError
from kpi_excel.paper import pdf, xmlfix
from kpi_excel.present.paper import DASH, RAG_FILLS, fixed_time, paper_context

NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/"}
A4_PORTRAIT = ("11906", "16838")  # twentieths of a point


@pytest.fixture(scope="module")
def report() -> Report:
    return pipeline.check(pipeline.sample_path())


@pytest.fixture(scope="module")
def rendered(report: Report) -> bytes:
    return paper.render_paper(report)


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def cell_text(tc: etree._Element) -> str:
    return "".join(tc.xpath(".//w:t/text()", namespaces=NS))


def tables(data: bytes) -> list[etree._Element]:
    return part(data, "word/document.xml").xpath("//w:tbl", namespaces=NS)


def rows_of(table: etree._Element) -> list[list[str]]:
    return [[cell_text(tc) for tc in tr.xpath("w:tc", namespaces=NS)]
            for tr in table.xpath("w:tr", namespaces=NS)]


# --- every number equals the workbook's -----------------------------------------------------------


def test_summary_tables_print_the_reports_numbers(rendered: bytes, report: Report) -> None:
    summary_rows = {}
    for table in tables(rendered):
        rows = rows_of(table)
        if rows[0][:4] == ["Code", "Indicator", "Polarity", "Latest value"] and "RAG rating" in rows[0]:
            summary_rows.update({row[0]: row for row in rows[1:]})
    assert len(summary_rows) == 25
    for rating in report.kpis:
        ind = rating.indicator
        arrow = DIRECTION_ARROWS[rating.direction] if rating.direction else ""
        value = format_value(rating.value, ind)
        if rating.stale and rating.latest:  # an older latest value says when it is from
            value += f" ({rating.latest.period.label})"
        assert summary_rows[ind.code] == [
            ind.code, ind.name, POLARITY_WORDS[ind.polarity], value,
            format_value(ind.target, ind), format_value(ind.floor, ind), rag_word(rating),
            f"{arrow} {direction_word(rating.direction)}",
        ]
    assert summary_rows["FN06"][2] == "Lower is better"  # the sample's one lower-is-better KPI
    assert summary_rows["ICT01"][3] == "72.1% (Feb-20)"  # the sample's one stale KPI


def period_rows(rows: list[list[str]]) -> tuple[list[str], list[str], list[str]]:
    """A period table's periods, values and last-row words, read across its rows of six."""
    periods, values, last = [], [], []
    for start in range(0, len(rows), 3):
        periods += rows[start][1:]
        values += rows[start + 1][1:]
        last += rows[start + 2][1:]
    while periods and periods[-1] == "":  # a short last row is filled with blank cells
        periods, values, last = periods[:-1], values[:-1], last[:-1]
    return periods, values, last


def test_period_tables_hold_every_monthly_value(rendered: bytes, report: Report) -> None:
    period_tables = [rows_of(t) for t in tables(rendered) if rows_of(t)[0][0] == "Period"]
    assert len(period_tables) == len(report.ratings)
    for rating, rows in zip(report.ratings, period_tables, strict=True):
        ind = rating.indicator
        expected = [format_value(o.value, ind) or DASH for o in ind.observations]
        periods, values, _ = period_rows(rows)
        assert periods == [o.period.label for o in ind.observations]
        assert values == expected, ind.code
        assert [len(row) for row in rows] == [7] * 6  # twelve periods as two rows of six


def test_appendix_2_sets_proposals_beside_this_years_targets(rendered: bytes) -> None:
    [appendix] = [rows_of(t) for t in tables(rendered) if rows_of(t)[0][-1] == "Change"]
    rows = {row[0]: row for row in appendix[1:]}
    assert rows["CS04a"][2] == "Higher is better"
    assert rows["CS04a"][3:] == ["95.0%", "85.0%", "95.0%", "90.0%", "Floor standard raised (tougher)"]
    assert rows["GL02"][-1] == "No change"
    changed = [code for code, row in rows.items() if row[-1] != "No change"]
    assert changed == ["CS04a", "CS04b"]


# --- accessibility and house style ----------------------------------------------------------------


def test_pages_are_a4_with_a_landscape_section_for_wide_tables(rendered: bytes) -> None:
    sizes = part(rendered, "word/document.xml").xpath("//w:sectPr/w:pgSz", namespaces=NS)
    pairs = [(s.get(qn("w:w")), s.get(qn("w:h")), s.get(qn("w:orient"))) for s in sizes]
    assert pairs[0][:2] == A4_PORTRAIT
    assert ("16838", "11906", "landscape") in pairs
    assert all({w, h} == set(A4_PORTRAIT) for w, h, _ in pairs)


def test_language_is_british_english_and_font_is_arial(rendered: bytes) -> None:
    styles = part(rendered, "word/styles.xml")
    defaults = styles.xpath("//w:docDefaults/w:rPrDefault/w:rPr", namespaces=NS)[0]
    assert defaults.xpath("w:lang/@w:val", namespaces=NS) == ["en-GB"]
    assert defaults.xpath("w:rFonts/@w:ascii", namespaces=NS) == ["Arial"]
    theme_fonts = styles.xpath("//w:style[starts-with(@w:styleId, 'Heading')]//w:rFonts/@w:asciiTheme",
                               namespaces=NS)
    assert theme_fonts == []


def test_structure_uses_heading_styles(rendered: bytes) -> None:
    document = docx.Document(io.BytesIO(rendered))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    texts = [t for _, t in headings]
    for expected in ("Summary:", "1. Introduction", "2. Performance Dashboard", "4. Contact details",
                     "Appendix 1: Strategic and Corporate Services Performance Dashboard", "Guidance Notes",
                     "KPI Summary", "Indicators rated Red", "Activity indicators",
                     "Appendix 2: Proposed KPIs and targets for 2020-21"):
        assert expected in texts
    gl02 = "GL02 Freedom of Information Act requests completed within 20 working days"
    assert ("Heading 4", gl02) in headings


def test_every_table_is_marked_up_for_screen_readers(rendered: bytes) -> None:
    for table in tables(rendered):
        rows = table.xpath("w:tr", namespaces=NS)
        assert rows[0].xpath("w:trPr/w:tblHeader", namespaces=NS), rows_of(table)[0]
        assert all(r.xpath("w:trPr/w:cantSplit", namespaces=NS) for r in rows)
        assert not any(r.xpath("w:trPr/w:tblHeader", namespaces=NS) for r in rows[1:])
        assert not table.xpath(".//w:gridSpan | .//w:vMerge | .//w:hMerge", namespaces=NS)
        caption = table.xpath("w:tblPr/w:tblCaption/@w:val", namespaces=NS)
        description = table.xpath("w:tblPr/w:tblDescription/@w:val", namespaces=NS)
        assert caption and caption[0] and "{{" not in caption[0]
        assert description and description[0]
        assert [c.tag for c in table.find(qn("w:tblPr"))][-2:] == [qn("w:tblCaption"), qn("w:tblDescription")]


def test_cell_properties_are_in_schema_order(rendered: bytes) -> None:
    order = [qn(f"w:{name}") for name in xmlfix._TC_ORDER]
    for tc_pr in part(rendered, "word/document.xml").xpath("//w:tcPr", namespaces=NS):
        ranks = [order.index(child.tag) for child in tc_pr]
        assert ranks == sorted(ranks)


def test_rag_is_a_word_in_a_shaded_cell(rendered: bytes) -> None:
    shaded = 0
    for tc in part(rendered, "word/document.xml").xpath("//w:tc", namespaces=NS):
        text = cell_text(tc)
        if text in ("Green", "Amber", "Red"):
            fill = tc.xpath("w:tcPr/w:shd/@w:fill", namespaces=NS)
            assert fill == [RAG_FILLS[next(r for r in RAG_FILLS if r.word == text)]]
            shaded += 1
    assert shaded > 25 + 3  # the summary, the guidance key and the period tables


def test_every_image_has_alt_text_describing_the_trend(rendered: bytes, report: Report) -> None:
    descriptions = part(rendered, "word/document.xml").xpath("//wp:docPr/@descr", namespaces=NS)
    pictures = part(rendered, "word/document.xml").xpath("//wp:docPr", namespaces=NS)
    assert len(descriptions) == len(pictures) == len(report.ratings)
    assert all(d.startswith("Line chart of ") and re.search(r"from \w{3}-\d\d to \w{3}-\d\d", d)
               for d in descriptions)
    assert any("The trend across the period is worsening." in d for d in descriptions)


def test_title_author_and_page_numbers(rendered: bytes) -> None:
    core = part(rendered, "docProps/core.xml")
    title = core.xpath("//dc:title/text()", namespaces=NS)
    assert title == ["Strategic and Corporate Services Performance Dashboard"]
    assert core.xpath("//dc:creator/text()", namespaces=NS) == ["Rachel Kennard"]
    with zipfile.ZipFile(io.BytesIO(rendered)) as z:
        footers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/footer")]
    assert any(" PAGE " in f and " NUMPAGES " in f for f in footers)


# --- the same input gives the same bytes ----------------------------------------------------------


def test_the_same_input_gives_a_byte_identical_paper(rendered: bytes, report: Report, tmp_path: Path) -> None:
    target = tmp_path / "paper.docx"
    paper.write_paper(report, target)
    assert target.read_bytes() == rendered
    with zipfile.ZipFile(target) as z:
        assert {i.date_time for i in z.infolist()} == {(2020, 7, 29, 0, 0, 0)}  # the meeting date


def test_a_template_prepared_ahead_renders_the_same_paper(rendered: bytes, report: Report,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The paper worker prepares the shipped template while it waits for the report: the paper
    is the same, and rendering finds every part cleaned and compiled already."""
    from kpi_excel.paper import templates

    monkeypatch.setattr(templates, "_PATCHED", {})
    templates._compiled.cache_clear()
    templates.prepare_template(paper.default_template())
    cleaned, compiled = set(templates._PATCHED), templates._compiled.cache_info()
    assert cleaned and compiled.currsize == len(cleaned)
    assert paper.render_paper(report) == rendered
    assert set(templates._PATCHED) == cleaned  # no part cleaned again
    assert templates._compiled.cache_info().hits >= compiled.hits + len(cleaned)  # nor compiled again


# --- user text and user templates -----------------------------------------------------------------


def _renamed(report: Report, code: str, name: str) -> Report:
    ratings = tuple(dataclasses.replace(r, indicator=dataclasses.replace(r.indicator, name=name))
                    if r.indicator.code == code else r for r in report.ratings)
    return dataclasses.replace(report, ratings=ratings)


def template_with(tmp_path: Path, *paragraphs: str) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = tmp_path / "council.docx"
    document.save(str(path))
    return path


def test_markup_characters_in_the_data_are_text_not_xml(report: Report, tmp_path: Path) -> None:
    odd = _renamed(report, "GL02", 'Rent & "service" charges <over 60 days>')
    template = template_with(tmp_path, "{{ summary_red }}", "{%p for kpi in kpis %}", "{{ kpi.name }}",
                             "{%p endfor %}")
    document = docx.Document(io.BytesIO(paper.render_paper(odd, template)))
    texts = [p.text for p in document.paragraphs]
    assert 'The Red indicator is Rent & "service" charges <over 60 days> (GL02).' in texts


def test_an_unknown_name_stops_the_build_and_says_where(report: Report, tmp_path: Path) -> None:
    template = template_with(tmp_path, "Dear members,", "Results for {{ servise }} follow.")
    with pytest.raises(TemplateError) as caught:
        paper.render_paper(report, template)
    assert "'servise'" in caught.value.problem
    assert "Results for {{ servise }} follow." in caught.value.where


def test_a_template_cannot_reach_python_internals(report: Report, tmp_path: Path) -> None:
    template = template_with(tmp_path, "{{ kpis.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateError, match="may not use|does not provide"):
        paper.render_paper(report, template)


def test_a_template_cannot_read_files(report: Report, tmp_path: Path) -> None:
    template = template_with(tmp_path, "{% include '/etc/passwd' %}")
    with pytest.raises(TemplateError):
        paper.render_paper(report, template)


def test_template_check_passes_the_shipped_template(report: Report) -> None:
    result = paper.check_template(paper.default_template(), report)
    assert result.ok and result.missing == () and result.problems == ()
    assert "source" in result.unused  # provided for councils' own templates, unused by ours


@pytest.mark.parametrize(("paragraphs", "problem", "where"), [
    (["To: {{ committee } on {{ meeting_date }}"], "not written properly", "To: {{ committee }"),
    (["{%p for kpi in kpis %}", "{{ kpi.name }}", "The end."], "never closed", "{% for kpi in kpis %}"),
    (["{%p endif %}"], "with no {% for %} or {% if %}", "{% endif %}"),
    (["{%p for kpi in kpis %}", "Name: {{ kpi.nmae }}", "{%p endfor %}"], "'nmae'", "Name: {{ kpi.nmae }}"),
])
def test_template_check_points_at_a_broken_tag(report: Report, tmp_path: Path, paragraphs: list[str],
                                               problem: str, where: str) -> None:
    result = paper.check_template(template_with(tmp_path, *paragraphs), report)
    assert not result.ok
    [message] = result.problems
    assert problem in message and where in message


def test_template_check_lists_missing_and_unused_names(report: Report, tmp_path: Path) -> None:
    result = paper.check_template(template_with(tmp_path, "{{ subject }} for {{ comittee }}"), report)
    assert result.missing == ("comittee",)
    assert "committee" in result.unused and "subject" not in result.unused
    assert not result.ok


def test_a_file_that_is_not_a_template_is_refused(report: Report, tmp_path: Path) -> None:
    bad = tmp_path / "notes.docx"
    bad.write_text("not a document")
    with pytest.raises(TemplateError, match="not a Word .docx file"):
        paper.render_paper(report, bad)


# --- appendices on their own, and PDF -------------------------------------------------------------


def test_each_appendix_can_be_a_file_of_its_own(rendered: bytes, report: Report) -> None:
    files = paper.appendix_files(rendered, fixed_time(report))
    assert sorted(files) == [1, 2]
    first = docx.Document(io.BytesIO(files[1]))
    texts = [p.text for p in first.paragraphs]
    assert texts[0].startswith("Appendix 1:")
    assert "Guidance Notes" in texts and not any(t.startswith("Appendix 2") for t in texts)
    assert not any(t.startswith("Summary") for t in texts)
    second = docx.Document(io.BytesIO(files[2]))
    assert second.paragraphs[0].text == "Appendix 2: Proposed KPIs and targets for 2020-21"
    assert second.sections[-1].page_width > second.sections[-1].page_height  # still landscape
    for data in files.values():
        footer = part(data, "word/document.xml").xpath("//w:sectPr/w:footerReference", namespaces=NS)
        assert footer, "an appendix on its own keeps its page numbers"
    assert paper.appendix_files(rendered, fixed_time(report)) == files


def test_pdf_without_libreoffice_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda _name: None)
    with pytest.raises(paper.LibreOfficeMissingError) as caught:
        paper.write_pdf(tmp_path / "paper.docx", tmp_path / "paper.pdf")
    assert "Install LibreOffice" in caught.value.line()


def test_paper_details_from_the_command_line_reach_the_paper(tmp_path: Path) -> None:
    options = pipeline.Options(details={"committee": "Scrutiny Committee", "meeting_date": "3 March 2021"})
    report = pipeline.check(pipeline.sample_path(), options)
    context = paper_context(report)
    assert context["to_line"] == "Scrutiny Committee – 3 March 2021"
    assert context["recommendation"].startswith("The Scrutiny Committee is asked to NOTE")
    assert re.search(r"role of Committees", context["introduction"])


# --- the package's parts --------------------------------------------------------------------------


def test_the_content_is_built_without_loading_python_docx() -> None:
    # the pure content module (and the writer package's names, loaded lazily) must not pull in docx
    code = ("import sys; from kpi_excel.present.paper import paper_context; import kpi_excel.paper; "
            "print(sorted(m for m in ('docx', 'docxtpl') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(("count", "rows"), [(12, [6, 6]), (8, [4, 4]), (7, [4, 4]), (6, [6]), (3, [3]),
                                             (0, []), (13, [5, 5, 5])])
def test_periods_fall_in_even_rows_of_at_most_six(count: int, rows: list[int]) -> None:
    from kpi_excel.present.paper import period_rows

    periods = [{"label": f"P{n}"} for n in range(count)]
    chunks = period_rows(periods, {"label": ""})
    assert [len(c) for c in chunks] == rows
    assert [p["label"] for c in chunks for p in c if p["label"]] == [p["label"] for p in periods]


def test_control_characters_in_the_data_are_dropped_from_alt_text_and_properties(report: Report) -> None:
    odd = _renamed(report, "GL02", "Freedom of\x0b Information\x07 requests")
    details = dataclasses.replace(odd.dataset.details, subject="Strategic\x01 Performance\tDashboard")
    odd = dataclasses.replace(odd, dataset=dataclasses.replace(odd.dataset, details=details))
    data = paper.render_paper(odd)  # lxml refuses such characters: this would raise
    document = part(data, "word/document.xml")
    alt_texts = [d.get("descr") for d in document.iter("{*}docPr")]
    assert any("Freedom of Information requests" in text for text in alt_texts)
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text) for text in alt_texts)
    title = part(data, "docProps/core.xml").find("{http://purl.org/dc/elements/1.1/}title")
    assert title is not None and title.text == "Strategic Performance\tDashboard"


def _paper_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_red_lead_in_promises_commentary_only_where_there_is_some(report: Report) -> None:
    """The sample's Red KPI has commentary; without it, the lead-in must not promise any."""
    red = next(r for r in report.kpis if r.rag and r.rag.word == "Red")
    with_text = _paper_text(paper.render_paper(report, None, chart_images_only=True))
    silent = dataclasses.replace(red, indicator=dataclasses.replace(red.indicator, commentary=""))
    ratings = tuple(silent if r is red else r for r in report.ratings)
    without = _paper_text(paper.render_paper(dataclasses.replace(report, ratings=ratings), None,
                                             chart_images_only=True))
    assert "values by period and commentary are under KPI details" in with_text
    assert "commentary are under KPI details" not in without
    assert "values by period are under KPI details" in without
