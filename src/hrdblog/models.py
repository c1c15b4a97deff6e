"""The nouns of a blog: posts, pages, tags, archives, pages of lists, the site, outputs. All
frozen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from hrdblog.config import SiteConfig, Taxonomy


@dataclass(frozen=True)
class Term:
    """A tag as one post carries it: its slug (its identity), its name and its url."""

    slug: str
    name: str
    url: str


@dataclass(frozen=True)
class Link:
    """A named link to another site, like the original source of a relayed story."""

    name: str
    url: str


@dataclass(frozen=True)
class ShownImage:
    """A photo a post or page shows, which is published in several widths (`images`)."""

    file: str  # the file, as messages show it: content/2017/oman/vigil.jpg
    at: str  # its address: in the post's folder (vigil.jpg), or in static/ (/static/x.jpg)
    width: int
    height: int


@dataclass(frozen=True)
class FeaturedImage:
    """A post's featured image (`image:`), with what is written of it."""

    image: ShownImage
    alt: str = ""
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True)
class Post:
    """A dated entry, read from `content/**/*.md` and rendered to HTML."""

    file: str  # the file, as messages show it: content/2017/oman.md
    title: str
    date: datetime  # always timezone-aware, in the site's time zone
    slug: str
    url: str
    body: Markup  # the full text, with the `#more` anchor where the excerpt ends
    excerpt: Markup
    has_more: bool
    more_text: str | None
    terms: Mapping[str, tuple[Term, ...]]  # taxonomy name → the post's terms in it
    sources: tuple[Link, ...] = ()
    aliases: tuple[str, ...] = ()  # old site paths that redirect to the post
    summary: str | None = None  # the summary as written (Markdown)
    author: str = ""
    lang: str = ""
    updated: datetime | None = None
    draft: bool = False
    scheduled: bool = False  # dated after the build: published when its date comes
    bundle: str | None = None  # the post's own folder, when it is content/…/slug/index.md
    resources: tuple[str, ...] = ()  # the files in that folder, published beside the page
    extra: Mapping[str, Any] = field(default_factory=dict)  # front-matter keys hrdblog does not use
    lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key → line, for messages
    translation_key: str = ""  # what its translations share, on a site of several languages
    images: tuple[ShownImage, ...] = ()  # the photos its text shows, in several widths
    image: FeaturedImage | None = None  # its featured image

    @property
    def tags(self) -> tuple[Term, ...]:
        """Return the post's tags."""
        return self.terms.get("tags", ())

    @property
    def last_modified(self) -> datetime:
        """Return when the post last changed: its `updated` field, else its date."""
        return self.updated or self.date

    def sort_key(self) -> tuple[datetime, str, str]:
        """Return the key that orders posts oldest first, same-date posts by slug then file."""
        return (self.date, self.slug, self.file)


@dataclass(frozen=True)
class Page:
    """A page that stands on its own (About, Contact, Donate), read from
    `content/pages/**/*.md`: in no list, archive or feed, and dated only if it says so."""

    file: str  # the file, as messages show it: content/pages/about.md
    title: str
    slug: str  # the last part of its url
    url: str
    body: Markup
    excerpt: Markup  # its summary, else its first words: its description for search engines
    summary: str | None = None  # the summary as written (Markdown)
    author: str = ""
    lang: str = ""
    date: datetime | None = None
    updated: datetime | None = None
    draft: bool = False
    aliases: tuple[str, ...] = ()  # old site paths that redirect to the page
    bundle: str | None = None  # the page's own folder, when it is content/pages/…/slug/index.md
    resources: tuple[str, ...] = ()  # the files in that folder, published beside the page
    extra: Mapping[str, Any] = field(default_factory=dict)  # front-matter keys hrdblog does not use
    lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key → line, for messages
    translation_key: str = ""  # what its translations share, on a site of several languages
    images: tuple[ShownImage, ...] = ()  # the photos its text shows, in several widths
    image: FeaturedImage | None = None  # its featured image

    @property
    def last_modified(self) -> datetime | None:
        """Return when the page last changed, if it says: its `updated` field, else its date."""
        return self.updated or self.date


@dataclass(frozen=True)
class Redirect:
    """Where an old address of the site (the `redirects` setting) now leads: what redirect.html
    shows of it, as it shows a post."""

    title: str
    url: str
    lang: str = ""


@dataclass(frozen=True)
class ListPage:
    """One page of a paginated list of posts (the home page, a tag page, an archive)."""

    url: str
    number: int
    count: int  # how many pages the list has
    posts: tuple[Post, ...]
    newer_url: str | None  # the previous page, with newer posts
    older_url: str | None  # the next page, with older posts


@dataclass(frozen=True)
class Tag:
    """One term of a taxonomy and every post that carries it, newest first."""

    taxonomy: str  # tags, categories, countries …
    slug: str
    name: str  # the most common spelling among its posts
    url: str
    posts: tuple[Post, ...]
    pages: tuple[ListPage, ...]


@dataclass(frozen=True)
class TaxonomyTerms:
    """A taxonomy with all its terms, ordered by name."""

    taxonomy: Taxonomy
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class Archive:
    """The posts of one year, month or day, newest first."""

    kind: str  # year, month or day
    date: date  # its first day
    url: str
    posts: tuple[Post, ...]
    pages: tuple[ListPage, ...]


@dataclass(frozen=True)
class YearArchives:
    """A year's archive with the archives of its months, newest first: the archive listing."""

    year: Archive
    months: tuple[Archive, ...]


@dataclass(frozen=True)
class PostPage:
    """A post with what its page links to: the posts before and after it, related posts."""

    post: Post
    previous: Post | None  # the next older post
    next: Post | None  # the next newer post
    related: tuple[Post, ...]


@dataclass(frozen=True)
class Site:
    """A blog ready to render: its settings and every page's content, in a stable order."""

    config: SiteConfig
    posts: tuple[Post, ...]  # newest first
    home: tuple[ListPage, ...]
    post_pages: tuple[PostPage, ...]
    taxonomies: tuple[TaxonomyTerms, ...]
    archives: tuple[Archive, ...]  # years, months and days, newest first
    archive_listing: tuple[YearArchives, ...]
    pages: tuple[Page, ...] = ()  # by url
    drafts: tuple[Page, ...] = ()  # the pages left out of this build: drafts
    language: str = ""  # the language of this tree of the site; "" for a site of one language
    prefix: str = ""  # what its urls start with: "" for the default language's, /ar …

    @property
    def tags(self) -> tuple[Tag, ...]:
        """Return the terms of the `tags` taxonomy."""
        return next((t.tags for t in self.taxonomies if t.taxonomy.name == "tags"), ())


@dataclass(frozen=True)
class Output:
    """One file to write: its path inside the output folder, its bytes, and what made it."""

    path: str
    content: bytes
    origin: str  # shown when two outputs clash: a post's file, "the tag page of 'x'", …
