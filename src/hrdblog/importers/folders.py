"""`hrdblog import jekyll` and `hrdblog import hugo`: a folder of Markdown posts → hrdblog posts.

Front matter may be YAML (`---`), TOML (`+++`) or JSON; the fields hrdblog knows are carried
over in its words (`published: false` → `draft: true`, `lastmod` → `updated`, a post's own
`url` or `permalink` → `aliases`), dates come from the file name when the front matter has none,
titles from the first heading when missing, and what neither hrdblog nor Markdown can read
(Liquid tags, Hugo shortcodes) is kept visibly in the post and listed in the report.
"""

from __future__ import annotations

import functools
import html
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from hrdblog.characters import clean_name
from hrdblog.config import LANGUAGE_TAG, POST_FIELDS, SiteConfig
from hrdblog.dates import RANGE, in_range
from hrdblog.errors import ContentError
from hrdblog.files import read_file, walk
from hrdblog.images import resized, usable_image_name
from hrdblog.importers import Importer, Report, date_text
from hrdblog.importers.html import to_markdown

_NAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_HUGO_SHORTCODE = re.compile(r"\{\{[<%]\s*(/?)([\w.-]+)(.*?)\s*[>%]\}\}", re.DOTALL)
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_HIGHLIGHT = re.compile(
    r"\{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%\}\n?(.*?)\{%-?\s*endhighlight\s*-?%\}", re.DOTALL
)
_SITE_URL = re.compile(r"\{\{-?\s*site\.(?:baseurl|url)\s*-?\}\}")
_REF = re.compile(r"\{\{[<%]\s*(ref|relref)\s+(\S+?)\s*[>%]\}\}", re.DOTALL)
_ARGUMENT = re.compile(r'(\w+)="([^"]*)"')
_VIDEO = {
    "youtube": "https://www.youtube.com/watch?v={}",
    "vimeo": "https://vimeo.com/{}",
}
_POST_EXTENSIONS = {".md", ".markdown", ".mkd", ".mdown", ".html"}
_JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


@dataclass(frozen=True)
class _Source:
    """A post file found in the folder, with its own folder's files for a page bundle."""

    path: Path
    bundle: bool  # a page bundle: the post is its folder's index.md
    files: dict[str, Path]
    draft: bool  # from Jekyll's _drafts/

    @property
    def name(self) -> str:
        """Return the post's name: its file's, or its bundle folder's."""
        return self.path.parent.name.removesuffix(".md") if self.bundle else self.path.stem


@dataclass
class _Prepared:
    """A post ready to write, once links between posts are known."""

    source: _Source
    where: str
    meta: dict[str, Any]
    body: str
    folder: Path
    names: tuple[str, str]
    url: str
    files: dict[str, Path]  # the files written beside it: its folder's, and its featured image


def import_folder(folder: Path, importer: Importer, kind: str) -> Report:
    """Plan the import of the posts of a Jekyll or Hugo site (or of a folder of its posts)."""
    report = importer.report
    settings = _site_settings(folder, kind)
    prepared = [
        found
        for source in _sources(folder, kind, report)
        if (found := _prepare(source, folder, kind, settings, importer)) is not None
    ]
    # Hugo's {{< ref >}} links between posts lead to the posts' new addresses.
    urls: dict[str, str] = {}
    for post in prepared:
        relative = post.where.removesuffix("/index.md")
        for key in (post.where, relative, post.source.name, Path(relative).stem):
            urls.setdefault(key, post.url)
    for post in prepared:
        body = _REF.sub(
            functools.partial(_ref, urls=urls, where=post.where, report=report), post.body
        )
        body = _body(
            body, kind, post.meta.pop("excerpt_separator", None), settings, post.where, report
        )
        written = importer.write(post.folder, post.names, post.meta, body, post.files, post.where)
        if written:
            report.counts["drafts" if post.meta.get("draft") else "posts"] += 1
            report.tags.update(post.meta.get("tags", []))
            report.categories.update(post.meta.get("categories", []))
    return report


def _site_settings(folder: Path, kind: str) -> dict[str, Any]:
    """Return the settings of the site being imported, when the folder is the site."""
    if kind != "jekyll":
        return {}
    for name in ("_config.yml", "_config.yaml"):
        path = folder / name
        if path.is_file() and path.resolve().is_relative_to(folder.resolve()):
            try:
                found = yaml.safe_load(read_file(path, name).data.decode("utf-8-sig"))
            except (ContentError, yaml.YAMLError, UnicodeDecodeError):
                return {}
            return found if isinstance(found, dict) else {}
    return {}


def _sources(folder: Path, kind: str, report: Report) -> Iterator[_Source]:
    """Yield every post file under the folder, in a stable order.

    The folder is read as a build reads its own: links that lead out of it, links to
    folders, named pipes and the like are not imported, and are listed in the report.
    """
    if kind == "jekyll":
        roots = [(folder / "_posts", False), (folder / "_drafts", True)]
        roots = [(root, draft) for root, draft in roots if root.is_dir()] or [(folder, False)]
    else:
        content = folder / "content"
        roots = [(content if content.is_dir() else folder, False)]
    for root, draft in roots:
        listing = walk(root, folder, skip=lambda sub: sub.name.startswith("_"))
        for error in listing.errors:
            report.problem(error.path, f"{error.message}: not imported")
        by_folder: dict[Path, list[Path]] = {}
        for path in listing.files:
            by_folder.setdefault(path.parent, []).append(path)
        for path in listing.files:
            if path.suffix.lower() not in _POST_EXTENSIONS or path.name.startswith("_"):
                if path.name.startswith("_index."):
                    report.left_out["section pages (_index.md)"] += 1
                continue
            if path.stem == "index" and path.parent != root:
                files = {p.name: p for p in by_folder[path.parent] if p != path}
                yield _Source(path, True, files, draft)
            else:
                yield _Source(path, False, {}, draft)


def _prepare(
    source: _Source, folder: Path, kind: str, settings: dict[str, Any], importer: Importer
) -> _Prepared | None:
    """Read a post file and turn its front matter into hrdblog's; None if it cannot be."""
    config, report = importer.config, importer.report
    path = source.path
    where = path.relative_to(folder).as_posix()
    try:
        data = read_file(path, where).data
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except ContentError as exc:
        report.problem(where, f"{exc.message}: not imported")
        return None
    except UnicodeDecodeError:
        report.problem(where, "not UTF-8 text: not imported")
        return None
    try:
        meta, body = _split(text)
    except ValueError as exc:
        report.problem(where, f"its front matter cannot be read ({exc}): not imported")
        return None
    name = source.name
    matched = _NAME_DATE.match(name)
    if path.suffix.lower() == ".html":
        body = to_markdown(body, lambda what: report.problem(where, what))
    title = clean_name(str(meta.pop("title", "") or ""))
    if not title:
        heading = _HEADING.search(body)
        if heading:
            title = clean_name(heading.group(1))
            body = body[: heading.start()] + body[heading.end() :]
        else:
            title = (matched.group(4) if matched else name).replace("-", " ").strip().capitalize()
            report.problem(where, f"it has no title: given {title!r}, from its file name")
    found = _date(meta, ("date", "publishDate", "pubdate", "published_at"), config, where)
    if found is None and matched:
        year, month, day = (int(matched.group(n)) for n in (1, 2, 3))
        found = datetime(year, month, day, tzinfo=config.tzinfo)
    if found is None and source.draft:  # Jekyll dates its drafts by their file's last change
        found = datetime.fromtimestamp(source.path.stat().st_mtime, config.tzinfo)
        found = found.replace(microsecond=0)
        report.problem(where, f"a draft without a date: dated {date_text(found)}, its file's")
    if found is None:
        report.problem(where, "it has no date, in its front matter or its file name: not imported")
        return None
    out: dict[str, Any] = {"title": title, "date": date_text(found)}
    slug = importer.slug(str(meta.pop("slug", "") or ""), matched.group(4) if matched else name)
    slug = importer.claim(found, slug, where)
    out["slug"] = slug
    updated = _date(meta, ("lastmod", "updated", "modified", "last_modified_at"), config, where)
    if updated is not None and updated > found:
        out["updated"] = date_text(updated)
    author = meta.pop("author", None) or meta.pop("authors", None)
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author)
    if author:
        out["author"] = clean_name(str(author))
    for taxonomy in config.taxonomies:
        singular = {"tags": "tag", "categories": "category"}.get(taxonomy.name, taxonomy.name)
        terms = _terms(meta, (taxonomy.name, singular), kind)
        if terms:
            out[taxonomy.name] = terms
    summary = meta.pop("summary", None) or meta.pop("excerpt", None)
    if isinstance(summary, str) and summary.strip():
        out["summary"] = summary.strip()
    lang = meta.pop("lang", None) or meta.pop("language", None)
    if isinstance(lang, str) and LANGUAGE_TAG.match(lang):
        out["lang"] = lang
    elif lang:
        out[f"{kind}_lang"] = _plain(lang)
        report.problem(where, f"its language {lang!r} is not a language code: kept as {kind}_lang")
    marked, published = meta.pop("draft", False), meta.pop("published", True)
    draft = source.draft or marked is True or published is False
    if draft:
        out["draft"] = True
    url = importer.url(found, slug)
    categories = out.get("categories", [])
    old = _old_addresses(meta, kind, settings, found, name, folder, categories)
    aliases = importer.aliases(where, url, old)
    if aliases:
        out["aliases"] = aliases
    files = dict(source.files)
    featured = _featured(meta, source, folder, kind)
    if isinstance(featured, str):
        report.problem(where, featured)
    elif featured is not None:
        name, path, alt = featured
        stem, dot, suffix = name.rpartition(".")
        number = 1
        while files.get(name, path) != path:  # the post's own file of that name stays
            number += 1
            name = f"{stem}-{number}{dot}{suffix}"
        files[name] = path
        out["image"] = name
        if alt:
            out["image_alt"] = alt
    for key, value in meta.items():
        kept = key if key not in POST_FIELDS and key not in out else f"{kind}_{key}"
        out[kept] = _plain(value)
    return _Prepared(
        source,
        where,
        out,
        body,
        config.content_dir / f"{found.astimezone(config.tzinfo):%Y}",
        (slug, f"{found:%Y-%m-%d}-{slug}"),
        url,
        files,
    )


def _featured(
    meta: dict[str, Any], source: _Source, folder: Path, kind: str
) -> tuple[str, Path, str] | str | None:
    """Take a post's featured image from its front matter (Jekyll's `image`, a path or
    {path, alt}; Hugo's `images`, whose first is the one shown): return its file's name, the
    file and its alt text; or why it cannot come over; or None if the post has none. What
    cannot come over stays in the front matter, under the old site's name."""
    value = meta.get("image")
    key = "image"
    if value is None and kind == "hugo" and meta.get("images"):
        key, value = "images", meta["images"]
        value = value[0] if isinstance(value, list) else value
    if value is None:
        return None
    alt = ""
    if isinstance(value, dict):
        alt = str(value.get("alt") or "")
        value = value.get("path") or value.get("url") or value.get("src")
    if not isinstance(value, str) or not value.strip():
        return f"its featured image {value!r} names no file: kept as {kind}_{key}"
    address = value.strip()
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", address):
        return (
            f"its featured image {address} is on another site: download it, put it in the "
            f"post's folder and name it in image: (kept as {kind}_{key})"
        )
    relative = unquote(address.split("?")[0].split("#")[0])
    roots = (
        [folder, folder / "static"] if relative.startswith("/") else [source.path.parent, folder]
    )
    for root in roots:
        path = (root / relative.lstrip("/")).resolve()
        if (
            path.is_relative_to(folder.resolve())
            and path.is_file()
            and resized(path.name)
            and usable_image_name(path.name)
        ):
            del meta[key]
            return path.name, path, clean_name(alt)
    return f"its featured image {address} is not a photo in the folder: kept as {kind}_{key}"


def _split(text: str) -> tuple[dict[str, Any], str]:
    """Return the front matter (YAML, TOML or JSON) and the body of a post file."""
    if text.startswith("---\n") or text == "---":
        end = re.search(r"^(---|\.\.\.)\s*$", text[4:], re.MULTILINE)
        if end is None:
            raise ValueError("no closing ---")
        try:
            found = yaml.safe_load(text[4 : 4 + end.start()]) if end.start() else {}
        except yaml.YAMLError as exc:
            raise ValueError(" ".join(str(exc).split())) from None
        body = text[4 + end.end() :]
    elif text.startswith("+++\n"):
        end = re.search(r"^\+\+\+\s*$", text[4:], re.MULTILINE)
        if end is None:
            raise ValueError("no closing +++")
        try:
            found = tomllib.loads(text[4 : 4 + end.start()])
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(str(exc)) from None
        body = text[4 + end.end() :]
    elif text.startswith("{"):
        decoder = json.JSONDecoder()
        found, at = decoder.raw_decode(text)
        body = text[at:]
    else:
        return {}, text
    if found is None:
        found = {}
    if not isinstance(found, dict):
        raise ValueError("it is not a list of fields")
    return {str(key): value for key, value in found.items()}, body.lstrip("\n")


def _date(
    meta: dict[str, Any], keys: tuple[str, ...], config: SiteConfig, where: str
) -> datetime | None:
    """Take the first of `keys` that holds a date, in any of the usual spellings. Raise a
    ContentError for a date no post may have (the import then writes nothing)."""
    for key in keys:
        if key not in meta:
            continue
        value = meta.pop(key)
        if isinstance(value, datetime):
            found = value
        elif isinstance(value, date):
            found = datetime.combine(value, time())
        elif isinstance(value, str):
            text = value.strip().replace("/", "-")
            text = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", text)  # Jekyll: "10:00:00 -0500"
            try:
                found = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                continue
        else:
            continue
        if not in_range(found):
            raise ContentError(
                where,
                None,
                f"its {key} {value!s} is not one a post may have ({RANGE})",
                "correct it, then import again",
            )
        return found if found.tzinfo else found.replace(tzinfo=config.tzinfo)
    return None


def _terms(meta: dict[str, Any], keys: tuple[str, ...], kind: str) -> list[str]:
    """Return a list of terms given as a list or as one string (Jekyll: words; else commas)."""
    found: list[str] = []
    for key in keys:
        value = meta.pop(key, None)
        if isinstance(value, str):
            value = value.split(",") if "," in value or kind != "jekyll" else value.split()
        if isinstance(value, list):
            found += [clean_name(str(item)) for item in value if item is not None]
    return list(dict.fromkeys(term for term in found if term))


def _old_addresses(
    meta: dict[str, Any],
    kind: str,
    settings: dict[str, Any],
    found: datetime,
    name: str,
    folder: Path,
    categories: list[str],
) -> list[str]:
    """Return the addresses the post had on the old site, as site paths."""
    old: list[str] = []
    aliases = meta.pop("aliases", None) or meta.pop("redirect_from", None) or []
    if isinstance(aliases, str):
        aliases = [aliases]
    section = folder.name if folder.parent.name == "content" else ""
    for alias in aliases if isinstance(aliases, list) else []:
        text = str(alias).strip()
        if text and not text.startswith("/"):
            text = f"/{section}/{text}" if section else f"/{text}"
        old.append(text)
    own = meta.pop("url", None) or meta.pop("permalink", None)
    if isinstance(own, str) and own.strip():
        old.append("/" + own.strip().lstrip("/"))
    elif kind == "jekyll":
        pattern = settings.get("permalink", "date")
        matched = _NAME_DATE.match(name)
        title = matched.group(4) if matched else name
        old.append(_jekyll_url(_JEKYLL_STYLES.get(pattern, pattern), found, title, categories))
    return [re.sub(r"/{2,}", "/", path) for path in old if path]


def _jekyll_url(pattern: str, found: datetime, title: str, categories: list[str]) -> str:
    """Return the url Jekyll gave a post under a permalink pattern."""
    values = {
        "categories": "/".join(str(c).lower().replace(" ", "-") for c in categories),
        "year": f"{found:%Y}",
        "short_year": f"{found:%y}",
        "month": f"{found:%m}",
        "i_month": str(found.month),
        "day": f"{found:%d}",
        "i_day": str(found.day),
        "y_day": f"{found:%j}",
        "hour": f"{found:%H}",
        "minute": f"{found:%M}",
        "second": f"{found:%S}",
        "title": title,
        "slug": title,
        "output_ext": ".html",
    }
    for key in sorted(values, key=len, reverse=True):
        pattern = pattern.replace(f":{key}", values[key])
    return re.sub(r"/{2,}", "/", "/" + pattern.lstrip("/"))


def _plain(value: Any) -> Any:
    """Return a front-matter value hrdblog can write back: dates as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _body(
    body: str, kind: str, separator: Any, settings: dict[str, Any], where: str, report: Report
) -> str:
    """Return the body with the more marker hrdblog reads, and what it cannot read visible."""
    separator = separator or settings.get("excerpt_separator")
    if isinstance(separator, str) and separator.strip() and separator in body:
        body = body.replace(separator, "\n<!--more-->\n", 1)
    body = _MORE.sub("<!--more-->", body)
    if kind == "hugo":
        return _HUGO_SHORTCODE.sub(lambda m: _shortcode(m, where, report), body)
    body = _HIGHLIGHT.sub(lambda m: f"```{m.group(1)}\n{m.group(2).rstrip()}\n```", body)
    body = re.sub(r"\{%-?\s*(?:end)?raw\s*-?%\}", "", body)
    body = _SITE_URL.sub("", body)
    return _LIQUID.sub(lambda m: _kept(m.group(0), where, report), body)


def _ref(match: re.Match[str], *, urls: dict[str, str], where: str, report: Report) -> str:
    """Return the new address of the post a Hugo `ref` or `relref` shortcode names."""
    target, _, anchor = match.group(2).strip("\"'").partition("#")
    target = target.removeprefix("/").removeprefix("blog/").removeprefix("posts/")
    for key in (target, target.removesuffix(".md"), target.removesuffix("/index.md")):
        if key in urls:
            return urls[key] + (f"#{anchor}" if anchor else "")
    return _kept(match.group(0), where, report)


def _shortcode(match: re.Match[str], where: str, report: Report) -> str:
    """Return a Hugo shortcode as hrdblog can show it: a video as a link, others as code."""
    closing, name, arguments = match.groups()
    words = arguments.split()
    if not closing and name in _VIDEO and len(words) == 1 and "=" not in words[0]:
        video = words[0].strip("\"'")
        return f"[{name.capitalize()} video {video}]({_VIDEO[name].format(video)})"
    named = dict(_ARGUMENT.findall(arguments))
    if not closing and name == "figure" and "src" in named:
        alt = html.escape(named.get("alt", ""))
        image = f'<img src="{html.escape(named["src"])}" alt="{alt}">'
        caption = named.get("caption") or named.get("title")
        if caption:
            image += f"\n<figcaption>{html.escape(caption)}</figcaption>"
        return f"\n<figure>\n{image}\n</figure>\n"
    return _kept(match.group(0), where, report)


def _kept(text: str, where: str, report: Report) -> str:
    report.problem(where, f"{text} kept as text")
    return "`` " + text.replace("\n", " ") + " ``"
