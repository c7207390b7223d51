"""A fault inside kpi-excel gives one line and exit 3; --debug shows the traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kpi_excel import cli, pipeline
from kpi_excel.charts import png


def _boom(*_args: object, **_kwargs: object) -> object:
    raise RuntimeError("simulated fault")


def test_an_internal_fault_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str],
                                                  sample: Path) -> None:
    monkeypatch.setattr(pipeline, "check", _boom)
    monkeypatch.setattr(sys, "argv", ["kpi-excel", "check", str(sample)])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "simulated fault" in err and "--debug" in err


def test_debug_lets_the_traceback_through(monkeypatch: pytest.MonkeyPatch, sample: Path) -> None:
    monkeypatch.setattr(pipeline, "check", _boom)
    monkeypatch.setattr(sys, "argv", ["kpi-excel", "check", str(sample), "--debug"])
    with pytest.raises(RuntimeError, match="simulated fault"):
        cli.main()


@pytest.mark.parametrize(("jobs", "pictures"), [("1", False), ("2", False), ("1", True), ("2", True)])
def test_a_chart_that_fails_to_draw_is_not_blamed_on_the_template(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        sample: Path, tmp_path: Path, jobs: str, pictures: bool) -> None:
    """On one process and on two (where this process makes the charts while the other loads the
    paper's libraries), for native charts and for pictures."""
    from kpi_excel.workbook import charts as workbook_charts

    monkeypatch.setattr(png, "indicator_chart", _boom)
    monkeypatch.setattr(workbook_charts, "chart_workbook", _boom)
    argv = ["kpi-excel", "build", str(sample), "--out", str(tmp_path / "o"), "--jobs", jobs]
    monkeypatch.setattr(sys, "argv", argv + (["--chart-images"] if pictures else []))
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    err = capsys.readouterr().err
    assert stopped.value.code == 3, err
    assert "template" not in err.lower() and "drawing a chart failed" in err
    out = tmp_path / "o"
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


def test_a_ctrl_c_dropped_inside_a_destructor_stops_at_the_next_step(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Python only reports an exception a signal handler raises while a __del__ runs (zipfile's
    does, mid-build); the next progress step must raise it again, and nothing is printed."""
    import signal
    import sys

    from kpi_excel import cli

    monkeypatch.setattr(cli, "_interrupt_pending", False)
    monkeypatch.setattr(sys, "unraisablehook", cli._quiet_about_dropped_interrupts(sys.unraisablehook))
    previous = signal.signal(signal.SIGINT, cli._interrupted)
    try:
        class Closing:
            def __del__(self) -> None:
                signal.raise_signal(signal.SIGINT)

        Closing()  # the handler runs in __del__: Python drops its Interrupted
        steps: list[str] = []
        step = cli._unless_interrupted(steps.append)
        with pytest.raises(cli.Interrupted):
            step("Writing")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert steps == []
    assert "Interrupted" not in capsys.readouterr().err
