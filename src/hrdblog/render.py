"""Stage 3: Site → outputs. One small function per kind of page; nothing is written here."""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from markupsafe import Markup

from hrdblog.cache import PageCache, post_digest
from hrdblog.config import ROOT_HIDDEN
from hrdblog.errors import ContentError, HrdblogError, raise_all
from hrdblog.files import read_file, walk
from hrdblog.markup import MORE_ANCHOR, plain_text, rewrite_links
from hrdblog.media import (
    ImageProblem,
    ImageRefused,
    check_image,
    clean_svg,
    is_image,
    pdf_metadata,
)
from hrdblog.models import ListPage, Output, Post, PostPage, Redirect, Site, TaxonomyTerms
from hrdblog.sitecheck import loads, other_origin
from hrdblog.theme import DEFAULT_THEME, Theme
from hrdblog.urls import Origin, absolute, as_read, check_paths, feed_url, output_path

logger = logging.getLogger(__name__)

DESCRIPTION_LENGTH = 160
ARCHIVES_URL = "/archives/"


@dataclass(frozen=True)
class Feed:
    """An Atom feed of a list of posts, advertised on the list's pages."""

    title: str
    url: str  # the feed's url
    page_url: str  # the url of the page it is the feed of
    posts: tuple[Post, ...]


def render(
    site: Site,
    progress: Callable[[str, int, int], None] | None = None,
    pages: PageCache | None = None,
    processes: bool = False,
    sink: Callable[[Output], Output] | None = None,
) -> list[Output]:
    """Render every page, feed and static file of the site.

    With a page cache, a page that would show exactly what it showed last time is taken from
    the published site instead of being rendered again. With `processes`, a large site's pages
    are rendered on every core. Each output goes through `sink` as soon as it is made (the
    write stage's staging folder, which keeps its bytes on disk instead of in memory).
    """
    # A rebuild renders the few pages that changed: keeping every entry would cost more.
    theme = Theme(site.config, entries_once=not (pages is not None and pages.previous))
    theme.pages = pages
    theme.digests = {}
    feeds = _feeds(site, theme)
    site_feed = [feeds["/"]] if "/" in feeds else []
    # Every page and feed as a job, in the order of the output, with the path it is written to
    # and what makes it: every path is checked before anything is rendered.
    jobs: list[Callable[[], Output]] = []
    planned: list[tuple[str, Origin]] = []

    def add(
        url: str | None, origin: Origin, job: Callable[..., Output], *args: Any, **kw: Any
    ) -> None:
        planned.append((output_path(url) if url else "404.html", origin))
        jobs.append(functools.partial(job, theme, site, *args, origin=str(origin), **kw))

    for page in site.home:
        add(page.url, _nth(page, "the home page"), list_page, page, "index.html", site_feed)
    for shown in site.post_pages:
        post = shown.post
        where = f"{post.file}:{post.lines.get('slug', post.lines.get('title', 1))}"
        add(post.url, Origin("the post", where), post_page, shown, site_feed)
        aliases = f"{post.file}:{post.lines.get('aliases', 1)}"
        for alias in post.aliases:
            add(alias, Origin(f"the old address {alias}", aliases), redirect, post, alias)
    for old, new in site.config.redirects.items():
        where = f"{site.config.display_path(site.config.config_file or site.config.source)}"
        target = Redirect(new, new)
        add(old, Origin(f"the old address {old}", f"{where}: redirects"), redirect, target, old)
    for terms in site.taxonomies:
        if terms.tags:
            origin = Origin(f"the index of {terms.taxonomy.name}")
            add(terms.taxonomy.url, origin, tag_index, terms, site_feed)
        for tag in terms.tags:
            tag_feeds = [feeds[tag.url], *site_feed] if tag.url in feeds else site_feed
            name = f"the {terms.taxonomy.name} page of {tag.name!r}"
            for page in tag.pages:
                add(
                    page.url,
                    _nth(page, name),
                    list_page,
                    page,
                    "tag.html",
                    tag_feeds,
                    tag=tag,
                    taxonomy=terms.taxonomy,
                )
    for archive in site.archives:
        for page in archive.pages:
            add(
                page.url,
                _nth(page, f"the archive {archive.url}"),
                list_page,
                page,
                "archive.html",
                site_feed,
                archive=archive,
            )
    listing = "|".join(f"{a.url} {len(a.posts)}" for a in site.archives)
    newest = _newest(site.posts)
    add(
        ARCHIVES_URL,
        Origin("the archive listing"),
        _page,
        "archives.html",
        ARCHIVES_URL,
        site_feed,
        newest,
        listing,
    )
    add(None, Origin("the not-found page"), _page, "404.html", None, site_feed)
    for feed in feeds.values():
        add(feed.url, Origin(f"the feed {feed.url}"), feed_output, feed)
    files = [*static_files(site), *root_files(site), *post_files(site)]
    planned += [(name, _file_origin(site, path)) for name, path in files]
    planned.append(("robots.txt", Origin("robots.txt")))
    if site.config.base_url:
        planned.append(("sitemap.xml", Origin("the sitemap")))
    check_paths(planned)
    sink = sink or _keep
    outputs = _run(jobs, theme, progress, processes, sink)
    made: list[Output] = []
    if site.config.base_url:
        made.append(sitemap(theme, site, outputs))
    else:
        logger.warning(
            "feeds and sitemap.xml were not written: they need the site's address; "
            "set base_url in hrdblog.yaml"
        )
    made.append(_text_file(theme, site, "robots.txt", "/robots.txt"))
    base = urlsplit(site.config.base_url)
    if base.path.strip("/"):
        logger.warning(
            "robots.txt is published at %srobots.txt, but crawlers look for it only at the root "
            "of the domain (%s://%s/robots.txt): copy it there, or ask whoever runs the domain to",
            site.config.base_url,
            base.scheme,
            base.netloc,
        )
    made += _published_files(site, files)
    return outputs + [sink(output) for output in made]


def _nth(page: ListPage, name: str) -> Origin:
    """Return what a page of a list is, in messages: `page 2 of the home page`."""
    return Origin(f"page {page.number} of {name}" if page.count > 1 else name)


def _file_origin(site: Site, path: Path) -> Origin:
    """Return what a published file is, in messages: the author's file, or the theme's."""
    if path.is_relative_to(DEFAULT_THEME):
        return Origin(f"the theme's {path.relative_to(DEFAULT_THEME).as_posix()}")
    return Origin("the file", site.config.display_path(path))


def _keep(output: Output) -> Output:
    return output


#: From this many pages on, rendering in forked processes pays for their start.
PARALLEL_PAGES = 2000
# What forked workers render, the page cache they consult and where their outputs go: set
# just before they fork.
_JOBS: list[Callable[[], Output]] = []
_PAGES: PageCache | None = None
_SINK: Callable[[Output], Output] = _keep


def _run(
    jobs: list[Callable[[], Output]],
    theme: Theme,
    progress: Callable[[str, int, int], None] | None,
    processes: bool,
    sink: Callable[[Output], Output],
) -> list[Output]:
    """Run the rendering jobs, in order; in forked processes when asked and worth it.

    Forked workers inherit the site and the templates without copying them; they are only used
    where the process runs no threads (`serve` does), since forking a threaded process can
    deadlock. The page cache's records of what the workers rendered come back with the pages.
    """
    workers = min(os.cpu_count() or 1, 8)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    # A rebuild takes most pages from the last build: sending them back from workers costs more
    # than it saves. Processes are for building from scratch.
    rebuild = theme.pages is not None and bool(theme.pages.previous)
    if not (processes and forkable and workers > 1 and len(jobs) >= PARALLEL_PAGES) or rebuild:
        outputs = []
        for done, job in enumerate(jobs):
            if progress and done % 100 == 0:
                progress("rendering", done, len(jobs))
            outputs.append(sink(job()))
        return outputs
    global _JOBS, _PAGES, _SINK
    _JOBS, _PAGES, _SINK = jobs, theme.pages, sink
    outputs = []
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunk = max(1, len(jobs) // (workers * 16))
            for done, (output, record) in enumerate(pool.imap(_run_job, range(len(jobs)), chunk)):
                if progress and done % 100 == 0:
                    progress("rendering", done, len(jobs))
                if theme.pages is not None and record is not None:
                    theme.pages.descriptions[output.path] = record
                outputs.append(output)
    finally:
        _JOBS, _PAGES, _SINK = [], None, _keep
    return outputs


def _run_job(index: int) -> tuple[Output, str | None]:
    output = _SINK(_JOBS[index]())
    return output, _PAGES.descriptions.get(output.path) if _PAGES is not None else None


def _page(
    theme: Theme,
    site: Site,
    template: str,
    url: str | None,
    feeds: list[Feed],
    lastmod: datetime | None = None,
    key: str = "",
    *,
    origin: str,
    **context: Any,
) -> Output:
    """Render a page at `url` (None: a page served at any address, like 404.html); `origin`
    says what it is, in messages.

    `key` describes what the page shows besides the site around it, for the page cache.
    Context values given as `functools.partial` are worked out only if the page is rendered.
    """
    path = output_path(url) if url else template

    def rendered() -> bytes:
        lang = site.config.language
        lazy = {k: v() for k, v in context.items() if isinstance(v, functools.partial)}
        context.update(lazy)
        context.update(
            site=site,
            page_url=url,
            lang=lang,
            texts=site.config.texts_for(lang),
            feeds=feeds,
            taxonomies=[t for t in site.taxonomies if t.tags],
            listing_url=ARCHIVES_URL,
        )
        return theme.render(template, context).encode("utf-8")

    content, kept = _through_cache(theme, path, f"{template}|{url}|{key}", rendered)
    return Output(path, content, origin, url=url, lastmod=lastmod, kept=bool(kept), sha256=kept)


def _through_cache(
    theme: Theme, path: str, description: str, rendered: Callable[[], bytes]
) -> tuple[bytes, str]:
    """Return a file's bytes and "", or, when the page cache vouches that the published file
    shows what `description` describes, no bytes and that file's SHA-256: it is kept."""
    if theme.pages is not None:
        kept = theme.pages.reuse(path, description)
        if kept is not None:
            return b"", kept
    return rendered(), ""


def _digests(theme: Theme, posts: Iterable[Post | None]) -> str:
    """Return what identifies, for the page cache, the posts a page shows."""
    found = []
    for post in posts:
        if post is None:
            found.append("-")
            continue
        if post.file not in theme.digests:
            theme.digests[post.file] = post_digest(post)
        found.append(theme.digests[post.file])
    return ",".join(found)


def _newest(posts: tuple[Post, ...]) -> datetime | None:
    return max((post.last_modified for post in posts), default=None)


def list_page(
    theme: Theme,
    site: Site,
    page: ListPage,
    template: str,
    feeds: list[Feed],
    *,
    origin: str,
    **context: Any,
) -> Output:
    """Render one page of a list of posts: the home page, a tag page, an archive."""
    tag, archive = context.get("tag"), context.get("archive")
    key = "|".join(
        [
            f"{page.number}/{page.count} {page.newer_url} {page.older_url}",
            f"{tag.taxonomy} {tag.name}" if tag else "",
            f"{archive.kind} {archive.date}" if archive else "",
            " ".join(f"{feed.title} {feed.url}" for feed in feeds),
            _digests(theme, page.posts),
        ]
    )
    return _page(
        theme,
        site,
        template,
        page.url,
        feeds,
        _newest(page.posts),
        key,
        origin=origin,
        page=page,
        **context,
    )


def post_page(
    theme: Theme, site: Site, page: PostPage, feeds: list[Feed], *, origin: str
) -> Output:
    """Render a post's own page."""
    post = page.post
    shown = (post, page.previous, page.next, *page.related)
    return _page(
        theme,
        site,
        "post.html",
        post.url,
        feeds,
        post.last_modified,
        " ".join(f"{feed.title} {feed.url}" for feed in feeds) + "|" + _digests(theme, shown),
        origin=origin,
        post=post,
        neighbours=page,
        description=functools.partial(description, post),
    )


def redirect(theme: Theme, site: Site, post: Post | Redirect, alias: str, *, origin: str) -> Output:
    """Render a page at an old address of a post (or of the `redirects` setting), sending
    readers on to it."""
    output = _page(
        theme,
        site,
        "redirect.html",
        alias,
        [],
        None,
        _digests(theme, [post]) if isinstance(post, Post) else f"{post.title} {post.url}",
        origin=origin,
        post=post,
    )
    # Redirects are not pages of their own: the sitemap leaves them out.
    return replace(output, url=None, lastmod=None)


def tag_index(
    theme: Theme, site: Site, terms: TaxonomyTerms, feeds: list[Feed], *, origin: str
) -> Output:
    """Render the list of every term of a taxonomy with its number of posts."""
    newest = _newest(tuple(post for tag in terms.tags for post in tag.posts[:1]))
    key = "|".join(f"{tag.name} {tag.url} {len(tag.posts)}" for tag in terms.tags)
    return _page(
        theme, site, "tags.html", terms.taxonomy.url, feeds, newest, key, origin=origin, terms=terms
    )


def _feeds(site: Site, theme: Theme) -> dict[str, Feed]:
    """Return the feeds to write, by the url of the page each is the feed of."""
    if not site.config.base_url or not site.posts:
        return {}
    config = site.config
    texts = config.texts_for(config.language)
    feeds = {"/": Feed(config.title, feed_url("/"), "/", site.posts[: config.feed_items])}
    for terms in site.taxonomies:
        heading = texts[f"{terms.taxonomy.name}_heading"]
        for tag in terms.tags:
            title = f"{heading % tag.name} – {config.title}"
            feeds[tag.url] = Feed(title, feed_url(tag.url), tag.url, tag.posts[: config.feed_items])
    return feeds


def feed_output(theme: Theme, site: Site, feed: Feed, *, origin: str) -> Output:
    """Render an Atom feed, every address in it absolute."""
    config = site.config
    path = output_path(feed.url)

    def rendered() -> bytes:
        entries = [
            {
                "post": post,
                "id": entry_id(config.base_url, post),
                "permalink": absolute(config.base_url, post.url),
                "content": absolute_links(
                    post.body.replace(MORE_ANCHOR, "")
                    if config.feed_content == "full"
                    else post.excerpt,
                    absolute(config.base_url, post.url),
                ),
            }
            for post in feed.posts
        ]
        context = {
            "site": site,
            "feed": feed,
            "entries": entries,
            "updated": max(post.last_modified for post in feed.posts),
            "page_url": feed.url,
            "lang": config.language,
            "texts": config.texts_for(config.language),
        }
        return theme.render("feed.xml", context).encode("utf-8")

    description = f"feed|{feed.title}|" + _digests(theme, feed.posts)
    content, kept = _through_cache(theme, path, description, rendered)
    return Output(path, content, origin, kept=bool(kept), sha256=kept)


def entry_id(base_url: str, post: Post) -> str:
    """Return a feed entry's id: a tag URI (RFC 4151) from the site, the date and the file.

    It stays the same when the title, the slug or the URL of the post change, and when the
    post moves into a folder of its own (content/2017/x.md → content/2017/x/index.md).
    """
    host = urlsplit(base_url).hostname or "localhost"
    name = post.file.removeprefix("content/").removesuffix(".md").removesuffix("/index")
    return f"tag:{host},{post.date:%Y-%m-%d}:{quote(name)}"


def absolute_links(body: str, base: str) -> Markup:
    """Return HTML with the href and src addresses made absolute against `base`."""

    def change(address: str) -> str | None:
        address = as_read(address)
        if address.startswith(("mailto:", "tel:", "data:")):
            return None
        return urljoin(base, address)

    return rewrite_links(body, change)


def sitemap(theme: Theme, site: Site, outputs: list[Output]) -> Output:
    """Render sitemap.xml: every page with an address, and when it last changed."""
    pages = sorted((o for o in outputs if o.url is not None and o.lastmod), key=lambda o: o.path)

    def rendered() -> bytes:
        context = {
            "site": site,
            "pages": pages,
            "page_url": "/sitemap.xml",
            "lang": site.config.language,
        }
        return theme.render("sitemap.xml", context).encode("utf-8")

    description = "sitemap|" + "|".join(f"{page.url} {page.lastmod}" for page in pages)
    content, kept = _through_cache(theme, "sitemap.xml", description, rendered)
    return Output("sitemap.xml", content, "the sitemap", kept=bool(kept), sha256=kept)


def _text_file(theme: Theme, site: Site, template: str, url: str) -> Output:
    text = theme.render(template, {"site": site, "page_url": url, "lang": site.config.language})
    return Output(output_path(url), text.encode("utf-8"), template)


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


def post_files(site: Site) -> list[tuple[str, Path]]:
    """Return the files of every post that has its own folder, each with the path it is
    published at, beside its page."""
    return [
        (
            output_path(post.url).removesuffix("index.html") + name,
            site.config.source / post.bundle / name,
        )
        for post in site.posts
        if post.bundle is not None
        for name in post.resources
    ]


def _published_files(site: Site, files: list[tuple[str, Path]]) -> list[Output]:
    """Read files to publish as they are: images without their metadata (`media`), and a
    warning for each PDF whose metadata tells who made it."""
    outputs: list[Output] = []
    errors: list[HrdblogError] = []
    for name, path in files:
        shown = site.config.display_path(path)
        try:
            data = read_file(path, shown).data
        except ContentError as exc:
            errors.append(exc)
            continue
        if name.lower().endswith(".pdf") and not path.is_relative_to(DEFAULT_THEME):
            told = pdf_metadata(data)
            if told:
                logger.warning(
                    "%s: its metadata tells %s: remove it before publishing (for example "
                    "with exiftool -all:all= %s, or by printing it to a new PDF)",
                    shown,
                    ", ".join(told),
                    path.name,
                )
        if name.lower().endswith(".svg"):
            try:
                data = _checked_svg(site, data, shown)
            except ContentError as exc:
                errors.append(exc)
                continue
        if is_image(name):
            try:
                data = check_image(data, name, site.config.keep_image_metadata)
            except ImageRefused as exc:
                errors.append(ContentError(shown, None, f"cannot be published: {exc}", exc.hint))
                continue
            except ImageProblem as exc:
                errors.append(
                    ContentError(
                        shown,
                        None,
                        f"cannot be read as an image ({exc}), so its metadata cannot be removed",
                        "open it in an image editor and save it again, or remove it",
                    )
                )
                continue
        outputs.append(Output(name, data, shown))
    raise_all(errors)
    return outputs


def _checked_svg(site: Site, data: bytes, shown: str) -> bytes:
    """Return an SVG drawing as it may be published: checked like a page for what it loads
    from other sites, and with `sanitize`, without what would run when it is opened. Raise a
    ContentError naming it otherwise."""
    config = site.config
    for address in loads(data.decode("utf-8", errors="replace")):
        origin = other_origin(address, config.allowed_origins, config.base_url)
        if origin is not None:
            raise ContentError(
                shown,
                None,
                f"loads {address} from another site ({origin}) when it is shown",
                "put the file it loads beside it and use its name, or list "
                f"{origin} in allowed_origins in hrdblog.yaml",
            )
    if not config.sanitize:
        return data
    try:
        return clean_svg(data)
    except ImageProblem as exc:
        raise ContentError(
            shown, None, f"cannot be published: {exc}", "save it again as SVG"
        ) from None


def description(post: Post) -> str:
    """Return a post's summary or excerpt as plain text of at most DESCRIPTION_LENGTH characters."""
    text = plain_text(str(post.excerpt))
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
