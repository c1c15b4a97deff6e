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

import multiprocessing
import os
import threading
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
    """Tell whether workers may be started by forking: the system can (not Windows, not
    macOS's default), and this process runs no other thread (`serve` runs several), since a
    fork copies a lock another thread holds, held for ever."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def ordered(
    make: Callable[..., Callable[[Item], Result]],
    args: tuple[Any, ...],
    items: Iterable[Item],
    start: Literal["spawn", "fork"],
    chunk: int = 1,
) -> Iterator[Result]:
    """Yield `make(*args)(item)` for each item, in order, computed in `workers()` worker
    processes, `chunk` items at a time."""
    context = multiprocessing.get_context(start)
    with context.Pool(workers(), _begin, (make, args)) as pool:
        yield from pool.imap(_do, items, chunk)


# The task of a worker process, made once when it starts: the only state a worker keeps.
_TASK: list[Callable[[Any], Any]] = []


def _begin(make: Callable[..., Callable[[Any], Any]], args: tuple[Any, ...]) -> None:
    _TASK[:] = [make(*args)]


def _do(item: Any) -> Any:
    return _TASK[0](item)
