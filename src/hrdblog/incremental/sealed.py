"""The files of `.hrdblog-cache/`: each a header line, its signature with the blog's seal for
the settings it was written under, then its body. A file that is damaged, tampered with, of
other settings or unreadable reads as nothing, and only costs speed.

Only regular files in folders of the cache's own are read, written or removed: a folder of
the cache that is a link (to anywhere on the computer) is no folder of the cache, and a named
pipe or a device in the place of a file is no file, read without waiting on it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

from hrdblog.files import replace_file
from hrdblog.seal import Seal

logger = logging.getLogger(__name__)


def read_sealed(
    path: Path | str, seal: Seal, fingerprint: str = "", quiet: bool = False
) -> bytes | None:
    """Return the body of a cache file if it is signed with the blog's seal for these
    settings (`fingerprint`); else None: damaged, tampered with, of other settings."""
    data = read_regular(Path(path))
    if data is None:
        if not quiet and os.path.lexists(path):
            logger.info("%s cannot be read: doing all the work", path)
        return None
    body = seal.unwrap(data, fingerprint)
    if body is None and not quiet:
        logger.info("%s is of other settings, damaged or not this blog's: doing all the work", path)
    return body


def write_sealed(
    path: Path, body: str | bytes, seal: Seal, fingerprint: str = "", atomic: bool = True
) -> None:
    """Write a cache file: a header line (its signature, for these settings), then the body.

    A file written in one go (not `atomic`) and cut short fails its signature when read.
    """
    data = body.encode() if isinstance(body, str) else body
    sealed = seal.wrap(data, fingerprint)
    if atomic:
        _write_atomically(path, sealed)
    elif own_folder(path.parent):
        # A new file, never through a link (hard or not) or into a pipe left in its place:
        # whatever has the name goes first, which leaves what it led to as it was.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(path, flags, 0o644), "wb") as file:
            file.write(sealed)


def read_regular(path: Path) -> bytes | None:
    """Return the bytes of a regular file in a folder of the cache's own; None for anything
    else (no such file, a link, a pipe, a device, a folder that is a link)."""
    if not own_folder(path.parent):
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        try:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return None
            return file.read()
        except OSError:
            return None


def own_folder(folder: Path) -> bool:
    """Tell whether a folder of the cache is its own to read and change: a real folder, not a
    link, or not made yet (and made so by the cache)."""
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return stat.S_ISDIR(mode)


def _write_atomically(path: Path, data: bytes) -> None:
    if not own_folder(path.parent):
        logger.info("%s is not a folder of the cache's own: left alone", path.parent)
        return
    try:
        path.parent.mkdir(exist_ok=True)
        replace_file(path, data)
    except OSError as exc:
        logger.warning(  # the file as it was stays: it is checked again before it is trusted
            "%s could not be saved (%s); the next build may do again what this one did",
            path.name,
            exc,
        )


def names_in(folder: Path) -> list[str]:
    """Return the names of the files in a cache folder; none if it does not exist or is not
    the cache's own."""
    if not own_folder(folder):
        return []
    try:
        return os.listdir(folder)
    except OSError:
        return []


def remove(path: Path) -> None:
    """Remove a cache file (or a link in its place, never what it leads to), if it can be."""
    if own_folder(path.parent):
        with contextlib.suppress(OSError):
            path.unlink()
