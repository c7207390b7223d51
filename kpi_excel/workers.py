"""Worker processes that ignore Ctrl+C, and stop at once, removing what they were writing, when told."""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from kpi_excel.quiet import hide_library_warnings

STOP_WAIT = 1.0  # seconds a worker gets to remove its temporary files before it is killed

T = TypeVar("T")


def worker_pool(workers: int, then: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """A pool of `workers` processes, each running `then` (a module-level function) as it starts.

    Ctrl+C in a terminal reaches every process of the command; the workers ignore it and leave
    the main process to stop them (stop_now), so an interrupted run prints one line, not one
    traceback per worker.
    """
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(_start_method()),
                               initializer=_start_worker, initargs=(then,))


def _start_method() -> str:
    """fork where it is safe, else spawn.

    A forked worker starts at once with what this process has loaded (the command line, the
    model), where a spawned one starts Python and loads them again (a sixth of a short build's
    time). Forking is safe only with no other thread running, which may hold a lock the child
    would wait for forever (the progress display has one), and only on Linux (macOS's system
    libraries do not survive a fork).
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def submit(pool: ProcessPoolExecutor, fn: Callable[..., T], *args: Any) -> Future[T]:
    """pool.submit, holding Ctrl+C while it may start a worker (see _ctrl_c_held)."""
    with _ctrl_c_held():
        return pool.submit(_task, fn, *args)


def stop_now(pool: ProcessPoolExecutor) -> None:
    """Stop every worker without waiting for its task: each gets STOP_WAIT seconds to remove the
    temporary file it was writing (SIGTERM ends it through its `finally` blocks), then is killed."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + STOP_WAIT
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(0.5)


def _start_worker(then: Callable[[], None] | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # also drops a Ctrl+C held while it started
    hide_library_warnings()
    signal.signal(signal.SIGTERM, _exit_cleanly)
    atexit.register(_leave_without_tidying)
    try:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        if then is not None:
            then()
    except SystemExit:  # told to stop while loading: the pool would print a traceback
        os._exit(128 + signal.SIGTERM)


_stopping = False  # set in a worker told to stop


def _task(fn: Callable[..., T], *args: Any) -> T:
    try:
        return fn(*args)
    finally:
        if _stopping:  # the task has unwound: leave before the pool hands this worker another
            os._exit(128 + signal.SIGTERM)


def _leave_without_tidying() -> None:
    """The worker's last act: its results are sent and its files closed, so it skips Python's
    freeing of every object (a fifth of a second for a paper's libraries, which the main process
    would wait for)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(128 + signal.SIGTERM if _stopping else 0)


def _exit_cleanly(signum: int, _frame: object) -> None:
    global _stopping
    _stopping = True
    raise SystemExit(128 + signum)  # unwinds the task, so Outputs removes its temporary files


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Block SIGINT in this thread while a worker may be started: the worker inherits the block,
    so a Ctrl+C while Python loads in it cannot print a traceback before it ignores Ctrl+C.
    This process gets a Ctrl+C pressed meanwhile as soon as the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: Ctrl+C reaches only this process
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
