"""Rebuilds that redo only what changed since the last build: a layer around the stages.

The stages know nothing of it. `Incremental` gives the build, in place of the plain steps of
the chain, wrappers with the same signatures:

- `reader`: a `read.PostReader` that takes each post whose file, images and settings are
  what they were from what the builds before read (`posts`), and remembers the others;
- `related`: the finder of related posts (`collect.related_posts`), remembered while the
  posts' order and terms stay the same;
- `to_render`: the plan without the pages the last build published exactly so. A page's key
  is derived from what its template sees (`views.Canonical`: its view, the site-wide view,
  its template's name and its address) under the fingerprint of the settings, hrdblog, its
  libraries and the site's templates; the published file is kept only if it is still exactly
  as that build wrote it. A tree's search index is kept so too, all its files together,
  under the key of the posts and pages it holds (and of the fingerprint, but not of the
  templates, which it does not show);
- `encoder`: the maker of the photos' variants (`images.Encoder`), which takes those of the
  same photos made before from the cache (`images`);
- `write`: publication in place of only the files that changed (`publish.update`) when that
  is a small share of the site, else a whole new site (`publish.write`) with the kept files,
  and those rendered again the same, linked in.

What the last build made, and from what, is its record (`record`); `unchanged` tells from it,
before anything is read, a build with nothing to do. Any doubt means doing the work: a
record that cannot be trusted is no record.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from hrdblog.collect import related_posts
from hrdblog.config import SiteConfig
from hrdblog.files import changed_since
from hrdblog.incremental.images import VariantCache
from hrdblog.incremental.keys import Inputs, fingerprint, input_keys
from hrdblog.incremental.posts import PostCache, RememberingReader
from hrdblog.incremental.record import BuildRecord, PublishedFile
from hrdblog.models import Output
from hrdblog.plan import Plan
from hrdblog.publish import Publication, WorkFolders, Written, survey, update, write
from hrdblog.seal import Seal
from hrdblog.search import ORIGIN as INDEX_ORIGIN
from hrdblog.views import Canonical

logger = logging.getLogger(__name__)


class Incremental:
    """The steps of a build that does only what changed since the last build into the same
    output folder."""

    def __init__(self, config: SiteConfig, seal: Seal) -> None:
        """Read the record of the last build and key every file this one reads."""
        self.config = config
        self.seal = seal
        self.last = BuildRecord.load(config, seal)
        self.fingerprint = fingerprint(config)
        self.inputs: Inputs = input_keys(config, self.last.files_read)
        keys = self.inputs.keys()
        templates = [f"{path} {key}" for path, key in sorted(self.inputs.templates.items())]
        drafts = (config.include_drafts, config.include_future)
        self.made_under = _digest(self.fingerprint, *templates, repr(drafts))
        # A build with a problem in its folders is never one with nothing to do.
        self.digest = (
            "" if self.inputs.problems else _inputs(self.made_under, config.output_dir, keys)
        )
        same = self.last.made_under == self.made_under
        self.published: dict[str, PublishedFile] = self.last.published if same else {}
        self.related_to: dict[str, list[list[int]]] = self.last.related if same else {}
        self.related_now: dict[str, list[list[int]]] = {}  # those of this build
        self.present = survey(config.output_dir) if self.last.published else {}
        self.page_keys: dict[str, str] = {}  # path → the key of what this build's page shows
        self.index_keys: dict[str, str] = {}  # a search index's folder → the key of what it holds
        self.index_files: set[str] = set()  # the files of the search indexes this build made
        self.kept: dict[str, str] = {}  # path → SHA-256 of the published files kept
        self._reader: RememberingReader | None = None
        self._variants: VariantCache | None = None
        self.now: datetime | None = None  # the time the posts were read for

    def unchanged(self) -> dict[str, Any] | None:
        """Return the last build's report if this one would make exactly the same site.

        That is: the same inputs, no scheduled post due since, and every published file
        exactly as it was written, with nothing added. Such a build publishes nothing, but
        records the files it could remember by their stat and the last one could not.
        """
        last = self.last
        if not self.digest or last.inputs != self.digest or not self.published:
            return None
        now = self.config.now()
        if last.built_at is None or now < last.built_at:
            return None  # built for a later time: what was due then may not be now
        if last.next_change is not None and now >= last.next_change:
            return None
        expected = {path: page.written.stat for path, page in self.published.items()}
        if self.present != expected:
            return None
        if self.inputs.remembered != last.files_read:
            # Files written just before the last build were keyed from their bytes, not
            # remembered by their stat; now they can be, and the next build need not read them.
            replace(last, files_read=dict(self.inputs.remembered)).save(self.config, self.seal)
        return last.report

    def reader(self, now: datetime) -> RememberingReader:
        """Return the reader of this build's posts."""
        cache = PostCache.of(self.config, self.seal, self.fingerprint)
        self._reader = RememberingReader(self.config, now, self.inputs, cache)
        self.now = now
        return self._reader

    def related(self, keys: list[list[tuple[str, str]]], count: int) -> list[list[int]]:
        """Find the related posts as `collect.related_posts` does, or take those of the last
        build, found for the same posts' terms in the same order."""
        signature = _digest(repr((count, keys)))
        found = self.related_now.get(signature)
        if found is None:
            found = self.related_to.get(signature)
        # Checked before it is trusted: a row for each post, each number that of a post.
        if not (
            found is not None
            and len(found) == len(keys)
            and all(0 <= other < len(keys) for row in found for other in row)
        ):
            found = related_posts(keys, count)
        self.related_now[signature] = found  # one for each language's tree of the site
        return found

    def to_render(self, plan: Plan) -> Plan:
        """Return the plan without the pages whose published file shows exactly what they
        would: those are kept as they are."""
        assert self._reader is not None, "posts are read before pages are planned"
        canonical = Canonical(self._reader.post_digest)
        sites = [_digest(canonical(site)) for site in plan.sites]
        rendered = []
        for planned in plan.pages:
            view = canonical(planned.view)
            key = _digest(sites[planned.tree], f"{planned.template}|{planned.url}|{view}")
            self.page_keys[planned.path] = key
            last = self.published.get(planned.path)
            if (
                last is not None
                and last.key == key
                and self.present.get(planned.path) == last.written.stat
            ):
                self.kept[planned.path] = last.written.sha256
            else:
                rendered.append(planned)
        indexes = []
        for index in plan.indexes:
            # Not under the templates, which an index does not show: only under the rest.
            key = _digest(self.fingerprint, canonical(index))
            self.index_keys[index.folder] = key
            last_files = {
                path: page
                for path, page in self.last.published.items()
                if page.key == key and path.startswith(index.folder)
            }
            if index.folder + "pagefind-entry.json" in last_files and all(
                self.present.get(path) == page.written.stat for path, page in last_files.items()
            ):
                self.kept.update((path, page.written.sha256) for path, page in last_files.items())
                self.page_keys.update((path, key) for path in last_files)
            else:
                indexes.append(index)
        return replace(plan, pages=tuple(rendered), indexes=tuple(indexes))

    def encoder(self) -> VariantCache:
        """Return the maker of this build's variants of photos."""
        self._variants = VariantCache(self.config, self.seal)
        return self._variants

    def write(self, outputs: Iterable[Output], output_dir: Path, work: WorkFolders) -> Publication:
        """Publish: in place, changing only the files that differ from the published ones,
        where that is worth it; else as a whole new site, the kept files linked in."""
        outputs = self._noting_indexes(outputs)
        if not self.published:
            return write(outputs, output_dir, work, self.kept)
        written = {path: page.written for path, page in self.published.items()}
        updated = update(outputs, output_dir, work, self.kept, written, self.present)
        if isinstance(updated, Publication):
            return updated
        return write(updated.outputs, output_dir, work, updated.kept)

    def save(
        self,
        publication: Publication,
        report: Mapping[str, Any],
        next_change: datetime | None,
    ) -> None:
        """Record this build for the next one; a failure only costs the next one its speed."""
        inputs = self.digest
        if self._variants is not None:
            self._variants.save()
        if self._reader is not None:
            self._reader.cache.save()
            if self._reader.changed:
                inputs = ""  # what was read is not what was keyed: the next build does it all
        remembered = dict(self.inputs.remembered)
        made_under = self.made_under
        changed = changed_since(self.inputs.seen)
        if changed:  # during the build: what was published may not be what they hold now
            inputs = ""
            for name in changed:
                remembered.pop(name, None)
            templates = self.config.templates_dir
            if any(Path(name).is_relative_to(templates) for name in changed):
                made_under = ""  # the pages were keyed under templates they may not show

        pages = {}
        for path, sha256 in publication.checksums.items():
            stat = publication.stats.get(path) or self.published[path].written.stat
            key = self.page_keys.get(path) or self._index_key(path)
            pages[path] = PublishedFile(key, Written(sha256, stat))
        record = BuildRecord(
            made_under,
            inputs,
            self.now,
            next_change,
            dict(report),
            self.related_now,
            remembered,
            pages,
        )
        record.save(self.config, self.seal)

    def _index_key(self, path: str) -> str:
        """Return the key of the search index a file this build wrote is part of; "" for
        none."""
        if path not in self.index_files:
            return ""
        return next((k for f, k in self.index_keys.items() if path.startswith(f)), "")

    def _noting_indexes(self, outputs: Iterable[Output]) -> Iterator[Output]:
        """Pass the outputs on, noting those that are files of a search index."""
        for output in outputs:
            if output.origin == INDEX_ORIGIN:
                self.index_files.add(output.path)
            yield output


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _inputs(made_under: str, output_dir: Path, keys: Mapping[Path, str]) -> str:
    """Return a digest of everything a build is made from: the settings, hrdblog itself and
    the templates (`made_under`), the output folder, and every file it reads (by its key)."""
    digest = hashlib.sha256(f"{made_under}\n{output_dir}".encode())
    for path, key in sorted(keys.items()):
        digest.update(f"\n{path} {key}".encode())
    return digest.hexdigest()
