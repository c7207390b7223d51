"""The command line as a user meets it: output, JSON shape, exit codes, messages and help."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from builders import MONTHS, kpi_book, monthly_header, write_book
from typer.testing import CliRunner

from kpi_excel.cli import app

ROOT = Path(__file__).resolve().parent.parent
KPI_KEYS = {"code", "indicator", "section", "type", "value", "period", "target", "floor", "rag", "dot",
            "range"}


def run(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def run_process(*args: object) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a fresh interpreter, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "kpi_excel", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def check_json(*args: object) -> dict[str, Any]:
    result = run("check", *map(str, args), "--json")
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def by_code(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k["code"]: k for k in report["kpis"]}


# --- check on the sample ------------------------------------------------------------------------


def test_check_json_on_the_sample_rates_21_3_1_with_gl02_red(sample: Path) -> None:
    report = check_json(sample)
    assert report["summary"] == {"green": 21, "amber": 3, "red": 1, "not_rated": 0} | {
        k: v for k, v in report["summary"].items() if k not in {"green", "amber", "red", "not_rated"}}
    kpis = by_code(report)
    assert [c for c, k in kpis.items() if k["rag"] == "RED"] == ["GL02"]
    assert sorted(c for c, k in kpis.items() if k["rag"] == "AMBER") == ["CS05", "FN11", "GL03"]
    gl02 = kpis["GL02"]
    assert (gl02["value"], gl02["target"], gl02["floor"], gl02["period"]) == (0.89, 0.92, 0.9, "Mar-20")
    assert report["period"] == "Mar-20"


def test_check_json_has_the_documented_shape(sample: Path) -> None:
    report = check_json(sample)
    assert {"period", "kpis", "summary"} <= report.keys()
    assert isinstance(report["period"], str)
    assert {"green", "amber", "red", "not_rated"} <= report["summary"].keys()
    assert all(isinstance(v, int) for v in report["summary"].values())
    for kpi in report["kpis"]:
        assert kpi.keys() >= KPI_KEYS
        assert kpi["type"] in ("kpi", "activity")
        assert kpi["rag"] in ("GREEN", "AMBER", "RED", None)
        assert kpi["dot"] in ("improved", "worsened", "same", None)
        assert kpi["range"] in ("above", "within", "below", None)
        assert kpi["value"] is None or isinstance(kpi["value"], float)
    kinds = {k["type"]: k for k in report["kpis"]}
    assert kinds["activity"]["rag"] is None and kinds["activity"]["range"] is not None
    assert kinds["kpi"]["range"] is None
    assert [k["type"] for k in report["kpis"]].count("activity") == 6


def test_check_table_shows_codes_ratings_and_warnings(sample: Path) -> None:
    result = run("check", sample)
    assert result.exit_code == 0
    out = result.stdout
    assert all(code in out for code in ("CS01", "GL02", "PI04", "ACT01"))
    gl02 = next(line for line in out.splitlines() if "GL02" in line)
    assert re.search(r"89\.0%.*Mar-20.*92\.0%.*90\.0%.*Red", gl02)
    assert "ICT01" in out and "older than the report period" in out  # ICT01's March is TBC


def test_check_table_names_the_cell_of_a_warning(tmp_path: Path) -> None:
    path = kpi_book(tmp_path, monthly_header(2), ["AS01", "Adults assessed", "H", 0.9, 0.8, 0.91, "#DIV/0!"],
                    ["AS01", "Carers assessed", "H", 0.9, 0.8, 0.95, 0.96])
    result = run("check", path)
    assert result.exit_code == 0  # warnings do not fail the check
    assert "KPIs!G5" in result.stdout and "#DIV/0!" in result.stdout
    assert "AS01 is used by more than one indicator" in result.stdout


def test_rule_options_override_the_workbook(sample: Path) -> None:
    ten = by_code(check_json(sample, "--rule", "tolerance", "--tolerance", "10%"))
    # 89.0% is 3.3 % short of 92%; 73.6% 8 % short of 80%: within 10 %, so Amber
    assert (ten["GL02"]["rag"], ten["CS05"]["rag"]) == ("AMBER", "AMBER")
    assert [k["rag"] for k in ten.values()].count("RED") == 0
    three = by_code(check_json(sample, "--rule", "tolerance", "--tolerance", "3%"))
    assert (three["GL02"]["rag"], three["CS05"]["rag"]) == ("RED", "RED")
    assert three["FN11"]["rag"] == "AMBER"  # 87.3% is exactly 3 % short of 90%: no more than 3 %
    floor = by_code(check_json(sample, "--tolerance", "3%"))  # the tolerance alone: still the floor rule
    assert floor["GL02"]["rag"] == "RED" and floor["FN11"]["rag"] == "AMBER"


def test_direction_option(sample: Path) -> None:
    report = check_json(sample, "--direction", "trend")
    assert report["direction_method"] == "trend"
    assert all(k["dot"] in ("improved", "worsened", "same", None) for k in report["kpis"])


def test_check_does_not_modify_the_input(sample: Path, tmp_path: Path) -> None:
    copy = tmp_path / sample.name
    shutil.copyfile(sample, copy)
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    mtime = copy.stat().st_mtime_ns
    report = check_json(copy)
    assert run("check", copy).exit_code == 0
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before == report["sha256"]
    assert copy.stat().st_mtime_ns == mtime


# --- init ---------------------------------------------------------------------------------------


def test_init_then_check_round_trips(tmp_path: Path) -> None:
    target = tmp_path / "new" / "tracker.xlsx"
    result = run("init", target)
    assert result.exit_code == 0 and target.exists()
    report = check_json(target)
    example = by_code(report)["EX01"]
    assert example["rag"] in ("GREEN", "AMBER", "RED") and example["period"] is not None
    assert by_code(report)["EXA1"]["range"] in ("above", "within", "below")


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "tracker.xlsx"
    target.write_bytes(b"mine")
    result = run("init", target)
    assert result.exit_code == 1 and target.read_bytes() == b"mine"
    assert str(target) in result.stderr and "--force" in result.stderr
    assert run("init", target, "--force").exit_code == 0 and target.read_bytes() != b"mine"


# --- bad input: exit 1, one line naming the file and the cell ------------------------------------


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "export.xlsx"
    text.write_text("Code,Indicator,Target\nAS01,Adults,90%\n")
    header = ["Code", "Indicator", "Polarity", "Target", "Floor", *MONTHS[:2]]
    return {
        "missing file": (tmp_path / "nowhere.xlsx", "not found"),
        "not a workbook": (text, "not an Excel workbook"),
        "no KPI table": (write_book(tmp_path / "cover.xlsx", {"Cover": [["About"], ["Nothing"]]}),
                         "KPI table"),
        "missing Target": (kpi_book(tmp_path, ["Code", "Indicator", "Floor", *MONTHS[:2]],
                                    ["AS01", "Adults", 0.8, 0.9, 0.8], name="t1.xlsx"), "KPIs!B4"),
        "non-numeric target": (kpi_book(tmp_path, header, ["AS01", "Adults", "H", "ninety", 0.8, 0.9, 0.8],
                                        name="t2.xlsx"), "KPIs!D5"),
    }


@pytest.mark.parametrize("case", ["missing file", "not a workbook", "no KPI table", "missing Target",
                                  "non-numeric target"])
def test_bad_input_is_one_line_naming_file_and_cell(tmp_path: Path, case: str) -> None:
    path, expected = _bad_inputs(tmp_path)[case]
    result = run("check", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(str(path)) and expected in lines[0]


def test_bad_input_in_a_real_process_has_no_traceback_and_debug_shows_one(tmp_path: Path) -> None:
    path, _ = _bad_inputs(tmp_path)["non-numeric target"]
    plain = run_process("check", str(path))
    assert (plain.returncode, plain.stdout) == (1, "")
    assert plain.stderr.splitlines() == [plain.stderr.strip()] and "Traceback" not in plain.stderr
    assert f"{path}: KPIs!D5: the target 'ninety'" in plain.stderr
    debug = run_process("check", str(path), "--debug")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr and "BadValueError" in debug.stderr


@pytest.mark.parametrize("args", [
    [],  # no command
    ["check"],  # no workbook
    ["check", "x.xlsx", "--colour"],  # unknown option
    ["frobnicate"],  # unknown command
    ["check", "x.xlsx", "--rule", "traffic-lights"],  # an option value we do not know
    ["check", "x.xlsx", "--tolerance", "lots"],
])
def test_wrong_usage_exits_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)


def test_python_m_kpi_excel_help() -> None:
    result = run_process("--help")
    assert result.returncode == 0
    assert all(command in result.stdout for command in ("check", "build", "init", "demo"))


# --- help and documentation ----------------------------------------------------------------------



def _commands(group: Any, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every command by its full name ('check', 'template check'), groups included."""
    found = {}
    for name, command in group.commands.items():
        found[" ".join((*prefix, name))] = command
        if hasattr(command, "commands"):
            found.update(_commands(command, (*prefix, name)))
    return found


COMMANDS = _commands(typer.main.get_command(app))
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in DOC_FILES)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    result = run(*name.split(), "--help")
    assert result.exit_code == 0
    summary = " ".join((COMMANDS[name].help or "").split(".")[0].split())
    assert summary and summary in " ".join(result.stdout.split())
    for param in COMMANDS[name].params:
        assert getattr(param, "help", None), f"{name} {param.opts} has no help text"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_documented(name: str) -> None:
    words = r"\s+".join(name.split())
    assert re.search(rf"kpi-excel\s+{words}\b", DOCS), f"`kpi-excel {name}` is not in README.md or docs/"


def test_the_command_list_shows_whole_summaries() -> None:
    """`kpi-excel --help` lists each command with a summary that is not cut off mid-sentence."""
    result = run("--help")
    assert result.exit_code == 0
    listed = result.stdout.split("Commands:", 1)[1]
    assert "..." not in listed
    for name, command in typer.main.get_command(app).commands.items():  # type: ignore[attr-defined]
        summary = command.get_short_help_str(limit=200)
        assert re.search(rf"^\s+{name}\s+{re.escape(summary)}$", listed, flags=re.M), name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_names_what_each_option_takes_in_words(name: str) -> None:
    """Metavars such as RULE, DIR or N, not typer's '<str>' or '<int range>'."""
    text = run(*name.split(), "--help").stdout
    assert not re.search(r"<(str|int|integer|path|float|text|int range)>", text), text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_is_documented(name: str) -> None:
    for param in COMMANDS[name].params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert re.search(rf"`[^`]*{re.escape(opt)}\b", DOCS), (
                    f"`kpi-excel {name} {opt}` is not in README.md or docs/")


def test_exit_codes_agree_in_the_help_the_readme_and_robustness() -> None:
    from kpi_excel import cli

    codes = {0, 1, 2, cli.EXIT_INTERNAL, cli.EXIT_INTERRUPTED}
    assert cli.EXIT_INPUT == 1
    epilog = " ".join(run("--help").stdout.split())
    assert {int(c) for c in re.findall(r"(\d+) [a-z]", epilog.split("Exit codes:", 1)[1])} == codes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split("Exit codes:", 1)[1].split("\n\n", 1)[0]
    assert {int(c) for c in re.findall(r"`(\d+)`", paragraph)} == codes
    robustness = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    assert {int(c) for c in re.findall(r"^\| (\d+) \|", robustness, flags=re.M)} == codes


def test_check_json_has_the_keys_the_readme_lists(sample: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [shape] = re.findall(r"`--json` prints `(\{[^`]+\})`", readme)
    assert list(check_json(sample)) == re.findall(r'"(\w+)"', shape)


def test_the_warning_count_reads_as_english(sample: Path) -> None:
    assert re.search(r"^1 warning$", run("check", sample).stdout, flags=re.M)
    from kpi_excel import pipeline
    from kpi_excel.console import print_build

    report = pipeline.check(sample)
    for result, line in [(pipeline.BuildResult(report, ()),
                          "1 warning (run `kpi-excel check` to list them)."),
                         (pipeline.BuildResult(dataclasses.replace(report, warnings=()), ()), "0 warnings.")]:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            print_build(result)
        assert printed.getvalue().rstrip().endswith(line)


@pytest.mark.parametrize("name", sorted(n for n, c in COMMANDS.items() if not hasattr(c, "commands")))
def test_every_command_takes_debug_as_the_readme_says(name: str) -> None:
    assert "Every command has `--help`, and `--debug`" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert any("--debug" in param.opts for param in COMMANDS[name].params), name
