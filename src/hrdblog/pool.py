"""Work spread over every core: the one place where hrdblog starts processes.

Contract: `ordered(make, args, items, start)` gives `task(item)` for each item, in the order
of `items`, where `task = make(*args)` is made once in each worker process. Nothing else is
shared with the workers; what they return comes back pickled. With `start="spawn"` the
workers are new interpreters (`make` and `args` are pickled): safe in a process that runs
threads, as `hrdblog serve` does. With `start="fork"` they are copies of this process, which
see everything it holds without copying (`make` and `args` need not pickle): only where
`can_fork()`, since forking a process that runs threads can deadlock.

`workers()` says how many processes are worth starting: one per core, at most `MAX_WORKERS`.
"""

from __future__ import annotations

import collections
import multiprocessing
import multiprocessing.pool
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: More processes than this cost more memory than they save time.
MAX_WORKERS = 8


def workers() -> int:
    """Return how many worker processes to start: one per core, at most MAX_WORKERS."""
    return min(os.cpu_count() or 1, MAX_WORKERS)


def can_fork() -> bool:
    """Tell whether workers may be started by forking: the system can, safely (not Windows;
    not macOS, whose own libraries are not safe to fork), and this process runs no other
    thread, since a fork copies a lock another thread holds, held for ever. Where the system
    lists them (Linux), that is every thread of the process, those Python did not start
    included: `serve` watches the files with a thread of watchfiles' own."""
    if sys.platform == "darwin" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if threading.active_count() != 1:
        return False
    # A thread Python has joined may still be ending for a moment; one of a library's own
    # stays (`THREAD_ENDING`).
    deadline = time.monotonic() + THREAD_ENDING
    while (others := _system_threads() - 1) and time.monotonic() < deadline:
        time.sleep(0.001)
    return not others


#: How long a thread that Python has joined may take to end, in seconds.
THREAD_ENDING = 0.05


def _system_threads() -> int:
    """Return how many threads the system counts in this process, where it tells (Linux);
    else 1, the thread Python knows of."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def ordered(
    make: Callable[..., Callable[[Item], Result]],
    args: tuple[Any, ...],
    items: Iterable[Item],
    start: Literal["spawn", "fork"],
    chunk: int = 1,
) -> Iterator[Result]:
    """Yield `make(*args)(item)` for each item, in order, computed in `workers()` worker
    processes, `chunk` items at a time.

    At most AHEAD chunks a worker are done or under way before the caller takes their
    results: a caller slower than the workers (one that writes each page to disk) does not
    gather every result in memory.
    """
    context = multiprocessing.get_context(start)
    count = workers()
    with context.Pool(count, _begin, (make, args)) as pool:
        pending: collections.deque[multiprocessing.pool.AsyncResult[list[Any]]] = (
            collections.deque()
        )
        batch: list[Item] = []
        for item in items:
            batch.append(item)
            if len(batch) == chunk:
                pending.append(pool.apply_async(_do, (batch,)))
                batch = []
                if len(pending) >= AHEAD * count:
                    yield from pending.popleft().get()
        if batch:
            pending.append(pool.apply_async(_do, (batch,)))
        while pending:
            yield from pending.popleft().get()


#: How many chunks each worker may have done, or under way, before they are taken.
AHEAD = 4

# The task of a worker process, made once when it starts: the only state a worker keeps.
_TASK: list[Callable[[Any], Any]] = []


def _begin(make: Callable[..., Callable[[Any], Any]], args: tuple[Any, ...]) -> None:
    _TASK[:] = [make(*args)]


def _do(batch: list[Any]) -> list[Any]:
    return [_TASK[0](item) for item in batch]
