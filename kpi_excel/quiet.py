"""Library warnings never reach the user: openpyxl's about parts it skips or dates it cannot read,
zipfile's about a name stored twice, XlsxWriter's and python-docx's. kpi-excel says what matters
itself, in its own words, naming the cell; a library's warning on the terminal is noise that
looks like a fault."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator


def hide_library_warnings() -> None:
    """For a whole process: the command line, and each worker process it starts."""
    warnings.simplefilter("ignore")


@contextlib.contextmanager
def library_warnings_hidden() -> Iterator[None]:
    """For one call of the Python API: the caller's own warning filters are restored after it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
