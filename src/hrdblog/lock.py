"""One build at a time: the lock a build, a preview's rebuild and an import hold on a blog.

Two builds of one blog at once would undo each other's work (the second one's recovery took
the first one's half-written site for a killed build's and removed it). Each holds an
exclusive lock on `.hrdblog-cache/lock` while it works; the next one waits a few seconds,
then gives up with a message saying why. The lock goes with the process that holds it, so a
killed build never leaves the blog locked. A command that holds it may run another that
takes it too (`deploy` builds, then sends what it built, the lock held throughout).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from hrdblog.errors import OutputError
from hrdblog.seal import ignore_all

#: The blog's own folder of what builds keep for the next ones; the lock is in it.
CACHE_DIR = ".hrdblog-cache"
LOCK_FILE = "lock"
#: How long a build waits for another one to end before it gives up.
WAIT_SECONDS = 5.0

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The blogs whose lock this thread holds: their cache folders.
_held = threading.local()


@contextlib.contextmanager
def blog_lock(source: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the lock of the blog in `source` (a file in its cache folder) while the block runs.

    Where the lock cannot be made (a read-only blog folder, a system without file locks),
    the block runs without it: nothing then writes to the blog's own folder either. Taken
    again in the block, by the same thread, it is simply held on.
    """
    wait = WAIT_SECONDS if wait is None else wait
    cache_dir = source / CACHE_DIR
    if cache_dir.is_symlink():
        raise OutputError(
            f"{CACHE_DIR} is a link: a build writes its cache inside the blog only",
            f"remove the link {cache_dir} (the cache is made anew)",
        )
    held: set[Path] = _held.__dict__.setdefault("blogs", set())
    key = cache_dir.resolve()
    if key in held:
        yield
        return
    try:
        cache_dir.mkdir(exist_ok=True)
        ignore_all(cache_dir)  # it holds what posts say, drafts included: never for git
        # Never through a link left in the lock's place: it would make a file where it leads.
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK
        descriptor = os.open(cache_dir / LOCK_FILE, flags, 0o644)
    except OSError:
        yield
        return
    try:
        if fcntl is not None:
            _take(descriptor, wait)
        held.add(key)
        yield
    finally:
        held.discard(key)
        os.close(descriptor)  # and with it the lock


def _take(descriptor: int, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise OutputError(
                    "another hrdblog command is building, importing or deploying this blog",
                    "wait for it to end (a `hrdblog serve` rebuilds at every change), "
                    "then run this one again",
                ) from None
            time.sleep(0.05)
        except OSError:
            return  # a file system without locks: go on without
