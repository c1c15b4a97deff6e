"""The caches of a rebuild (`.hrdblog-cache/` in the blog's folder): read posts, so that a
rebuild skips Markdown, and the record of the last build, so that it renders and writes only
what changed.

A post is taken from the cache only when its file's bytes, the sizes of the images it shows
and everything else that shapes reading (hrdblog and the libraries it uses, the settings) are
exactly what they were. The caches are
JSON, never pickle, so a cache someone else wrote cannot run code; each file is signed with
the blog's seal (`seal.py`), and one that is damaged, tampered with, of another version or
unreadable is ignored and written anew.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from hrdblog import __version__
from hrdblog.config import SETTINGS, SiteConfig
from hrdblog.lock import CACHE_DIR
from hrdblog.models import Link, Post, Term
from hrdblog.seal import Seal
from hrdblog.speedups.collector import uncollected
from hrdblog.write import Publication, Stat, Written, survey

logger = logging.getLogger(__name__)

FORMAT = 5


def fingerprint(config: SiteConfig) -> str:
    """Return a digest of everything besides a post's own files that shapes how it is read."""
    settings = {name: getattr(config, name) for name in sorted(SETTINGS)}
    parts = [
        f"format {FORMAT}",
        f"hrdblog {__version__} {_package_signature()}",
        *libraries(),
        str(config.source),  # messages and post folders name files from it
        repr(_plain(settings)),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


#: The libraries whose output builds keep, besides what they bring along themselves.
_LIBRARIES = ("markdown", "cmarkgfm", "jinja2", "pyyaml", "python-slugify", "babel", "pillow")


@functools.cache
def libraries() -> tuple[str, ...]:
    """Return the name and version of every library a build's output may depend on: those
    hrdblog requires, cmarkgfm, and all they require in turn, as installed now. A change to
    any of them makes cached posts and pages stale."""
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
    """Return a digest of hrdblog's own code and theme: a change to either, released or not,
    makes cached posts and pages stale."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".html", ".xml", ".txt", ".css"}:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def file_key(path: Path, data: bytes) -> str:
    """Return the cache key of a post file: its path and the bytes read from it."""
    return hashlib.sha256(str(path).encode() + b"\0" + data).hexdigest()


#: A pack with fewer live posts than this is merged with the other small ones by `save`.
SMALL_PACK = 64


@dataclass
class PostCache:
    """Posts by file key, in packs: JSON files of many posts each, in `.hrdblog-cache/posts/`.

    Each pack is a header line (its signature, for these settings) and its posts by key; its
    name is the checksum of its posts. The process that read a batch of files writes their
    posts as one pack at once, so a build that fails still keeps the posts it could read, and
    a rebuild after an edit writes one small pack. Packs, not a file per post: creating a file
    costs far more than filling one (a fifth of a millisecond each on some disks, most of
    the cache's cost on a large blog).
    """

    folder: Path
    fingerprint: str
    seal: Seal
    used: set[str] = field(default_factory=set)  # the keys of this build's posts
    packs: dict[str, list[str]] = field(default_factory=dict)  # pack name → the keys it holds

    @classmethod
    def load(cls, config: SiteConfig, seal: Seal, known: str | None = None) -> PostCache:
        """Return the cache of a blog, signed with its seal; its packs are read when posts are
        looked for. `known` is the fingerprint of `config`, if worked out already."""
        return cls(config.source / CACHE_DIR / "posts", known or fingerprint(config), seal)

    def find(
        self, keys: Iterable[str], now: datetime
    ) -> dict[str, tuple[Post, list[str], dict[str, Any]]]:
        """Return the cached posts of these file keys, with the warnings reading each gave and
        the images it was given the sizes of (path → [width, height], or None).

        One pack is held in memory at a time; a pack that is damaged, of other settings or
        unreadable is passed over (and removed by `save`).
        """
        wanted = set(keys)
        found: dict[str, tuple[Post, list[str], dict[str, Any]]] = {}
        with uncollected():
            self._find(wanted, found, now)
        return found

    def _find(
        self,
        wanted: set[str],
        found: dict[str, tuple[Post, list[str], dict[str, Any]]],
        now: datetime,
    ) -> None:
        for name in sorted(_names(self.folder)):
            body = _read_checked(self.folder / name, self.seal, self.fingerprint, quiet=True)
            try:
                entries = json.loads(body) if body is not None else None
            except ValueError:
                continue
            if not isinstance(entries, dict):
                continue
            self.packs[name] = list(entries)
            for key in wanted.intersection(entries).difference(found):
                entry = entries[key]
                with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
                    images = entry["images"]
                    if not isinstance(images, dict):
                        continue
                    warnings = [str(w) for w in entry["warnings"]]
                    found[key] = _post(entry, now, key), warnings, images

    def pack(
        self, posts: Iterable[tuple[str, Post, list[str], dict[str, Any]]]
    ) -> tuple[str, list[str]] | None:
        """Write posts just read, by file key, as one pack; return its name and keys, or None
        if nothing was written. Each post is kept with its warnings and the sizes of the
        images its page was given. A post is cached only if it survives the trip through JSON
        unchanged: all but the front-matter fields hrdblog does not use are text, numbers and
        lists that hrdblog made; those fields may be anything YAML gives (keys that are
        numbers …)."""
        entries = {
            key: {**_entry(post), "warnings": warnings, "images": images}
            for key, post, warnings, images in posts
            if not post.extra or json.loads(json.dumps(post.extra)) == post.extra
        }
        return self._write(entries) if entries else None

    def _write(self, entries: Mapping[str, Any]) -> tuple[str, list[str]] | None:
        data = json.dumps(entries).encode()
        checksum = hashlib.sha256(data).hexdigest()
        name = checksum[:32] + ".json"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_checked(self.folder / name, data, self.seal, self.fingerprint, False)
        except OSError:
            return None  # a cache that cannot be written only costs speed
        return name, list(entries)

    def save(self) -> None:
        """Remove what this build did not use: packs of none of its posts, and files that are
        no pack of these settings. Small packs (a rebuild writes one) and packs holding more
        stale posts than live ones are merged into one, without their stale posts."""
        merge, stale = [], False
        for name in sorted(_names(self.folder)):
            keys = self.packs.get(name, [])
            live = len(self.used.intersection(keys))
            if not live:
                _remove(self.folder / name)
            elif live < SMALL_PACK or 2 * live < len(keys):
                merge.append(name)
                stale = stale or live < len(keys)
        if len(merge) < 2 and not stale:
            return
        entries: dict[str, Any] = {}
        for name in merge:
            body = _read_checked(self.folder / name, self.seal, self.fingerprint, quiet=True)
            try:
                pack = json.loads(body) if body is not None else {}
            except ValueError:
                pack = {}
            if not isinstance(pack, dict):
                continue
            entries.update((key, pack[key]) for key in sorted(self.used.intersection(pack)))
        written = self._write(dict(sorted(entries.items()))) if entries else None
        for name in merge:
            if written is None or name != written[0]:
                _remove(self.folder / name)
        if written is not None:
            self.packs[written[0]] = written[1]


def _names(folder: Path) -> list[str]:
    """Return the names of the files in a cache folder; none if it does not exist."""
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _read_checked(
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


def _write_checked(
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


class PageCache:
    """The record of the last build into an output folder, to redo only what changed.

    For each published file: a digest of what it showed (its posts, its neighbours, the site
    around it), the SHA-256 of its bytes and its stat (size, modification and change times,
    inode). A page
    whose description is what it was, and whose file is still exactly as written, is kept as
    published instead of being rendered again; any doubt means rendering. The record also
    holds a digest of every input of that build, so that a build with nothing to do can tell
    at once, and the related posts of each post, which depend only on dates and terms.
    """

    def __init__(self, config: SiteConfig, seal: Seal) -> None:
        """Load the record of the last build into the output folder, if signed with the
        blog's seal; `keyed` tells whether it is of a build of the same site."""
        self.config = config
        self.seal = seal
        self.output_dir = config.output_dir
        self.path = self.record(config)
        self.fingerprint = fingerprint(config)
        self.site_key = ""  # the settings, hrdblog and the site's templates: see `keyed`
        self.inputs = ""  # the digest of this build's inputs: see `keyed`
        self.sources: dict[str, list[Any]] = {}  # input file → [size, mtime, ctime, inode, key]
        self.site_view = ""  # what every page shows of the whole site: set once it is known
        self.previous: dict[str, list[Any]] = {}  # path → [description, sha256, *Stat]
        self.descriptions: dict[str, str] = {}  # path → this build's description digest
        self.related: dict[str, list[list[int]]] = {}
        self.reused = 0
        self.present: dict[str, Stat] = {}  # the files of the output folder now
        self._stored: dict[str, Any] = {}
        body = _read_checked(self.path, seal)
        if body is None:
            return
        try:
            with uncollected():
                stored = json.loads(body)
                if isinstance(stored["pages"], dict) and isinstance(stored["sources"], dict):
                    self._stored = stored
                    self.sources = dict(stored["sources"])
        except (ValueError, KeyError, TypeError):
            logger.info("the page cache cannot be read: rendering every page")

    def keyed(
        self, inputs: Mapping[Path, str], stats: dict[str, list[Any]], problems: Iterable[str] = ()
    ) -> None:
        """Take the keys of every file this build reads (`read.source_keys`) and the problems
        of the folders they are in: work out the digest of its inputs, keep the files' stats
        for the next build, and keep the record of the last build only if it is of the same
        settings and templates."""
        templates = [
            f"{path} {key}"
            for path, key in sorted(inputs.items())
            if path.is_relative_to(self.config.templates_dir)
        ]
        drafts = (self.config.include_drafts, self.config.include_future)
        self.site_key = hashlib.sha256(
            "\n".join([self.fingerprint, *templates, repr(drafts)]).encode()
        ).hexdigest()
        self.inputs = _inputs(self.site_key, self.output_dir, inputs)
        if problems:
            self.inputs = ""  # a build with a problem is never one with nothing to do
        self.sources = stats
        stored = self._stored
        if stored.get("site") != self.site_key or not _well_formed(stored.get("pages")):
            self._stored = {}
            return
        try:
            with uncollected():
                self.previous = stored["pages"]
                self.related = dict(stored["related"])
                self.present = survey(self.output_dir)
        except (ValueError, KeyError, TypeError):
            self._stored, self.previous, self.related = {}, {}, {}

    @staticmethod
    def record(config: SiteConfig) -> Path:
        """Return the file that records the builds into the output folder of `config`."""
        folder = hashlib.sha256(str(config.output_dir.resolve()).encode()).hexdigest()[:16]
        return config.source / CACHE_DIR / f"site-{folder}.json"

    def unchanged(self, now: datetime) -> dict[str, Any] | None:
        """Return the last build's report if this one would make exactly the same site.

        That is: the same inputs, no scheduled post due since, and every published file
        exactly as it was written, with nothing added.
        """
        stored = self._stored
        if not self.inputs or stored.get("inputs") != self.inputs:
            return None
        due = stored.get("next_change")
        if due is not None and now >= datetime.fromisoformat(due):
            return None
        expected = {path: Stat(*entry[2:]) for path, entry in self.previous.items()}
        if self.present != expected:
            return None
        report: dict[str, Any] = stored["report"]
        return report

    def reuse(self, path: str, description: str) -> str | None:
        """Return the SHA-256 of the published file at `path` if it shows what `description`
        describes, else None."""
        digest = hashlib.sha256(f"{self.site_view}\n{description}".encode()).hexdigest()
        self.descriptions[path] = digest
        known = self.previous.get(path)
        if known is None or known[0] != digest:
            return None
        if self.present.get(path) != tuple(known[2:]):
            return None  # changed since it was published: render it again
        self.reused += 1
        sha256: str = known[1]
        return sha256

    def published(self) -> Mapping[str, Written]:
        """Return the files of the last build, as it wrote them."""
        return _Published(self.previous)

    def save(
        self,
        publication: Publication,
        report: Mapping[str, Any],
        next_change: datetime | None,
    ) -> None:
        """Record this build; a failure only costs speed."""
        with uncollected():
            self._save(publication, report, next_change)

    def _save(
        self,
        publication: Publication,
        report: Mapping[str, Any],
        next_change: datetime | None,
    ) -> None:
        written, previous, descriptions = publication.written, self.previous, self.descriptions
        pages = {
            path: [
                descriptions.get(path, ""),
                sha256,
                *(written[path] if path in written else previous[path][2:]),
            ]
            for path, sha256 in sorted(publication.digests.items())
        }
        record = {
            "site": self.site_key,
            "inputs": self.inputs,
            "next_change": next_change.isoformat() if next_change else None,
            "report": dict(report),
            "related": self.related,
            "sources": self.sources,
            "pages": pages,
        }
        _write_checked(self.path, json.dumps(record), self.seal)  # stable: pages are sorted


def _well_formed(pages: Any) -> bool:
    """Tell whether a record's pages are path → [description, sha256, size, mtime, ctime,
    inode], as `PageCache.save` writes them."""
    if not isinstance(pages, dict):
        return False
    return all(
        isinstance(entry, list)
        and len(entry) == 6
        and isinstance(entry[0], str)
        and isinstance(entry[1], str)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in entry[2:])
        for entry in pages.values()
    )


class _Published(Mapping[str, Written]):
    """The record's files, each made a Written only when asked for: a rebuild asks for few."""

    def __init__(self, entries: dict[str, list[Any]]) -> None:
        self.entries = entries

    def __getitem__(self, path: str) -> Written:
        entry = self.entries[path]
        return Written(entry[1], Stat(*entry[2:]))

    def __contains__(self, path: object) -> bool:
        return path in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def _inputs(site_key: str, output_dir: Path, keys: Mapping[Path, str]) -> str:
    """Return a digest of everything a build is made from: the settings, hrdblog itself and
    the templates (the site key), the output folder, and every file it reads (by its key)."""
    digest = hashlib.sha256(f"{site_key}\n{output_dir}".encode())
    for path, key in sorted(keys.items()):
        digest.update(f"\n{path} {key}".encode())
    return digest.hexdigest()


def post_digest(post: Post) -> str:
    """Return a digest of everything about a post that any page may show.

    A post read for a rebuild carries the key of its file, which with the settings (part of
    every page's description) determines it, except for what depends on the other posts
    (its terms' spellings), on the time of the build (whether it is scheduled) and on the
    other files of its folder (its resources).
    """
    # The files of its folder are listed afresh at each build: a page may list them.
    if post.digest:
        names = [t.name for terms in post.terms.values() for t in terms]
        return f"{post.digest} {post.scheduled} " + json.dumps([names, post.resources])
    entry = _entry(post)
    entry["scheduled"] = post.scheduled
    entry["resources"] = list(post.resources)
    return hashlib.sha256(json.dumps(entry, sort_keys=True, default=str).encode()).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        logger.warning(
            "%s could not be saved (%s); the next build does all the work", path.name, exc
        )


def _entry(post: Post) -> dict[str, Any]:
    return {
        "file": post.file,
        "title": post.title,
        "date": post.date.isoformat(),
        "slug": post.slug,
        "url": post.url,
        "body": str(post.body),
        "excerpt": str(post.excerpt),
        "has_more": post.has_more,
        "more_text": post.more_text,
        "terms": {
            name: [[t.slug, t.name, t.url] for t in terms] for name, terms in post.terms.items()
        },
        "sources": [[link.name, link.url] for link in post.sources],
        "aliases": list(post.aliases),
        "summary": post.summary,
        "author": post.author,
        "lang": post.lang,
        "updated": post.updated.isoformat() if post.updated else None,
        "draft": post.draft,
        "bundle": post.bundle,
        "extra": dict(post.extra),
        "lines": dict(post.lines),
    }


def _post(entry: dict[str, Any], now: datetime, digest: str) -> Post:
    date = datetime.fromisoformat(entry["date"])
    return Post(
        file=entry["file"],
        title=entry["title"],
        date=date,
        slug=entry["slug"],
        url=entry["url"],
        body=Markup(entry["body"]),
        excerpt=Markup(entry["excerpt"]),
        has_more=entry["has_more"],
        more_text=entry["more_text"],
        terms={name: tuple(Term(*t) for t in terms) for name, terms in entry["terms"].items()},
        sources=tuple(Link(*link) for link in entry["sources"]),
        aliases=tuple(entry["aliases"]),
        summary=entry["summary"],
        author=entry["author"],
        lang=entry["lang"],
        updated=datetime.fromisoformat(entry["updated"]) if entry["updated"] else None,
        draft=entry["draft"],
        scheduled=date > now,  # depends on when the build runs: never cached
        bundle=entry["bundle"],
        extra=entry["extra"],
        lines=entry["lines"],
        digest=digest,
    )
