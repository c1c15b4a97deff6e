"""Reading the blog's folders and files, the same careful way everywhere.

Every folder hrdblog reads or imports (content/, static/, templates/, a post's own folder, a
Jekyll or Hugo site) is listed by `walk`, and every file it reads is opened by `read_file`.
Between them they hold the rules that keep a build from leaking, hanging or crashing on what
it finds on disk:

- a symbolic link is followed only to a file inside the folder being read; a link that leads
  out of it, a link to a folder and a link that loops are refused, named;
- only regular files are read: a named pipe, a socket or a device would make a build wait for
  ever, or read what is not a file;
- names with control characters or backslashes, which no published address or manifest line
  can hold, are refused, and so are folders nested deeper than anyone writes them;
- a file or folder that cannot be read is an error naming it, never a traceback.

Listings are sorted, a folder's files before its subfolders, so builds are reproducible.
What hrdblog keeps of its own beside the site (caches, records, the blog's key) is written
by `replace_file`, in one step.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from hrdblog.errors import ContentError

#: Folders nested deeper than this below a folder hrdblog reads are refused.
MAX_DEPTH = 32
#: Characters no published file name may hold: control characters (a newline breaks the
#: manifest's `sha256sum` lines) and the backslash (a folder separator on Windows).
_BAD_NAME = re.compile("[\x00-\x1f\x7f-\x9f\\\\]")
_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


def display_path(path: Path, source: Path) -> str:
    """Return `path` relative to the blog folder `source` where it is inside it."""
    try:
        return path.relative_to(source).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class Listing:
    """The files found under a folder, and the problems found on the way."""

    files: list[Path] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


def is_hidden(name: str) -> bool:
    """Tell whether a file's or folder's name is hidden, which every build leaves out: it
    starts with a dot, as editors' swap files, version control and the build cache do."""
    return name.startswith(".")


def walk(
    root: Path,
    base: Path,
    wanted: Callable[[str], bool] = lambda name: True,
    hidden: Iterable[str] = (),
    skip: Callable[[Path], bool] = lambda folder: False,
) -> Listing:
    """List the regular files under `root` whose names are `wanted`, in a stable order.

    Hidden files and folders (names starting with a dot) are left out, except the names in
    `hidden`; so are the subfolders for which `skip` is true. Problems name their paths
    relative to the blog folder `base`.
    """
    listing = Listing()

    def shown(path: Path) -> str:
        return display_path(path, base)

    try:
        top = root.resolve(strict=True)
    except FileNotFoundError:
        return listing  # no such folder: nothing under it
    except (OSError, RuntimeError) as exc:
        listing.errors.append(_error(shown(root), f"cannot be read: {exc}"))
        return listing
    if not top.is_relative_to(base.resolve()):
        # The folder itself is a link: it may lead only where the rest may.
        listing.errors.append(
            _error(
                shown(root),
                f"a symbolic link to {top}, outside {base}: the folders a build reads are "
                "inside the blog's own",
                "move or copy the folder here instead of linking to it",
            )
        )
        return listing
    if not top.is_dir():
        listing.errors.append(
            _error(shown(root), "this is a file, not a folder", "put a folder in its place")
        )
        return listing
    allowed_hidden = frozenset(hidden)
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda entry: entry.name)
        except OSError as exc:
            listing.errors.append(_error(shown(folder), f"cannot be read: {_reason(exc)}"))
            continue
        folders = []
        for entry in entries:
            name = entry.name
            if is_hidden(name) and name not in allowed_hidden:
                continue
            path = Path(entry.path)
            kind = _kind(entry, top, path, shown, listing)
            if kind is None:
                continue
            if _BAD_NAME.search(name):
                listing.errors.append(
                    _error(
                        shown(path),
                        f"the name {name!r} holds a control character or a backslash, which no "
                        "web address can hold",
                        "rename it with letters, digits, hyphens and dots only",
                    )
                )
            elif kind == "folder":
                folders.append(path)
            elif wanted(name):
                listing.files.append(path)
        if folders and depth + 1 > MAX_DEPTH:
            listing.errors.append(
                _error(
                    shown(folders[0]),
                    f"folders are nested more than {MAX_DEPTH} deep here",
                    "move the files up into fewer folders",
                )
            )
            continue
        stack.extend((sub, depth + 1) for sub in reversed(folders) if not skip(sub))
    return listing


def _kind(
    entry: os.DirEntry[str], top: Path, path: Path, shown: Callable[[Path], str], listing: Listing
) -> str | None:
    """Return "file" or "folder" for an entry that may be read; note why another may not."""
    try:
        if entry.is_symlink():
            return _link_kind(top, path, shown, listing)
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as exc:
        listing.errors.append(_error(shown(path), f"cannot be read: {_reason(exc)}"))
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    listing.errors.append(_not_a_file(shown(path), mode))
    return None


def _link_kind(top: Path, path: Path, shown: Callable[[Path], str], listing: Listing) -> str | None:
    try:
        target = Path(os.path.realpath(path, strict=True))
        mode = os.stat(target).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            message = "a symbolic link that leads back to itself (a loop)"
        elif exc.errno == errno.ENOENT:
            message = "a symbolic link to a file that does not exist"
        else:
            message = f"a symbolic link that cannot be followed: {_reason(exc)}"
        listing.errors.append(_error(shown(path), message, "remove the link"))
        return None
    if not target.is_relative_to(top):
        listing.errors.append(
            _error(
                shown(path),
                f"a symbolic link to {target}, outside {shown(top) or 'the folder'}: links may "
                "only lead to files inside the folder they are in",
                "copy the file here instead of linking to it",
            )
        )
        return None
    if stat.S_ISDIR(mode):
        listing.errors.append(
            _error(
                shown(path),
                "a symbolic link to a folder: only links to files are followed",
                "move or copy the folder here instead of linking to it",
            )
        )
        return None
    if not stat.S_ISREG(mode):
        listing.errors.append(_not_a_file(shown(path), mode))
        return None
    return "file"


def _not_a_file(shown: str, mode: int) -> ContentError:
    kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
    return _error(
        shown,
        f"this is {kind}, not a file: it cannot be read or published",
        "put a file in its place" if kind == "a folder" else "remove it from the folder",
    )


@dataclass(frozen=True)
class FileData:
    """A file's bytes, and its stat as it was when they were read."""

    data: bytes
    stat: os.stat_result


def read_file(
    path: Path, shown: str, limit: int | None = None, what: str = "files here", hint: str = ""
) -> FileData:
    """Return a regular file's bytes and its stat, or raise a ContentError naming it.

    The file is opened without waiting (a named pipe put in its place cannot stall the build)
    and read only if it is a regular file of at most `limit` bytes.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _error(shown, f"cannot be read: {_reason(exc)}", _hint(exc)) from None
    try:
        before = os.fstat(descriptor)
    except OSError as exc:
        os.close(descriptor)
        raise _error(shown, f"cannot be read: {_reason(exc)}", _hint(exc)) from None
    if not stat.S_ISREG(before.st_mode):
        os.close(descriptor)
        raise _not_a_file(shown, before.st_mode)
    with os.fdopen(descriptor, "rb") as file:
        try:
            if limit is not None and before.st_size > limit:
                raise _error(
                    shown,
                    f"the file is {before.st_size / 1024 / 1024:.1f} MB; {what} may be at most "
                    f"{limit // 1024 // 1024} MB",
                    hint or None,
                )
            data = file.read(limit + 1 if limit is not None else -1)
        except OSError as exc:
            raise _error(shown, f"cannot be read: {_reason(exc)}", _hint(exc)) from None
    if limit is not None and len(data) > limit:
        raise _error(shown, "the file grew while it was read", "build again")
    return FileData(data, before)


class Stat(NamedTuple):
    """What tells a file's bytes apart from a later change: size, modification and change
    times, inode. The change time moves at every write, and no program can set it back."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, stat_result: os.stat_result) -> Stat:
        """Return the Stat of a file's `os.stat` result."""
        st = stat_result
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def changed_since(seen: Mapping[str, Stat]) -> list[str]:
    """Return the files whose stat is no longer the one `seen` holds."""
    changed = []
    for name, before in seen.items():
        try:
            now: Stat | None = Stat.of(os.stat(name))
        except OSError:
            now = None
        if now != before:
            changed.append(name)
    return changed


def file_key(path: Path, data: bytes) -> str:
    """Return what identifies a file's path and the bytes read from it: their SHA-256."""
    return hashlib.sha256(str(path).encode() + b"\0" + data).hexdigest()


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _hint(exc: OSError) -> str | None:
    if isinstance(exc, PermissionError):
        return "let the user who builds the blog read it (chmod a+r), or remove it"
    return None


def _error(shown: str, message: str, hint: str | None = None) -> ContentError:
    return ContentError(shown, None, message, hint)


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` in one step: into a new private file beside it (mode 0o600),
    then in its place, so that a reader finds the old file or the new one, never half of
    one. Raise OSError, leaving no part behind, if either fails."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
