"""CSV exports as written in the wild: decimal commas, mixed encodings, NUL padding, Excel's sep= line."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_wild import (
    MIXED_NAME,
    SEMICOLON_ROWS,
    decimal_commas_separated_by_semicolons,
    mixed_utf8_and_windows_1252_lines,
    semicolon_csv,
    sep_line_and_figures_that_read_two_ways,
    utf8_padded_with_nul_bytes,
)

from kpi_excel import pipeline
from kpi_excel.core.decimals import Mark, figure_in, file_convention, with_decimal_point
from kpi_excel.core.model import Report
from kpi_excel.errors import UnreadableWorkbookError
from kpi_excel.read import csvfile


def values(report: Report) -> dict[str, list[float | None]]:
    return {r.indicator.code: [o.value for o in r.indicator.observations] for r in report.ratings}


# --- decimal marks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "mark", "comma_read", "point_read"), [
    ("77,5%", Mark.COMMA, "77.5%", "77.5%"), ("0,125", Mark.COMMA, "0.125", "0.125"),
    ("1234,5", Mark.COMMA, "1234.5", "1234.5"), ("1.234,5", Mark.COMMA, "1234.5", "1234.5"),
    ("1.234.567", Mark.COMMA, "1234567", "1234567"), ("1\u00a0234,5", Mark.COMMA, "1234.5", "1234.5"),
    ("£1.234,50", Mark.COMMA, "£1234.50", "£1234.50"), ("≥ 77,5 %", Mark.COMMA, "≥ 77.5 %", "≥ 77.5 %"),
    ("-3,2", Mark.COMMA, "-3.2", "-3.2"),
    ("77.5%", Mark.POINT, "77.5%", "77.5%"), ("1,234.5", Mark.POINT, "1234.5", "1234.5"),
    ("1,234,567", Mark.POINT, "1234567", "1234567"),
    ("1,234", Mark.EITHER, "1.234", "1234"), ("1.234", Mark.EITHER, "1234", "1.234"),
    ("12", Mark.NONE, "12", "12"), ("95% (national average)", Mark.NONE, "95% (national average)",
                                    "95% (national average)"),
])
def test_the_decimal_mark_a_figure_shows(text: str, mark: Mark, comma_read: str, point_read: str) -> None:
    figure = figure_in(text)
    assert figure is not None and figure.mark is mark
    assert with_decimal_point(text, figure, True) == comma_read
    assert with_decimal_point(text, figure, False) == point_read


def test_two_figures_in_one_text_are_not_one_figure() -> None:
    assert figure_in("2019/20") is None and figure_in("12 of 15") is None and figure_in("TBC") is None


def test_a_file_s_convention_is_what_its_unambiguous_figures_agree_on() -> None:
    assert file_convention([Mark.COMMA, Mark.EITHER, Mark.NONE]) is Mark.COMMA
    assert file_convention([Mark.POINT, Mark.EITHER]) is Mark.POINT
    assert file_convention([Mark.COMMA, Mark.POINT]) is Mark.NONE
    assert file_convention([Mark.EITHER]) is Mark.NONE


# --- semicolon files ----------------------------------------------------------------------------------


def test_a_decimal_comma_is_read_as_one_never_as_a_thousands_separator(tmp_path: Path) -> None:
    path = tmp_path / "decimal-commas.csv"
    decimal_commas_separated_by_semicolons(path)
    report = pipeline.check(path)
    assert values(report) == {"KP01": [0.915, 0.925, 0.935], "KP02": [0.805, 0.785, 0.775],
                              "KP03": [18.5, 22.25, 35.75]}
    assert [r.rag.word if r.rag else None for r in report.ratings] == ["Green", "Amber", "Red"]
    assert not report.warnings  # every figure shows its mark: nothing to guess


def test_a_figure_that_reads_two_ways_follows_the_file_and_is_named(tmp_path: Path) -> None:
    path = tmp_path / "decimal-commas-sep-line.csv"
    sep_line_and_figures_that_read_two_ways(path)
    report = pipeline.check(path)
    assert values(report)["KP04"] == [1050, 1120, 1090] and report.ratings[3].indicator.target == 1000
    [warning] = [w for w in report.warnings if "two ways" in w.message]
    assert warning.where == "decimal-commas-sep-line.csv:6:Target"  # line 6: the sep= line is line 1
    assert "'1.000' (and 3 other figures like it)" in warning.message
    assert "read as 1000" in warning.message and "other figures have decimal commas" in warning.message


def test_with_nothing_to_go_by_1_000_is_a_thousand_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    rows = [["Indicator", "Target", "Apr-19"], ["Calls, all kinds", "1,000", "1,200"]]
    path.write_bytes(semicolon_csv(rows))
    report = pipeline.check(path)
    assert (report.ratings[0].indicator.target, report.ratings[0].value) == (1000, 1200)
    [warning] = report.warnings
    assert warning.where == "t.csv:2:Target" and "no other figure in the file shows" in warning.message


def test_a_semicolon_file_with_decimal_points_reads_as_it_always_did(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    rows = [["Indicator", "Polarity", "Target", "Apr-19", "May-19"],
            ["Calls", "H", "1,000", "1,200", "950.5"], ["Share", "H", "0.9", "0.95", "0.85"]]
    path.write_bytes(semicolon_csv(rows))
    report = pipeline.check(path)
    assert [[o.value for o in r.indicator.observations] for r in report.ratings] == [[1200, 950.5],
                                                                                      [0.95, 0.85]]
    assert not report.warnings


def test_a_comma_file_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('Indicator,Target,Apr-19\nCalls,"1,000","1,234"\n', encoding="utf-8")
    report = pipeline.check(path)
    assert report.ratings[0].value == 1234 and not report.warnings


# --- encodings ----------------------------------------------------------------------------------------


def test_mixed_lines_are_decoded_each_in_its_own_encoding_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "mixed-encodings.csv"
    mixed_utf8_and_windows_1252_lines(path)
    decoded = csvfile.decode(path.read_bytes(), str(path), path.name)
    assert decoded.encoding == "mixed" and MIXED_NAME in decoded.text and "Café" in decoded.text
    [warning] = decoded.warnings
    assert warning.where == "mixed-encodings.csv:3" and "Windows-1252" in warning.message
    report = pipeline.check(path)
    assert [r.indicator.name for r in report.ratings][1] == MIXED_NAME
    assert [w.where for w in report.warnings] == ["mixed-encodings.csv:3"]


def test_several_mixed_lines_are_counted_in_the_one_warning() -> None:
    data = ("Indicator,Target,Apr-19\nCafé,1,2\n".encode() + "Thé,1,2\nNaïve,1,2\n".encode("cp1252"))
    [warning] = csvfile.decode(data, "t.csv").warnings
    assert warning.where == "t.csv:3" and "and 1 other line are Windows-1252" in warning.message


def test_a_windows_1252_file_is_still_one_encoding_without_a_warning() -> None:
    decoded = csvfile.decode("Indicator,Target\nCafé – all,1\n".encode("cp1252"), "t.csv")
    assert decoded.encoding == "cp1252" and not decoded.warnings and "Café – all" in decoded.text


def test_a_utf8_file_padded_with_nul_bytes_is_not_called_utf16(tmp_path: Path) -> None:
    path = tmp_path / "padded.csv"
    utf8_padded_with_nul_bytes(path)
    decoded = csvfile.decode(path.read_bytes(), str(path), path.name)
    assert decoded.encoding == "utf-8" and "\x00" not in decoded.text
    assert [w.where for w in decoded.warnings] == ["padded.csv"]
    assert "8,192 NUL bytes" in decoded.warnings[0].message
    assert pipeline.check(path).summary.total == 3
    short = b"Indicator,Target\nCalls,1\n" + bytes(16)  # under 4 KB, the NULs among the first bytes
    assert csvfile.decode(short, "s.csv").encoding == "utf-8"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_its_byte_order_mark_is_still_refused(encoding: str) -> None:
    with pytest.raises(UnreadableWorkbookError, match="UTF-16"):
        csvfile.decode("Indicator,Target,Apr-19\nCalls answered,5,6\n".encode(encoding), "u.csv")


def test_a_sep_line_names_the_delimiter_and_keeps_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"sep=;\r\n" + semicolon_csv(SEMICOLON_ROWS))
    decoded = csvfile.decode(path.read_bytes(), str(path))
    assert (decoded.delimiter, decoded.first_line) == (";", 2) and not decoded.text.startswith("sep")
    report = pipeline.check(path)
    assert report.dataset.title != "sep=" and report.summary.total == 3
    assert report.ratings[0].latest is not None and report.ratings[0].latest.cell == "t.csv:3:Jun-19"
