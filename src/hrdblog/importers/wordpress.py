"""`hrdblog import wordpress`: a WordPress export (WXR 1.0, 1.1, 1.2) → hrdblog posts.

The export is read as a stream with a real XML parser (defusedxml, which refuses the entity
tricks an XML file can play), one item at a time, so a large export never sits in memory.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from hrdblog.characters import clean_field, clean_name
from hrdblog.config import SiteConfig
from hrdblog.dates import RANGE, in_range
from hrdblog.errors import ContentError
from hrdblog.images import resized, usable_image_name
from hrdblog.importers import Importer, Report, date_text, old_path, usable_alias
from hrdblog.importers.html import to_markdown
from hrdblog.urls import feed_url, slugify

#: Namespace families of WXR, whatever their version: the prefix each is known by.
_NAMESPACES = {
    "wordpress.org/export/": "wp",
    "wordpress.org/export/1.0/excerpt/": "excerpt",
    "wordpress.org/export/1.1/excerpt/": "excerpt",
    "wordpress.org/export/1.2/excerpt/": "excerpt",
    "purl.org/rss/1.0/modules/content/": "content",
    "purl.org/dc/elements/1.1/": "dc",
}
_STATUS_DRAFT = {"draft", "pending", "private", "auto-draft"}
_NO_DATE = "0000-00-00 00:00:00"
#: What a post loads from elsewhere (images, media, frames), and the files it links to on the
#: old site: all of it stays behind unless the author downloads it.
_MEDIA = re.compile(
    r"""\bsrc=["'](https?://[^"']+)["']|\bhref=["']([^"']+/wp-content/uploads/[^"']+)["']"""
)
_HINT = "export it again from WordPress (Tools → Export), or mend the line named"


def _name(tag: str) -> str:
    """Return `wp:post_id` for `{http://wordpress.org/export/1.2/}post_id`."""
    if not tag.startswith("{"):
        return tag
    uri, _, local = tag[1:].partition("}")
    uri = uri.removeprefix("https://").removeprefix("http://")
    if uri.startswith("wordpress.org/export/") and "excerpt" not in uri:
        return f"wp:{local}"
    return f"{_NAMESPACES.get(uri, uri)}:{local}"


@dataclass
class _Item:
    """One `<item>` of the export: its fields, terms, post meta and comments."""

    fields: dict[str, str] = field(default_factory=dict)
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # domain, nicename, name
    meta: dict[str, str] = field(default_factory=dict)  # its post meta, by key
    comments: int = 0

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()


@dataclass
class _Export:
    """What the channel says of the old site."""

    link: str = ""
    base_blog_url: str = ""
    authors: dict[str, str] = field(default_factory=dict)  # login → display name
    terms: dict[str, set[str]] = field(default_factory=dict)  # terms defined, by taxonomy
    parents: dict[str, str] = field(default_factory=dict)  # category nicename → its parent's
    featured: list[tuple[str, str, str]] = field(default_factory=list)  # image id, title, where
    # A copy of the old site's wp-content/uploads, and the attachments found in the export.
    uploads: Path | None = None
    attachments: dict[str, _Attachment] = field(default_factory=dict)
    brought: set[str] = field(default_factory=set)  # the attachments brought over, by id
    # The old site's names of the terms of the posts imported: (WP taxonomy, nicename, name).
    used_terms: set[tuple[str, str, str]] = field(default_factory=set)


def _items(path: Path, export: _Export) -> Iterator[_Item]:
    """Yield the items of an export as they are parsed; fill `export` from the channel."""
    stack: list[str] = []
    for event, element in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
        name = _name(element.tag)
        if event == "start":
            stack.append(name)
            continue
        stack.pop()
        parent = stack[-1] if stack else ""
        if name == "item":
            yield _item(element)
            element.clear()
        elif parent == "channel":
            if name == "link":
                export.link = (element.text or "").strip()
            elif name == "wp:base_blog_url":
                export.base_blog_url = (element.text or "").strip()
            elif name == "wp:author":
                fields = {_name(child.tag): (child.text or "").strip() for child in element}
                login = fields.get("wp:author_login", "")
                export.authors[login] = fields.get("wp:author_display_name") or login
            elif name in {"wp:category", "wp:tag", "wp:term"}:
                fields = {_name(child.tag): (child.text or "").strip() for child in element}
                taxonomy = {"wp:category": "category", "wp:tag": "post_tag"}.get(
                    name, fields.get("wp:term_taxonomy", "")
                )
                term = fields.get("wp:cat_name") or fields.get("wp:tag_name") or ""
                export.terms.setdefault(taxonomy, set()).add(
                    clean_name(term or fields.get("wp:term_name", ""))
                )
                above = fields.get("wp:category_parent")
                if name == "wp:category" and above:
                    export.parents[fields.get("wp:category_nicename", "")] = above
            if name != "link":
                element.clear()


def _item(element: Element) -> _Item:
    item = _Item()
    for child in element:
        name = _name(child.tag)
        if name == "category":
            domain = child.get("domain", "category")
            item.terms.append((domain, child.get("nicename", ""), child.text or ""))
        elif name == "wp:comment":
            item.comments += 1
        elif name == "wp:postmeta":
            fields = {_name(c.tag): (c.text or "").strip() for c in child}
            item.meta[fields.get("wp:meta_key", "")] = fields.get("wp:meta_value", "")
        else:
            item.fields[name] = child.text or ""
    return item


@dataclass(frozen=True)
class _Attachment:
    """A file of the old site, as the export describes it."""

    url: str
    alt: str  # its alternative text, for an image
    caption: str


def _attachments(export_file: Path) -> dict[str, _Attachment]:
    """Return the attachments of an export by id (a first reading: posts may come before the
    images they feature)."""
    found = {}
    with contextlib.suppress(ParseError, DefusedXmlException):  # said by the second reading
        for item in _items(export_file, _Export()):
            if (item.get("wp:post_type") or "post") == "attachment":
                found[item.get("wp:post_id")] = _Attachment(
                    item.get("wp:attachment_url") or item.get("guid"),
                    clean_name(item.meta.get("_wp_attachment_image_alt", "")),
                    clean_name(html.unescape(re.sub(r"<[^>]*>", "", item.get("excerpt:encoded")))),
                )
    return found


def import_wordpress(export_file: Path, importer: Importer, uploads: Path | None = None) -> Report:
    """Plan the import of every post of a WordPress export; return the report. With
    `uploads`, a copy of the old site's wp-content/uploads folder, featured images are
    brought over from it: each post that has one becomes a folder with its photo.

    Raise a ContentError naming the line if the export is not well-formed XML, or naming the
    item whose date no post may have.
    """
    report = importer.report
    export = _Export(uploads=uploads, attachments=_attachments(export_file) if uploads else {})
    titles: dict[str, str] = {}
    attachments: list[tuple[str, str, str]] = []  # url, parent post id, its own id
    pages: list[_Item] = []  # written once every page's parent is known
    comments = 0
    try:
        for item in _items(export_file, export):
            kind = item.get("wp:post_type") or "post"
            comments += item.comments
            if kind == "attachment":
                url = item.get("wp:attachment_url") or item.get("guid")
                attachments.append((url, item.get("wp:post_parent"), item.get("wp:post_id")))
            elif kind == "page":
                pages.append(item)
            elif kind == "post":
                titles[item.get("wp:post_id")] = _import_item(item, kind, export, importer)
            else:
                report.left_out[kind] += 1
    except ParseError as exc:
        line = exc.position[0] if hasattr(exc, "position") else None
        message = str(exc).split(": line")[0]
        raise ContentError(
            report.source, line, f"the export is not well-formed XML ({message})", _HINT
        ) from None
    except DefusedXmlException as exc:
        raise ContentError(
            report.source, None, f"the export uses XML features refused for safety ({exc})", _HINT
        ) from None
    # Published pages first: a draft never takes the address a published page had.
    pages.sort(key=lambda page: (page.get("wp:status") or "publish") != "publish")
    folders = _page_folders(pages, importer)
    for page in pages:
        page_id = page.get("wp:post_id")
        titles[page_id] = _import_item(page, "page", export, importer, folders[page_id])
    if comments:
        report.left_out["comments (hrdblog has none)"] += comments
    used = {"category": report.categories, "post_tag": report.tags}
    for taxonomy, names in sorted(export.terms.items()):
        unused = len(names - used.get(taxonomy, set()))
        if unused:
            label = {"category": "categories", "post_tag": "tags"}.get(taxonomy, taxonomy)
            report.left_out[f"{label} no imported post has"] += unused
    by_id = {own: url for url, _, own in attachments}
    for image, title, where in export.featured:
        if image in by_id:
            report.file(by_id[image], title)
            report.problem(
                where,
                f"its featured image {by_id[image]} is not brought over: import again with "
                "--uploads and a copy of the old site's wp-content/uploads folder, or put the "
                "photo in the post's folder and name it in image:",
            )
        else:
            report.problem(where, f"its featured image (attachment {image}) is not in the export")
    for url, parent, own in attachments:
        if own not in export.brought:
            report.file(url, titles.get(parent, "not used by any post"))
    _old_term_addresses(export, importer)
    return report


#: Where WordPress publishes its terms, by taxonomy, and the hrdblog taxonomy each becomes.
_TERM_BASES = {"post_tag": ("tag", "tags"), "category": ("category", "categories")}


def _old_term_addresses(export: _Export, importer: Importer) -> None:
    """Send the old addresses of the imported posts' term pages on to their new ones: where
    the old site's name of a term (its nicename, like alignment-2) is not hrdblog's, and for
    child categories (/category/parent/child/). Their feeds (and the site's, /feed/) go to the
    web server's redirect map: a feed reader follows no redirect page."""
    config, report = importer.config, importer.report
    taxonomies = {t.name: t for t in config.taxonomies}
    if config.base_url:
        report.redirects.append(("/feed/", feed_url("/")))
    for domain, nicename, raw in sorted(export.used_terms):
        base, taxonomy = _TERM_BASES[domain]
        slug = slugify(clean_name(raw) or clean_name(nicename), config.slug_unicode)
        if taxonomy not in taxonomies or not slug:
            continue
        new = taxonomies[taxonomy].term_url(slug)
        chain, seen = [unquote(nicename)], set()
        while domain == "category" and chain[0] in export.parents and chain[0] not in seen:
            seen.add(chain[0])
            chain.insert(0, unquote(export.parents[chain[0]]))
        old = f"/{base}/{'/'.join(chain)}/"
        if old != new and usable_alias(old) and clean_field(old) == old:
            report.site_redirects.setdefault(old, new)
        if config.base_url:
            report.redirects.append((f"{old}feed/", feed_url(new)))


def _page_folders(pages: list[_Item], importer: Importer) -> dict[str, list[str]]:
    """Return the address names of each page's parents and its own, by page id: a page is
    published under its parent's address (/about/team/), as WordPress publishes it."""
    names = {
        page.get("wp:post_id"): importer.slug(
            page.get("wp:post_name"),
            clean_name(page.get("title")),
            f"page-{page.get('wp:post_id')}",
        )
        for page in pages
    }
    parents = {page.get("wp:post_id"): page.get("wp:post_parent") for page in pages}
    taken = {*importer.config.site_paths(), "feed"}  # /feed/: the redirect map's, to the feed
    for page_id, name in names.items():  # a page at /archives/ or /2017/ would hide the site's
        if parents[page_id] not in names and (name in taken or name.isdigit()):
            names[page_id] = f"{name}-page"
    folders: dict[str, list[str]] = {}
    for page_id in names:
        chain: list[str] = []
        parent = parents[page_id]
        while parent in names and parent != page_id and names[parent] not in chain:
            chain.insert(0, names[parent])  # a loop of parents, which WordPress refuses, ends
            parent = parents[parent]
        folders[page_id] = [*chain, names[page_id]]
    return folders


def _import_item(
    item: _Item, kind: str, export: _Export, importer: Importer, folders: list[str] | None = None
) -> str:
    """Write one post, or one page under the address names of its parents and its own
    (`folders`); return its title."""
    report, config = importer.report, importer.config
    post_id = item.get("wp:post_id")
    title = clean_name(item.get("title"))
    where = f"{kind} {post_id} ({title or 'untitled'})"
    if title != " ".join(item.get("title").split()):
        report.problem(where, "direction overrides or invisible characters removed from its title")
    if not title:
        title = f"Untitled {kind} {post_id}"
        report.problem(where, f"it has no title: given {title!r}")
    date = _date(item, config, report.source, where).astimezone(config.tzinfo)
    status = item.get("wp:status") or "publish"
    slug = importer.slug(item.get("wp:post_name"), title, f"{kind}-{post_id}")
    if kind == "post":
        slug = importer.claim(date, slug, where)
    meta: dict[str, Any] = {"title": title, "date": date_text(date), "slug": slug}
    author = clean_name(export.authors.get(item.get("dc:creator"), item.get("dc:creator")))
    if author:
        meta["author"] = author
    tags, categories = _terms(item, where, report)
    files: dict[str, Path] = {}
    thumbnail = item.meta.get("_thumbnail_id")
    if thumbnail:
        files = _featured(export, thumbnail, meta, where, report)
        if not files:
            export.featured.append((thumbnail, title, where))
    if tags:
        meta["tags"] = tags
    if categories:
        meta["categories"] = categories
    excerpt = item.get("excerpt:encoded")
    if excerpt:
        meta["summary"] = to_markdown(excerpt, lambda what: report.problem(where, what)).strip()
    draft = status in _STATUS_DRAFT
    if item.get("wp:post_password"):
        draft = True
        report.problem(
            where, "password-protected on WordPress: imported as a draft, without its password"
        )
    if draft:
        meta["draft"] = True
    if kind == "post" and not draft and date <= config.now():  # its terms' pages will exist
        export.used_terms.update(
            (domain, nicename, raw) for domain, nicename, raw in item.terms if domain in _TERM_BASES
        )
    if kind == "page":  # its address is its file's, as `write` will name it
        *parents, slug = folders or [slug]
        folder = config.pages_dir.joinpath(*parents)
        slug = importer.free(folder, (slug,)).stem
        url = "/" + "".join(f"{name}/" for name in [*parents, slug])
        importer.addresses.add(url.casefold())
    else:
        url = importer.url(date, slug)
    link = item.get("link")
    published = status in {"publish", "future"} and not draft
    if published and link:
        meta["original_url"] = link
        old = old_path(link, _base_path(export))
        first = (old or "").strip("/").split("/")[0]
        if old is not None and kind == "page" and (first in config.site_paths() or first.isdigit()):
            report.problem(where, f"its old address {old} is one the site uses: not redirected")
            old = None
        if old is not None:
            aliases = importer.aliases(where, url, [re.sub("//+", "/", old)])
            if aliases:
                meta["aliases"] = aliases
        guid = item.get("guid")
        if kind == "page":  # WordPress answers ?page_id=N for every page
            base = (export.base_blog_url or export.link).rstrip("/")
            report.redirects.append((f"{base}/?page_id={post_id}", url))
        elif re.search(r"\?(p|page_id)=\d+$", guid):
            if any(urlsplit(old).query == urlsplit(guid).query for old, _ in report.redirects):
                report.problem(where, f"another post of the export has its old address {guid}")
            else:
                report.redirects.append((guid, url))
    content = item.get("content:encoded")
    for loaded, linked in _MEDIA.findall(content):
        report.file(html.unescape(loaded or linked), title)
    body = to_markdown(content, lambda what: report.problem(where, what))
    if kind == "page":  # its address is its file's: content/pages/about/team.md is /about/team/
        meta.pop("slug")
        written = importer.write(folder, (slug,), meta, body, files, where=where)
        if written:
            report.counts["page drafts" if draft else "pages"] += 1
        return title
    folder = config.content_dir / f"{date.astimezone(config.tzinfo):%Y}"
    written = importer.write(folder, (slug, f"{slug}-{post_id}"), meta, body, files, where=where)
    if written:
        if draft:
            report.counts["drafts"] += 1
        elif date > config.now():
            report.counts["scheduled"] += 1
        else:
            report.counts["posts"] += 1
        report.tags.update(tags)
        report.categories.update(categories)
    return title


def _featured(
    export: _Export, thumbnail: str, meta: dict[str, Any], where: str, report: Report
) -> dict[str, Path]:
    """Bring a post's featured image over from the copy of the uploads folder: set its
    `image` (and alt text and caption) in `meta`; return its file by name, or nothing."""
    attachment = export.attachments.get(thumbnail)
    if export.uploads is None or attachment is None:
        return {}
    path = urlsplit(attachment.url).path
    relative = unquote(path.split("/uploads/", 1)[1]) if "/uploads/" in path else ""
    found = (export.uploads / relative).resolve() if relative else None
    if (
        found is None
        or not found.is_relative_to(export.uploads.resolve())
        or not found.is_file()
        or not resized(found.name)
        or not usable_image_name(found.name)
    ):
        report.problem(
            where, f"its featured image {attachment.url} is not a photo in the uploads folder"
        )
        return {}
    meta["image"] = found.name
    export.brought.add(thumbnail)
    if attachment.alt:
        meta["image_alt"] = attachment.alt
    if attachment.caption:
        meta["image_caption"] = attachment.caption
    return {found.name: found}


def _base_path(export: _Export) -> str:
    return urlsplit(export.base_blog_url or export.link).path or "/"


def _date(item: _Item, config: SiteConfig, source: str, where: str) -> datetime:
    """Return the post's date: from its GMT date where it has one. Raise a ContentError for
    a date no post may have (the import then writes nothing)."""
    for name, zone in (("wp:post_date_gmt", UTC), ("wp:post_date", config.tzinfo)):
        text = item.get(name)
        if not text or text == _NO_DATE:
            continue
        try:
            found = datetime.fromisoformat(text)
        except ValueError:
            continue
        if not in_range(found):
            raise ContentError(
                source,
                None,
                f"{where}: its date {text!r} is not one a post may have ({RANGE})",
                "correct the date in WordPress and export again, or in the export's <item>",
            )
        return found.replace(tzinfo=zone)
    return config.now()


def _terms(item: _Item, where: str, report: Report) -> tuple[list[str], list[str]]:
    """Return the post's tags and categories, each once, in the export's order."""
    tags: list[str] = []
    categories: list[str] = []
    for domain, nicename, raw in item.terms:
        name = clean_name(raw) or clean_name(nicename)
        if not name:
            continue
        if domain in {"post_tag", "tag"}:
            found = tags
        elif domain == "category":
            found = categories
        elif domain == "post_format":
            continue  # a display hint of WordPress themes: nothing to carry over
        else:
            report.problem(where, f"its {domain} term {name!r} was not imported")
            continue
        if name not in found:
            found.append(name)
    return tags, categories
