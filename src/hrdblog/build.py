"""Build a site: config → read → collect → plan → render → write."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import time
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from hrdblog.collect import collect_trees, related_posts
from hrdblog.config import SiteConfig
from hrdblog.errors import ErrorList, HrdblogError, Warnings, count, raise_all
from hrdblog.images import Decoder, Encoder
from hrdblog.incremental import Incremental
from hrdblog.lock import CACHE_DIR, blog_lock
from hrdblog.models import Output, Page, Post, Site
from hrdblog.plan import Plan, plan
from hrdblog.progress import Progress, silent
from hrdblog.publish import Publication, WorkFolders, check_output_dir, recover, write
from hrdblog.read import PostReader, read_posts
from hrdblog.render import render
from hrdblog.seal import Seal
from hrdblog.sitecheck import check_site
from hrdblog.speedups.collector import collector_skips_older
from hrdblog.theme import Theme
from hrdblog.urls import MANIFEST, MANIFESTS
from hrdblog.weights import page_weights

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a build published."""

    posts: int
    tags: int
    pages: int
    files: int
    seconds: float
    output_dir: Path
    unchanged: bool = False  # nothing to do: the site was already built from these very files

    def summary(self) -> str:
        """Return the one line a build ends with."""
        if self.unchanged:
            return (
                f"Nothing changed since the last build ({count(self.posts, 'post')}, "
                f"{count(self.pages, 'page')}); checked in {self.seconds:.2f} s"
            )
        return (
            f"Built {count(self.posts, 'post')}, {count(self.tags, 'tag')}, "
            f"{count(self.pages, 'page')} in {self.seconds:.2f} s"
        )


@dataclass(frozen=True)
class Prepared:
    """A site read, collected and planned; its files, rendered as they are taken; and when it
    will change by itself."""

    trees: tuple[Site, ...]  # the site, or on a site of several languages its tree in each
    outputs: Generator[Output, None, None]
    next_change: datetime | None  # the date of the first post scheduled for later

    @property
    def posts(self) -> int:
        """Return how many posts the site publishes, in every language."""
        return sum(len(tree.posts) for tree in self.trees)

    @property
    def tags(self) -> int:
        """Return how many tags the site publishes, in every language."""
        return sum(len(tree.tags) for tree in self.trees)

    @property
    def pages(self) -> int:
        """Return how many pages of their own (About, Contact …) the site publishes."""
        return sum(len(tree.pages) for tree in self.trees)


class Steps(Protocol):
    """The steps of the chain that a build may do in part: the plain ones (`FromScratch`), or
    the incremental layer's wrappers of them (`incremental.Incremental`)."""

    @property
    def kept(self) -> Mapping[str, str]:
        """Return the published files kept as they are: path → SHA-256."""

    def unchanged(self) -> dict[str, Any] | None: ...
    def reader(self, now: datetime) -> PostReader: ...
    def related(self, keys: list[list[tuple[str, str]]], count: int) -> list[list[int]]: ...
    def to_render(self, plan: Plan) -> Plan: ...
    def encoder(self) -> Encoder | None: ...
    def write(
        self, outputs: Iterable[Output], output_dir: Path, work: WorkFolders
    ) -> Publication: ...
    def save(
        self, publication: Publication, report: Mapping[str, Any], next_change: datetime | None
    ) -> None: ...


class FromScratch:
    """The plain steps: every post read, every page rendered, a whole new site written."""

    kept: Mapping[str, str] = MappingProxyType({})

    def __init__(self, config: SiteConfig) -> None:
        self.config = config

    def unchanged(self) -> None:
        return None

    def reader(self, now: datetime) -> PostReader:
        return PostReader(self.config, now)

    def related(self, keys: list[list[tuple[str, str]]], count: int) -> list[list[int]]:
        return related_posts(keys, count)

    def to_render(self, plan: Plan) -> Plan:
        return plan

    def encoder(self) -> Encoder | None:
        return Encoder()

    def write(self, outputs: Iterable[Output], output_dir: Path, work: WorkFolders) -> Publication:
        return write(outputs, output_dir, work)

    def save(
        self, publication: Publication, report: Mapping[str, Any], next_change: datetime | None
    ) -> None:
        return None


class _Checking(FromScratch):
    """The plain steps, but for the photos' variants, which `check` does not make: it reads
    every pixel of the photos they are made of; and for the search indexes, which it does not
    make either: every page they hold is rendered."""

    def to_render(self, plan: Plan) -> Plan:
        return dataclasses.replace(plan, indexes=())

    def encoder(self) -> Encoder | None:
        return Decoder()


def prepare(
    config: SiteConfig, progress: Progress = silent, steps: Steps | None = None
) -> Prepared:
    """Read, collect and plan the site, raising every problem found; publish nothing. Its
    files are rendered as the outputs are taken."""
    steps = steps or FromScratch(config)
    reading = read_posts(config, progress, steps.reader(config.now()))
    with collector_skips_older():
        try:
            trees = collect_trees(config, reading.posts, reading.pages, steps.related)
        except ErrorList as exc:  # the clashes among readable posts, with the others
            raise ErrorList(reading.errors + exc.errors) from None
        raise_all(list(reading.errors))
        posts, tags = sum(len(t.posts) for t in trees), sum(len(t.tags) for t in trees)
        logger.info("Read %s with %s", count(posts, "post"), count(tags, "tag"))
        theme = Theme(config)
        planned = steps.to_render(plan(trees, theme.named()))
    scheduled = (post.date for post in reading.posts if post.scheduled)
    outputs = render(planned, theme, progress, steps.encoder())
    return Prepared(tuple(trees), outputs, min(scheduled, default=None))


def build(
    config: SiteConfig, force: bool = False, progress: Progress = silent, use_cache: bool = True
) -> BuildReport:
    """Build the site described by `config` into its output folder, or raise and write nothing.

    Unless `use_cache` is false, only what changed since the last build is done again
    (`incremental`), and a build with nothing to do does nothing.
    """
    started = time.perf_counter()
    check_output_dir(config.output_dir, config.source, config.input_dirs, force)
    with blog_lock(config.source), collector_skips_older():
        seal = Seal.of_blog(config.source)
        work = work_folders(config, seal)
        recover(work)
        steps: Steps = Incremental(config, seal) if use_cache else FromScratch(config)
        last = steps.unchanged()
        if last is not None:
            for warning in last["warnings"]:
                logger.warning("%s", warning)
            logger.info("Nothing changed since the last build")
            seconds = time.perf_counter() - started
            return BuildReport(
                **last["figures"], seconds=seconds, output_dir=config.output_dir, unchanged=True
            )
        with _warnings() as warnings:
            prepared = prepare(config, progress, steps)
            try:
                publication = steps.write(prepared.outputs, config.output_dir, work)
            finally:  # a write that fails leaves no page rendering, no worker running
                prepared.outputs.close()
        files = sorted(set(publication.checksums) - set(MANIFESTS))
        kept = f", {len(steps.kept)} kept unchanged from the last build" if use_cache else ""
        logger.info("Rendered %s%s", count(len(files), "file"), kept)
        logger.info("Wrote %s", config.output_dir)
        report = BuildReport(
            posts=prepared.posts,
            tags=prepared.tags,
            pages=sum(1 for path in files if path.endswith(".html")),
            files=len(files),
            seconds=time.perf_counter() - started,
            output_dir=config.output_dir,
        )
        figures = {name: getattr(report, name) for name in ("posts", "tags", "pages", "files")}
        steps.save(publication, {"figures": figures, "warnings": warnings}, prepared.next_change)
        return report


def work_folders(config: SiteConfig, seal: Seal) -> WorkFolders:
    """Return the work folders of builds into the output folder of `config`, recorded in the
    blog's cache under its seal."""
    target = config.output_dir.resolve()
    name = hashlib.sha256(str(target).encode()).hexdigest()[:16]
    return WorkFolders(target, config.source / CACHE_DIR / f"work-{name}.json", seal)


@contextlib.contextmanager
def _warnings() -> Iterator[list[str]]:
    """Collect the warnings logged meanwhile, for a later build with nothing to do to repeat."""
    warnings = Warnings()
    logging.getLogger("hrdblog").addHandler(warnings)
    try:
        yield warnings.messages
    finally:
        logging.getLogger("hrdblog").removeHandler(warnings)


def check(config: SiteConfig) -> str:
    """Check the content without writing anything, then the built site if there is one.

    Return what was checked; raise every problem found.
    """
    prepared = prepare(config, steps=_Checking(config))
    with contextlib.closing(prepared.outputs) as outputs:
        for _ in outputs:  # every page rendered, every file read: their problems raised
            pass
    own = f" and {count(prepared.pages, 'page')}" if prepared.pages else ""
    checked = f"The content is sound: {count(prepared.posts, 'post')}{own} would be published."
    if not (config.output_dir / MANIFEST).is_file():
        shown = config.display_path(config.output_dir)
        return (
            f"{checked}\n{shown}/ is not built yet: build it, then check again to test its links."
        )
    # The heavy pages are named first: a broken link elsewhere does not hide them.
    budget = config.page_budget * 1024
    heavy = [w for w in page_weights(config.output_dir) if w.total > budget]
    shown = config.display_path(config.output_dir)
    for weight in heavy:
        heaviest = (
            f"; the heaviest image is {weight.heaviest[0][0]} ({_kb(weight.heaviest[0][1])}): a "
            "simpler or smaller photo, or smaller image_widths, weighs less"
            if weight.heaviest and weight.images * 4 >= weight.total
            else "; show less on it (fewer posts_per_page, shorter excerpts) to lighten it"
        )
        logger.warning(
            "%s/%s weighs %s on a phone's first screen, more than page_budget (%d KB): "
            "HTML %s, CSS %s, images %s%s",
            shown,
            weight.page,
            _kb(weight.total),
            config.page_budget,
            _kb(weight.html),
            _kb(weight.css),
            _kb(weight.images),
            heaviest,
        )
    problems = check_site(config.output_dir, config.base_url, config.allowed_origins)
    raise_all([HrdblogError(f"{shown}/{problem}") for problem in problems])
    pages = sum(1 for path in config.output_dir.rglob("*.html"))
    over = f"; {count(len(heavy), 'page')} over page_budget" if heavy else ""
    return (
        f"{checked}\n{shown}/: {count(pages, 'page')} checked; every link, anchor and file "
        f"resolves, and nothing loads from another site{over}."
    )


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size < 100 * 1024 else f"{size / 1024:.0f} KB"


def status(config: SiteConfig) -> str:
    """Describe the drafts (posts and pages) and the posts scheduled for later, with the day
    each will appear."""
    reading = read_posts(config)
    raise_all(list(reading.errors))
    entries: tuple[Post | Page, ...] = (*reading.posts, *reading.pages)
    drafts = sorted((entry for entry in entries if entry.draft), key=lambda entry: entry.file)
    scheduled = sorted((p for p in reading.posts if p.scheduled and not p.draft), key=Post.sort_key)
    if not drafts and not scheduled:
        return "No drafts, nothing scheduled: every post is published."
    lines = []
    if drafts:
        lines.append(f"{count(len(drafts), 'draft')}, published when `draft: true` is removed:")
        lines += [f"  {post.file}  {post.title}" for post in drafts]
    if scheduled:
        lines.append(
            f"{count(len(scheduled), 'post')} scheduled, each published by the first build "
            "after its date:"
        )
        lines += [f"  {post.date:%Y-%m-%d %H:%M}  {post.file}  {post.title}" for post in scheduled]
    return "\n".join(lines)
