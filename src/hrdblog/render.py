"""Stage 4: plan → outputs. Each planned page rendered from its view; nothing is written here."""

from __future__ import annotations

import concurrent.futures
import logging
import re
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from markupsafe import Markup

from hrdblog import pool
from hrdblog.config import SiteConfig
from hrdblog.errors import ContentError, HrdblogError, raise_all
from hrdblog.files import read_file
from hrdblog.images import Encoder, Variant
from hrdblog.markup import MORE_ANCHOR, plain_text, rewrite_links
from hrdblog.media import (
    ImageProblem,
    ImageRefused,
    check_image,
    clean_svg,
    is_image,
    pdf_metadata,
)
from hrdblog.models import Output, Page, Post
from hrdblog.plan import Plan, Planned
from hrdblog.progress import Progress, silent
from hrdblog.search import indexes_made
from hrdblog.sitecheck import css_addresses, foreign, loads
from hrdblog.theme import DEFAULT_THEME, Theme
from hrdblog.urls import absolute, as_read
from hrdblog.views import (
    FeedView,
    PageView,
    PostView,
    SiteView,
    fields,
)

logger = logging.getLogger(__name__)

DESCRIPTION_LENGTH = 160


def render(
    plan: Plan, theme: Theme, progress: Progress = silent, encoder: Encoder | None = None
) -> Generator[Output, None, None]:
    """Render every page and feed of the plan, then give the files it makes from the settings
    alone, then read every file it publishes as it is,
    then make the variants of its photos with `encoder` (`images.Encoder`, or one that takes
    them from a cache, as `incremental` gives; none: no variant is made), then the search
    indexes; yield each output as it is made, in the order of the plan.

    A large site's pages are rendered on every core, in forked worker processes that inherit
    the plan and the templates without copying them: only where this process runs no other
    thread (`pool.can_fork`), since forking one that does can deadlock. A caller that stops
    taking outputs closes the generator, which stops the workers.
    """
    pages = plan.pages
    made: Iterable[Output]
    if len(pages) >= PARALLEL_PAGES and pool.workers() > 1 and pool.can_fork():
        made = pool.ordered(_Renderer, (plan, theme), range(len(pages)), "fork", RENDER_CHUNK)
    else:
        made = (render_page(theme, plan.sites[planned.tree], planned) for planned in pages)
    for done, output in enumerate(made):
        if done % 100 == 0:
            progress("rendering", done, len(pages))
        yield output
    for note in plan.notes:
        logger.warning("%s", note)
    yield from plan.made
    yield from _published_files(theme.config, list(plan.files))
    if encoder is not None:
        yield from _variants(theme.config, plan.variants, encoder)
    if plan.indexes:
        progress("indexing", 0, len(plan.indexes))
        yield from indexes_made(theme.config, plan.indexes)


#: From this many pages on, rendering in forked processes pays for their start.
PARALLEL_PAGES = 2000
#: Pages are sent to the workers this many at a time (`pool.ordered` bounds how many are
#: rendered ahead of being written).
RENDER_CHUNK = 64


class _Renderer:
    """Renders the plan's pages by their number, in a forked worker."""

    def __init__(self, plan: Plan, theme: Theme) -> None:
        self.plan, self.theme = plan, theme

    def __call__(self, index: int) -> Output:
        planned = self.plan.pages[index]
        return render_page(self.theme, self.plan.sites[planned.tree], planned)


def render_page(theme: Theme, site: SiteView, planned: Planned) -> Output:
    """Render one planned page or feed.

    Its template sees its view's fields, the site-wide view `site`, the settings `config` and
    the page's address, language and interface texts: what its reuse key is derived from.
    """
    view = planned.view
    config = theme.config
    if isinstance(view, FeedView):
        content = _feed(theme, config, site, planned, view)
    else:
        lang = site.language or config.language
        context = fields(view)
        if isinstance(view, PostView):
            context["description"] = description(view.post)
        elif isinstance(view, PageView):
            context["description"] = description(view.page)
        context.update(
            site=site,
            page_url=planned.url,
            lang=lang,
            texts=config.texts_for(lang),
            taxonomies=site.taxonomies,
            listing_url=site.listing_url,
        )
        content = theme.render(planned.template, context).encode("utf-8")
    return Output(planned.path, content, str(planned.origin))


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
        "lang": site.language or config.language,
        "texts": config.texts_for(site.language or config.language),
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


def _published_files(config: SiteConfig, files: list[tuple[str, Path]]) -> list[Output]:
    """Read files to publish as they are: images without their metadata (`media`), and a
    warning for each PDF whose metadata tells who made it."""
    outputs: list[Output] = []
    errors: list[HrdblogError] = []
    for name, path in files:
        shown = config.display_path(path)
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
                data = _checked_svg(config, data, shown)
            except ContentError as exc:
                errors.append(exc)
                continue
        if name.lower().endswith(".css") and not path.is_relative_to(DEFAULT_THEME):
            text = data.decode("utf-8", errors="replace")
            errors += _loads_elsewhere(
                config,
                text,
                css_addresses(text),
                shown,
                "on every page that uses it",
                "put the file it loads in static/ and name it from there",
            )
        if name.lower().endswith((".html", ".htm", ".xhtml")):  # a post may frame it
            text = data.decode("utf-8", errors="replace")
            errors += _loads_elsewhere(
                config,
                text,
                loads(text),
                shown,
                "when it is shown",
                "put the file it loads beside it and use its name",
            )
        if is_image(name):
            try:
                data = check_image(data, name, config.keep_image_metadata)
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


def _variants(config: SiteConfig, wanted: Iterable[Variant], encoder: Encoder) -> Iterator[Output]:
    """Yield the variants of the photos, each photo read once; its variants are made on
    every core (Pillow encodes without holding the interpreter), a few photos at a time so
    that no more than their variants are held at once."""
    by_photo: dict[Path, list[Variant]] = {}
    for variant in wanted:
        by_photo.setdefault(variant.source, []).append(variant)

    def make(photo: Path) -> list[Output]:
        shown = config.display_path(photo)
        data = read_file(photo, shown).data
        try:
            made = encoder.variants(data, by_photo[photo])
        except ImageProblem as exc:
            raise ContentError(
                shown,
                None,
                f"cannot be made smaller ({exc})",
                "open it in an image editor and save it again as JPEG or PNG",
            ) from None
        pairs = zip(by_photo[photo], made, strict=True)
        return [Output(variant.path, data, shown) for variant, data in pairs]

    errors: list[HrdblogError] = []
    photos = sorted(by_photo)
    workers = max(1, pool.workers())
    threads = concurrent.futures.ThreadPoolExecutor(workers)
    try:
        for start in range(0, len(photos), 4 * workers):
            batch = [threads.submit(make, photo) for photo in photos[start : start + 4 * workers]]
            for future in batch:
                try:
                    yield from future.result()
                except ContentError as exc:
                    errors.append(exc)
    finally:  # a caller that stops taking outputs waits for no photo not yet begun
        threads.shutdown(wait=True, cancel_futures=True)
    raise_all(errors)


def _loads_elsewhere(
    config: SiteConfig, text: str, addresses: list[str], shown: str, when: str, hint: str
) -> list[HrdblogError]:
    """Return an error, at its line, for each of the addresses a file of the site's own (a
    stylesheet, an HTML file) makes browsers load from another site `when` it is used: as
    a post's, its every reader's browser would tell that site who reads."""
    return [
        ContentError(
            shown,
            text.count("\n", 0, text.find(address)) + 1 if address in text else None,
            f"loads {address} from another site ({origin}) {when}",
            f"{hint}, or list {origin} in allowed_origins in hrdblog.yaml",
        )
        for address, origin in foreign(addresses, config.allowed_origins, config.base_url)
    ]


def _checked_svg(config: SiteConfig, data: bytes, shown: str) -> bytes:
    """Return an SVG drawing as it may be published: checked like a page for what it loads
    from other sites, and with `sanitize`, without what would run when it is opened. Raise a
    ContentError naming it otherwise."""
    text = data.decode("utf-8", errors="replace")
    if re.search(r"<!ENTITY", text, re.IGNORECASE):
        raise ContentError(
            shown,
            None,
            "cannot be published: it defines entities, which may hide what it loads",
            "save it again without its DOCTYPE (any drawing program's plain SVG does)",
        )
    elsewhere = foreign(loads(text), config.allowed_origins, config.base_url)
    if elsewhere:
        address, origin = elsewhere[0]
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


def description(post: Post | Page) -> str:
    """Return a post's (or page's) summary or excerpt as plain text of at most
    DESCRIPTION_LENGTH characters."""
    text = plain_text(str(post.excerpt))
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
