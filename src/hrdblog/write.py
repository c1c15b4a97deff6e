"""Stage 4: check every output path, write them all into a fresh folder, then swap it in.

The previous site stays in place, untouched, until the new one is complete; a build that
fails at any point leaves it exactly as it was.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

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
        path = PurePosixPath(output.path)
        if path.is_absolute() or ".." in path.parts or "\\" in output.path or not output.path:
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


def write(outputs: list[Output], output_dir: Path) -> None:
    """Write the outputs into a new folder beside `output_dir`, then put it in its place."""
    check_outputs(outputs)
    target = output_dir.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        made: set[Path] = {fresh}
        for output in outputs:
            path = fresh / output.path
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            if output.same_as is None or not _link(output.same_as, path):
                path.write_bytes(output.content)
        (fresh / MANIFEST).write_text(manifest(outputs), encoding="utf-8")
        os.chmod(fresh, 0o755)  # mkdtemp makes it private; a web server must read it
        _swap(fresh, target)
    except OSError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise OutputError(f"cannot write the site to {output_dir}: {exc}") from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


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


def manifest(outputs: list[Output]) -> str:
    """Return `sha256  path` lines for every output, sorted by path."""
    return "".join(
        f"{hashlib.sha256(o.content).hexdigest()}  {o.path}\n"
        for o in sorted(outputs, key=lambda o: o.path)
    )


def _work_folders(target: Path, kind: str) -> list[Path]:
    """Return the folders an interrupted build left beside `target`: `.site.new-…`, `.site.old-…`.

    Only names of the exact form hrdblog gives its own folders are taken.
    """
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.{kind}-[A-Za-z0-9_]{{8}}$")
    return sorted(
        p
        for p in target.parent.iterdir()
        if pattern.match(p.name) and p.is_dir() and not p.is_symlink()
    )


def recover(target: Path) -> None:
    """Undo what a build killed while it wrote or swapped may have left.

    A site moved aside but not yet replaced is put back; half-written new sites are removed.
    """
    old = _work_folders(target, "old")
    if old and not target.exists():
        old[-1].rename(target)
        logger.warning("%s: put back the site an interrupted build had moved aside", target)
    for folder in [*_work_folders(target, "new"), *_work_folders(target, "old")]:
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
