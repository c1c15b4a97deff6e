"""Build a site: config → read → collect → plan → render → write."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hrdblog.cache import PageCache, PostCache
from hrdblog.collect import collect
from hrdblog.config import SiteConfig
from hrdblog.errors import ErrorList, HrdblogError, Warnings, count, raise_all
from hrdblog.files import changed_since
from hrdblog.lock import CACHE_DIR, blog_lock
from hrdblog.models import Output, Post, Site
from hrdblog.plan import plan
from hrdblog.progress import Progress, silent
from hrdblog.read import Sources, read_posts, source_keys
from hrdblog.render import render
from hrdblog.seal import Seal
from hrdblog.sitecheck import check_site
from hrdblog.speedups.collector import kept_out_of_collections
from hrdblog.theme import site_wide_used
from hrdblog.urls import MANIFEST
from hrdblog.write import Staging, WorkFolders, check_output_dir, recover, write

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
    """A site read, collected and rendered (its pages in memory, or already in the staging
    folder), and when it will change by itself."""

    site: Site
    outputs: list[Output]
    next_change: datetime | None  # the date of the first post scheduled for later


def prepare(
    config: SiteConfig,
    progress: Progress = silent,
    cache: PostCache | None = None,
    pages: PageCache | None = None,
    processes: bool = False,
    sources: Sources | None = None,
    staging: Staging | None = None,
) -> Prepared:
    """Read, collect and render the site; raise every problem found, publish nothing.

    With a page cache, pages unchanged since the last build are kept as published. With a
    staging folder, each rendered file is written there at once instead of kept in memory.
    """
    reading = read_posts(config, progress, cache, sources)
    if pages is not None and reading.changed:
        pages.inputs = ""  # what was read is not what was keyed: the next build does it all
    with kept_out_of_collections():
        try:
            site = collect(config, reading.posts, pages.related if pages else None)
        except ErrorList as exc:  # report the clashes among readable posts with the others
            raise ErrorList(reading.errors + exc.errors) from None
        raise_all(list(reading.errors))
        logger.info("Read %s with %s", count(len(site.posts), "post"), count(len(site.tags), "tag"))
        planned = plan(site, site_wide_used(config))
        outputs = render(
            site, planned, progress, pages, processes, staging.put if staging else None
        )
    reused = f", {pages.reused} kept unchanged from the last build" if pages else ""
    logger.info("Rendered %s%s", count(len(outputs), "file"), reused)
    scheduled = (post.date for post in reading.posts if post.scheduled)
    return Prepared(site, outputs, min(scheduled, default=None))


def build(
    config: SiteConfig,
    force: bool = False,
    progress: Progress = silent,
    use_cache: bool = True,
    processes: bool = False,
) -> BuildReport:
    """Build the site described by `config` into its output folder, or raise and write nothing.

    Unless `use_cache` is false, posts read before, unchanged, come from the post cache, pages
    that would be the same are kept as published, and a build with nothing to do does nothing.
    With `processes`, a large site is rendered on every core; a caller that runs threads (the
    preview server) must leave it off.
    """
    started = time.perf_counter()
    check_output_dir(config.output_dir, config.source, config.input_dirs, force)
    with blog_lock(config.source):
        seal = Seal.of_blog(config.source)
        work = work_folders(config, seal)
        recover(work)
        if not use_cache:
            fresh = Staging(config.output_dir, work)
            with _removed_on_failure(fresh):
                prepared = prepare(config, progress, processes=processes, staging=fresh)
            write(prepared.outputs, config.output_dir, work, staging=fresh)
            return _report(prepared, started, config.output_dir)
        pages = PageCache(config, seal)
        with kept_out_of_collections():  # the record of the last build
            return _rebuild(config, pages, work, progress, processes, started)


def work_folders(config: SiteConfig, seal: Seal) -> WorkFolders:
    """Return the work folders of builds into the output folder of `config`, recorded in the
    blog's cache under its seal."""
    target = config.output_dir.resolve()
    name = hashlib.sha256(str(target).encode()).hexdigest()[:16]
    return WorkFolders(target, config.source / CACHE_DIR / f"work-{name}.json", seal)


def _rebuild(
    config: SiteConfig,
    pages: PageCache,
    work: WorkFolders,
    progress: Progress,
    processes: bool,
    started: float,
) -> BuildReport:
    """Build with the caches: only what changed since the build `pages` records."""
    sources = source_keys(config, pages.sources)
    pages.keyed({**sources.keys, **sources.others}, sources.stats, sources.problems)
    last = pages.unchanged(config.now())
    if last is not None:
        for warning in last["warnings"]:
            logger.warning("%s", warning)
        logger.info("Nothing changed since the last build")
        seconds = time.perf_counter() - started
        return BuildReport(
            **last["figures"], seconds=seconds, output_dir=config.output_dir, unchanged=True
        )
    cache = PostCache.load(config, pages.seal, pages.fingerprint)
    published = pages.published()
    # From scratch, pages go to disk as they are rendered; a rebuild renders few of them.
    staging = None if published else Staging(config.output_dir, work)
    with _warnings() as warnings:
        with _removed_on_failure(staging):
            prepared = prepare(config, progress, cache, pages, processes, sources, staging)
        publication = write(
            prepared.outputs, config.output_dir, work, published, pages.present, staging
        )
    logger.info("Wrote %s", config.output_dir)
    report = _report(prepared, started, config.output_dir)
    cache.save()
    changed = changed_since(sources.seen)
    if changed:  # during the build: what was published may not be what they hold now
        pages.inputs = ""
        for name in changed:
            pages.sources.pop(name, None)
    figures = {name: getattr(report, name) for name in ("posts", "tags", "pages", "files")}
    pages.save(publication, {"figures": figures, "warnings": warnings}, prepared.next_change)
    return report


@contextlib.contextmanager
def _removed_on_failure(staging: Staging | None) -> Iterator[None]:
    """Remove the staging folder if what runs meanwhile fails."""
    try:
        yield
    except BaseException:
        if staging is not None:
            staging.discard()
        raise


def _report(prepared: Prepared, started: float, output_dir: Path) -> BuildReport:
    outputs = prepared.outputs
    return BuildReport(
        posts=len(prepared.site.posts),
        tags=len(prepared.site.tags),
        pages=sum(1 for output in outputs if output.path.endswith(".html")),
        files=len(outputs),
        seconds=time.perf_counter() - started,
        output_dir=output_dir,
    )


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
    site = prepare(config).site
    checked = f"The content is sound: {count(len(site.posts), 'post')} would be published."
    if not (config.output_dir / MANIFEST).is_file():
        shown = config.display_path(config.output_dir)
        return (
            f"{checked}\n{shown}/ is not built yet: build it, then check again to test its links."
        )
    problems = check_site(config.output_dir, config.base_url, config.allowed_origins)
    shown = config.display_path(config.output_dir)
    raise_all([HrdblogError(f"{shown}/{problem}") for problem in problems])
    pages = sum(1 for path in config.output_dir.rglob("*.html"))
    return (
        f"{checked}\n{shown}/: {count(pages, 'page')} checked; every link, anchor and file "
        "resolves, and nothing loads from another site."
    )


def status(config: SiteConfig) -> str:
    """Describe the drafts and the posts scheduled for later, with the day each will appear."""
    reading = read_posts(config)
    raise_all(list(reading.errors))
    drafts = sorted((p for p in reading.posts if p.draft), key=lambda p: p.file)
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
