"""The library's exceptions: each message says where the problem is and what to do about it."""

from __future__ import annotations


class KpiExcelError(Exception):
    """Base class: a problem the user can fix. The CLI prints its message as one line, exit 1."""

    def __init__(self, message: str, *, file: str = "", where: str = "", fix: str = "") -> None:
        self.file = file
        self.where = where  # Sheet!Cell, or line:column in a CSV file
        self.fix = fix
        self.problem = message
        super().__init__(self.line())

    def line(self) -> str:
        """The whole message as one line: file, sheet!cell, what is wrong, what to do."""
        # a text file's place is line:column, written after its name as compilers write it
        joint = ":" if self.file and self.where[:1].isdigit() else ": "
        place = joint.join(p for p in (printable(self.file), self.where) if p)
        text = f"{place}: {self.problem}" if place else self.problem
        return f"{text}. {self.fix}" if self.fix else text

    def name_file(self, file: str) -> None:
        """Name the file when the code that raised only knew the sheet and cell."""
        if not self.file:
            self.file = file
            self.args = (self.line(),)


class InputError(KpiExcelError):
    """The input workbook cannot be read or does not hold what we need."""


class UnreadableWorkbookError(InputError):
    """The file is not an .xlsx workbook we can open (wrong type, damaged, encrypted, too large)."""


class NoKpiTableError(InputError):
    """No sheet holds a table with an indicator column and values."""


class MissingColumnError(InputError):
    """A column the rating needs is not in the table."""


class BadValueError(InputError):
    """A cell holds something that cannot be used, such as a target written as a word."""


class SettingsError(KpiExcelError):
    """A rule setting or paper detail (from the workbook or the command line) is not valid."""


class TemplateError(KpiExcelError):
    """A Word template has a broken tag or names something we do not provide."""


class OutputError(KpiExcelError):
    """An output cannot be written (locked, read-only, or it would overwrite the input)."""


class ExtraNotInstalledError(KpiExcelError, ImportError):
    """A feature needs an optional extra that is not installed (pandas for DataFrames)."""


class ChartDrawingError(RuntimeError):
    """A chart could not be drawn: a fault in kpi-excel, kept apart from template errors."""


def printable(name: str) -> str:
    """A file name as a one-line message shows it: a control character (a line break, an escape
    that would restyle the terminal) or a byte that is not UTF-8 written as \\xNN, so the line
    stays one line and still tells the file apart."""
    if name.isprintable():
        return name
    return "".join(ch if ch.isprintable() or ch == " " else _escaped(ch) for ch in name)


def _escaped(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as Python keeps it in a file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
