"""Build a site: config → read → collect → render → write."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from hrdblog.collect import collect
from hrdblog.config import SiteConfig
from hrdblog.errors import ErrorList, count, raise_all
from hrdblog.read import read_posts
from hrdblog.render import render
from hrdblog.write import check_output_dir, write

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


def build(config: SiteConfig, force: bool = False) -> BuildReport:
    """Build the site described by `config` into its output folder, or raise and write nothing."""
    started = time.perf_counter()
    protected = (config.content_dir, config.templates_dir, config.source / "static")
    check_output_dir(config.output_dir, config.source, protected, force)
    reading = read_posts(config)
    try:
        site = collect(config, reading.posts)
    except ErrorList as exc:  # report the clashes among readable posts with the other problems
        raise ErrorList(reading.errors + exc.errors) from None
    raise_all(list(reading.errors))
    logger.info("Read %s with %s", count(len(site.posts), "post"), count(len(site.tags), "tag"))
    outputs = render(site)
    logger.info("Rendered %s", count(len(outputs), "file"))
    write(outputs, config.output_dir)
    logger.info("Wrote %s", config.output_dir)
    return BuildReport(
        posts=len(site.posts),
        tags=len(site.tags),
        pages=sum(1 for output in outputs if output.path.endswith(".html")),
        files=len(outputs),
        seconds=time.perf_counter() - started,
        output_dir=config.output_dir,
    )
