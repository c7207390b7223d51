"""Writing output files safely: a temporary file in the target folder, renamed when complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError


def write_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) for a temporary path beside target, then move it into place.

    Nothing half-written is ever left at target: on any failure the temporary file is removed
    and target keeps what it had.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        _replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def _replace(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except PermissionError as error:
        raise OutputError(
            "cannot replace this file: it is open in another program or read-only",
            file=str(target),
            fix="Close it (in Excel or Word) or choose another --out folder, then run again",
        ) from error
    except OSError as error:
        raise OutputError(f"cannot be written ({error.strerror})", file=str(target),
                          fix="Check the folder exists and you may write to it") from error
