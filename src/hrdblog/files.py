"""Walking folders the same way everywhere: sorted, hidden files and folders left out."""

from __future__ import annotations

import os
from pathlib import Path


def files_under(folder: Path) -> list[Path]:
    """Return the files under `folder`, in a stable order, without hidden files or folders."""
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root, name) for name in sorted(names) if not name.startswith(".")]
    return found
