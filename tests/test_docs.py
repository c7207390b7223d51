"""docs/input-format.md stays true: its layouts are built and read, its lists match the code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from builders import Fill, Fmt, Formula, write_book
from typer.testing import CliRunner

from kpi_excel import pipeline
from kpi_excel.cli import app
from kpi_excel.core import config, values
from kpi_excel.core.formatting import direction_word, format_value, rag_word
from kpi_excel.core.model import DirectionMethod, KpiType, Polarity, Rag, RagMethod, Rating, Report
from kpi_excel.core.periods import parse_period_text
from kpi_excel.core.proposals import proposal_lines
from kpi_excel.core.values import normalise, parse_number, parse_polarity
from kpi_excel.present.paper import paper_context
from kpi_excel.read import headings
from kpi_excel.read.headings import header_role

DOC = Path(__file__).resolve().parent.parent / "docs" / "input-format.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = {"tracker", "any-order", "single-value", "long-form", "mixed-scales", "banner", "title-period",
            "reason", "accidents", "settings-period", "sheet-name", "period-first", "file-name",
            "content-roles", "fills", "columns-block", "green-band"}
FILLS = {"red": "FF0000", "amber": "FFC000", "green": "00B050"}


def marked_tables(kind: str) -> Iterator[tuple[str, list[list[str]]]]:
    """(the marker's argument, the table's body rows) for each `<!-- kind: arg -->` table."""
    lines = TEXT.splitlines()
    for i, line in enumerate(lines):
        match = re.fullmatch(rf"<!-- {kind}:?\s*(.*?) -->", line.strip())
        if not match:
            continue
        table = []
        for row in lines[i + 1:]:
            if not row.startswith("|"):
                break
            table.append([c.strip() for c in row.strip().strip("|").split("|")])
        yield match.group(1), table[2:]  # without the heading and separator rows


def one_table(kind: str, arg: str = "") -> list[list[str]]:
    [rows] = [rows for found, rows in marked_tables(kind) if found == arg]
    return rows


def cell(text: str) -> object:
    """A cell as the page means it: 90% a %-formatted number, 1,050 a number with separators."""
    if not text:
        return None
    if (fill := re.fullmatch(r"\((red|amber|green) fill\)", text)) is not None:
        return Fill(FILLS[fill.group(1)])  # a rating shown only as a colour
    if re.fullmatch(r"-?\d+(\.\d+)?%", text):
        return Fmt(float(Decimal(text[:-1]) / 100), "0%" if "." not in text else "0.0%")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):
        return Fmt(int(text.replace(",", "")), "#,##0")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def example_book(tmp_path: Path, name: str, changes: dict[str, object] | None = None) -> Path:
    """The workbook made of every `example: name` table on the page, with cells changed by ref."""
    sheets: dict[str, list[list[object]]] = {}
    merges: dict[str, str] = {}
    file_name = "tracker.xlsx"
    for arg, table in marked_tables("example"):
        example, sheet, merge, file = re.fullmatch(  # type: ignore[union-attr]
            r'(\S+) sheet="([^"]+)"(?: merge="([^"]+)")?(?: file="([^"]+)")?', arg).groups()
        if example != name:
            continue
        if merge:
            merges[sheet] = merge
        file_name = file or file_name
        rows: list[list[object]] = []
        for row in table:
            number = int(row[0].strip("*"))
            rows += [[] for _ in range(number - 1 - len(rows))]
            rows.append([cell(text) for text in row[1:]])
        sheets[sheet] = rows
    for ref, value in (changes or {}).items():
        sheet, col, row_number = re.fullmatch(r"(\w+)!([A-Z])(\d+)", ref).groups()  # type: ignore[union-attr]
        sheets[sheet][int(row_number) - 1][ord(col) - ord("A")] = value
    path = write_book(tmp_path / file_name, sheets)
    if merges:  # merged cells, as the page's example says: one cell spanning the range
        book = openpyxl.load_workbook(path)
        for sheet, merge in merges.items():
            book[sheet].merge_cells(merge)
        book.save(path)
    return path


def test_every_example_is_on_the_page() -> None:
    names = {arg.split()[0] for arg, _ in marked_tables("example")}
    assert names == EXAMPLES
    assert {arg for arg, _ in marked_tables("reads-as")} == EXAMPLES | {"tracker-activity"}


def _note_holds(note: str, rating: Rating, report: Report) -> None:
    ind = rating.indicator
    assert rating.stale is ("stale" in note), ind.label
    for part in filter(None, (p.strip() for p in note.split(";"))):
        if part == "stale":
            continue
        if ":" in part:
            header, value = (s.strip() for s in part.split(":", 1))
            assert (header, value) in ind.extra
        else:
            assert any(part in w.message and ind.label in w.message for w in report.warnings), part


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_reads_as_the_page_says(tmp_path: Path, name: str) -> None:
    report = pipeline.check(example_book(tmp_path, name))
    expected = one_table("reads-as", name)
    assert len(report.kpis) == len(expected)
    for row, rating in zip(expected, report.kpis, strict=True):
        code, section, latest, period, rag, direction, note = row
        ind = rating.indicator
        assert (ind.code, ind.section, format_value(rating.value, ind),
                rating.latest.period.label if rating.latest else "",
                rag_word(rating), direction_word(rating.direction)) == (
            code, section, latest, period, rag, direction)
        _note_holds(note, rating, report)


def test_typical_tracker_in_full(tmp_path: Path) -> None:
    report = pipeline.check(example_book(tmp_path, "tracker"))
    data = report.dataset
    assert report.period is not None and report.period.label == "Mar-20"
    assert [(r.indicator.code, r.range_status.value.title() if r.range_status else "")
            for r in report.activities] == [tuple(row) for row in one_table("reads-as", "tracker-activity")]
    kpis = {r.indicator.code: r.indicator for r in report.kpis}
    assert kpis["AS02"].commentary == "Two assessors on leave in March"
    assert (kpis["SG01"].polarity, kpis["SG02"].frequency) == (Polarity.LOWER, "Q")
    first, new = proposal_lines(report)[:2]
    assert (first.code, first.current_floor, first.floor, first.target, first.is_new) == (
        "AS01", 0.8, 0.85, 0.9, False)
    assert (new.code, new.is_new) == ("AS03", True)
    d = data.details
    assert (d.service, d.meeting_date and d.meeting_date.isoformat(), d.report_number, d.year_end) == (
        "Adult Social Care", "2020-07-29", 3, True)
    assert [p.name for p in d.from_] == ["Jo Smith", "Sam Jones"]
    assert d.author is not None and d.author.email == "ann.analyst@example.gov.uk"
    s = data.settings
    assert (s.rag_method, s.direction, s.tolerance, s.goal_post_tolerance, s.trend_threshold) == (
        RagMethod.FLOOR, DirectionMethod.PREVIOUS, 0.1, 0.0, 0.02)


def test_the_error_example_is_what_check_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    example_book(tmp_path, "tracker", {"KPIs!E6": "high"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "tracker.xlsx"])
    [line] = re.findall(r"^tracker\.xlsx: KPIs.*$", TEXT, flags=re.M)
    assert (result.exit_code, result.stderr.strip()) == (1, line)


def test_the_warning_example_is_what_check_reports(tmp_path: Path) -> None:
    report = pipeline.check(example_book(tmp_path, "tracker", {"KPIs!H6": Formula("=H7/0", "#DIV/0!", "0%")}))
    [shown] = re.findall(r"`(KPIs!H6: [^`]+)`", TEXT)
    assert shown in [str(w) for w in report.warnings]


# --- the lists on the page are the code's lists ----------------------------------------------


def test_headings_table_is_the_code_synonyms() -> None:
    for _, listed in one_table("headings"):
        names = [n.strip() for n in listed.split(",")]
        roles = {header_role(n) for n in names}
        assert len(roles) == 1 and None not in roles, listed
        [role] = roles
        assert {normalise(n) for n in names} == set(headings._SYNONYMS[role]), role  # type: ignore[index]
    assert len(one_table("headings")) == len(headings._SYNONYMS)


def test_period_headings_read_as_the_page_says() -> None:
    for heading, label in one_table("periods"):
        period = parse_period_text(heading)
        assert period is not None and period.label == label, heading


def test_no_data_marks_are_the_code_marks() -> None:
    paragraph = TEXT.split("<!-- no-data -->", 1)[1].split("\n\n", 1)[0]
    marks = {m.lower() for m in re.findall(r"`([^`]+)`", paragraph)} | {""}  # and blank
    assert marks == values.NO_DATA_MARKS
    assert all(parse_number(m).value is None and not parse_number(m).unreadable for m in marks)


def test_polarity_words_are_the_code_words() -> None:
    expected = {"higher is better": Polarity.HIGHER, "lower is better": Polarity.LOWER,
                "close to target (goal post)": Polarity.TARGET, "data only (no polarity)": Polarity.NONE}
    for meaning, words in one_table("polarity"):
        listed = [w.strip() for w in words.split(",")]
        assert {parse_polarity(w) for w in listed} == {expected[meaning]}
        assert {normalise(w) for w in listed} == set(values._POLARITY_WORDS[expected[meaning]])


def test_type_words_are_the_code_words() -> None:
    for kind, words in one_table("type-words"):
        assert {values.parse_type(w.strip()) for w in words.split(",")} == {KpiType(kind)}


def test_detail_and_setting_keys_are_the_code_keys() -> None:
    detail_rows = one_table("detail-keys")
    detail_keys = {normalise(k) for row in detail_rows for k in [row[0], *row[1].split(",")] if k}
    assert detail_keys == set(config._DETAIL_KEYS)
    rows = one_table("setting-keys")
    setting_keys = {normalise(k) for row in rows for k in [row[0], *row[1].split(",")] if k}
    assert setting_keys == set(config._SETTING_KEYS)
    values = {normalise(v) for row in rows for v in re.findall(r"`([^`]+)`", row[2])}
    assert values == set(config._RAG_METHODS) | set(config._DIRECTION_METHODS)


def test_contents_links_point_at_headings() -> None:
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
               for h in re.findall(r"^#{2,3} (.+)$", TEXT, flags=re.M)}
    assert set(re.findall(r"\]\(#([^)]+)\)", TEXT)) <= anchors


def test_period_keys_are_the_code_keys() -> None:
    paragraph = TEXT.split("<!-- period-keys -->", 1)[1].strip().split("\n", 1)[0]
    assert {normalise(k) for k in paragraph.split(",")} == set(config.PERIOD_KEYS)


def test_stated_words_read_as_the_page_says() -> None:
    expected = {"Green": Rag.GREEN, "Amber": Rag.AMBER, "Red": Rag.RED, "not rated": None}
    for stated, examples in one_table("stated-words"):
        for words in examples.split(", "):
            found = values.parse_stated_rag(words)
            assert found is not None and found.rag is expected[stated], words


def test_where_the_period_came_from_is_the_page_s(tmp_path: Path) -> None:
    banner = pipeline.check(example_book(tmp_path, "banner")).dataset.period_source
    assert banner is not None and (banner.kind, banner.where) == ("banner", "KPIs!D2")
    title = pipeline.check(example_book(tmp_path, "title-period")).dataset.period_source
    assert title is not None and title.kind == "title"
    report = pipeline.check(example_book(tmp_path, "reason"))
    assert report.ratings[0].not_rated_reason == "no data (Data not available until 2024)"
    accidents = pipeline.check(example_book(tmp_path, "accidents"))
    assert [str(w) for w in accidents.warnings if "merged" in w.message or "repeats" in w.message] == [
        "KPIs!C3:C4: the target is one cell merged over rows 3 to 4, so it applies to each of them",
        "KPIs!A6: row 6 repeats the header row (two tables pasted one under the other?), so it was skipped"]


def test_the_period_source_json_is_the_page_s(tmp_path: Path) -> None:
    from kpi_excel.present.export import report_to_dict

    [shown] = re.findall(r"`(\{\"kind\": \"banner\"[^`]+)`", TEXT)
    report = pipeline.check(example_book(tmp_path, "banner"))
    assert report_to_dict(report)["period_source"] == json.loads(shown)


def test_the_options_table_says_which_commands_take_each_option() -> None:
    import typer.main

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    section = TEXT.split("## Command-line options override the workbook", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    listed = 0
    for row in rows[2:]:
        options, on, _ = (c.strip() for c in row.strip("|").split("|"))
        for option in re.findall(r"`(--[a-z-]+)", options):
            listed += 1
            taking = {name for name, command in commands.items()
                      if any(option in param.opts for param in command.params)}
            assert {c.strip() for c in on.split(",")} == taking, option
    assert listed >= 14


# --- README.md and the other pages ---------------------------------------------------------------

ROOT = DOC.parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_layout_names_every_module() -> None:
    layout = README.split("## Project layout", 1)[1].split("```", 2)[1]
    for path in sorted((ROOT / "kpi_excel").rglob("*.py")):
        relative = path.relative_to(ROOT / "kpi_excel")
        if path.name == "__init__.py" and len(relative.parts) > 1:
            name = f"{relative.parts[0]}/"  # a package: its folder is listed
        else:
            name = path.name
        assert re.search(rf"(^|[\s(]){re.escape(name)}", layout), f"{relative} is not in README's layout"


def test_every_colour_on_the_pages_is_the_palette_s() -> None:
    from kpi_excel.present import palette

    colours = {value.upper() for value in vars(palette).values() if isinstance(value, str)}
    colours |= {s.fill.upper() for s in palette.WORD_SWATCHES.values()}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for colour in re.findall(r"`(#[0-9A-Fa-f]{6})`", page.read_text(encoding="utf-8")):
            assert colour.upper() in colours, f"{page.name}: {colour} is not in palette.py"


def test_every_file_the_pages_name_exists() -> None:
    tracked = {p.name for folder in ("kpi_excel", "tests", "benchmarks", "samples")
               for p in (ROOT / folder).rglob("*.py")}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for path in re.findall(r"\b((?:kpi_excel|tests|benchmarks|samples|docs)/[\w/.-]*\w)", text):
            assert (ROOT / path).exists(), f"{page.name}: {path}"
        for name in re.findall(r"`([\w.-]+\.py)`", text):
            assert name in tracked, f"{page.name}: {name}"


def test_paper_md_lists_every_value_a_template_may_use_and_no_other() -> None:

    page = (ROOT / "docs" / "paper.md").read_text(encoding="utf-8")
    values = page.split("### Values", 1)[1].split("\n## ", 1)[0]
    named = {name for row in values.splitlines() if row.startswith("| `")
             for name in re.findall(r"`(\w+)`", row.split("|")[1])}
    assert named == set(paper_context(pipeline.check(pipeline.sample_path())))


def test_the_explain_example_is_what_check_explain_prints(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    example_book(tmp_path, "content-roles")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "--explain", "tracker.xlsx"])
    block = TEXT.split("<!-- explain: content-roles -->", 1)[1].split("```", 2)[1].strip("\n")
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    start = printed.index("How the columns were read")
    assert result.exit_code == 0
    assert printed[start:start + len(block.splitlines())] == [line.rstrip() for line in block.splitlines()]


def test_check_json_carries_the_columns_as_explain_prints_them(tmp_path: Path) -> None:
    report = pipeline.check(example_book(tmp_path, "content-roles"))
    from kpi_excel.present.export import report_to_dict

    columns = report_to_dict(report)["columns"]
    assert [(c["where"], c["role"]) for c in columns][5:7] == [("Performance!F2", "value"),
                                                              ("Performance!G2", "period")]
    block = TEXT.split("<!-- explain: content-roles -->", 1)[1].split("```", 2)[1]
    assert all(c["why"] in block for c in columns)


def test_a_column_named_that_no_table_has_is_the_error_the_page_shows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    example_book(tmp_path, "columns-block")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "tracker.xlsx", "--column", "value=Q3 actual"])
    [line] = re.findall(r"^tracker\.xlsx: --column.*$", TEXT, flags=re.M)
    assert (result.exit_code, result.stderr.strip()) == (1, line)
    # and the option wins over the Columns block: North is this period's figure now
    told = CliRunner().invoke(app, ["check", "--json", "tracker.xlsx", "--column", "value=North"])
    assert [k["value"] for k in json.loads(told.stdout)["kpis"]] == [0.81, 0.88]
