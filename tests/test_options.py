"""The command line and the Python API read rule options and paper details with one parser, and the
commands that share an option group take the same options."""

from __future__ import annotations

import pytest
import typer.main

from kpi_excel import api
from kpi_excel.cli import app
from kpi_excel.cli_options import DETAILS, EDITIONS, RULES
from kpi_excel.core.model import Person
from kpi_excel.errors import SettingsError


@pytest.mark.parametrize(("rule", "tolerance", "direction"), [
    ("floor", None, None), ("tolerance", "10%", "last-year"), ("Tolerance", "0.05", "trend"),
    (None, "12.5 %", "previous"),
])
def test_the_cli_and_the_api_read_rule_options_alike(rule: str | None, tolerance: str | None,
                                                      direction: str | None) -> None:
    from_cli = RULES.collect(rule=rule, tolerance=tolerance, direction=direction, period=None,
                             green_within=None, column=None).settings
    assert from_cli == api.rule_settings(rule, tolerance, direction)
    assert from_cli  # each case sets something


def test_a_bad_rule_option_is_named_as_each_caller_writes_it() -> None:
    with pytest.raises(typer.BadParameter) as cli_error:
        RULES.collect(rule=None, tolerance="lots", direction=None, period=None, green_within=None,
                      column=None)
    with pytest.raises(SettingsError) as api_error:
        api.rule_settings(tolerance="lots")
    assert cli_error.value.param_hint == "--tolerance" and api_error.value.where == "tolerance"
    assert api_error.value.problem in cli_error.value.message


def test_the_cli_and_the_api_read_paper_details_alike() -> None:
    given = {"committee": "Scrutiny", "author": "Ann Lee; Analyst; Performance; 03000 416000",
             "director": "Bo Ray", "meeting_date": "29 July 2020"}
    from_cli = DETAILS.collect(**{name: given.get(name) for name, _ in DETAILS.options})
    assert {k: v for k, v in from_cli.items() if v is not None} == api._paper_details(given)
    assert from_cli["author"] == Person("Ann Lee", "Analyst", "Performance", "03000 416000")


def test_build_and_council_take_each_shared_group_whole() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    for group in (RULES, DETAILS, EDITIONS):
        names = {name for name, _ in group.options}
        for command in ("build", "council"):
            taken = {param.name for param in commands[command].params}
            assert names <= taken, (group.key, command)
    assert {name for name, _ in RULES.options} <= {param.name for param in commands["check"].params}
