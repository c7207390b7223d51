"""How the reader fares on the real layouts: build each spec, run `kpi-excel check --json`, compare.

A report to work from (the test is tests/test_real_layouts.py). A table is read right when every
row is found, its figure read from the body's column, and rated as the body did or, where the spec
gives `rule_rag` (the body's rating contradicts its own target, or it published none), so. For
every table it prints whether check failed (and its message), then for each expected indicator row
whether the reader found it, the figure it read (and from which column) against the body's figure
for this period, its rating against the body's published rating, and the stated rating it read from
the table; then totals.

    uv run python tests/real_layouts/diagnose.py [--json OUT.json] [NAME ...]
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from real_layouts.build import build_workbook, load_specs  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RAGS = ("GREEN", "AMBER", "RED")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def run_check(path: Path) -> tuple[dict | None, str]:
    """check --json on path: (parsed output, '') or (None, the error line)."""
    done = subprocess.run(
        ["uv", "run", "--quiet", "kpi-excel", "check", "--json", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    if done.returncode != 0:
        return None, (done.stderr.strip() or done.stdout.strip()).splitlines()[-1]
    return json.loads(done.stdout), ""


def figure(value: object) -> float | None:
    """The number a cell holds: a number, or the first number in text such as '512 kg (GREEN)'."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = NUMBER.search(str(value))
    return float(match.group().replace(",", "")) if match else None


def same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def compare_value(read: float | None, expected: float | None) -> str:
    """'ok', 'ok (x100)' when the same figure was read on the other percentage scale, or 'WRONG'."""
    if expected is None:
        return "ok" if read is None else "read a figure where the body has none"
    if same(read, expected):
        return "ok"
    if read is not None and (same(read * 100, expected) or same(read, expected * 100)):
        return "ok (x100 scale)"
    return "WRONG" if read is not None else "MISSING"


def header_row(spec: dict, below_row: int) -> int | None:
    """The nearest row above below_row (1-based) that reads as a header: three or more texts, no numbers."""
    indicator_rows = {e["row"] - 1 for e in spec["expected"]}
    for r in range(below_row - 2, -1, -1):
        cells = [v for v in spec["rows"][r] if v is not None]
        if r in indicator_rows:
            continue
        if len(cells) >= 3 and all(isinstance(v, str) for v in cells):
            return r
    return None


def heading_of(spec: dict, col: int, below_row: int) -> str:
    """Column col's heading as a person reads it (with the text above it, for a two-row header)."""
    r = header_row(spec, below_row)
    if r is None:
        return ""
    parts = []
    for rr in (r - 1, r):
        row = spec["rows"][rr] if rr >= 0 else []
        value = row[col] if col < len(row) else None
        if isinstance(value, str) and (rr == r or len([v for v in row if v is not None]) > 1):
            parts.append(value.strip())
    return " / ".join(parts)


def norm(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(text or "").lower())


def find_kpi(kpis: list[dict], entry: dict) -> dict | None:
    """The reader's KPI for an expected row: by the row of the cell it read, else by code or name."""
    for k in kpis:
        if k.get("cell") and "!" in k["cell"]:
            r, _ = xl_cell_to_rowcol(k["cell"].rsplit("!", 1)[1].replace("$", ""))
            if r + 1 == entry["row"]:
                return k
    key = norm(entry["key"])
    # the closest name first: 'Incidents' must not stand for 'Road Traffic Collision (RTC) incidents'
    for match in (lambda k: key == norm(k.get("code")) or key == norm(k.get("indicator")),
                  lambda k: key in norm(k.get("indicator")),
                  lambda k: norm(k.get("indicator")) and norm(k.get("indicator")) in key):
        for k in kpis:
            if key and match(k):
                return k
    return None


def diagnose_table(name: str, spec: dict, out_dir: Path) -> dict:
    path = build_workbook(spec, out_dir / f"{name}.xlsx")
    result, error = run_check(path)
    table = {"name": name, "body": spec["body"], "tier": spec["tier"], "error": error, "rows": []}
    kpis = (result or {}).get("kpis", [])
    table["kpis_read"] = len(kpis)
    table["period"] = (result or {}).get("period")
    table["period_source"] = (result or {}).get("period_source")
    table["warnings"] = [w["message"] for w in (result or {}).get("warnings", [])]
    for entry in spec["expected"]:
        kpi = find_kpi(kpis, entry) if result else None
        row = {"row": entry["row"], "key": entry["key"], "found": kpi is not None,
               "expected_value": entry["value"], "expected_rag": entry["rag"]}
        if entry.get("column"):
            want_col = xl_cell_to_rowcol(f"{entry['column']}1")[1]
            row["expected_column"] = f"{entry['column']} '{heading_of(spec, want_col, entry['row'])}'"
        else:
            row["expected_column"] = None
        if kpi is not None:
            read = kpi.get("value")
            row["read_value"] = read
            number = read if isinstance(read, (int, float)) else None
            row["value_check"] = compare_value(number, entry["value"])
            cell = kpi.get("cell") or ""
            if "!" in cell:
                _, c = xl_cell_to_rowcol(cell.rsplit("!", 1)[1].replace("$", ""))
                row["read_column"] = f"{xl_col_to_name(c)} '{heading_of(spec, c, entry['row'])}'"
                if entry.get("column"):
                    row["column_check"] = "ok" if xl_col_to_name(c) == entry["column"] else "WRONG COLUMN"
            row["polarity"] = kpi.get("polarity")
            row["rag"] = kpi.get("rag")
            row["stated_rag"] = kpi.get("stated_rag")
            row["stated_status"] = kpi.get("stated_status")
            row["not_rated_reason"] = kpi.get("not_rated_reason")
            rag = kpi.get("rag") if kpi.get("rag") in RAGS else None
            row["rag_check"] = "ok" if rag == entry["rag"] else "WRONG"
            # where the body's rating contradicts its own target, or it gave none: the rating its
            # printed target gives (the spec's rule_rag), which a faithful reader gives
            row["rule_check"] = "ok" if rag == entry.get("rule_rag", entry["rag"]) else "WRONG"
            row["stated_check"] = "ok" if kpi.get("stated_rag") == entry["rag"] else "WRONG"
        table["rows"].append(row)
    return table


def print_table(t: dict) -> None:
    rows = t["rows"]
    print(f"\n== {t['name']}  ({t['body']}, {t['tier']})")
    if t["error"]:
        print(f"   ERROR: {t['error']}")
        return
    print(f"   read {t['kpis_read']} KPIs, report period {t['period']} (from {t['period_source']})")
    shown = set()
    for w in t["warnings"]:
        kind = re.sub(r"^[^:]*: ", "", w)[:150]
        if kind not in shown and len(shown) < 4:
            shown.add(kind)
            print(f"   warning: {w[:200]}")
    if len(t["warnings"]) > len(shown):
        print(f"   ({len(t['warnings'])} warnings in all)")
    for r in rows:
        head = f"   row {r['row']:>3} {r['key'][:60]!r}"
        if not r["found"]:
            print(f"{head}: NOT FOUND (body: {r['expected_value']} in {r['expected_column']}, "
                  f"rating {r['expected_rag']})")
            continue
        wrong_column = ", WRONG COLUMN" if r.get("column_check") == "WRONG COLUMN" else ""
        not_rated = f"; not rated: {r['not_rated_reason']}" if r.get("not_rated_reason") else ""
        print(f"{head}\n        value {r['read_value']!r} from {r.get('read_column')} "
              f"vs {r['expected_value']!r} in {r['expected_column']}: {r['value_check']}{wrong_column}\n"
              f"        rag {r['rag']} ({r['polarity']}) vs {r['expected_rag']}: {r['rag_check']}; "
              f"stated {r['stated_rag']} ({r['stated_status']!r}): {r['stated_check']}{not_rated}")


def table_line(rows: list[dict]) -> str:
    rated = [r for r in rows if r["expected_rag"]]
    found = [r for r in rows if r["found"]]
    return (f"{len(found)}/{len(rows)} found, "
            f"{sum(1 for r in found if r['value_check'].startswith('ok'))}/{len(rows)} values "
            f"({sum(1 for r in found if r.get('column_check') == 'WRONG COLUMN')} from another column), "
            f"{sum(1 for r in rated if r.get('rag_check') == 'ok')}/{len(rated)} ratings, "
            f"{sum(1 for r in rated if r.get('stated_check') == 'ok')}/{len(rated)} stated, "
            f"{sum(1 for r in found if not r['expected_rag'] and r.get('rag') in RAGS)}"
            f" rated where the body did not")


def totals(tables: list[dict]) -> dict:
    rows = [r for t in tables for r in t["rows"]]
    found = [r for r in rows if r["found"]]
    rated = [r for r in rows if r["expected_rag"]]
    return {
        "tables": len(tables),
        "tables_with_error": sum(1 for t in tables if t["error"]),
        "tables_read_right": sum(1 for t in tables if not t["error"] and all(
            r["found"] and r["value_check"].startswith("ok") and r.get("column_check") != "WRONG COLUMN"
            and r["rule_check"] == "ok" for r in t["rows"])),
        "expected_rows": len(rows),
        "rows_found": len(found),
        "values_right": sum(1 for r in found if r["value_check"].startswith("ok")),
        "values_right_by_coincidence_from_another_column": sum(
            1 for r in found
            if r["value_check"].startswith("ok") and r.get("column_check") == "WRONG COLUMN"),
        "rows_the_body_rated": len(rated),
        "rag_right_where_body_rated": sum(1 for r in rated if r.get("rag_check") == "ok"),
        "stated_read_where_body_rated": sum(1 for r in rated if r.get("stated_check") == "ok"),
        "rows_the_body_did_not_rate": len(rows) - len(rated),
        "rated_anyway": sum(1 for r in found if not r["expected_rag"] and r.get("rag") in RAGS),
    }


def main(argv: list[str]) -> int:
    json_out = None
    if argv[:1] == ["--json"]:
        json_out, argv = Path(argv[1]), argv[2:]
    specs = load_specs()
    names = argv or list(specs)
    with tempfile.TemporaryDirectory() as tmp:
        tables = [diagnose_table(n, specs[n], Path(tmp)) for n in names]
    for t in tables:
        print_table(t)
    print("\n== per table: found / values right / ratings right (of rows the body rated) / stated read")
    for t in tables:
        print(f"   {t['name']:42} " + ("ERROR" if t["error"] else table_line(t["rows"])))
    summary = totals(tables)
    print("\n== totals")
    for k, v in summary.items():
        print(f"   {k}: {v}")
    if json_out:
        json_out.write_text(json.dumps({"tables": tables, "totals": summary}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
