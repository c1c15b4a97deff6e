"""Two folders swapped in one step: Linux's `renameat2(RENAME_EXCHANGE)`, reached through ctypes.

Contract: `exchange(a, b)` swaps the folders at `a` and `b` atomically and returns True, or
changes nothing and returns False: on another system, a C library without `renameat2`, or a
file system that cannot exchange. Python has no call for it; a reader of the site sees one
site or the other, never a moment with none. Where it returns False, `publish` swaps with
two renames and a record of the site moved aside, which the next build puts back if the
first build is killed between them.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step; return False, changing nothing, where unsupported."""
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(done == 0)
