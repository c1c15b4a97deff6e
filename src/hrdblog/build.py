"""Build a site: config → read → collect → render → write."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from hrdblog.cache import PageCache, PostCache
from hrdblog.collect import collect
from hrdblog.config import SiteConfig
from hrdblog.errors import ErrorList, HrdblogError, count, raise_all
from hrdblog.models import Output, Post, Site
from hrdblog.read import read_posts
from hrdblog.render import render
from hrdblog.sitecheck import check_site
from hrdblog.write import MANIFEST, check_output_dir, write

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

    def summary(self) -> str:
        """Return the one line a build ends with."""
        return (
            f"Built {count(self.posts, 'post')}, {count(self.tags, 'tag')}, "
            f"{count(self.pages, 'page')} in {self.seconds:.2f} s"
        )


class Progress(Protocol):
    """Told how far a long build has come: the stage, and how much of it is done."""

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report that `done` of `total` items of `stage` are done."""


def _silent(stage: str, done: int, total: int) -> None:
    """Report nothing."""


def prepare(
    config: SiteConfig,
    progress: Progress = _silent,
    cache: PostCache | None = None,
    use_pages: bool = False,
    processes: bool = False,
) -> tuple[Site, list[Output], PageCache | None]:
    """Read, collect and render the site in memory; raise every problem found, write nothing.

    With `use_pages`, pages unchanged since the last build come from the published site.
    """
    reading = read_posts(config, progress, cache)
    try:
        site = collect(config, reading.posts)
    except ErrorList as exc:  # report the clashes among readable posts with the other problems
        raise ErrorList(reading.errors + exc.errors) from None
    raise_all(list(reading.errors))
    logger.info("Read %s with %s", count(len(site.posts), "post"), count(len(site.tags), "tag"))
    pages = None
    if use_pages:
        nav = " ".join(t.taxonomy.name for t in site.taxonomies if t.tags)
        pages = PageCache(config, nav)
    outputs = render(site, progress, pages, processes)
    reused = f", {pages.reused} taken unchanged from the last build" if pages else ""
    logger.info("Rendered %s%s", count(len(outputs), "file"), reused)
    return site, outputs, pages


def build(
    config: SiteConfig,
    force: bool = False,
    progress: Progress = _silent,
    use_cache: bool = True,
    processes: bool = False,
) -> BuildReport:
    """Build the site described by `config` into its output folder, or raise and write nothing.

    Posts read before, unchanged, come from the post cache unless `use_cache` is false. With
    `processes`, a large site is rendered on every core; a caller that runs threads (the
    preview server) must leave it off.
    """
    started = time.perf_counter()
    protected = (config.content_dir, config.templates_dir, config.source / "static")
    check_output_dir(config.output_dir, config.source, protected, force)
    cache = PostCache.load(config) if use_cache else None
    site, outputs, pages = prepare(config, progress, cache, use_cache, processes)
    write(outputs, config.output_dir)
    logger.info("Wrote %s", config.output_dir)
    if cache is not None:
        cache.save()
    if pages is not None:
        pages.save()
    return BuildReport(
        posts=len(site.posts),
        tags=len(site.tags),
        pages=sum(1 for output in outputs if output.path.endswith(".html")),
        files=len(outputs),
        seconds=time.perf_counter() - started,
        output_dir=config.output_dir,
    )


def check(config: SiteConfig) -> str:
    """Check the content without writing anything, then the built site if there is one.

    Return what was checked; raise every problem found.
    """
    site, _, _ = prepare(config)
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
