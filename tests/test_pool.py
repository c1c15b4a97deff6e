"""The process pool: results in order, and forking only where it is safe."""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest

from hrdblog import pool

needs_fork = pytest.mark.skipif(
    sys.platform == "darwin" or "fork" not in multiprocessing.get_all_start_methods(),
    reason="this system cannot fork safely",
)


def multiplier(factor: int) -> Callable[[int], int]:
    return lambda item: item * factor


@pytest.mark.parametrize("start", ["spawn", pytest.param("fork", marks=needs_fork)])
def test_results_come_in_the_order_of_the_items(start: Literal["spawn", "fork"]) -> None:
    made = pool.ordered(multiplier, (3,), range(50), start, chunk=4)
    assert list(made) == [n * 3 for n in range(50)]


@needs_fork
def test_no_fork_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "THREAD_ENDING", 5.0)  # a thread joined ends in that time
    assert pool.can_fork()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not pool.can_fork()
    finally:
        stop.set()
        thread.join()
    assert pool.can_fork()


@needs_fork
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="the system does not list threads")
def test_no_fork_while_files_are_watched(tmp_path: Path) -> None:
    """`serve` rebuilds while watchfiles watches with a thread Python does not know of."""
    import watchfiles

    stop = threading.Event()
    changes = watchfiles.watch(tmp_path, stop_event=stop, rust_timeout=50, yield_on_timeout=True)
    next(changes)  # watching
    try:
        assert threading.active_count() == 1  # the watcher is not one of Python's threads
        assert not pool.can_fork()
    finally:
        stop.set()
        changes.close()


def test_no_fork_on_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not pool.can_fork()
