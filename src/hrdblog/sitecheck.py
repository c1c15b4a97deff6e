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

from hrdblog.urls import as_read

ATOM = "{http://www.w3.org/2005/Atom}"

# Attributes whose address the browser loads by itself, by element (HTML and SVG, whose
# links may be written href or xlink:href).
_LOADED = {
    "img": ("src", "srcset", "lowsrc", "dynsrc"),
    "script": ("src", "href", "xlink:href"),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data", "codebase"),
    "applet": ("code", "codebase", "archive"),
    "input": ("src",),
    "image": ("href", "xlink:href", "src"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
    "base": ("href",),  # every relative address of the page then leads there
    "html": ("manifest",),
    "body": ("background",),
    "table": ("background",),
    "td": ("background",),
    "th": ("background",),
    "tr": ("background",),
    "portal": ("src",),
}
# Attributes whose address is contacted by itself whatever the element: <a ping> reports
# each click to its addresses.
_LOADED_ANYWHERE = ("ping",)
# <link rel=…> values that make the browser load the address.
# <link rel=…> values that do not make the browser load the address: every other does (or
# may: stylesheet, icon, preload, prefetch, prerender, manifest, search …).
_NAVIGATION_LINKS = frozenset(
    "alternate canonical author license next prev help bookmark tag me external nofollow "
    "noopener noreferrer shortlink edit".split()
)
# Left open at the end of the text, a url( or an @import's string runs to it, as a browser
# reads it.
_CSS_URL = re.compile(
    r"""url\(\s*(['"]?)(.*?)\1\s*(?:\)|$)|@import\s*(['"])(.*?)(?:\3|$)""",
    re.IGNORECASE | re.DOTALL,
)
# A comment, unless inside a string or an unquoted url(…), where /* is no comment.
_CSS_COMMENT = re.compile(
    r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|url\(\s*[^'"\s)][^)]*\))|/\*.*?(?:\*/|$)""",
    re.DOTALL | re.IGNORECASE,
)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
# image-set() and -webkit-image-set() take addresses as bare strings too.
_CSS_IMAGE_SET = re.compile(r"image-set\(([^()]*(?:\([^()]*\)[^()]*)*)\)", re.IGNORECASE)
_CSS_STRING = re.compile(r"""(['"])(.*?)\1""")
_REFRESH = re.compile(r"""^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(['"]?)(.*?)\1\s*$""", re.IGNORECASE)
_EMPTY_COMMENT = re.compile(r"<!---?>")
_CDATA = re.compile(r"<!\[CDATA\[[^>]*>", re.IGNORECASE)
_SVG_ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform"})
_SVG_HREFS = frozenset({"href", "xlink:href", "src"})


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
class Blocked:
    """Something in a page that the site's Content-Security-Policy (`headers`) keeps browsers
    from running or applying: what it is, what it is written with, and what to do instead."""

    what: str  # "a style attribute"
    written: str  # what to find it by in the source: "style="
    hint: str

    @property
    def effect(self) -> str:
        """Return what browsers do not do with it."""
        if self.hint == _STYLE_HINT:
            return "applying it"
        return "showing it" if self.hint == _DATA_HINT else "running it"


_STYLE_HINT = "give the element a class and style it in static/ (the `stylesheet` setting)"
_SCRIPT_HINT = "a script runs only from the site's own files: put it in static/ and load it"
_DATA_HINT = "put the image in the post's own folder and use its name"


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
        self.blocked: list[Blocked] = []
        self._in = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:  # a browser takes the first of a repeated attribute
            values.setdefault(name, value or "")
        self._note_blocked(tag, values)
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "html":
            self.lang = values.get("lang")
        self._in = tag if tag in {"title", "style"} else ""
        for name in (*_LOADED.get(tag, ()), *_LOADED_ANYWHERE):
            for address in _addresses(values.get(name, ""), name):
                self.references.append(_Reference(address, loaded=True))
        if tag == "link" and values.get("imagesrcset"):
            for address in _addresses(values["imagesrcset"], "srcset"):
                self.references.append(_Reference(address, loaded=True))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            match = _REFRESH.match(values.get("content", ""))
            if match and match.group(2):  # the browser goes there by itself
                self.references.append(_Reference(match.group(2), loaded=True))
        if tag == "iframe" and values.get("srcdoc"):
            inner = _Page()
            inner.feed(values["srcdoc"])
            inner.close()
            self.references += [r for r in inner.references if r.loaded]
        if tag in {"a", "area"} and values.get("href"):
            self.references.append(_Reference(values["href"], loaded=False))
        if tag == "link" and values.get("href"):
            rels = set(values.get("rel", "").lower().split())
            loaded = not rels <= _NAVIGATION_LINKS or "stylesheet" in rels
            self.references.append(_Reference(values["href"], loaded=loaded))
        # An attribute whose value is CSS (style, and SVG's fill, stroke, filter, mask …)
        # loads what its url() names.
        for name, value in values.items():
            if name == "style" or "url(" in value.lower():
                self.references += [_Reference(a, True) for a in css_addresses(value)]
        # SVG's animations set an address by themselves: <set attributeName="href" to=…>.
        if tag in _SVG_ANIMATIONS and values.get("attributename", "").lower() in _SVG_HREFS:
            for name in ("to", "from", "by", "values"):
                for address in values.get(name, "").split(";"):
                    if address.strip():
                        self.references.append(_Reference(address.strip(), loaded=True))

    def _note_blocked(self, tag: str, values: dict[str, str]) -> None:
        """Note what the site's policy keeps browsers from applying or running."""
        if "style" in values:
            self.blocked.append(Blocked("a style attribute", "style=", _STYLE_HINT))
        if tag == "style":
            self.blocked.append(Blocked("a <style> element", "<style", _STYLE_HINT))
        if tag == "script" and not values.get("src", "").strip():
            self.blocked.append(Blocked("a script written in the page", "<script", _SCRIPT_HINT))
        for name in values:
            if name.startswith("on") and len(name) > 2:
                self.blocked.append(Blocked(f"an {name} attribute", f"{name}=", _SCRIPT_HINT))
        for name in ("href", "src", "action", "formaction"):
            if values.get(name, "").strip().lower().replace("\t", "").startswith("javascript:"):
                self.blocked.append(Blocked("a javascript: address", "javascript:", _SCRIPT_HINT))
        if tag in {"img", "source", "input", "image", "video"} and any(
            values.get(name, "").strip().lower().startswith("data:")
            for name in ("src", "srcset", "poster", "href")
        ):
            self.blocked.append(
                Blocked("an image written out as a data: address", "data:", _DATA_HINT)
            )

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
            if "<" in data:  # inside SVG, a <style>'s tags are tags: <img> leaves the SVG
                inner = _Page()
                inner.feed(data)
                inner.close()
                self.references += [r for r in inner.references if r.loaded]


def _addresses(value: str, attribute: str) -> list[str]:
    """Return the addresses an attribute holds: one, a srcset's list, a ping's or archive's."""
    if not value.strip():
        return []
    if attribute == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    if attribute in {"ping", "archive"}:
        return value.split()
    return [value.strip()]


def css_addresses(css: str) -> list[str]:
    """Return the addresses a stylesheet loads: url(…), @import and image-set(…), its
    escapes (`u\\72l(…)`) read as a browser reads them."""
    # Comments first, in the text as written (a browser finds them before it reads escapes,
    # and an escaped quote does not end a string): each separates what is around it, as a
    # space would, so @import/**/"x" imports x.
    css = _CSS_COMMENT.sub(lambda m: m.group(1) or " ", css) if "/*" in css else css
    css = _CSS_ESCAPE.sub(_unescaped, css) if "\\" in css else css
    found = [m.group(2) or m.group(4) for m in _CSS_URL.finditer(css) if m.group(2) or m.group(4)]
    for image_set in _CSS_IMAGE_SET.finditer(css):
        found += [m.group(2) for m in _CSS_STRING.finditer(image_set.group(1)) if m.group(2)]
    return found


def _unescaped(match: re.Match[str]) -> str:
    if match.group(1):
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
    return match.group(2) if match.group(2) != "\n" else ""


def loads(html: str) -> list[str]:
    """Return the addresses a page (or an SVG drawing) makes a browser fetch by itself: its
    images, frames, scripts, styles, media, fonts, <base>, refresh, pings."""
    return loads_and_blocked(html)[0]


def loads_and_blocked(html: str) -> tuple[list[str], list[Blocked]]:
    """Return what a page makes a browser fetch by itself (`loads`), and what in it the
    site's Content-Security-Policy keeps browsers from applying or running."""
    page = _Page()
    # <!--> and <!---> are empty comments to a browser, the start of one to Python's parser;
    # <![CDATA[ is, outside SVG, a comment that ends at the first >.
    if "<!" in html:
        html = _CDATA.sub("", _EMPTY_COMMENT.sub("<!---->", html))
    page.feed(html)
    page.close()
    return [reference.address for reference in page.references if reference.loaded], page.blocked


def other_origin(address: str, allowed: Iterable[str], own: str = "") -> str | None:
    """Return the origin of an address on another site (`https://cdn.example.net`), unless
    it is allowed or the site's own (`own`, its base_url); None for an address of this site."""
    parts = urlsplit(as_read(address))
    scheme = parts.scheme.lower()
    if scheme in {"mailto", "tel", "data", "javascript", "about", "blob"}:
        return None
    netloc = parts.netloc
    if scheme in {"http", "https"} and not netloc:  # https:evil.example is https://evil.example
        netloc = parts.path.lstrip("/").split("/")[0]
    if not (scheme or netloc):
        return None
    origin = f"{scheme or 'https'}://{netloc}".lower()
    own_origin = urlsplit(own)
    if own and origin == f"{own_origin.scheme}://{own_origin.netloc}".lower():
        return None
    return None if origin in {o.lower().rstrip("/") for o in allowed} else origin


def foreign(
    addresses: Iterable[str], allowed: Iterable[str], own: str = ""
) -> list[tuple[str, str]]:
    """Return each address (once) on another site than this one (`own`, its base_url) and
    the allowed ones, with that site's origin, in the order met."""
    allowed = tuple(allowed)
    found = []
    for address in dict.fromkeys(addresses):
        origin = other_origin(address, allowed, own)
        if origin is not None:
            found.append((address, origin))
    return found


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
            elif path.suffix == ".svg":
                svg = path.read_text(encoding="utf-8", errors="replace")
                references = [_Reference(a, True) for a in loads(svg)]
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
        address = as_read(address)
        parts = urlsplit(address)
        if parts.scheme.lower() in {"mailto", "tel", "data", "javascript", "about", "blob"}:
            return None
        if parts.scheme or parts.netloc:
            origin = other_origin(address, self.allowed)
            if reference.loaded and origin is not None:
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
