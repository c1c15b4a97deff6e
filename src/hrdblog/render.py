"""Stage 4: plan → outputs. Each planned page rendered from its view; nothing is written here."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from markupsafe import Markup

from hrdblog import pool
from hrdblog.cache import PageCache, post_digest
from hrdblog.config import SiteConfig
from hrdblog.errors import ContentError, HrdblogError, raise_all
from hrdblog.files import read_file
from hrdblog.markup import MORE_ANCHOR, plain_text, rewrite_links
from hrdblog.media import (
    ImageProblem,
    ImageRefused,
    check_image,
    clean_svg,
    is_image,
    pdf_metadata,
)
from hrdblog.models import Output, Post, Site
from hrdblog.plan import Plan, Planned
from hrdblog.progress import Progress, silent
from hrdblog.sitecheck import loads, other_origin
from hrdblog.theme import DEFAULT_THEME, Theme
from hrdblog.urls import absolute, as_read, output_path
from hrdblog.views import (
    Canonical,
    FeedView,
    PostView,
    SitemapPage,
    SitemapView,
    SiteView,
    fields,
)

logger = logging.getLogger(__name__)

DESCRIPTION_LENGTH = 160


def render(
    site: Site,
    plan: Plan,
    progress: Progress = silent,
    pages: PageCache | None = None,
    processes: bool = False,
    sink: Callable[[Output], Output] | None = None,
) -> list[Output]:
    """Render every page, feed and file of the plan.

    With a page cache, a page whose view, site-wide view, settings and templates are what
    they were is taken from the published site instead of being rendered again. With
    `processes`, a large site's pages are rendered on every core. Each output goes through
    `sink` as soon as it is made (the write stage's staging folder, which keeps its bytes on
    disk instead of in memory).
    """
    # A rebuild renders the few pages that changed: keeping every entry would cost more.
    theme = Theme(site.config, entries_once=not (pages is not None and pages.previous))
    theme.pages = pages
    canonical = Canonical(post_digest)
    if pages is not None:  # what every page shows of the whole site, in every page's key
        pages.site_view = hashlib.sha256(canonical(plan.site).encode()).hexdigest()
    jobs: list[Callable[[], Output]] = [
        functools.partial(render_page, theme, canonical, site.config, plan.site, planned)
        for planned in plan.pages
    ]
    sink = sink or _keep
    outputs = _run(jobs, theme, progress, processes, sink)
    made: list[Output] = []
    if site.config.base_url:
        made.append(sitemap(theme, canonical, plan.site, outputs))
    else:
        logger.warning(
            "feeds and sitemap.xml were not written: they need the site's address; "
            "set base_url in hrdblog.yaml"
        )
    made.append(_text_file(theme, plan.site, "robots.txt", "/robots.txt"))
    base = urlsplit(site.config.base_url)
    if base.path.strip("/"):
        logger.warning(
            "robots.txt is published at %srobots.txt, but crawlers look for it only at the root "
            "of the domain (%s://%s/robots.txt): copy it there, or ask whoever runs the domain to",
            site.config.base_url,
            base.scheme,
            base.netloc,
        )
    made += _published_files(site, list(plan.files))
    return outputs + [sink(output) for output in made]


def _keep(output: Output) -> Output:
    return output


#: From this many pages on, rendering in forked processes pays for their start.
PARALLEL_PAGES = 2000


def _run(
    jobs: list[Callable[[], Output]],
    theme: Theme,
    progress: Progress,
    processes: bool,
    sink: Callable[[Output], Output],
) -> list[Output]:
    """Run the rendering jobs, in order; in forked processes when asked and worth it.

    Forked workers inherit the site and the templates without copying them; they are only used
    where the process runs no threads (`serve` does), since forking a threaded process can
    deadlock. The page cache's records of what the workers rendered come back with the pages.
    """
    # A rebuild takes most pages from the last build: sending them back from workers costs more
    # than it saves. Processes are for building from scratch.
    rebuild = theme.pages is not None and bool(theme.pages.previous)
    worth_it = len(jobs) >= PARALLEL_PAGES and pool.workers() > 1 and pool.can_fork()
    outputs = []
    if not processes or not worth_it or rebuild:
        for done, job in enumerate(jobs):
            if done % 100 == 0:
                progress("rendering", done, len(jobs))
            outputs.append(sink(job()))
        return outputs
    chunk = max(1, len(jobs) // (pool.workers() * 16))
    made = pool.ordered(_Renderer, (jobs, theme.pages, sink), range(len(jobs)), "fork", chunk=chunk)
    for done, (output, record) in enumerate(made):
        if done % 100 == 0:
            progress("rendering", done, len(jobs))
        if theme.pages is not None and record is not None:
            theme.pages.descriptions[output.path] = record
        outputs.append(output)
    return outputs


class _Renderer:
    """Renders jobs by their number in a forked worker, and gives back with each output the
    page cache's record of it."""

    def __init__(
        self,
        jobs: list[Callable[[], Output]],
        pages: PageCache | None,
        sink: Callable[[Output], Output],
    ) -> None:
        self.jobs, self.pages, self.sink = jobs, pages, sink

    def __call__(self, index: int) -> tuple[Output, str | None]:
        output = self.sink(self.jobs[index]())
        return output, self.pages.descriptions.get(output.path) if self.pages else None


def render_page(
    theme: Theme, canonical: Canonical, config: SiteConfig, site: SiteView, planned: Planned
) -> Output:
    """Render one planned page or feed, or keep the published one if it would be the same.

    Its template sees its view's fields, the site-wide view and the settings; its reuse key
    is derived from exactly these (the settings and templates are in every key: see
    `PageCache`).
    """
    view = planned.view

    def rendered() -> bytes:
        if isinstance(view, FeedView):
            return _feed(theme, config, site, planned, view)
        lang = config.language
        context = fields(view)
        if isinstance(view, PostView):
            context["description"] = description(view.post)
        context.update(
            site=site,
            page_url=planned.url,
            lang=lang,
            texts=config.texts_for(lang),
            taxonomies=site.taxonomies,
            listing_url=site.listing_url,
        )
        return theme.render(planned.template, context).encode("utf-8")

    if theme.pages is None:  # a build without the cache: nothing to key
        content, kept = rendered(), ""
    else:
        key = f"{planned.template}|{planned.url}|{canonical(view)}"
        content, kept = _through_cache(theme, planned.path, key, rendered)
    return Output(
        planned.path,
        content,
        str(planned.origin),
        url=planned.url if planned.listed else None,
        lastmod=planned.lastmod if planned.listed else None,
        kept=bool(kept),
        sha256=kept,
    )


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


def _feed(
    theme: Theme, config: SiteConfig, site: SiteView, planned: Planned, view: FeedView
) -> bytes:
    """Render an Atom feed, every address in it absolute."""
    feed = view.feed
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
        "page_url": planned.url,
        "lang": config.language,
        "texts": config.texts_for(config.language),
    }
    return theme.render(planned.template, context).encode("utf-8")


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


def sitemap(theme: Theme, canonical: Canonical, site: SiteView, outputs: list[Output]) -> Output:
    """Render sitemap.xml: every page with an address, and when it last changed."""
    listed = sorted((o for o in outputs if o.url is not None and o.lastmod), key=lambda o: o.path)
    view = SitemapView(tuple(SitemapPage(o.url, o.lastmod) for o in listed))  # type: ignore[arg-type]

    def rendered() -> bytes:
        context = {
            **fields(view),
            "site": site,
            "page_url": "/sitemap.xml",
            "lang": theme.config.language,
        }
        return theme.render("sitemap.xml", context).encode("utf-8")

    content, kept = _through_cache(theme, "sitemap.xml", f"sitemap|{canonical(view)}", rendered)
    return Output("sitemap.xml", content, "the sitemap", kept=bool(kept), sha256=kept)


def _text_file(theme: Theme, site: SiteView, template: str, url: str) -> Output:
    text = theme.render(template, {"site": site, "page_url": url, "lang": theme.config.language})
    return Output(output_path(url), text.encode("utf-8"), template)


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
