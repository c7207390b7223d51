"""kpi-excel: rate a council department's KPI workbook and write the RAG workbook and paper.

The Python API (docs/python-api.md)::

    import kpi_excel as kx
    report = kx.check("tracker.xlsx")     # or a CSV export
    report.to_pandas()                    # needs the pandas extra: pip install "kpi-excel[pandas]"
    kx.build(report, out="out")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kpi_excel._version import __version__

__all__ = [
    "__version__",
    # reading, rating, writing
    "check", "rate", "build", "from_pandas", "to_pandas", "observations_to_pandas", "rule_settings",
    # what they return
    "Report", "Dataset", "Indicator", "Observation", "Rating", "Period", "Summary", "Rag",
    "BuildResult",
    # what they raise: the errors the command line prints as one line
    "KpiExcelError", "InputError", "UnreadableWorkbookError", "NoKpiTableError", "MissingColumnError",
    "BadValueError", "SettingsError", "TemplateError", "OutputError", "ExtraNotInstalledError",
]

# the module that defines each public name: loaded on first use, so that the command line, which
# imports this package first, pays nothing for the API (and never loads pandas)
_HOME = {"api": ("check", "rate", "build", "from_pandas", "to_pandas", "observations_to_pandas",
                 "rule_settings"),
         "core.model": ("Report", "Dataset", "Indicator", "Observation", "Rating", "Period", "Summary",
                        "Rag"),
         "pipeline": ("BuildResult",)}
_LAZY = {name: module for module, names in _HOME.items() for name in names}
_LAZY.update((name, "errors") for name in __all__ if name.endswith("Error"))

if TYPE_CHECKING:
    from kpi_excel.api import (
        build,
        check,
        from_pandas,
        observations_to_pandas,
        rate,
        rule_settings,
        to_pandas,
    )
    from kpi_excel.core.model import Dataset, Indicator, Observation, Period, Rag, Rating, Report, Summary
    from kpi_excel.errors import (
        BadValueError,
        ExtraNotInstalledError,
        InputError,
        KpiExcelError,
        MissingColumnError,
        NoKpiTableError,
        OutputError,
        SettingsError,
        TemplateError,
        UnreadableWorkbookError,
    )
    from kpi_excel.pipeline import BuildResult


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kpi_excel' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
