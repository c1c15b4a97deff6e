"""What a build is made from, each file with its key, and the fingerprint of everything else.

A post is remembered, and a page kept, only under the fingerprint of the settings, hrdblog and
the libraries it uses as installed now (`fingerprint`): a change to any of them makes the
whole record stale. Every file a build reads has a key, the SHA-256 of its path and bytes
(`files.file_key`), found by `input_keys`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from hrdblog import __version__
from hrdblog.config import BUILD_SETTINGS, ROOT_HIDDEN, SiteConfig
from hrdblog.errors import ContentError
from hrdblog.files import Listing, Stat, file_key, read_file, walk
from hrdblog.read import UNREADABLE, post_files

#: The version of the format of everything `incremental` writes.
FORMAT = 7


def fingerprint(config: SiteConfig) -> str:
    """Return a digest of everything besides a post's own files that shapes how it is read."""
    settings = {name: getattr(config, name) for name in sorted(BUILD_SETTINGS)}
    parts = [
        f"format {FORMAT}",
        f"hrdblog {__version__} {_package_signature()}",
        *libraries(),
        str(config.source),  # messages and post folders name files from it
        repr(_plain(settings)),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


#: The libraries whose output builds keep, besides what they bring along themselves.
_LIBRARIES = (
    "markdown",
    "cmarkgfm",
    "jinja2",
    "pyyaml",
    "python-slugify",
    "babel",
    "pillow",
    "pagefind-bin",  # the search index's program, which pagefind's `bin` extra brings
)


@functools.cache
def libraries() -> tuple[str, ...]:
    """Return the name and version of every library a build's output may depend on: those
    hrdblog requires, cmarkgfm, and all they require in turn, as installed now. A change to
    any of them makes remembered posts and kept pages stale."""
    seen: dict[str, str] = {}
    wanted = [*_LIBRARIES, *_requirements("hrdblog")]
    while wanted:
        name = wanted.pop().lower().replace("_", "-")
        if name in seen:
            continue
        try:
            seen[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            seen[name] = "absent"
            continue
        wanted += _requirements(name)
    return tuple(f"{name} {version}" for name, version in sorted(seen.items()))


def _requirements(name: str) -> list[str]:
    """Return the names of the distributions `name` requires (not those of its extras)."""
    try:
        found = importlib.metadata.requires(name) or []
    except importlib.metadata.PackageNotFoundError:
        return []
    return [
        re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0]
        for requirement in found
        if "extra ==" not in requirement and "extra==" not in requirement
    ]


@functools.cache
def _package_signature() -> str:
    """Return the signature of hrdblog's own code and theme, as installed now."""
    return folder_signature(Path(__file__).parent.parent)


def folder_signature(package: Path) -> str:
    """Return a digest of every file of a package but its bytecode (code, templates,
    stylesheets, scripts, texts): a change to any, released or not, makes remembered posts
    and kept pages stale."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


class Known(NamedTuple):
    """A file as the record of a build remembers it: its stat, and the key of its bytes."""

    stat: Stat
    key: str


@dataclass(frozen=True)
class Inputs:
    """What a build is made from: the post files of `content/` (as `read.post_files` lists
    them), each with its key; the keys of the other files it reads (a post's photos, static/,
    templates/, root/), the templates among them; the files to remember for the next build;
    every file's stat before it was read; and what is wrong in any of the folders (such a
    build is never one with nothing to do)."""

    listing: Listing
    posts: dict[Path, str]
    others: dict[Path, str]
    templates: dict[Path, str]  # those of the others that are the site's templates
    remembered: dict[str, Known]
    seen: dict[str, Stat]
    problems: tuple[str, ...]

    def keys(self) -> dict[Path, str]:
        """Return the key of every file the build reads."""
        return {**self.posts, **self.others}


#: A file changed more recently than this is read again by the next build.
RECENT_NS = 1_000_000_000


def input_keys(config: SiteConfig, known: Mapping[str, Known]) -> Inputs:
    """Return every file a build reads with its key, from its bytes or from `known`.

    A file whose stat is the one `known` holds keeps its key without being read: writing to a
    file sets its change time, which no program can set back. The stat remembered is the one
    taken before the bytes were read, and only if it is the same after: a file changed
    meanwhile is read again by the next build. A file changed within the last second is not
    remembered either, which its next change might leave with the same stat.
    """
    listing = post_files(config)
    static = walk(config.static_dir, config.source)
    templates = walk(config.templates_dir, config.source)
    root = walk(config.root_dir, config.source, hidden=ROOT_HIDDEN)
    # The other folders' problems are reported where they are read (render, theme).
    found = (listing, static, templates, root)
    problems = tuple(str(error) for each in found for error in each.errors)
    recent = time.time_ns() - RECENT_NS
    posts: dict[Path, str] = {}
    others: dict[Path, str] = {}
    remembered: dict[str, Known] = {}
    seen: dict[str, Stat] = {}

    def key(path: Path) -> str:
        return _key(path, config, known, remembered, recent, seen)

    for path in listing.files:
        (posts if path.suffix == ".md" else others)[path] = key(path)
    for path in [*static.files, *templates.files, *root.files]:
        others[path] = key(path)
    theme = {path: others[path] for path in templates.files}
    return Inputs(listing, posts, others, theme, remembered, seen, problems)


def _key(
    path: Path,
    config: SiteConfig,
    known: Mapping[str, Known],
    remembered: dict[str, Known],
    recent: int,
    seen: dict[str, Stat],
) -> str:
    """Return the key of one file, from its remembered stat or from its bytes; remember it."""
    name = os.fspath(path)
    try:
        before = Stat.of(os.stat(path))
    except OSError:
        return UNREADABLE  # read_posts reports why
    seen[name] = before
    entry = known.get(name)
    if entry is not None and entry.stat == before:
        key = entry.key
    else:
        try:
            read = read_file(path, config.display_path(path))
            after = Stat.of(os.stat(path))
        except (ContentError, OSError):
            return UNREADABLE
        key = file_key(path, read.data)
        if not before == Stat.of(read.stat) == after:
            return key  # changed while it was read: not remembered by its stat
    if before.ctime_ns < recent:
        remembered[name] = Known(before, key)
    return key
