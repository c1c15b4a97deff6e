"""The files of `.hrdblog-cache/`: each a header line, its signature with the blog's seal for
the settings it was written under, then its body. A file that is damaged, tampered with, of
other settings or unreadable reads as nothing, and only costs speed."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from hrdblog.files import replace_file
from hrdblog.seal import Seal

logger = logging.getLogger(__name__)


def read_sealed(
    path: Path | str, seal: Seal, fingerprint: str = "", quiet: bool = False
) -> bytes | None:
    """Return the body of a cache file if it is signed with the blog's seal for these
    settings (`fingerprint`); else None: damaged, tampered with, of other settings."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return None
    except OSError:
        if not quiet:
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
    else:
        path.write_bytes(sealed)


def _write_atomically(path: Path, data: bytes) -> None:
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
    """Return the names of the files in a cache folder; none if it does not exist."""
    try:
        return os.listdir(folder)
    except OSError:
        return []


def remove(path: Path) -> None:
    """Remove a cache file, if it can be."""
    with contextlib.suppress(OSError):
        path.unlink()
