"""Writing output files safely: temporary files in the target folder, renamed when all are complete."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType

from kpi_excel.errors import KpiExcelError, OutputError
from kpi_excel.stamp import Ownership, ownership, record_written

_FIX_CLOSE = "Close it (in Excel or Word) or choose another --out folder, then run again"


def write_atomically(target: Path, write: Callable[[Path], None], *, force: bool = False) -> Path:
    """Call write(tmp) for a temporary path beside target, then move it into place.

    Nothing half-written is ever left at target: on any failure the temporary file is removed
    and target keeps what it had.
    """
    with Outputs(force=force) as outputs:
        outputs.stage(target, write)
        outputs.commit()
    return target


class Outputs:
    """A build's files, each written to a temporary file beside its target, then all moved into
    place together by commit(). If anything fails first, every temporary file is removed and the
    folder is as it was: no output is left without the others.

    A file already at a target is replaced only if kpi-excel wrote it and it is unchanged since
    (stamp.py), unless force: another file of the same name is never lost.
    """

    def __init__(self, *, force: bool = False) -> None:
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target)
        self.force = force

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        for tmp, _ in self._staged:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def stage(self, target: Path, write: Callable[[Path], None]) -> Path:
        """Write one output to a temporary file beside target; returns the temporary path."""
        make_folder(target.parent)
        _check_replaceable(target, self.force)  # before the work of writing it
        # Ctrl+C waits until the new file is on the list, so an interrupt always removes it: the
        # file exists as soon as mkstemp creates it, before its name is known here
        with _signals_held():
            try:
                fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix,
                                            dir=target.parent)
            except OSError as error:
                raise _cannot_write(target.parent, error) from error
            tmp = Path(name)
            self._staged.append((tmp, target))
        os.close(fd)
        try:
            write(tmp)
        except KpiExcelError as error:
            if error.file == str(tmp):  # name the output the user asked for, not its hidden stand-in
                error.file = str(target)
            raise
        except OSError as error:  # a full disk, a folder that vanished
            raise _cannot_write(target, error) from error
        # mkstemp makes the file private (0600); give it the mode any new file would get
        with contextlib.suppress(OSError):
            tmp.chmod(0o666 & ~_umask())
        return tmp

    def commit(self) -> list[Path]:
        """Move every staged file into place; returns the targets, in the order staged."""
        for _, target in self._staged:
            _check_replaceable(target, self.force)
        done = [target for _, target in self._staged]
        # Ctrl+C or a stop request takes effect once all are in place and recorded as kpi-excel's
        with _signals_held():
            for tmp, target in self._staged:
                _replace(tmp, target)
            self._staged.clear()
            record_written(done)
        return done


_TEMPORARY_PART = re.compile(r"[a-z0-9_]{8}")  # what mkstemp puts between prefix and suffix


def remove_temporary_files(targets: Iterable[Path]) -> None:
    """Remove what a process stopped or killed while writing targets left behind: the temporary
    files stage() names after each target (.<stem>-<8 random characters><suffix>, beside it)."""
    for target in targets:
        prefix, suffix = f".{target.stem}-", target.suffix
        with contextlib.suppress(OSError):
            for path in target.parent.iterdir():
                name = path.name
                if (name.startswith(prefix) and name.endswith(suffix)
                        and _TEMPORARY_PART.fullmatch(name[len(prefix):len(name) - len(suffix)])):
                    with contextlib.suppress(OSError):
                        path.unlink()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM (delivered when this ends) while outputs are renamed into place, so
    an interrupted build never leaves a new workbook beside last month's paper, and while a
    temporary file is created and listed for removal."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def make_folder(folder: Path) -> None:
    """Create an output folder (and its parents) unless it exists; say clearly when it cannot."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as error:
        raise OutputError("this is a file, not a folder", file=str(folder),
                          fix="Give --out a folder name (it is created when missing)") from error
    except OSError as error:
        raise _cannot_write(folder, error) from error


_FIX_FORCE = "Move or rename it, or choose another --out folder (or add --force to replace it)"


def _check_replaceable(target: Path, force: bool = False) -> None:
    """Refuse before any file is moved when one target cannot be replaced, so none is."""
    if target.is_dir():
        raise OutputError("a folder has the name this output needs", file=str(target),
                          fix="Rename or move that folder, or choose another --out folder")
    if not force and target.exists():
        owner = ownership(target)
        if owner is Ownership.FOREIGN:
            raise OutputError("a file of this name is already here and kpi-excel did not write it, so it "
                              "is not replaced", file=str(target), fix=_FIX_FORCE)
        if owner is Ownership.CHANGED:
            raise OutputError("this file was changed after kpi-excel wrote it, and replacing it would "
                              "lose those changes", file=str(target),
                              fix="Copy the changes into the department's workbook and build again, move "
                                  "the file, or add --force to replace it")
    if target.exists():
        try:
            with open(target, "r+b"):  # fails while Excel or Word holds the file open on Windows
                pass
        except OSError as error:
            raise OutputError("cannot replace this file: it is open in another program or read-only",
                              file=str(target), fix=_FIX_CLOSE) from error


def _replace(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except PermissionError as error:
        raise OutputError("cannot replace this file: it is open in another program or read-only",
                          file=str(target), fix=_FIX_CLOSE) from error
    except OSError as error:
        raise _cannot_write(target, error) from error


def _cannot_write(path: Path, error: OSError) -> OutputError:
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError("cannot write here: the folder is read-only or you may not write to it",
                           file=str(path), fix="Choose another --out folder")
    if error.errno == errno.ENOSPC:
        return OutputError("the disk is full", file=str(path), fix="Free some space, then run again")
    return OutputError(f"cannot be written ({error.strerror or error})", file=str(path),
                       fix="Check the folder exists and you may write to it")
