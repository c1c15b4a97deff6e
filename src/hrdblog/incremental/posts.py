"""Posts remembered from the builds before, so that a rebuild reads again only the files
that changed (`.hrdblog-cache/posts/`).

A post is taken from what is remembered only when its file's bytes, the sizes of the images
it shows (and whether they move) and everything else that shapes reading (hrdblog and the
libraries it uses, the settings: `keys.fingerprint`) are exactly what they were. What is
remembered is JSON, never pickle, so that a file someone else wrote cannot run code; each
file is signed with the blog's seal (`sealed`), and one that is damaged, tampered with, of
another version or unreadable is passed over and written anew.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup

from hrdblog.config import SiteConfig
from hrdblog.files import Listing
from hrdblog.images import image_facts
from hrdblog.incremental.keys import Inputs
from hrdblog.incremental.sealed import names_in, read_sealed, remove, write_sealed
from hrdblog.lock import CACHE_DIR
from hrdblog.models import FeaturedImage, Link, Page, Post, ShownImage, Term
from hrdblog.read import UNREADABLE, FileRead, PostReader, bundle_of
from hrdblog.seal import Seal
from hrdblog.speedups.collector import collector_paused


class Remembered(NamedTuple):
    """A post (or page) as a build before read it, with the warnings reading it gave and the
    sizes of the images its page was given (path → [width, height], with "moving" for a
    photo that moves, or None: `images.image_facts`)."""

    post: Post | Page
    warnings: list[str]
    images: dict[str, Any]


#: A pack with fewer live posts than this is merged with the other small ones by `save`.
SMALL_PACK = 64


@dataclass
class PostCache:
    """Posts by file key, in packs: JSON files of many posts each, in `.hrdblog-cache/posts/`.

    Each pack is a header line (its signature, for these settings) and its posts by key; its
    name is the checksum of its posts. The posts read are written a pack every PACK posts as
    they come, so a build that fails still keeps the posts it could read, and a rebuild after
    an edit writes one small pack. Packs, not a file per post: creating a file
    costs far more than filling one (a fifth of a millisecond each on some disks, most of
    the cache's cost on a large blog).
    """

    folder: Path
    fingerprint: str
    seal: Seal
    used: set[str] = field(default_factory=set)  # the keys of this build's posts
    packs: dict[str, list[str]] = field(default_factory=dict)  # pack name → the keys it holds

    @classmethod
    def of(cls, config: SiteConfig, seal: Seal, fingerprint: str) -> PostCache:
        """Return the posts a blog remembers, signed with its seal under the fingerprint of
        its settings; its packs are read when posts are looked for."""
        return cls(config.source / CACHE_DIR / "posts", fingerprint, seal)

    def find(self, keys: Iterable[str], now: datetime, zone: tzinfo) -> dict[str, Remembered]:
        """Return the cached posts of these file keys, with the warnings reading each gave and
        the images it was given the sizes of (`images.image_facts`: path → [width, height],
        with "moving" for a photo that moves, or None).

        One pack is held in memory at a time; a pack that is damaged, of other settings or
        unreadable is passed over (and removed by `save`).
        """
        wanted = set(keys)
        found: dict[str, Remembered] = {}
        with collector_paused():
            self._find(wanted, found, now, zone)
        return found

    def _find(
        self,
        wanted: set[str],
        found: dict[str, Remembered],
        now: datetime,
        zone: tzinfo,
    ) -> None:
        for name in sorted(names_in(self.folder)):
            body = read_sealed(self.folder / name, self.seal, self.fingerprint, quiet=True)
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
                    found[key] = Remembered(_post(entry, now, zone), warnings, images)

    def pack(self, posts: Iterable[FileRead]) -> None:
        """Write posts just read, by file key, as one pack. Each post is kept with its
        warnings and the sizes of the images its page was given. A post is remembered only if
        it survives the trip through JSON unchanged: all but the front-matter fields hrdblog
        does not use are text, numbers and lists that hrdblog made; those fields may be
        anything YAML gives (keys that are numbers …)."""
        entries = {
            read.key: {**_entry(read.result), "warnings": read.warnings, "images": read.images}
            for read in posts
            if isinstance(read.result, Post | Page)
            and (
                not read.result.extra
                or json.loads(json.dumps(read.result.extra)) == read.result.extra
            )
        }
        written = self._write(entries) if entries else None
        if written is not None:
            self.packs[written[0]] = written[1]

    def _write(self, entries: Mapping[str, Any]) -> tuple[str, list[str]] | None:
        data = json.dumps(entries).encode()
        checksum = hashlib.sha256(data).hexdigest()
        name = checksum[:32] + ".json"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_sealed(self.folder / name, data, self.seal, self.fingerprint, False)
        except OSError:
            return None  # a cache that cannot be written only costs speed
        return name, list(entries)

    def save(self) -> None:
        """Remove what this build did not use: packs of none of its posts, and files that are
        no pack of these settings. Small packs (a rebuild writes one) and packs holding more
        stale posts than live ones are merged into one, without their stale posts."""
        merge, stale = [], False
        for name in sorted(names_in(self.folder)):
            keys = self.packs.get(name, [])
            live = len(self.used.intersection(keys))
            if not live:
                remove(self.folder / name)
            elif live < SMALL_PACK or 2 * live < len(keys):
                merge.append(name)
                stale = stale or live < len(keys)
        if len(merge) < 2 and not stale:
            return
        entries: dict[str, Any] = {}
        for name in merge:
            body = read_sealed(self.folder / name, self.seal, self.fingerprint, quiet=True)
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
                remove(self.folder / name)
        if written is not None:
            self.packs[written[0]] = written[1]


#: Posts just read are remembered in packs of this many.
PACK = 512


class RememberingReader(PostReader):
    """A `PostReader` that takes from what the builds before read every post whose file, and
    the images it shows, are what they were, and remembers the posts it reads.

    It also knows what identifies each post it gave for the pages that show it
    (`post_digest`), and whether a file changed between being keyed and being read.
    """

    def __init__(self, config: SiteConfig, now: datetime, inputs: Inputs, cache: PostCache) -> None:
        super().__init__(config, now)
        self.inputs = inputs
        self.cache = cache
        self.changed = False  # a file's bytes were not those keyed
        self._digests: dict[str, str] = {}  # post file (as shown) → what identifies it

    def listing(self) -> Listing:
        """Return the listing of `content/` that `inputs` was made from."""
        return self.inputs.listing

    def __call__(self, paths: Sequence[Path]) -> Iterator[FileRead]:
        """Read post files, or take what a build before read of them; yield what each gave,
        in the order of `paths`."""
        keys = self.inputs.posts
        known = {keys[path] for path in paths if keys.get(path, UNREADABLE) != UNREADABLE}
        cached = self.cache.find(known, self.now, self.config.tzinfo)
        found: dict[Path, FileRead] = {}
        for path in paths:
            hit = cached.get(keys.get(path, UNREADABLE))
            if hit is not None and _still_sized(hit.images) and self._is_of(hit.post, path):
                found[path] = FileRead(hit.post, hit.warnings, keys[path], hit.images)
        fresh = super().__call__([path for path in paths if path not in found])
        unpacked: list[FileRead] = []
        for path in paths:
            read = found.get(path)
            if read is None:
                read = next(fresh)
                self.changed = self.changed or read.key != keys.get(path)
                if isinstance(read.result, Post | Page):
                    unpacked.append(read)
                    if len(unpacked) == PACK:
                        self.cache.pack(unpacked)
                        unpacked = []
            if isinstance(read.result, Post | Page):
                self.cache.used.add(read.key)
                self._digests[read.result.file] = _digest(read.key, read.images)
            yield read
        self.cache.pack(unpacked)

    def _is_of(self, post: Post | Page, path: Path) -> bool:
        """Tell whether a remembered post is the one of this file, of its kind (a page under
        `content/pages/`, else a post), and its folder that file's: what the cache says is
        checked before it is trusted."""
        config = self.config
        bundle_folder = bundle_of(path, config)
        bundle = config.display_path(bundle_folder) if bundle_folder else None
        return (
            post.file == config.display_path(path)
            and post.bundle == bundle
            and isinstance(post, Page) == path.is_relative_to(config.pages_dir)
        )

    def post_digest(self, post: Post | Page) -> str:
        """Return a digest of everything about a post (or page) that any page may show.

        A post this reader gave is identified by the key of its file, which with the settings
        (part of every page's key) determines it, but for what depends on the other posts (its
        terms' spellings), on the time of the build (whether it is scheduled) and on the other
        files of its folder (its resources).
        """
        digest = self._digests.get(post.file)
        if digest is None:
            entry = _entry(post)
            entry["resources"] = list(post.resources)
            if isinstance(post, Post):
                entry["scheduled"] = post.scheduled
            text = json.dumps(entry, sort_keys=True, default=str)
            return hashlib.sha256(text.encode()).hexdigest()
        if isinstance(post, Page):
            return f"{digest} {post.resources!r}"
        names = [t.name for terms in post.terms.values() for t in terms]
        return f"{digest} {post.scheduled} {names!r} {post.resources!r}"


def _still_sized(images: Mapping[str, Any]) -> bool:
    """Tell whether the images a remembered post gave sizes to still have those sizes."""
    return all(_size(Path(path)) == size for path, size in images.items())


def _size(path: Path) -> list[Any] | None:
    return image_facts(path)


def _digest(key: str, images: Mapping[str, Any]) -> str:
    """Return what identifies a post for the pages that show it: the key of its file's bytes,
    and the sizes of the images it shows."""
    if not images:
        return key
    return hashlib.sha256(f"{key} {json.dumps(images, sort_keys=True)}".encode()).hexdigest()


def _entry(post: Post | Page) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "file": post.file,
        "title": post.title,
        "date": post.date.isoformat() if post.date else None,
        "slug": post.slug,
        "url": post.url,
        "body": str(post.body),
        "excerpt": str(post.excerpt),
        "aliases": list(post.aliases),
        "summary": post.summary,
        "author": post.author,
        "lang": post.lang,
        "updated": post.updated.isoformat() if post.updated else None,
        "draft": post.draft,
        "bundle": post.bundle,
        "extra": dict(post.extra),
        "lines": dict(post.lines),
        "translation_key": post.translation_key,
        "photos": [_image(image) for image in post.images],  # "images" is the sizes seen
        "image": (
            [_image(post.image.image), post.image.alt, post.image.caption, post.image.credit]
            if post.image
            else None
        ),
    }
    if isinstance(post, Page):
        return {**entry, "kind": "page"}
    return {
        **entry,
        "has_more": post.has_more,
        "more_text": post.more_text,
        "terms": {
            name: [[t.slug, t.name, t.url] for t in terms] for name, terms in post.terms.items()
        },
        "sources": [[link.name, link.url] for link in post.sources],
    }


def _post(entry: dict[str, Any], now: datetime, zone: tzinfo) -> Post | Page:
    # In the site's time zone, as read: JSON keeps the offset, not the zone's name and rules.
    common = {
        "file": entry["file"],
        "title": entry["title"],
        "slug": entry["slug"],
        "url": entry["url"],
        "body": Markup(entry["body"]),
        "excerpt": Markup(entry["excerpt"]),
        "aliases": tuple(entry["aliases"]),
        "summary": entry["summary"],
        "author": entry["author"],
        "lang": entry["lang"],
        "updated": _moment(entry["updated"], zone),
        "draft": entry["draft"],
        "bundle": entry["bundle"],
        "extra": entry["extra"],
        "lines": entry["lines"],
        "translation_key": entry["translation_key"],
        "images": tuple(ShownImage(*image) for image in entry["photos"]),
        "image": _featured(entry["image"]),
    }
    if entry.get("kind") == "page":
        return Page(**common, date=_moment(entry["date"], zone))
    date = datetime.fromisoformat(entry["date"]).astimezone(zone)
    return Post(
        **common,
        date=date,
        has_more=entry["has_more"],
        more_text=entry["more_text"],
        terms={name: tuple(Term(*t) for t in terms) for name, terms in entry["terms"].items()},
        sources=tuple(Link(*link) for link in entry["sources"]),
        scheduled=date > now,  # depends on when the build runs: never cached
    )


def _image(image: ShownImage) -> list[Any]:
    return [image.file, image.at, image.width, image.height]


def _featured(entry: list[Any] | None) -> FeaturedImage | None:
    if entry is None:
        return None
    image, alt, caption, credit = entry
    return FeaturedImage(ShownImage(*image), alt, caption, credit)


def _moment(text: str | None, zone: tzinfo) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(zone) if text else None
