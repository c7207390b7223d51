"""The package's structure: data flows one way (read -> rate -> present -> write), so every import
points down a floor or stays in its own room, no modules import each other in a circle, and the
writers only read what the presentation layer derived (they never call the rules)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kpi_excel"

# Floors from the bottom; a room is a sub-package or a top-level module. A module may import from
# its own room and from rooms on lower floors, never from a room on its own floor or above.
FLOORS: list[set[str]] = [
    {"errors", "_version", "excel", "quiet"},  # shared by every stage, knowing nothing of KPIs
    {"core", "stamp", "workers"},  # the model and the rules; the mark outputs carry; worker processes
    {"read", "present"},  # reading a workbook; what the outputs show, derived from a rated report
    {"charts"},  # chart specs drawn as pictures and as DrawingML
    {"workbook", "rated_copy", "paper", "html"},  # the writers
    {"outputs", "frames", "options"},  # files committed all-or-nothing; the pandas adapter; a build's asks
    {"paper_process"},  # the paper's own process
    {"pipeline"},  # read -> rate -> derive -> write, for one workbook
    {"council"},  # the same for every directorate
    {"api", "console", "cli_options"},  # the Python API; what the command line prints, and its options
    {"cli", "report_templates", "workbook_templates"},  # the command line; the shipped files' build scripts
    {"__init__", "__main__"},  # `import kpi_excel` and `python -m kpi_excel`
]
# Imports across one floor, each with its reason
SIDEWAYS = {
    ("paper", "workbook"): "a native Word chart embeds a workbook of its figures, which XlsxWriter writes",
}
WRITERS = {"workbook", "rated_copy", "paper", "html", "charts"}


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__", path


def imports(path: Path, module: str) -> Iterator[str]:
    """Every kpi_excel module a file imports, at its top or inside a function."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name[len("kpi_excel."):] for a in node.names if a.name.startswith("kpi_excel."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package != "__init__" else []
                base = parts[:len(parts) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "").startswith("kpi_excel"):
                target = (node.module or "")[len("kpi_excel."):]
            else:
                continue
            for alias in node.names:
                yield f"{target}.{alias.name}" if target else alias.name


def room(module: str) -> str:
    return module.split(".")[0] or "__init__"


def floor(name: str) -> int:
    return next(i for i, rooms in enumerate(FLOORS) if name in rooms)


def real_module(name: str, known: set[str]) -> str | None:
    """The module an imported name lives in (a module itself, or the module it is taken from)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def graph() -> dict[str, set[str]]:
    found = dict(modules())
    known = set(found)
    return {module: {m for name in imports(path, module) if (m := real_module(name, known)) and m != module}
            for module, path in found.items()}


def test_every_room_has_a_floor() -> None:
    rooms = {room(m) for m in graph()}
    placed = set().union(*FLOORS)
    assert rooms <= placed, f"rooms with no floor: {sorted(rooms - placed)}"


def test_no_import_runs_up_a_floor_or_across_one() -> None:
    wrong = []
    for module, targets in graph().items():
        here = room(module)
        for target in targets:
            there = room(target)
            if there == here or (here, there) in SIDEWAYS:
                continue
            if floor(there) >= floor(here):
                wrong.append(f"{module} -> {target} ({here}: floor {floor(here)}, {there}: {floor(there)})")
    assert wrong == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    edges = graph()
    circles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert circles == []


def test_the_writers_never_call_the_rules() -> None:
    """What a writer shows of the ratings comes from present/views.py, derived once."""
    calls = [f"{module} -> {target}" for module, targets in graph().items() if room(module) in WRITERS
             for target in targets if target == "core.rules"]
    assert calls == []


@pytest.mark.parametrize("room_name", ["core", "present", "excel", "read"])
def test_the_pure_and_reading_stages_load_no_writing_library(room_name: str) -> None:
    """Importing every module of a stage loads none of the libraries that write files (and the
    pure stages not even openpyxl): each library stays behind its one module."""
    names = [m for m in graph() if room(m) == room_name]
    banned = ["xlsxwriter", "docx", "docxtpl", "PIL", "pandas"]
    banned += [] if room_name == "read" else ["openpyxl"]
    code = (f"import importlib, sys\nfor m in {names!r}: importlib.import_module('kpi_excel.' + m)\n"
            f"print(sorted(b for b in {banned!r} if b in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_no_module_is_over_450_lines() -> None:
    long = {m: n for m, p in modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}
