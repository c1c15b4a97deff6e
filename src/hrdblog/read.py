"""Stage 1: read every `content/**/*.md` file into a Post (a Page under `content/pages/`),
collecting every problem first."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

from markupsafe import Markup

from hrdblog import pool
from hrdblog.characters import clean_text
from hrdblog.config import (
    LANGUAGE_TAG,
    PAGE_FIELDS,
    POST_FIELDS,
    SiteConfig,
    Taxonomy,
    known_language,
)
from hrdblog.dates import RANGE, in_range
from hrdblog.errors import ContentError, HrdblogError, LocatedError, Warnings, count, suggest
from hrdblog.files import Listing, file_key, read_file, walk
from hrdblog.frontmatter import Document, ErrorFactory, YamlMap, split
from hrdblog.images import ShownImages, resized
from hrdblog.markup import Converter, excerpt, sanitize
from hrdblog.models import FeaturedImage, Link, Page, Post, Term
from hrdblog.progress import Progress, silent
from hrdblog.sitecheck import foreign, loads_and_blocked
from hrdblog.texts import primary
from hrdblog.urls import (
    alias_allowed,
    post_url,
    reserved,
    slug_problem,
    slugify,
    term_key,
)

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 4 * 1024 * 1024
_WEB_ADDRESS = re.compile(r"^https?://([^/\s?#]+)[^\s]*$")
DATE_HINT = "write year-month-day, with a time if you like: 2017-11-04, 2017-11-04 10:30"
_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


@dataclass(frozen=True)
class Reading:
    """Every post and page that could be read, and every problem found in the others."""

    posts: tuple[Post, ...]
    errors: tuple[HrdblogError, ...]
    pages: tuple[Page, ...] = ()


class FileRead(NamedTuple):
    """What reading one post (or page) file gave."""

    result: Post | Page | list[HrdblogError]  # its post or page, or every problem in it
    warnings: list[str]
    key: str  # the key of the bytes read (`files.file_key`), or UNREADABLE
    images: dict[str, Any]  # the images its page was given the sizes of: path → [w, h] or None


def read_posts(
    config: SiteConfig, progress: Progress = silent, reader: PostReader | None = None
) -> Reading:
    """Read and check every post and page under `content/`, drafts and scheduled posts
    included.

    `reader` lists the post files and reads them (a `PostReader`, or a wrapper of one with
    the same methods, as `incremental` gives).
    """
    if not config.content_dir.is_dir():
        raise ContentError(
            config.display_path(config.content_dir),
            None,
            "there is no content folder here",
            "run hrdblog in your blog's folder, or name it with --source",
        )
    reader = reader or PostReader(config, config.now())
    listing = reader.listing()
    paths = [path for path in listing.files if path.suffix == ".md"]
    posts: list[Post] = []
    pages: list[Page] = []
    errors: list[HrdblogError] = [*listing.errors, *_swallowing_folders(config, paths)]
    for done, (_, read) in enumerate(zip(paths, reader(paths), strict=True)):
        progress("reading", done, len(paths))
        for warning in read.warnings:
            logger.warning("%s", warning)
        result = read.result
        if isinstance(result, Post):
            posts.append(_with_resources(result, config, errors) if result.bundle else result)
        elif isinstance(result, Page):
            pages.append(_with_resources(result, config, errors) if result.bundle else result)
        else:
            errors.extend(sorted(result, key=lambda e: getattr(e, "line", None) or 0))
    return Reading(tuple(posts), tuple(errors), tuple(pages))


class PostReader:
    """Lists the post files of a blog and reads them, in order; on every core when there are
    many (Python-Markdown is the cost, and it holds the GIL)."""

    def __init__(self, config: SiteConfig, now: datetime) -> None:
        self.config = config
        self.now = now

    def listing(self) -> Listing:
        """Return the files under `content/`, with the problems of the folder."""
        return post_files(self.config)

    def __call__(self, paths: Sequence[Path]) -> Iterator[FileRead]:
        """Read post files; yield what each gave, in the order of `paths`.

        Workers are spawned, not forked: forking a process that runs threads (as `serve`
        does) can deadlock.
        """
        # cmark converts a post in a few hundredths of a millisecond, but the rest of reading
        # it (front matter, excerpt) takes half a millisecond: processes pay on large blogs.
        cmark = self.config.markdown_engine == "cmark"
        least = PARALLEL_FROM_CMARK if cmark else PARALLEL_FROM
        if len(paths) < least or pool.workers() < 2:
            yield from _Files(self.config, self.now)(list(paths))
            return
        size = max(1, -(-len(paths) // (pool.workers() * 8)))
        batches = [list(paths[start : start + size]) for start in range(0, len(paths), size)]
        for batch in pool.ordered(_Files, (self.config, self.now), batches, "spawn"):
            yield from batch


_Entry = TypeVar("_Entry", Post, Page)


def _with_resources(post: _Entry, config: SiteConfig, errors: list[HrdblogError]) -> _Entry:
    """Return the post (or page) with the files of its folder, published beside its page."""
    assert post.bundle is not None
    folder = config.source / post.bundle
    listing = walk(folder, config.source, lambda name: not name.endswith(".md"))
    errors.extend(listing.errors)
    resources = tuple(path.relative_to(folder).as_posix() for path in listing.files)
    return post if resources == post.resources else replace(post, resources=resources)


def _swallowing_folders(config: SiteConfig, paths: list[Path]) -> list[HrdblogError]:
    """Return an error for each `index.md` whose folder holds other posts or pages.

    A post's (or page's) own folder is published beside its page, so it must hold that one
    post and its files: an index.md beside other posts would publish them, and every file
    around them.
    """
    errors: list[HrdblogError] = []
    indexes = {path for path in paths if bundle_of(path, config) is not None}
    for folder in sorted({path.parent for path in indexes}):
        own = {path for path in indexes if path.parent == folder}  # index.md, index.ar.md …
        index = folder / "index.md" if folder / "index.md" in own else min(own)
        kind = "page" if folder.is_relative_to(config.pages_dir) else "post"
        if folder in (config.content_dir, config.pages_dir):
            errors.append(
                ContentError(
                    config.display_path(index),
                    None,
                    f"a {kind}'s folder cannot be the {'pages' if kind == 'page' else 'content'} "
                    f"folder itself: every file in it would be published beside this {kind}",
                    "move it into a folder of its own, like "
                    + (
                        "content/pages/about/index.md"
                        if kind == "page"
                        else "content/2017/statement/index.md"
                    ),
                )
            )
            continue
        others = [p for p in paths if p not in own and p.is_relative_to(folder)]
        if others:
            errors.append(
                ContentError(
                    config.display_path(index),
                    None,
                    f"this {kind}'s folder {config.display_path(folder)}/ also holds "
                    f"{count(len(others), 'other ' + kind)} ({config.display_path(others[0])}"
                    f"{', …' if len(others) > 1 else ''}): a {kind}'s folder, published beside "
                    f"its page, may hold only that {kind} and its files",
                    f"rename index.md after the {kind} ("
                    + ("about.md" if kind == "page" else "statement.md")
                    + f"), or move the other {kind}s out of its folder",
                )
            )
    return errors


def language_of(path: Path, config: SiteConfig) -> str | None:
    """Return the language a file's name gives it (`statement.ar.md`, `index.ar.md`): one of
    the site's `languages` (`ar-EG` for .ar.md where the site lists it so), else None."""
    code = _name_language(path)
    if not code or not config.languages:
        return None
    return next((tree for tree in config.languages if primary(tree) == primary(code)), None)


_NAME_LANGUAGE = re.compile(r"\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.md$")


def _name_language(path: Path) -> str | None:
    """Return what a file's name gives as its language, listed or not: ar for x.ar.md."""
    found = _NAME_LANGUAGE.search(path.name)
    return found.group(1) if found else None


def bundle_of(path: Path, config: SiteConfig) -> Path | None:
    """Return the folder a post or page file is the post of (`…/slug/index.md`, or a
    translation of it, `index.ar.md`), or None for a file named after its post."""
    name = _NAME_LANGUAGE.sub(".md", path.name) if language_of(path, config) else path.name
    return path.parent if name == "index.md" else None


#: Below this many files, starting processes costs more than reading in one saves.
PARALLEL_FROM = 200
PARALLEL_FROM_CMARK = 2000
#: The key of a post file that could not be read: its error is reported by `read_posts`.
UNREADABLE = "unreadable"


class _Files:
    """Reads batches of post files, in this process or in a worker: what it keeps between
    files is its converter."""

    def __init__(self, config: SiteConfig, now: datetime) -> None:
        self.config = config
        self.now = now
        self.converter = converter(config)

    def __call__(self, paths: list[Path]) -> list[FileRead]:
        """Read files; return what each gave."""
        return [self.read_one(path) for path in paths]

    def read_one(self, path: Path) -> FileRead:
        """Read one file; return its post or its errors, the warnings it gave, the key of
        the bytes read, and the images whose sizes its page was given."""
        warnings = Warnings()
        logger.addHandler(warnings)
        propagate, logger.propagate = logger.propagate, False
        config = self.config
        shown = config.display_path(path)
        images: dict[str, Any] = {}
        try:
            try:
                data = read_file(path, shown, MAX_FILE_BYTES, "posts", _TOO_LARGE).data
            except ContentError as exc:
                return FileRead([exc], warnings.messages, UNREADABLE, images)
            key = file_key(path, data)
            try:
                post = read_post(path, data, config, self.converter, self.now, images)
            except _FileErrors as found:
                return FileRead(found.errors, warnings.messages, key, images)
            return FileRead(post, warnings.messages, key, images)
        finally:
            logger.removeHandler(warnings)
            logger.propagate = propagate


def converter(config: SiteConfig) -> Converter:
    """Return the Markdown converter the settings ask for."""
    return Converter(
        config.markdown_extensions,
        config.markdown_extension_configs,
        lambda text: slugify(text, config.slug_unicode),
        config.markdown_engine,
    )


_TOO_LARGE = "split it into several posts, or publish large documents as files beside it"


def post_files(config: SiteConfig) -> Listing:
    """List the files under `content/` (posts are its `.md` files), in a stable order, with
    the problems of the folder (links that lead out of it, named pipes …)."""
    return walk(config.content_dir, config.source)


class _FileErrors(Exception):
    """Every problem found in one file."""

    def __init__(self, errors: list[HrdblogError]) -> None:
        super().__init__()
        self.errors = errors


def check_post(path: Path, data: bytes, config: SiteConfig, now: datetime) -> list[HrdblogError]:
    """Return every problem a build would find in a post file of these bytes (`hrdblog new`
    checks what it writes)."""
    try:
        read_post(path, data, config, converter(config), now)
    except _FileErrors as found:
        return list(found.errors)
    return []


def read_post(
    path: Path,
    data: bytes,
    config: SiteConfig,
    converter: Converter,
    now: datetime,
    images: dict[str, Any] | None = None,
) -> Post | Page:
    """Read one post, or one page (a file under `content/pages/`), from the bytes of its file;
    raise _FileErrors listing each of its problems.

    The images its page is given sizes of are noted in `images`, with their sizes.
    """
    shown = config.display_path(path)

    def error(line: int | None, message: str, hint: str | None = None) -> LocatedError:
        return ContentError(shown, line, message, hint)

    try:
        text = decode(data, error)
        document = split(text, error)
    except ContentError as exc:
        raise _FileErrors([exc]) from None
    is_page = path.is_relative_to(config.pages_dir)
    fields = _Fields(document.meta, error, config.tzinfo, _PAGE_EXAMPLES if is_page else _EXAMPLES)
    taxonomies = {taxonomy.name for taxonomy in config.taxonomies}
    known = PAGE_FIELDS if is_page else POST_FIELDS | taxonomies
    for key in document.meta.values:
        line = document.meta.lines[key]
        if is_page and key in taxonomies:
            logger.warning(
                "%s:%d: '%s' is left out: a file under content/pages/ is a page, in no list "
                "of posts, so it has no terms (a post belongs in another folder of content/)",
                shown,
                line,
                key,
            )
        elif key not in known:
            close = suggest(key, known)
            if close:
                logger.warning(
                    "%s:%d: unknown key '%s', did you mean '%s'?", shown, line, key, close
                )
    title = fields.text("title", required=True)
    date = fields.date("date", required=not is_page)
    updated = fields.date("updated")
    summary = fields.text("summary")
    author = fields.text("author") or ""
    lang = fields.text("lang") or ""
    if lang and not LANGUAGE_TAG.match(lang):
        fields.fail("lang", f"'lang' must be a language code like en or ar, got {lang!r}")
    named = language_of(path, config)
    unlisted = None if named else _name_language(path)
    if unlisted and known_language(unlisted):
        if config.languages:
            logger.warning(
                "%s: its name ends in .%s, but %s is not one of the site's languages: it is "
                "published in the default language, named so; add %s to languages, or rename "
                "the file",
                shown,
                unlisted,
                unlisted,
                unlisted,
            )
        elif primary(unlisted) != primary(config.language):  # not statement.en.md in English
            logger.warning(
                "%s: its name ends in .%s, a language: on a site of one language it is a post "
                "like any other; to publish it as a translation, list the site's languages, "
                "like languages: [%s, %s]",
                shown,
                unlisted,
                config.language,
                unlisted,
            )
    if named and lang and primary(lang) != primary(named):
        fields.fail(
            "lang",
            f"'lang' is {lang}, but the file's name says it is in {named}",
            f"remove the lang line, or rename the file without .{_name_language(path)}",
        )
    lang = lang or named or ""
    prefix = config.prefix(lang)
    translation_key = fields.text("translation_key") or ""
    if config.languages and not translation_key:  # its original's file: statement.md
        original = path.with_name(_NAME_LANGUAGE.sub(".md", path.name)) if named else path
        translation_key = config.display_path(original)
    draft = fields.boolean("draft")
    sources = () if is_page else fields.links("source")
    aliases = fields.aliases("aliases")
    slug = fields.text("slug")
    if slug is not None:
        problem = slug_problem(slug, config.slug_unicode)
        if problem is not None:
            message, hint = problem
            fields.fail("slug", f"'slug' {message}", hint.replace("try ", "try slug: "))
    elif title and not is_page:
        slug = _slug_of_title(fields, title, config.slug_unicode)
    terms: dict[str, tuple[Term, ...]] = {}
    if is_page:
        url = _page_url(fields, path, config, slug, named, prefix)
    else:
        terms = {
            taxonomy.name: _terms(
                fields, replace(taxonomy, prefix=prefix), config.slug_unicode, config.max_terms
            )
            for taxonomy in config.taxonomies
        }
    if fields.errors:
        raise _FileErrors(fields.errors)
    assert title is not None
    bundle = bundle_of(path, config)
    sizes = ShownImages(config, bundle, images)
    featured = _featured(fields, sizes, bundle, path, config)
    if fields.errors:
        raise _FileErrors(fields.errors)
    clean = sanitize if config.sanitize else str
    body_html = sizes.annotate(clean(converter.html(document.body)))
    summary_html = sizes.annotate(clean(converter.html(summary))) if summary else None
    _warn_without_alt(sizes.without_alt, document, shown)
    summary_line = document.meta.lines.get("summary", 1)
    remote = [
        *_checked_html(body_html, document.body, document.body_line, config, error, shown),
        *_checked_html(summary_html or "", "", summary_line, config, error, shown),
    ]
    if remote:
        raise _FileErrors(remote)
    cut = excerpt(body_html, summary_html, config.excerpt_words)
    zone = config.tzinfo
    common: dict[str, Any] = {
        "file": shown,
        "title": title,
        "summary": summary,
        "author": author,
        "lang": lang,
        "updated": updated.astimezone(zone) if updated else None,
        "draft": draft,
        "aliases": aliases,
        "bundle": config.display_path(bundle) if bundle else None,
        "extra": {k: v for k, v in document.meta.values.items() if k not in known},
        "lines": dict(document.meta.lines),
        "translation_key": translation_key,
        "images": tuple(sizes.shown.values()),
        "image": featured,
    }
    if is_page:
        return Page(
            **common,
            slug=url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html"),
            url=url,
            body=Markup(body_html),
            excerpt=cut.excerpt,
            date=date.astimezone(zone) if date else None,
        )
    assert date is not None and slug is not None
    date = date.astimezone(zone)
    return Post(
        **common,
        date=date,
        slug=slug,
        url=prefix + post_url(config.permalink, date, slug),
        body=cut.body,
        excerpt=cut.excerpt,
        has_more=cut.has_more,
        more_text=cut.more_text,
        terms={name: found for name, found in terms.items() if found},
        sources=sources,
        scheduled=date > now,
    )


def _slug_of_title(fields: _Fields, title: str, unicode: bool) -> str | None:
    """Return the slug a post's title gives, or None (and the problem kept) if none."""
    slug = slugify(title, unicode)
    if not slug:
        fields.fail(
            "title",
            f"the title {title!r} has no letters or digits to make a URL from",
            "add a line like `slug: statement-on-reprisals`",
        )
        return None
    if reserved(slug):
        fields.fail(
            "title",
            f"the address name {slug!r} is a device name on Windows, where the page would be lost",
            f"choose another name, with a line like `slug: {slug}-1`",
        )
        return None
    return slug


def _page_url(
    fields: _Fields,
    path: Path,
    config: SiteConfig,
    slug: str | None,
    language: str | None,
    prefix: str,
) -> str:
    """Return a page's url: its `url:`, else the path of its file under `content/pages/`
    (`about/team.md` → /about/team/, `about.ar.md` → /ar/about/), its last part the `slug:`
    where one is given. Each part is made an address name as a title is (`Our Team` →
    our-team)."""
    given = fields.text("url")
    if given is not None:
        given = unicodedata.normalize("NFC", given)
        if not alias_allowed(given) or given == "/":
            fields.fail(
                "url",
                f"'url' must be an address on this site like /about/ or /about/team/, "
                f"got {given!r}",
                "it starts with / and has no ?, # or .., nor a name some disks refuse (a "
                "Windows device name like con, a name starting with a dot, :, *, |); the home "
                "page / lists the posts",
            )
            return "/"
        given = given.removeprefix(prefix) if given.startswith(prefix + "/") else given
        return prefix + (given if given.endswith((".html", "/")) else given + "/")
    parts = list(path.relative_to(config.pages_dir).with_suffix("").parts)
    if language:
        parts[-1] = _NAME_LANGUAGE.sub("", parts[-1] + ".md")
    if parts[-1] == "index":  # content/pages/about/index.md: the page of its own folder
        parts.pop()
    names = []
    for at, part in enumerate(parts):
        last = at == len(parts) - 1
        name = slug if last and slug is not None else slugify(part, config.slug_unicode)
        if not name or reserved(name):
            what = "file" if last and bundle_of(path, config) is None else "folder"
            problem = "has no letters or digits" if not name else "is a device name on Windows"
            fields.fail(
                "slug" if last and "slug" in fields.meta.lines else "title",
                f"the {what} name {part!r} {problem}: it cannot make the page's address",
                "rename it, or give the page an address with a line like `url: /about/`",
            )
            return "/"
        names.append(name)
    return prefix + "/" + "".join(f"{name}/" for name in names)


def _featured(
    fields: _Fields, images: ShownImages, bundle: Path | None, path: Path, config: SiteConfig
) -> FeaturedImage | None:
    """Return the featured image the front matter gives (`image:` and its alt text, caption
    and credit), noting each problem."""
    address = fields.text("image")
    alt, caption, credit = (
        fields.text(f"image_{key}") or "" for key in ("alt", "caption", "credit")
    )
    if not address:
        for key in ("image_alt", "image_caption", "image_credit"):
            if key in fields.meta.values:
                fields.fail(
                    key,
                    f"'{key}' is of a featured image, but there is no 'image'",
                    "add image: with the photo's file name, or remove the line",
                )
        return None
    address = address.strip()
    if address.startswith("static/"):
        address = "/" + address
    if "?" in address or "#" in address:
        fields.fail(
            "image",
            f"'image' {address!r} is not the name of a file: it has a ? or a #",
            "write the photo's file name alone, e.g. image: vigil.jpg",
        )
        return None
    found = images.find(address)
    where = "in the post's folder" if bundle is not None else "in static/"
    beside = bundle is None and not address.startswith("/") and (path.parent / address).is_file()
    if beside:
        fields.fail(
            "image",
            f"'image' {address} is beside the post, but a post that is a single file has no "
            "folder to publish it from",
            f"make the post a folder of its own: {config.display_path(path.with_suffix(''))}/"
            f"index.md with {address} beside it",
        )
        return None
    if found is not None and found.moving:
        fields.fail(
            "image",
            f"'image' {address} moves: a featured image is a still photo, shown in several widths",
            "use a JPEG, PNG or WebP photo, and show the animation in the post's text",
        )
        return None
    if found is None or found.size is None or not resized(found.path.name):
        exists = found is not None and found.path.is_file()
        if found is None and bundle is None and not address.startswith("/static/"):
            hint = (
                "make the post a folder of its own (content/…/slug/index.md) with the photo "
                "beside it, or put the photo in static/ and write image: /static/photo.jpg"
            )
        elif found is not None and found.size is not None:
            hint = "a featured image is a photo: use a JPEG, PNG or WebP file"
        elif exists:
            hint = "it cannot be read as an image: open it in an image editor and save it again"
        else:
            hint = f"put the photo {where}, or correct the name"
        fields.fail("image", f"'image' {address!r} is not a photo hrdblog can find and read", hint)
        return None
    if not alt.strip():
        logger.warning(
            "%s:%d: the featured image %s has no image_alt: those who cannot see it learn "
            "nothing of it; add image_alt: with what it shows",
            config.display_path(path),
            fields.meta.lines["image"],
            address,
        )
    return FeaturedImage(
        images.note(found.path, address, found.size), alt.strip(), caption.strip(), credit.strip()
    )


def _warn_without_alt(images: list[tuple[str, bool]], document: Document, shown: str) -> None:
    """Warn of each image the text shows without a text for those who cannot see it, at the
    line that shows it: one without alt, or written `![](photo.jpg)`. An image whose HTML
    says alt="" is one its author marked as adding nothing to hear (an ornament)."""
    body = document.body
    said = set()
    for address, empty in dict.fromkeys(images):
        if empty:  # written ![](photo.jpg), or alt="" on purpose
            written = r"!\[\s*\]\(\s*<?" + re.escape(address)
        else:
            written = r"""<img\b[^>]*\bsrc\s*=\s*["']?""" + re.escape(address)
        found = re.search(written, body) if address else None
        if empty and found is None:
            continue
        at = found.start() if found else (body.find(address) if address else -1)
        line = document.body_line + body.count("\n", 0, at) if at >= 0 else document.body_line
        if (address, line) in said:
            continue
        said.add((address, line))
        logger.warning(
            "%s:%d: the image %s has no alt text: those who cannot see it learn nothing of "
            "it; write what it shows between the brackets: ![Families outside the court](%s)",
            shown,
            line,
            address or "without an address",
            address or "photo.jpg",
        )


def _checked_html(
    html: str, source: str, first_line: int, config: SiteConfig, error: ErrorFactory, shown: str
) -> list[HrdblogError]:
    """Return an error for each address on another site that this HTML makes a reader's
    browser load by itself (an image, a frame, a font …), at the line of `source` (the
    Markdown it was made from, starting at `first_line`) that holds it; warn of what in it
    the site's security policy keeps browsers from applying or running."""
    errors: list[HrdblogError] = []
    addresses, blocked = loads_and_blocked(html) if html else ([], [])
    said: set[tuple[str, int]] = set()
    for thing in blocked:
        at = source.lower().find(thing.written)
        line = first_line + source.count("\n", 0, at) if at >= 0 else first_line
        if (thing.what, line) not in said:
            said.add((thing.what, line))
            logger.warning(
                "%s:%d: %s: the site's security policy (its Content-Security-Policy header) "
                "keeps readers' browsers from %s\n  hint: %s",
                shown,
                line,
                thing.what,
                thing.effect,
                thing.hint,
            )
    for address, origin in foreign(addresses, config.allowed_origins, config.base_url):
        at = source.find(address)
        if at < 0:
            at = source.find(urlsplit(address.strip()).netloc)
        line = first_line + source.count("\n", 0, at) if at >= 0 else first_line
        errors.append(
            error(
                line,
                f"loads {address} from another site ({origin}): every reader's browser would "
                "tell that site who reads this page",
                "put the file in the post's own folder and use its name, or list "
                f"{origin} in allowed_origins in hrdblog.yaml",
            )
        )
    return errors


def _terms(fields: _Fields, taxonomy: Taxonomy, unicode: bool, most: int) -> tuple[Term, ...]:
    """Return the terms a post gives under its taxonomy's key, each once, in the order
    written: at most `most` of them, and no two that would share a URL."""
    key = taxonomy.name
    terms: list[Term] = []
    names = fields.names(key)
    if len(names) > most:
        fields.fail(
            key,
            f"'{key}' has {len(names)} terms; a post may have at most {most} in each taxonomy",
            "keep the terms readers will look for, or raise max_terms in hrdblog.yaml",
        )
        return ()
    for name in names:
        slug = slugify(name, unicode)
        if not slug:
            fields.fail(
                key,
                f"the term {name!r} in '{key}' has no letters or digits to make a URL from",
                "rename it"
                + (
                    ", or set slug_unicode: true in hrdblog.yaml to keep its letters"
                    if not unicode and any(ch.isalpha() for ch in name)
                    else ""
                ),
            )
        elif reserved(slug):
            fields.fail(
                key,
                f"the term {name!r} in '{key}' would have the address name {slug!r}, "
                "a device name on Windows, where its page would be lost",
                "rename it",
            )
        else:
            same = next((term for term in terms if term.slug == slug), None)
            if same is None:
                terms.append(Term(slug, name, taxonomy.term_url(slug)))
            elif term_key(same.name) != term_key(name):
                fields.fail(
                    key,
                    f"the {key} {name!r} and {same.name!r} would share the URL "
                    f"{taxonomy.term_url(slug)}",
                    "terms are told apart by their URL: rename one of them",
                )
    return tuple(terms)


def decode(data: bytes, error: ErrorFactory) -> str:
    """Return a file's text with any BOM removed and line ends made `\\n`."""
    if b"\0" in data:
        raise error(
            None,
            "this is not a text file (it contains NUL bytes)",
            "posts are Markdown text files; keep other files out of content/ or give them "
            "another extension than .md",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            data[: exc.start].count(b"\n") + 1,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read)",
            "save the file as UTF-8 in your editor",
        ) from None
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))


class _Fields:
    """Typed access to front-matter values; each problem is kept with its line."""

    def __init__(
        self, meta: YamlMap, error: ErrorFactory, zone: tzinfo, examples: dict[str, str]
    ) -> None:
        self.meta = meta
        self.error = error
        self.zone = zone
        self.examples = examples  # a value of each required field, for hints
        self.errors: list[HrdblogError] = []

    def fail(self, key: str, message: str, hint: str | None = None) -> None:
        self.errors.append(self.error(self.meta.lines.get(key, 1), message, hint))

    def _value(self, key: str, required: bool) -> Any:
        value = self.meta.values.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(
                    key,
                    f"'{key}' is missing" if key not in self.meta.values else f"'{key}' is empty",
                    f"add a line like `{key}: {self.examples[key]}` to the front matter",
                )
            return None
        return value

    def text(self, key: str, required: bool = False) -> str | None:
        value = self._value(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(key, f"'{key}' must be text, got {_kind(value)}", _quote_hint(key))
            return None
        return value.strip()

    def date(self, key: str, required: bool = False) -> datetime | None:
        value = self._value(key, required)
        if value is None:
            return None
        text = value.strip() if isinstance(value, str) else None
        if text is None:
            self.fail(key, f"'{key}' must be a date like 2017-11-04, got {_kind(value)}", DATE_HINT)
            return None
        if not _DATE.match(text):
            self.fail(key, f"'{key}' must be a date like 2017-11-04, got {text!r}", DATE_HINT)
            return None
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            self.fail(key, f"'{key}' must be a date like 2017-11-04, got {text!r}", f"{exc}")
            return None
        if not in_range(parsed):
            self.fail(key, f"'{key}' must be a date {RANGE}, got {text!r}", DATE_HINT)
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.zone)

    def boolean(self, key: str) -> bool:
        value = self._value(key, False)
        if value is None or isinstance(value, bool):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        self.fail(key, f"'{key}' must be true or false, got {_kind(value)}", f"write `{key}: true`")
        return False

    def names(self, key: str) -> list[str]:
        value = self._value(key, False)
        if value is None:
            return []
        items: list[Any] = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            items = [value]
        names = []
        for item in items:
            if not isinstance(item, str):
                self.fail(
                    key,
                    f"'{key}' must be a list of names, but one of them is {_kind(item)}",
                    f"write `{key}: [coalition, reprisals]` or `{key}: coalition, reprisals`",
                )
                return []
            name = " ".join(item.split())
            if name:
                names.append(name)
        return names

    def aliases(self, key: str) -> tuple[str, ...]:
        """Return the old addresses of a post: site paths that will redirect to it."""
        found = []
        for name in self.names(key):
            if not alias_allowed(name):
                self.fail(
                    key,
                    f"'{key}' must be addresses on this site like /2017/11/04/old-name/, "
                    f"got {name!r}",
                    "an old address starts with / and has no ?, # or ..; "
                    "end it with / or with a file name ending .html",
                )
                return ()
            found.append(name if name.endswith((".html", "/")) else name + "/")
        return tuple(found)

    def links(self, key: str) -> tuple[Link, ...]:
        value = self._value(key, False)
        if value is None:
            return ()
        links = []
        for item in value if isinstance(value, list) else [value]:
            link = _link(item)
            if link is None:
                got = repr(item["url"]) if isinstance(item, dict) and "url" in item else _kind(item)
                self.fail(
                    key,
                    f"'{key}' must be a web address, a name, or a name and a web address, "
                    f"got {got}",
                    f"write `{key}: {{name: Front Line Defenders, url: https://example.org/story}}`",
                )
                return ()
            links.append(link)
        return tuple(links)


def _link(item: Any) -> Link | None:
    """Return the source a `source` item gives: a web address, a name, or {name, url}; None if
    none of those. A source with a name only (a statement relayed from a newsletter) is shown
    without a link."""
    spec = {"url": item} if isinstance(item, str) and _WEB_ADDRESS.match(item.strip()) else item
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict) or not set(spec) <= {"name", "url"}:
        return None
    url, name = spec.get("url") or "", spec.get("name") or ""
    if not isinstance(url, str) or not isinstance(name, str):
        return None
    name, url = " ".join(name.split()), url.strip()
    if not url:
        return Link(name, "") if name else None
    match = _WEB_ADDRESS.match(url)
    return Link(name or match.group(1), url) if match else None


_EXAMPLES = {"title": "Coalition formed to protect defenders", "date": "2017-11-04"}
_PAGE_EXAMPLES = {"title": "About us"}


def _quote_hint(key: str) -> str:
    return f"put the {key} in quotes if it contains ':', '#', '[' or '{{'"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of `key: value` lines"
    return repr(value)
