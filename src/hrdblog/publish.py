"""Publishing: how a built site takes the place of the one before, all or nothing.

Stage 5, `write`, writes every file into a new folder beside the site and swaps it in, in one
step where the system allows (`exchange`). `update` changes only the files that differ from
what the last build published, in place: first into a work folder, with a link to each file
it replaces and a signed journal of the moves, then each moved in one rename. Either way the
previous site stays untouched until everything is ready, and a build killed in the last step is
undone by the next one (`recover`), which touches only the work folders this blog recorded
(`WorkFolders`). Every site carries its manifest (`manifest`): the SHA-256 of each file.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import hashlib
import itertools
import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from hrdblog.errors import ContentError, OutputError
from hrdblog.exchange import exchange
from hrdblog.files import Stat, read_file, replace_file
from hrdblog.models import Output
from hrdblog.seal import Seal
from hrdblog.urls import MANIFEST, MANIFESTS, Origin, check_paths, path_allowed

logger = logging.getLogger(__name__)


def check_outputs(outputs: Iterable[Output]) -> None:
    """Raise if two outputs share a path or a path could leave the output folder."""
    check_paths((output.path, Origin(output.origin)) for output in outputs)


def check_output_dir(
    output_dir: Path, blog_dir: Path, protected: Iterable[Path], force: bool = False
) -> None:
    """Refuse an output folder hrdblog must not replace.

    It may not be the blog's folder or hold it, nor be, hold or sit inside a `protected`
    folder (content, templates, static files); nor, unless forced, a folder of other files.
    """
    target = output_dir.resolve()
    if blog_dir.resolve().is_relative_to(target):
        raise OutputError(
            f"the output folder {output_dir} would replace the blog's own folder",
            "choose an output folder inside the blog's folder, e.g. --output site",
        )
    for folder in protected:
        folder = folder.resolve()
        if target == folder or target.is_relative_to(folder) or folder.is_relative_to(target):
            raise OutputError(
                f"the output folder {output_dir} would replace {folder}",
                "choose an output folder apart from the blog's own folders, e.g. --output site",
            )
    if target.exists() and not target.is_dir():
        raise OutputError(
            f"the output folder {output_dir} is a file",
            "choose another output folder, or move the file away",
        )
    if (
        not force
        and target.is_dir()
        and any(target.iterdir())
        and not (target / MANIFEST).is_file()
    ):
        raise OutputError(
            f"the output folder {output_dir} holds files that hrdblog did not write",
            "choose another output folder, or give --force to replace it",
        )


class Written(NamedTuple):
    """A published file: the SHA-256 of its bytes, and its stat."""

    sha256: str
    stat: Stat


class Publication(NamedTuple):
    """What a write published: every file with its SHA-256, and the stat of each file it wrote
    (the others are as the last build left them)."""

    checksums: dict[str, str]
    stats: dict[str, Stat]


def survey(folder: Path) -> dict[str, Stat]:
    """Return every file under `folder`, by path relative to it, with its stat, and every
    empty folder, by its path and a slash (no build makes one); nothing if there is no such
    folder. Raise OutputError naming a folder in it that cannot be read."""
    found: dict[str, Stat] = {}
    stack = [(os.fspath(folder), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            with os.scandir(directory) as entries:
                empty = True
                for entry in entries:
                    empty = False
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, f"{prefix}{entry.name}/"))
                    else:  # Stat.of, made here: a survey stats every file of the site
                        st = entry.stat(follow_symlinks=False)
                        found[prefix + entry.name] = Stat(
                            st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino
                        )
            if empty and prefix:
                found[prefix] = Stat.of(os.stat(directory, follow_symlinks=False))
        except (FileNotFoundError, NotADirectoryError):
            if not prefix:
                return {}  # no site yet
            raise OutputError(
                f"{directory} changed while the site was read", "build again"
            ) from None
        except OSError as exc:
            raise OutputError(
                f"{directory} cannot be read: {exc.strerror or exc}",
                "let the user who builds the blog read it, or remove it",
            ) from None
    return found


#: An in-place update pays while it changes at most this share of the site's files.
IN_PLACE_SHARE = 0.25


def write(
    outputs: Iterable[Output],
    output_dir: Path,
    work: WorkFolders,
    kept: Mapping[str, str] | None = None,
) -> Publication:
    """Stage 5: publish the outputs as a whole new site; return what was published.

    Each output is written into a new folder beside the output folder as it comes, so that no
    page waits in memory for the others; the files of the current site named in `kept` (path →
    SHA-256) are linked into it as they are. Then the new folder takes the output folder's place
    in one step. Should anything fail first, the new folder is removed and the site is as it was.
    Work folders are made through `work`.
    """
    target = output_dir.resolve()
    fresh = _NewSite(output_dir, work)
    try:
        checksums = fresh.fill(outputs, target, kept or {})
        listing = manifest(checksums).encode()
        for name in MANIFESTS:
            checksums[name] = hashlib.sha256(listing).hexdigest()
            fresh.put(name, listing)
        os.chmod(fresh.folder, 0o755)  # work folders are made private; a web server must read it
        _say_what_goes(output_dir, published_paths(target), survey(target), checksums)
    except OSError as exc:
        fresh.discard()
        raise OutputError(f"cannot write the site to {output_dir}: {exc}") from None
    except BaseException:
        fresh.discard()
        raise
    _swap(fresh.folder, target, work)
    return Publication(checksums, {path: _stat(target / path) for path in checksums})


@dataclass(frozen=True)
class NotInPlace:
    """An update in place declined, the site as it was: what is still to publish, as a whole
    new site (`write`)."""

    outputs: Iterable[Output]  # the outputs to write: those held, then those not yet taken
    kept: dict[str, str]  # the files of the site to keep: path → SHA-256, with those the
    # outputs taken but not held equal


def update(
    outputs: Iterable[Output],
    output_dir: Path,
    work: WorkFolders,
    kept: Mapping[str, str],
    published: Mapping[str, Written],
    present: Mapping[str, Stat],
) -> Publication | NotInPlace:
    """Publish the outputs by changing, in place, only the files that differ from what the
    last build published, and return what was published; or, where that is not worth it or
    not possible, change nothing and return what is left to publish anew.

    `published` holds the files the last build wrote, `present` what the output folder holds
    now, and `kept` (path → SHA-256) the files of the current site to keep as they are. The
    outputs are taken as they come: one that equals its published file is not held, and
    once those that differ are more than an update pays for (IN_PLACE_SHARE of the site),
    the update is declined, so that no more than these wait in memory.
    """
    if MANIFEST not in published:
        return NotInPlace(outputs, dict(kept))
    target = output_dir.resolve()
    checksums = dict(kept)
    origins: dict[str, str] = dict.fromkeys(kept, "a file of the site")
    changed: dict[str, bytes] = {}
    same: dict[str, str] = {}  # the outputs that equal their published file: path → SHA-256
    # Those that differ are held until they are more than an update pays for, of a site as
    # large as the last one or as this one so far, whichever is larger.
    published_files = len(set(published) - set(MANIFESTS))

    def declined(rest: Iterable[Output] = ()) -> NotInPlace:
        held = [Output(path, content, origins[path]) for path, content in changed.items()]
        return NotInPlace(itertools.chain(held, rest), {**kept, **same})

    taken = iter(outputs)
    for output in taken:
        path = output.path
        _check_new(output, origins)
        origins[path] = output.origin
        checksums[path] = sha256 = hashlib.sha256(output.content).hexdigest()
        last = published.get(path)
        if last is not None and last.sha256 == sha256 and present.get(path) == last.stat:
            same[path] = sha256
        else:
            changed[path] = output.content
            if len(changed) > IN_PLACE_SHARE * max(published_files, len(checksums)):
                return declined(taken)
    listing = manifest(checksums).encode()
    moves = dict(changed)
    for name in MANIFESTS:
        checksums[name] = hashlib.sha256(listing).hexdigest()
        last = published.get(name)
        if last is None or last.sha256 != checksums[name] or present.get(name) != last.stat:
            moves[name] = listing
    gone = sorted(set(present) - set(checksums))
    # The list, under both its names, counts as one file.
    changes = len(set(moves) - set(MANIFESTS)) + 1 + len(gone)
    if changes > IN_PLACE_SHARE * (len(checksums) - len(MANIFESTS)):
        return declined()
    if any(path.endswith("/") for path in gone):  # an empty folder: a new site has none
        return declined()
    try:
        _update_in_place(target, moves, gone, work)
    except _CannotUpdate as exc:
        logger.info("updating %s in place failed (%s): writing it anew", target, exc)
        return declined()
    _say_what_goes(output_dir, published, present, checksums)  # read before the update
    return Publication(checksums, {path: _stat(target / path) for path in moves})


def _check_new(output: Output, origins: Mapping[str, str]) -> None:
    """Refuse an output whose path could leave the site, or that another output, or a file
    kept (`origins`: path → what it is), already has."""
    path = output.path
    if path in origins or path in MANIFESTS or not path_allowed(path):
        check_outputs([*(Output(p, b"", origin) for p, origin in origins.items()), output])
        raise OutputError(f"{output.origin} cannot be written to {path}")


#: How many files added to the site by hand a build names, before it counts the others.
NAMED = 10


def _say_what_goes(
    output_dir: Path,
    listed: Container[str] | None,
    present: Mapping[str, Stat],
    checksums: Mapping[str, str],
) -> None:
    """Warn of each file of the site that this build removes though no build published it
    (put there by hand; `listed`: what the last build published, if known): hosts' files
    like CNAME belong in root/."""
    if listed is None:
        return
    foreign = sorted(path for path in present if path not in listed and path not in checksums)
    for path in foreign[:NAMED]:
        if path.endswith("/"):
            logger.warning(
                "%s/%s: removed: an empty folder, which no build makes", output_dir.as_posix(), path
            )
            continue
        logger.warning(
            "%s/%s: removed: no build published it, so it was put there by hand; a file to "
            "publish at the root of the site goes in root/%s",
            output_dir.as_posix(),
            path,
            path,
        )
    if len(foreign) > NAMED:
        logger.warning(
            "and %d more files put in %s by hand, removed", len(foreign) - NAMED, output_dir
        )


_LISTED = re.compile(r"^[0-9a-f]{64}  (.+)$")


def published_paths(site: Path) -> set[str] | None:
    """Return the paths the manifest of a built site lists; None if it has none to read."""
    try:
        text = read_file(site / MANIFEST, MANIFEST).data.decode("utf-8")
    except (ContentError, UnicodeDecodeError):
        return None
    paths = set(MANIFESTS)
    for line in text.splitlines():
        match = _LISTED.match(line)
        if match is None:
            return None  # not a manifest hrdblog wrote: no file in the site is told apart
        paths.add(match.group(1))
    return paths


def _stat(path: Path) -> Stat:
    return Stat.of(path.stat())


class WorkFolders:
    """The folders a build makes beside the site: `.site.new-…` (a new site being written),
    `.site.apply-…` (files about to be moved in, with their journal) and `.site.old-…` (the
    site moved aside for a moment).

    Each is written into a record, signed with the blog's seal, before it is made, and struck
    off once it is gone; `recover` undoes and removes only the folders the record holds. Any
    other folder of those names (planted, copied from another machine, another blog's) is
    left alone, with a warning: what is in it is never moved into the site, nor deleted.
    """

    def __init__(self, target: Path, record: Path | None, seal: Seal) -> None:
        self.target = target.resolve()
        self.record = record
        self.seal = seal
        self._names: set[str] = set()
        self._loaded = False

    def _context(self) -> str:
        return f"work folders of {self.target}"

    def names(self) -> set[str]:
        """Return the names of the work folders the record holds."""
        if not self._loaded and self.record is not None:
            self._loaded = True
            try:
                data = self.record.read_bytes()
            except OSError:
                data = b""
            body = self.seal.unwrap(data, self._context()) if data else None
            try:
                found = json.loads(body) if body is not None else []
            except ValueError:
                found = []
            if isinstance(found, list):
                self._names = {n for n in found if isinstance(n, str) and _WORK_NAME.match(n)}
        return self._names

    def _save(self) -> None:
        if self.record is None:
            return
        body = json.dumps(sorted(self._names)).encode()
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.record, self.seal.wrap(body, self._context()))
        except OSError as exc:
            logger.info("the record of work folders cannot be written: %s", exc)

    def name(self, kind: str) -> Path:
        """Return a new work folder's path, recorded before anything is made there."""
        self.names()
        folder = self.target.parent / f".{self.target.name}.{kind}-{secrets.token_hex(4)}"
        self._names.add(folder.name)
        self._save()
        return folder

    def make(self, kind: str) -> Path:
        """Make a new, private work folder beside the site; return it."""
        self.target.parent.mkdir(parents=True, exist_ok=True)
        folder = self.name(kind)
        folder.mkdir(0o700)
        return folder

    def remove(self, folder: Path) -> None:
        """Remove a work folder and strike it off the record; one that cannot be removed stays
        on it, for the next build to try again."""
        with contextlib.suppress(OSError):
            remove_tree(folder)
        if folder.exists():
            logger.warning("%s could not be removed: the next build tries again", folder)
        else:
            self.forget(folder)

    def forget(self, folder: Path) -> None:
        """Strike a work folder off the record: it is gone, or it is the site now."""
        if folder.name in self.names():
            self._names.discard(folder.name)
            self._save()


_WORK_NAME = re.compile(r"^\.[^/\\]+\.(?:new|old|apply)-[0-9a-f]{8}$")


def _write_new(path: str, content: bytes) -> None:
    """Write a file that is not there yet, in a work folder.

    With the system's calls themselves: the main process writes every page of a site while
    the workers render, and a file object for each costs as much as the writing.
    """
    fd = os.open(path, _NEW_FILE, 0o666)
    try:
        left = memoryview(content)
        while left:
            left = left[os.write(fd, left) :]
    finally:
        os.close(fd)


#: A file written by `_write_new`: made there, never one already there.
_NEW_FILE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_CLOEXEC", 0)  # not on Windows, whose own are the two below
    | getattr(os, "O_NOINHERIT", 0)
    | getattr(os, "O_BINARY", 0)
)


class _NewSite:
    """A new site folder beside the output folder, filled file by file; `write` swaps it in
    once it is whole, and removes it if anything fails first."""

    def __init__(self, output_dir: Path, work: WorkFolders) -> None:
        self.output_dir = output_dir
        self.work = work
        try:
            self.folder = work.make("new")
        except OSError as exc:
            raise OutputError(f"cannot write the site to {output_dir}: {exc}") from None
        self._root = str(self.folder)
        self._made = {""}  # the folders made in it, by path relative to it

    def fill(
        self, outputs: Iterable[Output], target: Path, kept: Mapping[str, str]
    ) -> dict[str, str]:
        """Write every output, and link in every file of the current site (`target`) that is
        kept; return the SHA-256 of every file by path. A path that could leave the folder,
        or that two outputs share, is refused before anything is written at it."""
        checksums: dict[str, str] = {}
        origins: dict[str, str] = dict.fromkeys(kept, "a file of the site")
        with _Writers(self) as writers:
            for output in outputs:
                path = output.path
                _check_new(output, origins)
                origins[path] = output.origin
                writers.put(path, output.content)
                checksums[path] = hashlib.sha256(output.content).hexdigest()
        for path, sha256 in kept.items():
            new = Path(self._place(path))
            if not _link(target / path, new):  # where links are not possible
                shutil.copyfile(target / path, new)
            checksums[path] = sha256
        return checksums

    def put(self, path: str, content: bytes) -> None:
        """Write one file into the new folder."""
        _write_new(self._place(path), content)

    def _place(self, path: str) -> str:
        """Return where a file of the site goes in the new folder, its folder made."""
        folder = path.rpartition("/")[0]
        if folder not in self._made:
            self._make(folder)
        return f"{self._root}/{path}"

    def _make(self, folder: str) -> None:
        """Make a folder of the new site, and the folders it is in: never the new folder
        itself, so that once discarded it stays gone, whatever a writer still does."""
        missing = [folder]
        while (parent := missing[-1].rpartition("/")[0]) not in self._made:
            missing.append(parent)
        for made in reversed(missing):
            with contextlib.suppress(FileExistsError):  # by another writer meanwhile
                os.mkdir(f"{self._root}/{made}")
            self._made.add(made)

    def discard(self) -> None:
        """Remove the new folder: the build failed."""
        self.work.remove(self.folder)


class _Writers:
    """Threads that write the files of a new site as its pages come.

    A speed trick, with its contract: each file is written (`_NewSite.put`) exactly as if the
    caller wrote it; the first failure is raised to the caller by a later `put` (at most
    WRITING_AHEAD files later) or at the block's end; and when the block ends, however it
    ends, every thread has stopped and no file is being written. Threads, because making
    folders and files is the system's work, done outside Python's lock: while the workers
    render, one thread alone making a site's thousands of folders and files is what the
    build waits for.

    The threads start with the first file, so after the pages' renderer has started its
    workers: it forks them only where no other thread runs (`pool.can_fork`).
    """

    def __init__(self, site: _NewSite) -> None:
        self._site = site
        self._threads = concurrent.futures.ThreadPoolExecutor(
            WRITERS, thread_name_prefix="hrdblog-write"
        )
        self._writing: collections.deque[concurrent.futures.Future[None]] = collections.deque()

    def put(self, path: str, content: bytes) -> None:
        """Write a file of the site, or raise the failure of one written before."""
        self._writing.append(self._threads.submit(self._site.put, path, content))
        if len(self._writing) > WRITING_AHEAD:
            self._writing.popleft().result()

    def __enter__(self) -> _Writers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            while kind is None and self._writing:
                self._writing.popleft().result()
        finally:
            self._stop()

    def _stop(self) -> None:
        """Drop the files not begun and wait for those being written, through any further
        interrupt (Ctrl-C pressed again): the caller may remove the folder once this returns.

        It waits for the files, not the threads: a join that an interrupt cuts short may
        take a thread that still runs for ended (CPython's issue 90882, up to 3.12). A file
        that never ends (a disk that hangs) holds it, as it would hold one writer alone: a
        signal that ends the process (SIGTERM) still does, and the next build removes what
        is left.
        """
        self._threads.shutdown(wait=False, cancel_futures=True)
        # A file cancelled never runs, and `wait` would wait for it for ever.
        begun = [writing for writing in self._writing if not writing.cancelled()]
        interrupted: KeyboardInterrupt | None = None
        while True:
            try:
                concurrent.futures.wait(begun)
                break
            except KeyboardInterrupt as exc:
                interrupted = exc
        self._writing.clear()
        try:
            self._threads.shutdown(wait=True)  # the threads are idle: they end at once
        finally:
            if interrupted is not None:
                raise interrupted


#: How many threads write a new site's files: two keep the system busy while the main
#: thread takes the pages (a cold build of 1,000 posts about a tenth faster on two cores).
WRITERS = 2
#: How many files may wait for a writer: no more pages than these are held in memory.
WRITING_AHEAD = 64


class _CannotUpdate(Exception):
    """An in-place update failed and was undone: the site is as it was."""


JOURNAL = "journal.json"
_Move = tuple[str, str | None, str | None]  # a path in the site, its new file, its old file


def _update_in_place(
    target: Path, changed: Mapping[str, bytes], gone: list[str], work: WorkFolders
) -> None:
    """Replace the changed files of `target` and delete those gone, all or none.

    Everything is first written into a work folder beside the site, with a hard link to each
    file about to be replaced or deleted, and a journal of the moves. Only then are the files
    moved into place, each in one atomic rename. Should that last step fail or be killed, the
    journal lets `_roll_back` (here, or in the next build's `recover`) put every file back.
    """
    through = next((p for p in [*changed, *gone] if _through_link(target, p)), None)
    if through is not None:  # a link put in the site: writing through it would leave the site
        raise _CannotUpdate(f"{through} is reached through a symbolic link")
    try:
        folder = work.make("apply")
    except OSError as exc:
        raise _CannotUpdate(exc) from None
    moves: list[_Move] = []
    try:
        for number, (path, content) in enumerate(changed.items()):
            _write_new(str(folder / f"n{number}"), content)
            moves.append((path, f"n{number}", None))
        moves += [(path, None, None) for path in gone]
        for number, (path, new, _) in enumerate(moves):
            if (target / path).is_file() and not (target / path).is_symlink():
                os.link(target / path, folder / f"o{number}")
                moves[number] = (path, new, f"o{number}")
        body = json.dumps(moves).encode()
        (folder / f"{JOURNAL}.part").write_bytes(work.seal.wrap(body, _journal_context(folder)))
        (folder / f"{JOURNAL}.part").rename(folder / JOURNAL)  # from here on, undone if killed
    except OSError as exc:
        work.remove(folder)
        raise _CannotUpdate(exc) from None
    try:
        for path, new, _ in moves:
            destination = target / path
            if new is None:
                destination.unlink(missing_ok=True)
                _remove_empty_folders(destination.parent, target)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(folder / new, destination)
    except OSError as exc:
        _roll_back(folder, target, work)
        raise _CannotUpdate(exc) from None
    except BaseException:
        _roll_back(folder, target, work)
        raise
    work.remove(folder)


def _journal_context(folder: Path) -> str:
    return f"journal of {folder}"


def _journal(
    folder: Path, target: Path, work: WorkFolders
) -> list[tuple[str, str | None, str | None]]:
    """Return the moves a work folder's journal lists, each checked: signed by this blog,
    paths inside the site, files inside the work folder. Raise ValueError if any is not."""
    data = (folder / JOURNAL).read_bytes()
    body = work.seal.unwrap(data, _journal_context(folder))
    if body is None:
        raise ValueError("its journal is not signed by this blog's builds")
    moves = json.loads(body)
    if not isinstance(moves, list):
        raise ValueError("its journal is not a list of moves")
    checked = []
    for move in moves:
        if not (isinstance(move, list) and len(move) == 3):
            raise ValueError(f"its journal holds {move!r}")
        path, new, old = move
        if not isinstance(path, str) or not _normal(path):
            raise ValueError(f"its journal names {path!r}, which is not a path inside the site")
        for name in (new, old):
            if name is not None and not (isinstance(name, str) and _MOVED.match(name)):
                raise ValueError(f"its journal names {name!r}, which is not one of its files")
        if _through_link(target, path):
            raise ValueError(f"{path} is reached through a symbolic link")
        checked.append((path, new, old))
    return checked


_MOVED = re.compile(r"^[no][0-9]{1,9}$")


def _normal(path: str) -> bool:
    """Tell whether a path is relative and normal: no empty, `.` or `..` segment, no `\\`."""
    parts = path.split("/")
    return (
        path_allowed(path)
        and all(part not in {"", ".", ".."} for part in parts)
        and not _CONTROL.search(path)
    )


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _through_link(top: Path, path: str) -> bool:
    """Tell whether a path inside `top` goes through a symbolic link on the way."""
    folder = top
    for part in path.split("/")[:-1]:
        folder = folder / part
        if folder.is_symlink():
            return True
    return False


def _roll_back(folder: Path, target: Path, work: WorkFolders) -> None:
    """Put back every file an interrupted in-place update replaced or deleted; remove new ones."""
    for path, _, old in _journal(folder, target, work):
        destination = target / path
        kept = folder / old if old is not None else None
        if kept is not None and kept.is_file() and not kept.is_symlink():
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(kept, destination)
        elif old is None and destination.is_file() and not destination.is_symlink():
            destination.unlink()
            _remove_empty_folders(destination.parent, target)
    work.remove(folder)


def _remove_empty_folders(folder: Path, top: Path) -> None:
    """Remove `folder` and its parents up to `top` (kept) while they are empty."""
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _link(existing: Path, path: Path) -> bool:
    """Give `path` the published file's bytes by a hard link: one step, no copying.

    hrdblog never changes a written file in place, so the link cannot make two sites share a
    change. Where links are not possible (another file system, Windows shares), return False.
    """
    try:
        os.link(existing, path)
    except OSError:
        return False
    return True


def manifest(checksums: Mapping[str, str]) -> str:
    """Return `sha256  path` lines for every output, sorted by path."""
    return "".join(f"{checksums[path]}  {path}\n" for path in sorted(checksums))


def _work_folders(target: Path, kind: str) -> list[Path]:
    """Return the folders beside `target` named as hrdblog names its work folders:
    `.site.new-…`, `.site.old-…`, `.site.apply-…`."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.{kind}-[A-Za-z0-9_]{{8}}$")
    if not target.parent.is_dir():
        return []
    return sorted(
        p
        for p in target.parent.iterdir()
        if pattern.match(p.name) and p.is_dir() and not p.is_symlink()
    )


def recover(work: WorkFolders) -> None:
    """Undo what a build killed while it wrote, swapped or updated in place may have left.

    A site moved aside but not yet replaced is put back; files an in-place update had begun to
    move are put back as they were; half-written new sites are removed. Only folders the
    record of work folders holds are touched; others are left alone, with a warning.
    """
    target = work.target
    ours = work.names()
    for kind in ("old", "apply", "new"):
        for folder in _work_folders(target, kind):
            if folder.name not in ours:
                logger.warning(
                    "%s: left alone: no build of this blog made this folder, though it is named "
                    "like one of hrdblog's work folders; remove it if it is not yours",
                    folder,
                )
                continue
            if kind == "old" and not target.exists():
                folder.rename(target)
                work.forget(folder)
                logger.warning("%s: put back the site an interrupted build had moved aside", target)
            elif kind == "apply" and (folder / JOURNAL).is_file():
                try:
                    _roll_back(folder, target, work)
                except (OSError, ValueError) as exc:
                    logger.warning("%s: left alone: %s", folder, exc)
                    continue
                logger.warning("%s: undid the changes of an interrupted build", target)
            else:
                work.remove(folder)
    for name in sorted(
        ours - {p.name for p in target.parent.iterdir()} if target.parent.is_dir() else ours
    ):
        work.forget(target.parent / name)


def _swap(fresh: Path, target: Path, work: WorkFolders) -> None:
    """Put the fresh site in the target's place: one atomic exchange where the system allows.

    Once the fresh site is in place the build is done, whatever follows: a previous site that
    cannot be removed is a warning, not a failure.
    """
    if not target.exists():
        try:
            fresh.rename(target)
        except OSError as exc:
            work.remove(fresh)
            raise OutputError(f"cannot put the new site in place of {target}: {exc}") from None
        work.forget(fresh)
        return
    if exchange(fresh, target):
        _remove_previous(fresh, work)  # now the previous site
        return
    # Two renames: a build killed between them leaves the previous site in .site.old-…,
    # which the next build puts back (recover).
    old = work.name("old")
    try:
        target.rename(old)
    except OSError as exc:
        work.forget(old)
        work.remove(fresh)
        raise OutputError(f"cannot put the new site in place of {target}: {exc}") from None
    try:
        fresh.rename(target)
    except OSError as exc:
        old.rename(target)  # put the previous site back
        work.forget(old)
        work.remove(fresh)
        raise OutputError(f"cannot put the new site in place of {target}: {exc}") from None
    work.forget(fresh)
    _remove_previous(old, work)


def _remove_previous(folder: Path, work: WorkFolders) -> None:
    """Remove the previous site once the new one is in its place; say so if it stays."""
    try:
        remove_tree(folder)
    except OSError as exc:
        logger.warning(
            "the new site is in place, but the previous one could not be removed from %s "
            "(%s); the next build tries again, or remove it yourself",
            folder,
            exc.strerror or exc,
        )
        return
    work.forget(folder)


def remove_tree(folder: Path) -> None:
    """Remove a folder and all it holds, links as links, however deep it goes (a site may
    hold folders nested deeper than `shutil.rmtree` can recurse); raise OSError if it cannot."""
    try:
        shutil.rmtree(folder)
        return
    except RecursionError:
        pass
    stack = [(os.fspath(folder), False)]
    while stack:
        path, emptied = stack.pop()
        if emptied:
            os.rmdir(path)
            continue
        stack.append((path, True))
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, False))
                else:
                    os.unlink(entry.path)
