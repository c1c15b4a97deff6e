"""The site as ZIM files, which Kiwix reads offline on phones and computers:
`hrdblog export zim FILE.zim`.

A ZIM file holds one full-text index, stemmed in one language. So each language tree of the
site has a file of its own: FILE.zim for the default language, FILE.ar.zim … for the others.
Each holds the whole site, so that every link works inside it, the language switcher's
included; its index, its title suggestions, its main page and its description are those of
its language. The site in it is built for reading from disk (links name `index.html`), into a
folder of the blog's cache of its own, without the search pages: Kiwix searches the file's
index. A file is written in a folder of its own beside its place, then put there in one step.
A ZIM file is not byte-identical from one export to the next: the format gives each file an
identifier of its own.
"""

from __future__ import annotations

import contextlib
import functools
import io
import mimetypes
import os
import posixpath
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hrdblog import __version__
from hrdblog.config import SiteConfig
from hrdblog.errors import OutputError
from hrdblog.export import Exported, check_target, offline_site, read_listed
from hrdblog.headers import HEADERS_FILE
from hrdblog.plan import icon_of, made_icon
from hrdblog.texts import primary
from hrdblog.urls import slugify

#: The folder of the blog's cache that holds the site as the ZIM files show it.
ZIM_SITE = "export-zim-site"
#: The size of the square picture Kiwix shows for a file in its library.
ILLUSTRATION = 48
#: The longest title and description the openZIM metadata rules allow.
TITLE_LIMIT = 30
DESCRIPTION_LIMIT = 80
LONG_DESCRIPTION_LIMIT = 4000
#: Files of the site a ZIM file leaves out: the headers are for web servers.
_LEFT_OUT = frozenset({HEADERS_FILE})
#: Python's own table of types, not the machine's: the same file gets the same type anywhere.
_TYPES = mimetypes.MimeTypes()
_MORE_TYPES = {".woff2": "font/woff2", ".webp": "image/webp", ".avif": "image/avif"}
_TEXT = ("text/", "application/xml", "application/json", "image/svg+xml")
_RASTER = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico"})


@dataclass(frozen=True)
class Page:
    """What a ZIM file's index and suggestions take from a page of the site."""

    title: str  # its first heading in <main>, else its <title>
    text: str  # the words of its <main>
    indexed: bool  # a page of content: it has a <main> and does not ask search engines away


def read_page(html: str) -> Page:
    """Return what a page of the site gives a ZIM file's index."""
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    title = " ".join("".join(reader.heading or reader.title).split())
    text = " ".join(" ".join(reader.words).split())
    return Page(title, text, reader.main and not reader.noindex)


class _PageReader(HTMLParser):
    """Reads a page's title and words, in one pass over its HTML."""

    _SKIPPED = frozenset({"script", "style", "template", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.heading: list[str] = []
        self.words: list[str] = []
        self.main = False
        self.noindex = False
        self._open: list[str] = []  # what is being read: title, main, h1
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("name") or "").lower() == "robots":
            self.noindex = "noindex" in (attributes.get("content") or "").lower()
        elif tag in self._SKIPPED:
            self._skipping += 1
        elif tag == "title" or tag == "main" or (tag == "h1" and "main" in self._open):
            if tag == "main":
                self.main = True
            if tag != "h1" or not self.heading:
                self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if "title" in self._open:
            self.title.append(data)
        if "h1" in self._open:
            self.heading.append(data)
        if "main" in self._open:
            self.words.append(data)


def zim_targets(config: SiteConfig, target: Path) -> list[tuple[str, Path]]:
    """Return each language tree of the site with the file it is exported to: the default
    language's to `target`, the others' beside it, named with their language (`site.ar.zim`)."""
    return [
        (
            language,
            target
            if index == 0
            else target.with_name(f"{target.stem}.{primary(language)}{target.suffix}"),
        )
        for index, language in enumerate(config.trees)
    ]


def export_zim(config: SiteConfig, target: Path) -> list[Exported]:
    """Write the site into a ZIM file per language tree (`zim_targets`); return what each
    holds."""
    try:
        from libzim.writer import Creator  # type: ignore[import-untyped]
    except ImportError:
        raise OutputError(
            "writing ZIM files needs python-libzim, which is not installed",
            "install it with: pip install libzim",
        ) from None
    targets = zim_targets(config, target)
    for _, path in targets:
        check_target(config, path, ".zim")
    folder, listed = offline_site(replace(config, search=False), ZIM_SITE)
    files = {path: read_listed(folder, path, sha256) for path, sha256 in sorted(listed.items())}
    files = {path: data for path, data in files.items() if path not in _LEFT_OUT}
    pages = {
        path: read_page(data.decode("utf-8"))
        for path, data in files.items()
        if path.endswith(".html")
    }
    picture = illustration(config, folder)
    written = []
    for language, path in targets:
        home = posixpath.join(config.prefix(language).strip("/"), "index.html")
        with _beside(path) as partial:
            try:
                creator = Creator(str(partial)).config_indexing(True, language_code(language))
                with _libzim_quiet(), creator.set_mainpath(home) as zim:
                    for name, value in metadata(config, language).items():
                        zim.add_metadata(name, value)
                    zim.add_illustration(ILLUSTRATION, picture)
                    for name, data in files.items():
                        page = pages.get(name)
                        own = (
                            page is not None and page.indexed and tree_of(config, name) == language
                        )
                        zim.add_item(_item(name, data, page, own))
            except RuntimeError as exc:
                raise OutputError(f"cannot write {path}: {exc}") from None
            os.replace(partial, path)
        written.append(Exported(path, len(files), path.stat().st_size))
    return written


@contextlib.contextmanager
def _libzim_quiet() -> Iterator[None]:
    """Keep libzim's own progress lines (written to the process's standard output, whatever
    it is told) out of the command's output, which says what was written itself."""
    sys.stdout.flush()
    kept = os.dup(1)
    try:
        with open(os.devnull, "wb") as nowhere:
            os.dup2(nowhere.fileno(), 1)
        yield
    finally:
        os.dup2(kept, 1)
        os.close(kept)


class _beside:
    """A folder of its own beside `target`, for a file and the work files libzim makes beside
    it; removed, with whatever is left in it, when the file is written or fails."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.folder: Path | None = None

    def __enter__(self) -> Path:
        try:
            self.folder = Path(tempfile.mkdtemp(prefix=".hrdblog-zim-", dir=self.target.parent))
        except OSError as exc:
            raise OutputError(f"cannot write {self.target}: {exc.strerror or exc}") from None
        return self.folder / self.target.name

    def __exit__(self, *exc_info: object) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def tree_of(config: SiteConfig, path: str) -> str:
    """Return the language of the tree a file of the site belongs to, by its path."""
    for language in config.trees[1:]:
        if path.startswith(config.prefix(language).strip("/") + "/"):
            return language
    return config.trees[0]


def language_code(language: str) -> str:
    """Return a language's ISO 639-3 code, as ZIM files name languages: `ara` for `ar`."""
    import pycountry

    code = primary(language)
    found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
    return str(found.alpha_3) if found is not None else code


def metadata(config: SiteConfig, language: str) -> dict[str, str]:
    """Return the metadata of a tree's ZIM file, within the limits of the openZIM rules:
    the title and description shortened where they are longer than those allow, the
    whole description kept as the long one."""
    title = config.site_text(language, "title")
    description = config.site_text(language, "description") or title
    made: dict[str, str] = {
        "Name": f"{slugify(config.title) or 'hrdblog'}_{primary(language)}_all",
        "Title": shortened(title, TITLE_LIMIT),
        "Description": shortened(description, DESCRIPTION_LIMIT),
        "Language": language_code(language),
        "Creator": config.author or config.title,
        "Publisher": config.author or config.title,
        "Date": config.now().date().isoformat(),
        "Scraper": f"hrdblog {__version__}",
    }
    if len(description) > DESCRIPTION_LIMIT:
        made["LongDescription"] = shortened(description, LONG_DESCRIPTION_LIMIT)
    if config.base_url:
        made["Source"] = config.base_url
    return made


def shortened(text: str, limit: int) -> str:
    """Return `text`, cut after a word and ended with … where it is longer than `limit`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–-") + "…"


def illustration(config: SiteConfig, folder: Path) -> bytes:
    """Return the square PNG Kiwix shows for the site: its icon where that is a picture
    (`favicon`, or one in root/), else the icon the theme makes, its initial on its accent
    colour."""
    from PIL import Image, ImageDraw, ImageFont, ImageOps

    size = (ILLUSTRATION, ILLUSTRATION)
    icon = folder / icon_of(config).lstrip("/")
    picture: Image.Image | None = None
    if icon.suffix.lower() in _RASTER:
        try:
            with Image.open(icon) as opened:
                picture = ImageOps.pad(opened.convert("RGBA"), size, color=(0, 0, 0, 0))
        except (OSError, ValueError, Image.DecompressionBombError):
            picture = None
    if picture is None:
        letter, color, ink = made_icon(config)
        picture = Image.new("RGBA", size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(picture)
        draw.rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=9, fill=color)
        if letter.isascii():  # the font Pillow carries has Latin letters only
            font = ImageFont.load_default(size=30)
            draw.text((size[0] / 2, size[1] / 2), letter, fill=ink, font=font, anchor="mm")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def unaccented(text: str) -> str:
    """Return text as libzim indexes it and reads queries: lower case, without accents or
    other marks (é is e, and Arabic's short vowels are left out)."""
    parts = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", "".join(c for c in parts if not _is_mark(c)))


def _is_mark(character: str) -> bool:
    return unicodedata.category(character).startswith("M")


def mimetype(path: str) -> str:
    """Return the type a ZIM file gives a file of the site."""
    suffix = posixpath.splitext(path)[1].lower()
    if not suffix:
        return "text/plain"  # SHA256SUMS
    return _MORE_TYPES.get(suffix) or _TYPES.guess_type(path)[0] or "application/octet-stream"


def _item(path: str, data: bytes, page: Page | None, own: bool) -> Any:
    """Return a file of the site as an item of a ZIM file: indexed, and offered in the title
    suggestions, where it is a page of content of the file's own tree (`own`)."""
    item, _ = _item_types()
    return item(path, data, page, own)


@functools.cache
def _item_types() -> tuple[type, type]:
    """Return the kinds of item and index data libzim is given, made once libzim is
    imported (it is only where ZIM files are written)."""
    from libzim.writer import Hint, IndexData, Item, StringProvider

    class Index(IndexData):  # type: ignore[misc]
        def __init__(self, page: Page | None, indexed: bool) -> None:
            super().__init__()
            self.page = page or Page("", "", False)
            self.indexed = indexed

        def has_indexdata(self) -> bool:
            return self.indexed

        def get_title(self) -> str:
            return unaccented(self.page.title)

        def get_content(self) -> str:
            return unaccented(self.page.text)

        def get_keywords(self) -> str:
            return ""

        def get_wordcount(self) -> int:
            return len(self.page.text.split())

    class SiteItem(Item):  # type: ignore[misc]
        def __init__(self, path: str, data: bytes, page: Page | None, indexed: bool) -> None:
            super().__init__()
            self.path, self.data, self.kind = path, data, mimetype(path)
            self.page, self.indexed = page, indexed

        def get_path(self) -> str:
            return self.path

        def get_title(self) -> str:
            return self.page.title if self.page else ""

        def get_mimetype(self) -> str:
            return self.kind

        def get_contentprovider(self) -> Any:
            return StringProvider(self.data)

        def get_hints(self) -> dict[Any, bool]:
            compress = self.kind.startswith(_TEXT)
            return {Hint.FRONT_ARTICLE: self.indexed, Hint.COMPRESS: compress}

        def get_indexdata(self) -> Any:
            return Index(self.page, self.indexed)

    return SiteItem, Index
