"""Stage 3: Site → plan. Every page and file to publish, with the view it shows, the template
that shows it and the path it is written to; every path is checked here, before anything is
rendered or written.

To add a kind of page: a view in `views.py`, its entries in `plan` below, its template in the
default theme (and a line in README's list of templates).
"""

from __future__ import annotations

import dataclasses
import functools
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from hrdblog import colors
from hrdblog.config import ROOT_HIDDEN, SiteConfig
from hrdblog.errors import ErrorList, HrdblogError, raise_all
from hrdblog.files import walk
from hrdblog.headers import HEADERS_FILE, netlify_file
from hrdblog.images import Variant, variants
from hrdblog.media import image_size, svg_size
from hrdblog.menus import published_at, resolve
from hrdblog.models import ListPage, Output, Page, Post, Redirect, Site
from hrdblog.search import SEARCH_URL, SearchIndex, index_folder
from hrdblog.theme import DEFAULT_THEME
from hrdblog.translations import hreflang, link_translations
from hrdblog.urls import Origin, check_paths, feed_url, output_path
from hrdblog.views import (
    ArchiveCount,
    ArchiveLink,
    ArchiveListingView,
    ArchiveView,
    Feed,
    FeedView,
    HomeView,
    IconView,
    Logo,
    MirrorsView,
    NotFoundView,
    PageView,
    PostView,
    RedirectView,
    RobotsView,
    SearchView,
    SitemapPage,
    SitemapView,
    SiteView,
    StyleView,
    TermCount,
    TermIndexView,
    TermLink,
    TermView,
    View,
    archive_listing,
    site_view,
)

ARCHIVES_URL = "/archives/"
#: Where each tree's page of the site's other addresses is, where it has any.
MIRRORS_URL = "/mirrors/"
#: How many of the newest posts the not-found page lists.
NEWEST_ON_NOT_FOUND = 5


@dataclass(frozen=True)
class Planned:
    """A page (or feed) to render: what it shows, with which template, at which address."""

    view: View
    template: str
    url: str | None  # the page's url; None for a page served at any address (404.html)
    path: str  # where it is written in the output folder
    origin: Origin  # what it is, in messages
    lastmod: datetime | None = None  # when what it shows last changed, for the sitemap
    listed: bool = True  # in the sitemap (redirects are not pages of their own)
    tree: int = 0  # the tree of the site it is in: the number of its language in `languages`


@dataclass(frozen=True)
class Plan:
    """Everything a build publishes, in the order of the output."""

    sites: tuple[SiteView, ...]  # what every page of each tree may show of the whole tree
    pages: tuple[Planned, ...]
    files: tuple[tuple[str, Path], ...]  # published as they are (images cleaned): path, file
    notes: tuple[str, ...] = ()  # warnings of what is not published, given once pages render
    variants: tuple[Variant, ...] = ()  # the photos the pages show, in several widths
    indexes: tuple[SearchIndex, ...] = ()  # the search index of each tree, where search is on
    made: tuple[Output, ...] = ()  # files made from the settings alone (_headers)

    @property
    def site(self) -> SiteView:
        """Return the site-wide view of the default language's tree: the site's, when it
        has one language."""
        return self.sites[0]


def plan(trees: Site | Sequence[Site], named: Mapping[str, frozenset[str]] | None = None) -> Plan:
    """Return the plan of a site (or of the trees of a site of several languages, the
    default language's first), its views holding the values made on demand that the
    templates name (`Theme.named`: none when not given), each page linked to its
    translations; raise an error naming every output path that cannot be written, and every
    menu entry that leads nowhere."""
    trees = (trees,) if isinstance(trees, Site) else tuple(trees)
    config = trees[0].config
    named = named or {}
    pages: list[Planned] = []
    for number, tree in enumerate(trees):
        pages += _tree_pages(tree, number, named)
    if len(trees) > 1:
        views = link_translations(config, trees, [(p.view, p.url, p.tree) for p in pages])
        pages = [dataclasses.replace(p, view=v) for p, v in zip(pages, views, strict=True)]
    sitemaps = [tree.prefix + "/sitemap.xml" for tree in trees] if config.base_url else []
    robots = RobotsView(tuple(sitemaps))
    pages.append(Planned(robots, "robots.txt", "/robots.txt", "robots.txt", Origin("robots.txt")))
    pages += _theme_files(config)
    for number, url in enumerate(sitemaps):
        shown = sitemap([page for page in pages if page.tree == number], len(trees) > 1)
        origin = Origin(f"the sitemap {url}" if number else "the sitemap")
        pages.append(Planned(shown, "sitemap.xml", url, output_path(url), origin, tree=number))
    files = [*static_files(trees[0]), *root_files(trees[0])]
    for tree in trees:
        files += post_files(tree)
    variants = photo_variants(trees)
    indexes = search_indexes(trees)
    made = _made_files(config)
    paths = [(page.path, page.origin) for page in pages]
    paths += [(output.path, Origin(output.origin)) for output in made]
    paths += [(name, _file_origin(trees[0], path)) for name, path in files]
    paths += [
        (v.path, Origin(f"its {v.width} px {v.kind} copy", config.display_path(v.source)))
        for v in variants
    ]
    # The bundle's fixed names; the others are made of hashes of what they hold.
    paths += [
        (index.folder + name, Origin("the search index"))
        for index in indexes
        for name in ("pagefind.js", "pagefind-entry.json", "pagefind-worker.js")
    ]
    errors: list[HrdblogError] = []
    try:
        check_paths(paths)
    except ErrorList as exc:  # reported with the menu's problems, in the same run
        errors += exc.errors
    published = {path for path, _ in paths}
    exists = functools.partial(published_at, paths=published)
    site_wide = named.get("site", frozenset())
    sites = []
    for tree in trees:
        language = tree.language or config.language
        listing_url = tree.prefix + ARCHIVES_URL
        try:
            menu = resolve(tree, listing_url, config.texts_for(language), exists, trees)
        except ErrorList as exc:  # the default language's tree has the problems of each
            errors += exc.errors
            break
        search_url = tree.prefix + SEARCH_URL if config.search else ""
        mirrors_url = tree.prefix + MIRRORS_URL if _has_mirrors(config) else ""
        logo, icon = _logo(config), icon_of(config)
        sites.append(
            site_view(tree, listing_url, site_wide, menu, logo, icon, search_url, mirrors_url)
        )
    raise_all(errors)
    notes = tuple(_notes(config))
    return Plan(tuple(sites), tuple(pages), tuple(files), notes, variants, indexes, tuple(made))


def _tree_pages(site: Site, number: int, named: Mapping[str, frozenset[str]]) -> list[Planned]:
    """Return the pages and feeds of one tree of the site (the whole site, when it has one
    language): all but robots.txt and the sitemaps."""
    config = site.config
    term_shown = TermCount if "count" in named.get("tag", ()) else TermLink
    archive_shown = ArchiveCount if "count" in named.get("archive", ()) else ArchiveLink
    feeds = _feeds(site)
    home_url = site.prefix + "/"
    site_feed = (feeds[home_url].link,) if home_url in feeds else ()
    pages: list[Planned] = []

    def add(
        view: View,
        template: str,
        url: str | None,
        origin: Origin,
        lastmod: datetime | None = None,
        listed: bool = True,
    ) -> None:
        path = output_path(url) if url else output_path(site.prefix + "/" + template)
        pages.append(Planned(view, template, url, path, origin, lastmod, listed, number))

    home = "the home page" + (f" {home_url}" if site.prefix else "")
    for page in site.home:
        add(
            HomeView(page, site_feed),
            "index.html",
            page.url,
            _nth(page, home),
            _newest(page.posts),
        )
    for shown in site.post_pages:
        post = shown.post
        where = f"{post.file}:{post.lines.get('slug', post.lines.get('title', 1))}"
        add(
            PostView(post, shown, site_feed),
            "post.html",
            post.url,
            Origin("the post", where),
            post.last_modified,
        )
        aliases = f"{post.file}:{post.lines.get('aliases', 1)}"
        for alias in post.aliases:
            origin = Origin(f"the old address {alias}", aliases)
            add(RedirectView(post), "redirect.html", alias, origin, listed=False)
    for shown_page in site.pages:
        where = f"{shown_page.file}:{shown_page.lines.get('url', shown_page.lines.get('title', 1))}"
        add(
            PageView(shown_page, site_feed),
            "page.html",
            shown_page.url,
            Origin(f"the page {shown_page.url}", where),
            shown_page.last_modified,
        )
        aliases = f"{shown_page.file}:{shown_page.lines.get('aliases', 1)}"
        for alias in shown_page.aliases:
            origin = Origin(f"the old address {alias}", aliases)
            add(RedirectView(shown_page), "redirect.html", alias, origin, listed=False)
    if number == 0:
        for old, new in config.redirects.items():
            where = f"{config.display_path(config.config_file or config.source)}: redirects"
            origin = Origin(f"the old address {old}", where)
            add(RedirectView(Redirect(new, new)), "redirect.html", old, origin, listed=False)
    for terms in site.taxonomies:
        taxonomy = terms.taxonomy
        if terms.tags:
            newest = _newest(tuple(post for tag in terms.tags for post in tag.posts[:1]))
            counts = tuple(TermCount.of(tag) for tag in terms.tags)
            index = TermIndexView(taxonomy, counts, site_feed)
            of = f"the index of {taxonomy.name}" + (f" {taxonomy.url}" if site.prefix else "")
            add(index, "tags.html", taxonomy.url, Origin(of), newest)
        for tag in terms.tags:
            tag_feeds = (feeds[tag.url].link, *site_feed) if tag.url in feeds else site_feed
            name = f"the {taxonomy.name} page of {tag.name!r}"
            shown_tag = term_shown.of(tag)
            for page in tag.pages:
                own_feed = feeds[tag.url].link if tag.url in feeds else None
                add(
                    TermView(shown_tag, taxonomy, page, tag_feeds, feed=own_feed),
                    "tag.html",
                    page.url,
                    _nth(page, name),
                    _newest(page.posts),
                )
    for archive in site.archives:
        shown_archive = archive_shown.of(archive)
        for page in archive.pages:
            origin = _nth(page, f"the archive {archive.url}")
            add(
                ArchiveView(shown_archive, page, site_feed),
                "archive.html",
                page.url,
                origin,
                _newest(page.posts),
            )
    listing = ArchiveListingView(archive_listing(site), site_feed)
    listing_url = site.prefix + ARCHIVES_URL
    listing_name = "the archive listing" + (f" {listing_url}" if site.prefix else "")
    add(listing, "archives.html", listing_url, Origin(listing_name), _newest(site.posts))
    if config.search:
        search_url = site.prefix + SEARCH_URL
        searched = "the search page" + (f" {search_url}" if site.prefix else "")
        add(SearchView(site_feed), "search.html", search_url, Origin(searched), listed=False)
    if _has_mirrors(config):
        mirrors_url = site.prefix + MIRRORS_URL
        mirrors_page = "the mirrors page" + (f" {mirrors_url}" if site.prefix else "")
        mirrors = MirrorsView(config.onion_url, config.mirrors, site_feed)
        add(mirrors, "mirrors.html", mirrors_url, Origin(mirrors_page))
    not_found = "the not-found page" + (f" of {site.language}" if site.prefix else "")
    latest = site.posts[:NEWEST_ON_NOT_FOUND]
    add(NotFoundView(site_feed, posts=latest), "404.html", None, Origin(not_found))
    for feed in feeds.values():
        add(FeedView(feed), "feed.xml", feed.url, Origin(f"the feed {feed.url}"), listed=False)
    return pages


def _theme_files(config: SiteConfig) -> list[Planned]:
    """Return the files the default theme makes from the settings: the stylesheet of the
    accent colour, and the site's icon where `favicon` names none."""
    made = []
    if config.accent_color:
        text = colors.readable_on(config.accent_color, colors.LIGHT_BACKGROUND)
        dark = colors.readable_on(config.accent_color, colors.DARK_BACKGROUND, DARK_CONTRAST)
        made.append(
            Planned(
                StyleView(config.accent_color, text, dark),
                "accent.css",
                ACCENT_URL,
                output_path(ACCENT_URL),
                Origin("the stylesheet of accent_color"),
                listed=False,
            )
        )
    if _makes_icon(config):
        made.append(
            Planned(
                IconView(*made_icon(config)),
                "favicon.svg",
                ICON_URL,
                output_path(ICON_URL),
                Origin("the site's icon"),
                listed=False,
            )
        )
    return made


#: Where the theme's files made from the settings are published.
ACCENT_URL = "/static/hrdblog-accent.css"
ICON_URL = "/favicon.svg"
#: The icons a site may have at its root (root/), which browsers look for there.
ROOT_ICONS = ("favicon.svg", "favicon.ico", "favicon.png")


def _has_mirrors(config: SiteConfig) -> bool:
    """Tell whether the site has other addresses, for a page of its own to list."""
    return bool(config.onion_url or config.mirrors)


def _made_files(config: SiteConfig) -> list[Output]:
    """Return the files made from the settings alone: the HTTP headers for hosts that read
    `_headers` (`headers`), unless root/ has a `_headers` of the site's own."""
    if (config.root_dir / HEADERS_FILE).exists():
        return []
    text = netlify_file(config).encode()
    return [Output(HEADERS_FILE, text, "the headers file made from hrdblog.yaml")]


def icon_of(config: SiteConfig) -> str:
    """Return the site url of the site's icon: the `favicon` setting's file, else one of
    root/, else the one the theme makes."""
    if config.favicon:
        return "/static/" + config.favicon
    for name in ROOT_ICONS:
        if (config.root_dir / name).is_file():
            return "/" + name
    return ICON_URL


def made_icon(config: SiteConfig) -> tuple[str, str, str]:
    """Return the icon the theme makes for a site without one: the first letter of its
    title, the accent colour behind it and the colour of the letter (black or white, which
    reads better on the accent)."""
    letter = next((c for c in config.title if c.isalnum()), "h").upper()
    color = config.accent_color or colors.DEFAULT_ACCENT
    light = colors.contrast(color, "#000000") > colors.contrast(color, "#ffffff")
    return letter, color, "#000000" if light else "#ffffff"


def _makes_icon(config: SiteConfig) -> bool:
    """Tell whether the theme makes the site's icon: where neither `favicon` nor root/
    gives one."""
    return not config.favicon and not any((config.root_dir / n).is_file() for n in ROOT_ICONS)


#: The contrast of the accent lightened for dark mode: more than text needs, for its
#: thinner strokes on a dark background.
DARK_CONTRAST = 6.0


def _logo(config: SiteConfig) -> Logo | None:
    """Return the site's logo as pages show it, with its size where it can be read."""
    if not config.logo:
        return None
    path = config.static_dir / config.logo
    size = svg_size(path) if path.suffix.lower() == ".svg" else image_size(path)
    return Logo("/static/" + config.logo, *(size or (None, None)))


def _notes(config: SiteConfig) -> list[str]:
    """Return the warnings of what a build of these settings does not publish."""
    notes = []
    if not config.base_url:
        notes.append(
            "feeds and sitemap.xml were not written: they need the site's address; "
            "set base_url in hrdblog.yaml"
        )
    base = urlsplit(config.base_url)
    if base.path.strip("/"):
        notes.append(
            f"robots.txt is published at {config.base_url}robots.txt, but crawlers look for it "
            f"only at the root of the domain ({base.scheme}://{base.netloc}/robots.txt): copy "
            "it there, or ask whoever runs the domain to"
        )
    return notes


def sitemap(pages: list[Planned], alternates: bool = False) -> SitemapView:
    """Return the sitemap of the pages planned: each with an address and something to show
    (a list with posts, a page), with when that last changed where it is known, by path;
    with `alternates`, each with its translations."""
    listed = sorted(
        (
            page
            for page in pages
            if page.listed
            and page.url is not None
            and (page.lastmod or isinstance(page.view, PageView))
        ),
        key=lambda page: page.path,
    )
    return SitemapView(
        tuple(
            SitemapPage(
                p.url,  # type: ignore[arg-type]
                p.lastmod,
                hreflang(getattr(p.view, "translations", ())) if alternates else (),
            )
            for p in listed
        ),
        alternates,
    )


def _feeds(site: Site) -> dict[str, Feed]:
    """Return the feeds to write, by the url of the page each is the feed of."""
    if not site.config.base_url or not site.posts:
        return {}
    config = site.config
    texts = config.texts_for(site.language or config.language)
    home = site.prefix + "/"
    title = config.site_text(site.language or config.language, "title")
    feeds = {home: Feed(title, feed_url(home), home, site.posts[: config.feed_items])}
    for terms in site.taxonomies:
        heading = texts[f"{terms.taxonomy.name}_heading"]
        for tag in terms.tags:
            named = f"{heading % tag.name} – {title}"
            feeds[tag.url] = Feed(named, feed_url(tag.url), tag.url, tag.posts[: config.feed_items])
    return feeds


def _newest(posts: tuple[Post, ...]) -> datetime | None:
    return max((post.last_modified for post in posts), default=None)


def _nth(page: ListPage, name: str) -> Origin:
    """Return what a page of a list is, in messages: `page 2 of the home page`."""
    return Origin(f"page {page.number} of {name}" if page.count > 1 else name)


def _file_origin(site: Site, path: Path) -> Origin:
    """Return what a published file is, in messages: the author's file, or the theme's."""
    if path.is_relative_to(DEFAULT_THEME):
        return Origin(f"the theme's {path.relative_to(DEFAULT_THEME).as_posix()}")
    return Origin("the file", site.config.display_path(path))


def static_files(site: Site) -> list[tuple[str, Path]]:
    """Return the theme's static files, and the site's `static/` files over them, each with
    the path it is published at."""
    found: dict[str, Path] = {}
    errors: list[HrdblogError] = []
    for folder, base in (
        (DEFAULT_THEME / "static", DEFAULT_THEME),
        (site.config.static_dir, site.config.source),
    ):
        listing = walk(folder, base)
        errors += listing.errors
        for path in listing.files:
            found["static/" + path.relative_to(folder).as_posix()] = path
    raise_all(errors)
    return sorted(found.items())


def root_files(site: Site) -> list[tuple[str, Path]]:
    """Return the site's `root/` files, published at the root of the site (CNAME,
    .well-known/security.txt …), each with the path it is published at."""
    folder = site.config.root_dir
    listing = walk(folder, site.config.source, hidden=ROOT_HIDDEN)
    raise_all(list(listing.errors))
    return [(path.relative_to(folder).as_posix(), path) for path in listing.files]


def photo_variants(trees: Sequence[Site]) -> tuple[Variant, ...]:
    """Return the variants of every photo a published post or page shows (`images`), each
    once, in the order of their paths; two photos whose variants would share a path (a.jpg
    and a.png) both, for the paths' check to name."""
    config = trees[0].config
    found: dict[tuple[str, Path], Variant] = {}
    for tree in trees:
        entries: tuple[Post | Page, ...] = (*tree.posts, *tree.pages)
        for entry in entries:
            shown = (*entry.images, *((entry.image.image,) if entry.image else ()))
            for image in shown:
                if image.at.startswith("/static/"):
                    published = image.at.removeprefix("/")
                else:
                    published = posixpath.join(posixpath.dirname(output_path(entry.url)), image.at)
                source = config.source / image.file
                for variant in variants(published, source, image.width, config.image_widths):
                    found.setdefault((variant.path, source), variant)
    return tuple(found[key] for key in sorted(found))


def search_indexes(trees: Sequence[Site]) -> tuple[SearchIndex, ...]:
    """Return the search index of each tree of the site, of its posts and pages; none where
    search is off."""
    config = trees[0].config
    if not config.search:
        return ()
    return tuple(
        SearchIndex(
            index_folder(tree.prefix),
            tree.language or config.language,
            (*tree.posts, *tree.pages),
            config.date_format,
        )
        for tree in trees
    )


def post_files(site: Site) -> list[tuple[str, Path]]:
    """Return the files of every post and page that has its own folder, each with the path
    it is published at, beside its page."""
    entries: tuple[Post | Page, ...] = (*site.posts, *site.pages)
    return [
        (
            posixpath.join(posixpath.dirname(output_path(entry.url)), name),
            site.config.source / entry.bundle / name,
        )
        for entry in entries
        if entry.bundle is not None
        for name in entry.resources
    ]
