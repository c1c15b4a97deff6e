"""A cache of read posts (`.hrdblog-cache/` in the blog's folder), so a rebuild skips Markdown.

A post is taken from the cache only when its file's bytes, its folder's files (for a post in a
folder of its own) and everything else that shapes reading (hrdblog's and Python-Markdown's
versions, the settings, the site's static images) are exactly what they were. The cache is JSON,
never pickle, so a cache someone else wrote cannot run code; it carries a checksum, and a cache
that is damaged, of another version or unreadable is ignored and written anew.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import markdown
from markupsafe import Markup

from hrdblog import __version__
from hrdblog.config import SETTINGS, SiteConfig
from hrdblog.files import files_under
from hrdblog.models import Link, Post, Term

logger = logging.getLogger(__name__)

CACHE_DIR = ".hrdblog-cache"
THEME_TEMPLATES = Path(__file__).parent / "themes" / "default" / "templates"
FORMAT = 2


def fingerprint(config: SiteConfig) -> str:
    """Return a digest of everything besides a post's own files that shapes how it is read."""
    settings = {name: getattr(config, name) for name in sorted(SETTINGS)}
    parts = [
        f"format {FORMAT}",
        f"hrdblog {__version__} {_package_signature()}",
        f"markdown {markdown.__version__}",
        str(config.source),  # messages and post folders name files from it
        repr(_plain(settings)),
        _folder_signature(config.source / "static"),  # image sizes of /static/… images
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


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


def _folder_signature(folder: Path) -> str:
    """Return the names, sizes and modification times of a folder's files."""
    lines = []
    for path in files_under(folder):
        stat = path.stat()
        lines.append(f"{path.relative_to(folder)} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(lines)


def file_key(path: Path, data: bytes) -> str:
    """Return the cache key of a post file: its path and bytes, and its folder's files."""
    digest = hashlib.sha256(str(path).encode() + b"\0" + data)
    if path.name == "index.md":
        digest.update(_folder_signature(path.parent).encode())
    return digest.hexdigest()


@dataclass
class PostCache:
    """Posts by file key; loaded before reading, saved after a successful build.

    The file is a header line (the fingerprint, and the checksum of the rest) and then the
    entries, so that checking it needs no second serialisation of everything.
    """

    path: Path
    fingerprint: str
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    kept: dict[str, tuple[Post, list[str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, config: SiteConfig) -> PostCache:
        """Return the cache of a blog; an empty one if there is none that can be trusted."""
        cache = cls(config.source / CACHE_DIR / "posts.json", fingerprint(config))
        try:
            header, _, body = cache.path.read_text(encoding="utf-8").partition("\n")
            stored = json.loads(header)
            checksum = hashlib.sha256(body.encode()).hexdigest()
            if stored["fingerprint"] == cache.fingerprint and stored["checksum"] == checksum:
                cache.entries = json.loads(body)
            else:
                logger.info("the post cache is of other settings or damaged: reading every post")
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError):
            logger.info("the post cache cannot be read: reading every post")
        return cache

    def get(self, key: str, now: datetime) -> tuple[Post, list[str]] | None:
        """Return the cached post of a file key and the warnings reading it gave, or None."""
        entry = self.entries.pop(key, None)  # once a post, the entry need not stay in memory
        if entry is None:
            return None
        try:
            found = _post(entry, now), [str(warning) for warning in entry["warnings"]]
        except (KeyError, TypeError, ValueError):
            return None
        self.kept[key] = found
        return found

    def put(self, key: str, post: Post, warnings: list[str]) -> None:
        """Remember a post just read, if it survives the trip through JSON unchanged."""
        entry = {**_entry(post), "warnings": warnings}
        if json.loads(json.dumps(entry)) == entry:
            self.kept[key] = (post, warnings)

    def save(self) -> None:
        """Write the posts of this build, atomically; a failure only costs speed."""
        entries = {
            key: {**_entry(post), "warnings": warnings}
            for key, (post, warnings) in sorted(self.kept.items())
        }
        body = json.dumps(entries, sort_keys=True)
        checksum = hashlib.sha256(body.encode()).hexdigest()
        header = json.dumps({"fingerprint": self.fingerprint, "checksum": checksum})
        _write_atomically(self.path, f"{header}\n{body}")


class PageCache:
    """The pages of the last build, by output path: what they showed, and their bytes' hash.

    A page whose description (its posts, its neighbours, the site around it) is what it was,
    and whose published file still has the bytes recorded, is taken from the published site
    instead of being rendered again; any doubt means rendering.
    """

    def __init__(self, config: SiteConfig, site_key: str) -> None:
        self.path = config.source / CACHE_DIR / "pages.json"
        self.output_dir = config.output_dir
        self.site_key = hashlib.sha256(
            "\n".join(
                [
                    fingerprint(config),
                    _folder_signature(config.templates_dir),
                    _folder_signature(THEME_TEMPLATES),
                    repr((config.include_drafts, config.include_future)),
                    site_key,
                ]
            ).encode()
        ).hexdigest()
        self.previous: dict[str, list[str]] = {}
        self.pages: dict[str, list[str]] = {}
        self.reused = 0
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored["site"] == self.site_key and isinstance(stored["pages"], dict):
                self.previous = stored["pages"]
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError):
            logger.info("the page cache cannot be read: rendering every page")

    def reuse(self, path: str, description: str) -> bytes | None:
        """Return the published bytes of a page that shows what it showed, or None."""
        digest = hashlib.sha256(description.encode()).hexdigest()
        self.pages[path] = [digest, ""]
        known = self.previous.get(path)
        if known is None or known[0] != digest:
            return None
        try:
            content = (self.output_dir / path).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(content).hexdigest() != known[1]:
            return None  # changed since it was published: render it again
        self.pages[path][1] = known[1]
        self.reused += 1
        return content

    def remember(self, path: str, content: bytes) -> None:
        """Record the bytes of a page just rendered."""
        self.pages[path][1] = hashlib.sha256(content).hexdigest()

    def save(self) -> None:
        """Write the record of this build's pages; a failure only costs speed."""
        text = json.dumps({"site": self.site_key, "pages": dict(sorted(self.pages.items()))})
        _write_atomically(self.path, text)


def post_digest(post: Post) -> str:
    """Return a digest of everything about a post that any page may show."""
    entry = _entry(post)
    entry["scheduled"] = post.scheduled
    return hashlib.sha256(json.dumps(entry, sort_keys=True, default=str).encode()).hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
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
        "resources": list(post.resources),
        "extra": dict(post.extra),
        "lines": dict(post.lines),
    }


def _post(entry: dict[str, Any], now: datetime) -> Post:
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
        resources=tuple(entry["resources"]),
        extra=entry["extra"],
        lines=entry["lines"],
    )
