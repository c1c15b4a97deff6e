"""Stage 4: check every output path, then publish: a whole new folder, or only what changed.

A build from scratch writes every file into a fresh folder beside the site and swaps it in.
A rebuild that changes a few files of a site the last build left as it was writes only those:
first into a work folder, keeping a link to each file it replaces, then moves them into place
and deletes what is gone. Either way the previous site stays untouched until everything is
ready, and a build killed in the last step is undone by the next one (`recover`).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from hrdblog.errors import HrdblogError, OutputError, raise_all
from hrdblog.models import Output

logger = logging.getLogger(__name__)

#: The list of published files with their SHA-256, in `sha256sum` format. Its presence also
#: marks a folder as hrdblog's own output, which a later build may replace.
MANIFEST = ".hrdblog-manifest"


def check_outputs(outputs: Iterable[Output]) -> None:
    """Raise if two outputs share a path or a path could leave the output folder."""
    errors: list[HrdblogError] = []
    seen: dict[str, Output] = {}
    for output in outputs:
        path = output.path
        if not _allowed(path):
            message = f"{output.origin}: the output path {output.path!r} is not allowed"
            errors.append(OutputError(message))
            continue
        key = output.path.casefold()  # two names differing in case are one file on many disks
        if key in seen:
            errors.append(
                OutputError(
                    f"{output.origin}: would be written to {output.path}, "
                    f"as would {seen[key].origin}",
                    "give one of them another `slug:` in its front matter",
                )
            )
        else:
            seen[key] = output
    raise_all(errors)


def _allowed(path: str) -> bool:
    """Tell whether an output path stays inside the output folder."""
    return (
        bool(path)
        and not path.startswith("/")
        and ".." not in path.split("/")
        and ("\\" not in path)
    )


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


class Stat(NamedTuple):
    """What tells a published file apart from a later change to it: size, mtime, inode."""

    size: int
    mtime_ns: int
    inode: int


class Written(NamedTuple):
    """A published file: the SHA-256 of its bytes, and its stat."""

    sha256: str
    stat: Stat


class Publication(NamedTuple):
    """What a write published: every file with its SHA-256, and the stat of each file it wrote
    (the others are as the last build left them)."""

    digests: dict[str, str]
    written: dict[str, Stat]


def survey(folder: Path) -> dict[str, Stat]:
    """Return every file under `folder`, by path relative to it, with its stat."""
    found: dict[str, Stat] = {}

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                else:
                    st = entry.stat(follow_symlinks=False)
                    found[prefix + entry.name] = Stat(st.st_size, st.st_mtime_ns, st.st_ino)

    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        walk(os.fspath(folder), "")
    return found


#: An in-place update pays while it changes at most this share of the site's files.
IN_PLACE_SHARE = 0.25


def write(
    outputs: list[Output],
    output_dir: Path,
    published: Mapping[str, Written] | None = None,
    present: Mapping[str, Stat] | None = None,
    staging: Staging | None = None,
) -> Publication:
    """Publish the outputs in `output_dir`; return what was published.

    `published` holds the files the last build wrote into the output folder, and `present`
    (surveyed if not given) what the folder holds now. With them, a rebuild that changes a
    small share of the files changes only those, in place; otherwise a new folder is written
    beside the site and swapped in: the `staging` folder, if the outputs were already written
    into it as they were rendered.
    """
    target = output_dir.resolve()
    try:
        check_outputs(outputs)
    except HrdblogError:
        if staging is not None:
            staging.discard()
        raise
    target.parent.mkdir(parents=True, exist_ok=True)
    if staging is None:
        recover(target)
    contents = {o.path: o.content for o in outputs if not o.kept and not o.staged}
    digests = {o.path: _digest(o) for o in outputs}
    listing = manifest(digests).encode()
    contents[MANIFEST] = listing
    digests[MANIFEST] = hashlib.sha256(listing).hexdigest()
    if published and MANIFEST in published:
        present = survey(target) if present is None else present
        changed = {
            path: content
            for path, content in contents.items()
            if path not in published
            or published[path].sha256 != digests[path]
            or present.get(path) != published[path].stat
        }
        gone = sorted(set(present) - set(digests))
        if len(changed) + len(gone) <= IN_PLACE_SHARE * len(outputs):
            try:
                _update_in_place(target, changed, gone)
            except _CannotUpdate as exc:
                logger.info("updating %s in place failed (%s): writing it anew", target, exc)
            else:
                return Publication(digests, {path: _stat(target / path) for path in changed})
    _write_anew(outputs, target, output_dir, listing, staging)
    return Publication(digests, {path: _stat(target / path) for path in digests})


def _digest(output: Output) -> str:
    """Return the SHA-256 of an output's bytes (given, for a file kept or already written)."""
    return output.sha256 or hashlib.sha256(output.content).hexdigest()


def _stat(path: Path) -> Stat:
    st = path.stat()
    return Stat(st.st_size, st.st_mtime_ns, st.st_ino)


class Staging:
    """A new site folder beside the output folder, written page by page while the site is
    rendered, so that no page waits in memory for the others; `write` swaps it in once every
    path is checked, and a build that fails removes it."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        target = output_dir.resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))

    def put(self, output: Output) -> Output:
        """Write an output's bytes into the new folder; return it without them."""
        if output.kept or output.staged or not _allowed(output.path):
            return output  # a path not allowed is left for check_outputs to report
        path = self.folder / output.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(output.content)
        except OSError as exc:
            raise OutputError(f"cannot write the site to {self.output_dir}: {exc}") from None
        digest = hashlib.sha256(output.content).hexdigest()
        return replace(output, content=b"", staged=True, sha256=digest)

    def discard(self) -> None:
        """Remove the new folder: the build failed."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _write_anew(
    outputs: list[Output],
    target: Path,
    output_dir: Path,
    listing: bytes,
    staging: Staging | None = None,
) -> None:
    """Write every output into a new folder beside `target`, then put it in its place."""
    fresh = (staging or Staging(output_dir)).folder
    try:
        made: set[Path] = {fresh}
        for output in outputs:
            if output.staged:
                continue
            path = fresh / output.path
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            if not output.kept:
                path.write_bytes(output.content)
            elif not _link(target / output.path, path):  # where links are not possible
                shutil.copyfile(target / output.path, path)
        (fresh / MANIFEST).write_bytes(listing)
        os.chmod(fresh, 0o755)  # mkdtemp makes it private; a web server must read it
        _swap(fresh, target)
    except OSError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise OutputError(f"cannot write the site to {output_dir}: {exc}") from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


class _CannotUpdate(Exception):
    """An in-place update failed and was undone: the site is as it was."""


JOURNAL = "journal.json"


def _update_in_place(target: Path, changed: Mapping[str, bytes], gone: list[str]) -> None:
    """Replace the changed files of `target` and delete those gone, all or none.

    Everything is first written into a work folder beside the site, with a hard link to each
    file about to be replaced or deleted, and a journal of the moves. Only then are the files
    moved into place, each in one atomic rename. Should that last step fail or be killed, the
    journal lets `_roll_back` (here, or in the next build's `recover`) put every file back.
    """
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.apply-", dir=target.parent))
    moves: list[tuple[str, str | None, str | None]] = []  # path, new file, kept old file
    try:
        for number, (path, content) in enumerate(changed.items()):
            (work / f"n{number}").write_bytes(content)
            moves.append((path, f"n{number}", None))
        moves += [(path, None, None) for path in gone]
        for number, (path, new, _) in enumerate(moves):
            if (target / path).is_file() and not (target / path).is_symlink():
                os.link(target / path, work / f"o{number}")
                moves[number] = (path, new, f"o{number}")
        (work / f"{JOURNAL}.part").write_text(json.dumps(moves), encoding="utf-8")
        (work / f"{JOURNAL}.part").rename(work / JOURNAL)  # from here on, undone if killed
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise _CannotUpdate(exc) from None
    try:
        for path, new, _ in moves:
            destination = target / path
            if new is None:
                destination.unlink(missing_ok=True)
                _remove_empty_folders(destination.parent, target)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(work / new, destination)
    except OSError as exc:
        _roll_back(work, target)
        raise _CannotUpdate(exc) from None
    except BaseException:
        _roll_back(work, target)
        raise
    shutil.rmtree(work, ignore_errors=True)


def _roll_back(work: Path, target: Path) -> None:
    """Put back every file an interrupted in-place update replaced or deleted; remove new ones."""
    moves = json.loads((work / JOURNAL).read_text(encoding="utf-8"))
    for path, _, old in moves:
        destination = target / path
        if old is not None:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(work / old, destination)
        elif destination.is_file():
            destination.unlink()
            _remove_empty_folders(destination.parent, target)
    shutil.rmtree(work, ignore_errors=True)


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


def manifest(digests: Mapping[str, str]) -> str:
    """Return `sha256  path` lines for every output, sorted by path."""
    return "".join(f"{digests[path]}  {path}\n" for path in sorted(digests))


def _work_folders(target: Path, kind: str) -> list[Path]:
    """Return the folders an interrupted build left beside `target`: `.site.new-…`, `.site.old-…`,
    `.site.apply-…`.

    Only names of the exact form hrdblog gives its own folders are taken.
    """
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.{kind}-[A-Za-z0-9_]{{8}}$")
    if not target.parent.is_dir():
        return []
    return sorted(
        p
        for p in target.parent.iterdir()
        if pattern.match(p.name) and p.is_dir() and not p.is_symlink()
    )


def recover(target: Path) -> None:
    """Undo what a build killed while it wrote, swapped or updated in place may have left.

    A site moved aside but not yet replaced is put back; files an in-place update had begun to
    move are put back as they were; half-written new sites are removed.
    """
    old = _work_folders(target, "old")
    if old and not target.exists():
        old[-1].rename(target)
        logger.warning("%s: put back the site an interrupted build had moved aside", target)
    for work in _work_folders(target, "apply"):
        if (work / JOURNAL).is_file():
            _roll_back(work, target)
            logger.warning("%s: undid the changes of an interrupted build", target)
    for kind in ("new", "old", "apply"):
        for folder in _work_folders(target, kind):
            shutil.rmtree(folder, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); return False where unsupported."""
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(done == 0)


def _swap(fresh: Path, target: Path) -> None:
    """Put the fresh site in the target's place: one atomic exchange where the system allows."""
    if not target.exists():
        fresh.rename(target)
        return
    if _exchange(fresh, target):
        shutil.rmtree(fresh)  # now the previous site
        return
    # Two renames: a build killed between them leaves the previous site in .site.old-…,
    # which the next build puts back (recover).
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        fresh.rename(target)
    except OSError:
        old.rename(target)  # put the previous site back
        raise
    shutil.rmtree(old)
