"""Check a built site as its readers will meet it.

Every internal link, anchor and file a page refers to must exist; every page must have a title
and a language; and no page, feed or stylesheet may make a reader's browser contact another
site for scripts, styles, fonts, images, media or frames, unless that site is allowed
(`allowed_origins`): on watched networks, each such request tells a third party who reads what.
Links that a reader follows by choice (`<a href>`) may lead anywhere.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

ATOM = "{http://www.w3.org/2005/Atom}"

# Attributes whose address the browser loads by itself, by element.
_LOADED = {
    "img": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href",),
}
# <link rel=…> values that make the browser load the address.
_LOADED_LINKS = {
    "stylesheet",
    "icon",
    "preload",
    "prefetch",
    "modulepreload",
    "manifest",
    "apple-touch-icon",
    "mask-icon",
    "dns-prefetch",
    "preconnect",
}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a built site: the page, the reference and what is wrong with it."""

    page: str
    reference: str
    what: str

    def __str__(self) -> str:
        return (
            f"{self.page}: {self.reference}: {self.what}"
            if self.reference
            else f"{self.page}: {self.what}"
        )


@dataclass(frozen=True)
class _Reference:
    address: str
    loaded: bool  # the browser fetches it without the reader asking


class _Page(HTMLParser):
    """Collect what a check needs from one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[_Reference] = []
        self.ids: set[str] = set()
        self.lang: str | None = None
        self.title: list[str] = []
        self._in = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "html":
            self.lang = values.get("lang")
        self._in = tag if tag in {"title", "style"} else ""
        for name in _LOADED.get(tag, ()):
            for address in _addresses(values.get(name, ""), srcset=name == "srcset"):
                self.references.append(_Reference(address, loaded=True))
        if tag in {"a", "area"} and values.get("href"):
            self.references.append(_Reference(values["href"], loaded=False))
        if tag == "link" and values.get("href"):
            rels = set(values.get("rel", "").lower().split())
            self.references.append(_Reference(values["href"], loaded=bool(rels & _LOADED_LINKS)))
        if "style" in values:
            self.references += [_Reference(a, True) for a in css_addresses(values["style"])]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in = ""

    def handle_endtag(self, tag: str) -> None:
        self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title.append(data)
        elif self._in == "style":
            self.references += [_Reference(a, True) for a in css_addresses(data)]


def _addresses(value: str, srcset: bool) -> list[str]:
    if not value.strip():
        return []
    if srcset:
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return [value.strip()]


def css_addresses(css: str) -> list[str]:
    """Return the addresses a stylesheet loads: url(…) and @import."""
    return [m.group(2) or m.group(4) for m in _CSS_URL.finditer(css) if (m.group(2) or m.group(4))]


def check_site(
    site: Path, base_url: str = "", allowed_origins: Iterable[str] = ()
) -> list[Problem]:
    """Return every problem of the built site in `site`, page by page in path order."""
    checker = _Checker(site.resolve(), base_url, {o.lower().rstrip("/") for o in allowed_origins})
    return list(checker.run())


class _Checker:
    def __init__(self, site: Path, base_url: str, allowed: set[str]) -> None:
        self.site = site
        self.base_url = base_url
        self.allowed = allowed
        self.pages: dict[Path, _Page] = {}

    def page(self, path: Path) -> _Page:
        if path not in self.pages:
            parsed = _Page()
            parsed.feed(path.read_text(encoding="utf-8", errors="replace"))
            parsed.close()
            self.pages[path] = parsed
        return self.pages[path]

    def run(self) -> Iterator[Problem]:
        for path in sorted(p for p in self.site.rglob("*") if p.is_file()):
            shown = path.relative_to(self.site).as_posix()
            if path.suffix == ".html":
                page = self.page(path)
                if not "".join(page.title).strip():
                    yield Problem(shown, "", "the page has no title")
                if not page.lang:
                    yield Problem(shown, "", "the page does not say its language (<html lang>)")
                references = page.references
            elif path.suffix == ".css":
                css = path.read_text(encoding="utf-8", errors="replace")
                references = [_Reference(a, True) for a in css_addresses(css)]
            elif path.suffix == ".xml":
                references = list(self._feed_references(path))
            else:
                continue
            for reference in references:
                problem = self.check(path, reference)
                if problem:
                    yield Problem(shown, reference.address, problem)

    def _feed_references(self, path: Path) -> Iterator[_Reference]:
        """Yield what a feed's entries load when a feed reader shows them."""
        try:
            root = ElementTree.parse(path).getroot()
        except ElementTree.ParseError:
            return
        for element in root.iter():
            if element.tag in {f"{ATOM}content", f"{ATOM}summary"} and element.text:
                parsed = _Page()
                parsed.feed(element.text)
                yield from (r for r in parsed.references if r.loaded)

    def check(self, page: Path, reference: _Reference) -> str | None:
        """Return what is wrong with one reference from `page`, or None."""
        address = reference.address
        base_path = urlsplit(self.base_url).path or "/"
        if self.base_url and address.startswith(self.base_url):
            address = "/" + address.removeprefix(self.base_url)
        elif base_path != "/" and address.startswith(base_path):
            address = "/" + address.removeprefix(base_path)  # from the root of the domain
        parts = urlsplit(address)
        if parts.scheme in {"mailto", "tel", "data", "javascript"}:
            return None
        if parts.scheme or parts.netloc:
            origin = f"{parts.scheme or 'https'}://{parts.netloc}".lower()
            if reference.loaded and origin not in self.allowed:
                return (
                    f"loads from another site ({origin}); publish the file with the site, "
                    "or allow the site in allowed_origins"
                )
            return None
        if page.suffix == ".xml":
            return None  # a feed's relative addresses are its reader's business
        target = page
        if parts.path:
            start = self.site if parts.path.startswith("/") else page.parent
            joined = posixpath.normpath(
                posixpath.join(start.as_posix(), unquote(parts.path).lstrip("/"))
            )
            target = Path(joined)
            if not target.is_relative_to(self.site):
                return "leads out of the site"
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
        if not target.is_file():
            return "does not exist"
        if (
            parts.fragment
            and target.suffix == ".html"
            and unquote(parts.fragment) not in self.page(target).ids
        ):
            return f"{target.relative_to(self.site).as_posix()} has no #{unquote(parts.fragment)}"
        return None
