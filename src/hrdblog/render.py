"""Stage 3: Site → outputs. One small function per kind of page; nothing is written here."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from hrdblog.models import ListPage, Output, Post, Site, Tag
from hrdblog.theme import DEFAULT_THEME, Theme
from hrdblog.urls import TAG_BASE, output_path

DESCRIPTION_LENGTH = 160


def render(site: Site) -> list[Output]:
    """Render every page of the site and gather the static files it needs."""
    theme = Theme(site.config)
    outputs = [home_page(theme, site, page) for page in site.home]
    outputs += [post_page(theme, site, post) for post in site.posts]
    for tag in site.tags:
        outputs += [tag_page(theme, site, tag, page) for page in tag.pages]
    outputs.append(tag_index(theme, site))
    outputs += static_files(site)
    return outputs


def _page(theme: Theme, site: Site, template: str, url: str, origin: str, **context: Any) -> Output:
    context.update(site=site, page_url=url, lang=site.config.language)
    text = theme.render(template, context)
    return Output(output_path(url), text.encode("utf-8"), origin)


def home_page(theme: Theme, site: Site, page: ListPage) -> Output:
    """Render one page of the home page's list of posts."""
    return _page(theme, site, "index.html", page.url, f"home page {page.number}", page=page)


def post_page(theme: Theme, site: Site, post: Post) -> Output:
    """Render a post's own page."""
    return _page(
        theme, site, "post.html", post.url, post.source, post=post, description=description(post)
    )


def tag_page(theme: Theme, site: Site, tag: Tag, page: ListPage) -> Output:
    """Render one page of a tag's list of posts."""
    origin = f"page {page.number} of the tag {tag.name!r}"
    return _page(theme, site, "tag.html", page.url, origin, tag=tag, page=page)


def tag_index(theme: Theme, site: Site) -> Output:
    """Render the list of every tag with its number of posts."""
    return _page(theme, site, "tags.html", TAG_BASE, "the tag index", tags=site.tags)


def static_files(site: Site) -> list[Output]:
    """Return the theme's static files, and the site's `static/` files over them."""
    found: dict[str, Output] = {}
    for folder in (DEFAULT_THEME / "static", site.config.source / "static"):
        for path in _files(folder):
            name = "static/" + path.relative_to(folder).as_posix()
            found[name] = Output(name, path.read_bytes(), site.config.display_path(path))
    return [found[name] for name in sorted(found)]


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [Path(root, n) for n in sorted(names) if not n.startswith(".")]
    return files


def description(post: Post) -> str:
    """Return a post's summary or excerpt as plain text of at most DESCRIPTION_LENGTH characters."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(post.excerpt))).split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
