"""Reading the proposals sheet: next year's KPIs and targets, matched to this year's (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from kpi_excel.core.model import Indicator, KpiType, Proposal, Warning_
from kpi_excel.core.proposals import match_kpi
from kpi_excel.core.values import clean_text, parse_polarity
from kpi_excel.excel.refs import CellRef
from kpi_excel.read.cells import Cell
from kpi_excel.read.header import find_header
from kpi_excel.read.headings import Role
from kpi_excel.read.numbers import Numbers, PercentScale
from kpi_excel.read.table import Row, TableReader


def read_proposals(
    sheet_rows: tuple[str, list[list[Cell]]] | None,
    indicators: Sequence[Indicator],
    sink: list[Warning_],
) -> tuple[Proposal, ...]:
    if sheet_rows is None:
        return ()
    sheet, rows = sheet_rows
    header = find_header(rows)
    if header is None or Role.TARGET not in header.roles:
        sink.append(Warning_("the proposals sheet has no header row with Indicator and Target "
                             "columns, so it was not read", CellRef(sheet, 1)))
        return ()
    kpis = [i for i in indicators if i.type is KpiType.KPI]
    table = TableReader(sheet, rows, header, sink)
    proposals = []
    for row, _ in table.indicator_rows():
        code = clean_text(row.at(header.roles.get(Role.CODE)).value)
        name = clean_text(row.at(header.roles[Role.INDICATOR]).value) or code
        current = match_kpi(code, name, kpis)  # the rule every output matches proposals by
        proposals.append(_proposal(table, row, code, name, current))
    return tuple(proposals)


def _proposal(table: TableReader, row: Row, code: str, name: str,
              current: Indicator | None) -> Proposal:
    cells = {role: (row.at(table.col(role)), table.where(row.index, table.col(role)))
             for role in (Role.TARGET, Role.FLOOR)}
    unit = clean_text(row.at(table.col(Role.UNIT)).value) or (current.unit if current else "")
    scale = PercentScale.of([c for c, _ in cells.values()], unit)
    if current and current.is_percent and not scale.percent:
        scale = PercentScale(True, any(_plain_over(c) for c, _ in cells.values()), False)
    numbers = Numbers(f"{code} {name}".strip(), table.warnings)
    target = numbers.setting("proposed target", *cells[Role.TARGET], scale)
    floor = numbers.setting("proposed floor", *cells[Role.FLOOR], scale)
    polarity_cell = row.at(table.col(Role.POLARITY))
    return Proposal(
        name=name,
        code=code,
        polarity=parse_polarity(polarity_cell.value) or (current.polarity if current else None),
        target=target,
        floor=floor,
        is_percent=scale.percent or bool(current and current.is_percent),
        note=clean_text(row.at(table.col(Role.COMMENTARY)).value),
    )


def _plain_over(cell: Cell) -> bool:
    number = cell.number
    return number.value is not None and not number.percent and abs(number.value) > 1.5
