"""The nouns of a blog: posts, tags, pages of lists, the site, outputs. All frozen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup

from hrdblog.config import SiteConfig


@dataclass(frozen=True)
class Term:
    """A tag as one post carries it: its slug (its identity), its name and its url."""

    slug: str
    name: str
    url: str


@dataclass(frozen=True)
class Post:
    """A dated entry, read from `content/**/*.md` and rendered to HTML."""

    source: str  # the file, as messages show it: content/2017/oman.md
    title: str
    date: datetime  # always timezone-aware
    slug: str
    url: str
    body: Markup  # the full text, with the `#more` anchor where the excerpt ends
    excerpt: Markup
    has_more: bool
    more_text: str | None
    tags: tuple[Term, ...]
    summary: str | None = None  # the summary as written (Markdown)
    author: str = ""
    lang: str = ""
    updated: datetime | None = None
    draft: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)  # front-matter keys hrdblog does not use
    lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key → line, for messages

    def sort_key(self) -> tuple[datetime, str, str]:
        """Return the key that orders posts oldest first, same-date posts by slug then file."""
        return (self.date, self.slug, self.source)


@dataclass(frozen=True)
class ListPage:
    """One page of a paginated list of posts (the home page, a tag page)."""

    url: str
    number: int
    count: int  # how many pages the list has
    posts: tuple[Post, ...]
    newer_url: str | None  # the previous page, with newer posts
    older_url: str | None  # the next page, with older posts


@dataclass(frozen=True)
class Tag:
    """One tag and every post that carries it, newest first."""

    slug: str
    name: str  # the most common spelling among its posts
    url: str
    posts: tuple[Post, ...]
    pages: tuple[ListPage, ...]


@dataclass(frozen=True)
class Site:
    """A blog ready to render: its settings, posts newest first, tags by name, home pages."""

    config: SiteConfig
    posts: tuple[Post, ...]
    tags: tuple[Tag, ...]
    home: tuple[ListPage, ...]


@dataclass(frozen=True)
class Output:
    """One file to write: its path inside the output folder, its bytes, and what made it."""

    path: str
    content: bytes
    origin: str  # shown when two outputs clash: a post's file, "tag page 'x'", …
