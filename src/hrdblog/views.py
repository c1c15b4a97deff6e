"""What each page shows: one frozen view per kind of page, and the site-wide view.

A template sees its page's view (its fields are the template's own variables), the site-wide
view `site`, the settings `config`, and the theme's functions: nothing else. Everything a page
can show is therefore in these, and a page's reuse key is derived from them (`Canonical`): a
rebuild renders again exactly the pages whose view, site-wide view, settings or templates
changed. No page kind writes a key of its own.

The site-wide view holds what every page may show of the whole site. Its navigation is always
there; the site-wide lists (`SITE_WIDE`) are there only when a template names them
(`site.post_count`, `site.terms.tags` …): a site whose templates show none of them does not
render every page again when a post is added. So are the numbers of posts of a term page's
term and an archive page's archive (`tag.count`, `archive.count`), which change on every page
of the term or archive a post is added to (`ON_DEMAND`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hrdblog.config import BUILD_SETTINGS, Mirror, SiteConfig, Taxonomy
from hrdblog.menus import MenuEntry
from hrdblog.models import Archive, ListPage, Page, Post, PostPage, Redirect, Site, Tag

#: The site-wide lists a template may show on every page, each made only when one names it.
SITE_WIDE = {
    "posts": "every published post, newest first",
    "recent_posts": "the posts_per_page newest posts",
    "post_count": "how many posts are published",
    "terms": "each taxonomy's terms with their number of posts, by taxonomy (site.terms.tags)",
    "archives": "each year with its months, and their numbers of posts",
}

#: What a template may read of its variables only where it names it, by variable: the
#: site-wide lists, and a term page's or an archive page's number of posts.
ON_DEMAND = {
    "site": frozenset(SITE_WIDE),
    "tag": frozenset({"count"}),
    "archive": frozenset({"count"}),
}


@dataclass(frozen=True)
class FeedLink:
    """A feed as pages advertise it: its title and its url."""

    title: str
    url: str


@dataclass(frozen=True)
class TermLink:
    """A term of a taxonomy as pages link it: its names and its url."""

    taxonomy: str
    slug: str
    name: str
    url: str

    @classmethod
    def of(cls, tag: Tag) -> TermLink:
        """Return what pages link of a term."""
        return cls(tag.taxonomy, tag.slug, tag.name, tag.url)


@dataclass(frozen=True)
class TermCount(TermLink):
    """A term of a taxonomy as pages show it: its names, its url and its number of posts."""

    count: int

    @classmethod
    def of(cls, tag: Tag) -> TermCount:
        """Return what pages show of a term."""
        return cls(tag.taxonomy, tag.slug, tag.name, tag.url, len(tag.posts))


@dataclass(frozen=True)
class ArchiveLink:
    """A year's, month's or day's archive as pages link it: its date and its url."""

    kind: str  # year, month or day
    date: date  # its first day
    url: str

    @classmethod
    def of(cls, archive: Archive) -> ArchiveLink:
        """Return what pages link of an archive."""
        return cls(archive.kind, archive.date, archive.url)


@dataclass(frozen=True)
class ArchiveCount(ArchiveLink):
    """A year's, month's or day's archive as pages show it: its date, url and number of posts."""

    count: int

    @classmethod
    def of(cls, archive: Archive) -> ArchiveCount:
        """Return what pages show of an archive."""
        return cls(archive.kind, archive.date, archive.url, len(archive.posts))


@dataclass(frozen=True)
class YearCount:
    """A year of the archive listing, with its months, newest first."""

    year: ArchiveCount
    months: tuple[ArchiveCount, ...]


@dataclass(frozen=True)
class Logo:
    """The site's logo as pages show it: its address, and its size where it is known."""

    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class SiteView:
    """What every page may show of the whole site: `site` in templates."""

    taxonomies: tuple[Taxonomy, ...]  # the taxonomies with terms, as navigation shows them
    listing_url: str  # the archive listing
    lists: Mapping[str, Any]  # the site-wide lists the templates name, by name
    menu: tuple[MenuEntry, ...] = ()  # the site's menu (`menus`)
    language: str = ""  # the language of the tree the page is in; "" for a site of one
    prefix: str = ""  # what the tree's addresses start with: "" or /ar …
    title: str = ""  # the site's title, in the tree's language where it is translated
    description: str = ""  # and its description
    logo: Logo | None = None  # the `logo` setting's file, with its size
    icon: str = "/favicon.svg"  # the site url of its icon
    search_url: str = ""  # the tree's search page; "" where search is off
    mirrors_url: str = ""  # the tree's page of the site's other addresses; "" for none

    def __getattr__(self, name: str) -> Any:
        """Return a site-wide list the templates name."""
        if name.startswith("__") or name == "lists":
            raise AttributeError(name)
        try:
            return self.lists[name]
        except KeyError:
            raise AttributeError(name) from None


class Settings:
    """The settings as templates see them (`config`): every setting of hrdblog.yaml and what
    the command line publishes (drafts, scheduled posts), but nothing of the machine (its
    folders) or of the moment (the build's time): a page shows what its key covers."""

    def __init__(self, config: SiteConfig) -> None:
        self._config = config

    def __getattr__(self, name: str) -> Any:
        """Return a setting."""
        if name not in TEMPLATE_SETTINGS:
            raise AttributeError(name)
        return getattr(self._config, name)


#: What `config` holds for templates.
TEMPLATE_SETTINGS = BUILD_SETTINGS | {"include_drafts", "include_future", "all_texts"}


@dataclass(frozen=True)
class Translation:
    """A language of the site as a page links it: the page's translation in it (`twin`), or
    where there is none that language's home page."""

    lang: str  # its code: ar
    name: str  # its name, in itself: العربية
    url: str
    twin: bool  # the same story in that language, not only its home page
    current: bool  # the language of the page itself


# The views of the pages, one kind each. Their fields are their templates' own variables.
# On a site of several languages, each page's `translations` are the site's languages, in
# the order of `languages`, each leading to the page's translation or that language's home.


@dataclass(frozen=True)
class HomeView:
    """A page of the home page."""

    page: ListPage
    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class PostView:
    """A post's page, with the posts before and after it and its related posts."""

    post: Post
    neighbours: PostPage
    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class PageView:
    """A page of its own: About, Contact, Donate …"""

    page: Page
    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class TermView:
    """A page of a term of a taxonomy: a tag page, a country page … Its term has its number
    of posts where a template names `tag.count`."""

    tag: TermLink | TermCount
    taxonomy: Taxonomy
    page: ListPage
    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()
    feed: FeedLink | None = None  # the term's own feed


@dataclass(frozen=True)
class TermIndexView:
    """The index of a taxonomy's terms, each with its number of posts."""

    taxonomy: Taxonomy
    terms: tuple[TermCount, ...]
    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class ArchiveView:
    """A page of a year's, month's or day's archive. The archive has its number of posts
    where a template names `archive.count`."""

    archive: ArchiveLink | ArchiveCount
    page: ListPage
    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class ArchiveListingView:
    """The archive listing: every year with its months."""

    years: tuple[YearCount, ...]
    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class NotFoundView:
    """The page a host shows for an address the site does not have, with the newest posts."""

    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()
    posts: tuple[Post, ...] = ()


@dataclass(frozen=True)
class SearchView:
    """The search page: a form, and the results its script finds in the tree's index."""

    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class MirrorsView:
    """The page of the site's other addresses: its onion address and its mirrors, with how
    to check that a copy is the site as published."""

    onion_url: str
    mirrors: tuple[Mirror, ...]
    feeds: tuple[FeedLink, ...]
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class StyleView:
    """The stylesheet of the site's accent colour: as given, for what is not text (the bar
    above the header); and for text, the nearest of its hue readable on the light and on
    the dark background."""

    accent: str
    accent_text: str
    accent_dark: str


@dataclass(frozen=True)
class IconView:
    """The site's icon where `favicon` names none: its initial on its accent colour."""

    letter: str
    color: str
    ink: str  # the letter's colour: white, or black on a light accent


@dataclass(frozen=True)
class RedirectView:
    """The page at an old address, sending readers on to the post (or page, or address) now
    there."""

    post: Post | Page | Redirect


@dataclass(frozen=True)
class Feed:
    """An Atom feed of a list of posts, advertised on the list's pages."""

    title: str
    url: str  # the feed's url
    page_url: str  # the url of the page it is the feed of
    posts: tuple[Post, ...]

    @property
    def link(self) -> FeedLink:
        """Return the feed as pages advertise it."""
        return FeedLink(self.title, self.url)


@dataclass(frozen=True)
class FeedView:
    """An Atom feed."""

    feed: Feed


@dataclass(frozen=True)
class SitemapPage:
    """A page as the sitemap lists it."""

    url: str
    lastmod: datetime | None  # None for a page that does not say when it changed
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, url) of each translation


@dataclass(frozen=True)
class SitemapView:
    """The sitemap: every page with an address, and when what it shows last changed; on a
    site of several languages, with its translations."""

    pages: tuple[SitemapPage, ...]
    alternates: bool = False


@dataclass(frozen=True)
class RobotsView:
    """robots.txt: what crawlers may read, and where the sitemaps are (one for each language's
    tree of the site)."""

    sitemaps: tuple[str, ...] = ()


View = (
    HomeView
    | PostView
    | PageView
    | TermView
    | TermIndexView
    | ArchiveView
    | ArchiveListingView
    | NotFoundView
    | SearchView
    | MirrorsView
    | StyleView
    | IconView
    | RedirectView
    | FeedView
    | SitemapView
    | RobotsView
)


def fields(view: object) -> dict[str, Any]:
    """Return a view's fields by name: its template's own variables."""
    return {name: getattr(view, name) for name in _field_names(type(view))}


def site_view(
    site: Site,
    listing_url: str,
    names: frozenset[str],
    menu: tuple[MenuEntry, ...] = (),
    logo: Logo | None = None,
    icon: str = "/favicon.svg",
    search_url: str = "",
    mirrors_url: str = "",
) -> SiteView:
    """Return the site-wide view of a site, with its menu, its logo and the site-wide lists
    in `names` (the ones the templates name)."""
    makers: dict[str, Callable[[], Any]] = {
        "posts": lambda: site.posts,
        "recent_posts": lambda: site.posts[: site.config.posts_per_page],
        "post_count": lambda: len(site.posts),
        "terms": lambda: {
            terms.taxonomy.name: tuple(TermCount.of(tag) for tag in terms.tags)
            for terms in site.taxonomies
        },
        "archives": lambda: archive_listing(site),
    }
    return SiteView(
        taxonomies=tuple(terms.taxonomy for terms in site.taxonomies if terms.tags),
        listing_url=listing_url,
        lists={name: makers[name]() for name in sorted(names & makers.keys())},
        menu=menu,
        language=site.language,
        prefix=site.prefix,
        title=site.config.site_text(site.language or site.config.language, "title"),
        description=site.config.site_text(site.language or site.config.language, "description"),
        logo=logo,
        icon=icon,
        search_url=search_url,
        mirrors_url=mirrors_url,
    )


def archive_listing(site: Site) -> tuple[YearCount, ...]:
    """Return the archive listing as pages show it."""
    return tuple(
        YearCount(ArchiveCount.of(y.year), tuple(ArchiveCount.of(m) for m in y.months))
        for y in site.archive_listing
    )


class Canonical:
    """Writes any view as text that is the same exactly when the view is: the reuse key.

    Every value is written so that where it ends is known (texts with their length, numbers
    and dates with a `;`, lists and fields in brackets): two views never write one text. Posts
    and pages are written as the digest of what any page may show of them (`post_digest`),
    made once a build for each; everything else field by field. A value of a kind it does not
    know is an error, never a key that leaves something out.
    """

    def __init__(self, post_digest: Callable[[Post | Page], str]) -> None:
        self._post_digest = post_digest
        # Posts and the parts views share (a term, its taxonomy, the feeds of a list) are
        # written once a build, and their text kept by id: views are frozen, and each is
        # kept beside its text, so an id stays its own.
        self._known: dict[int, tuple[object, str]] = {}

    def __call__(self, value: object) -> str:
        """Return the canonical text of a value."""
        out: list[str] = []
        self._items((value,), out)
        return "".join(out)

    def _write(self, value: object, out: list[str]) -> None:
        # Reached through `_items` only, which writes what was met before. The kinds views
        # are made of come first, by their exact type: a key is made for every page of every
        # rebuild, and most of what it writes is posts in a tuple.
        kind = type(value)
        if kind is str:
            out.append(f"{len(value)}:{value}")  # type: ignore[arg-type]
        elif kind is tuple or kind is list:
            out.append("[")
            self._items(value, out)  # type: ignore[arg-type]
            out.append("]")
        elif kind is Post or kind is Page or kind in _SHARED:
            self._write_new(value, kind, out)
        elif kind in _FIELDS:
            self._fields(value, kind, out)
        elif value is None or kind is bool or kind is int:
            out.append(f"{value!r};")
        elif isinstance(value, str):  # markup: its text is what it shows
            text = str(value)
            out.append(f"{len(text)}:{text}")
        elif isinstance(value, Post | Page):
            self._write_new(value, Post if isinstance(value, Post) else Page, out)
        elif isinstance(value, tuple | list):
            self._write(list(value), out)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            self._fields(value, kind, out)
        elif isinstance(value, Mapping):
            out.append("{")
            for key in sorted(value):
                self._items((key, value[key]), out)
            out.append("}")
        elif isinstance(value, datetime | date):
            out.append(f"{value.isoformat()};")
        else:
            raise TypeError(f"a view holds a {type(value).__name__}, which has no key")

    def _write_new(self, value: object, kind: type, out: list[str]) -> None:
        """Write a post, a page or a shared part met for the first time, and keep its text."""
        if kind is Post or kind is Page:
            digest = self._post_digest(value)  # type: ignore[arg-type]
            text = f"{_DIGESTED[kind]}{len(digest)}:{digest}"
        else:
            mine: list[str] = []
            self._fields(value, kind, mine)
            text = "".join(mine)
        if kind is type(value):  # a subclass of Post or Page is written alike, but not kept
            self._known[id(value)] = (value, text)
        out.append(text)

    def _fields(self, value: object, kind: type, out: list[str]) -> None:
        out.append(kind.__name__)
        out.append("(")
        self._items([getattr(value, name) for name in _field_names(kind)], out)
        out.append(")")

    def _items(self, values: Iterable[object], out: list[str]) -> None:
        # `_write` of each value, its most frequent kinds written here: what is known
        # (posts, shared parts), texts and times.
        known = self._known
        for value in values:
            kind = type(value)
            if kind is str:
                out.append(f"{len(value)}:{value}")  # type: ignore[arg-type]
                continue
            if kind is datetime:
                out.append(f"{value.isoformat()};")  # type: ignore[attr-defined]
                continue
            found = known.get(id(value))
            if found is not None and found[0] is value:
                out.append(found[1])
                continue
            self._write(value, out)


#: What a digest is the digest of, in a key: a post, or a page.
_DIGESTED: dict[type, str] = {Post: "P", Page: "G"}
#: The parts many views share.
_SHARED = frozenset(
    {
        Taxonomy,
        TermLink,
        TermCount,
        ArchiveLink,
        ArchiveCount,
        YearCount,
        FeedLink,
        MenuEntry,
        Translation,
        Logo,
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names
