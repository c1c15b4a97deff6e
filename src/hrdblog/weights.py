"""What a built page weighs on a reader's first screen: its HTML, its stylesheets and icon,
and the images it loads before any scrolling, as a phone 360 pixels wide at twice that
density would fetch them. `hrdblog check` names the pages heavier than `page_budget`.

An image loads before any scrolling unless it says `loading="lazy"`, and so do the first
NEAR_THE_TOP images that do (a browser loads a lazy image at once when it is near enough to
the screen: a list's first thumbnails are). Of a `<picture>`, or an image with a `srcset`,
the phone takes the first source's smallest candidate at least PHONE_PIXELS wide (or its
widest).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: The width, in device pixels, of the phone the weight is that of: 360 CSS pixels at 2x.
PHONE_PIXELS = 720
#: How many of a page's lazily loaded images are near enough to its top to load at once.
NEAR_THE_TOP = 2


@dataclass(frozen=True)
class Weight:
    """A page's weight on the first screen, in bytes, and what it is made of."""

    page: str  # its path in the site
    html: int
    css: int
    images: int
    heaviest: tuple[tuple[str, int], ...]  # the images with their sizes, heaviest first

    @property
    def total(self) -> int:
        """Return the page's whole weight."""
        return self.html + self.css + self.images


class _FirstScreen(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.styles: list[str] = []
        self.images: list[str] = []
        self._sources: list[str] = []  # the srcset of each <source> of the open <picture>
        self._in_picture = False
        self._lazy = 0  # the lazily loaded images met

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link" and {"stylesheet", "icon"} & set(values.get("rel", "").lower().split()):
            self.styles.append(values.get("href", ""))
        elif tag == "picture":
            self._in_picture, self._sources = True, []
        elif tag == "source" and self._in_picture:
            self._sources.append(values.get("srcset", ""))
        elif tag == "img":
            if values.get("loading", "").lower() == "lazy":
                self._lazy += 1
                if self._lazy > NEAR_THE_TOP:
                    return
            chosen = self._sources[0] if self._sources else values.get("srcset", "")
            address = _candidate(chosen) if chosen else values.get("src", "")
            if address:
                self.images.append(address)

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture":
            self._in_picture, self._sources = False, []


def _candidate(srcset: str) -> str:
    """Return the candidate of a srcset a phone PHONE_PIXELS wide takes."""
    found: list[tuple[int, str]] = []
    for part in srcset.split(","):
        bits = part.split()
        if not bits:
            continue
        width = bits[1] if len(bits) > 1 else ""
        digits = width[:-1]
        found.append((int(digits) if re.fullmatch(r"[0-9]{1,6}", digits) else 0, bits[0]))
    found.sort()
    wide = [address for width, address in found if width >= PHONE_PIXELS]
    return wide[0] if wide else (found[-1][1] if found else "")


def page_weights(site: Path) -> list[Weight]:
    """Return the weight of each page of a built site, heaviest first."""
    weights = []
    for path in sorted(site.rglob("*.html")):
        page = path.relative_to(site).as_posix()
        data = path.read_bytes()
        parser = _FirstScreen()
        parser.feed(data.decode("utf-8", errors="replace"))
        css = sum(_size(site, page, address) for address in dict.fromkeys(parser.styles))
        images = {}
        for address in parser.images:
            size = _size(site, page, address)
            if size:  # named as the site names it: static/logo.svg, 2017/…/vigil.960w.avif
                images[_site_path(page, address)] = size
        heaviest = tuple(sorted(images.items(), key=lambda item: (-item[1], item[0])))
        weights.append(Weight(page, len(data), css, sum(images.values()), heaviest))
    return sorted(weights, key=lambda w: (-w.total, w.page))


def _site_path(page: str, address: str) -> str:
    """Return the path in the site of an address on a page."""
    path = unquote(urlsplit(address).path)
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path))


def _size(site: Path, page: str, address: str) -> int:
    """Return the size of the file an address of a page leads to in the site; 0 if none."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path:
        return 0
    path = unquote(parts.path)
    target = (
        path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(page), path)
    )
    target = posixpath.normpath(target)
    file = site / target
    if file.is_dir():
        file = file / "index.html"
    try:
        return file.stat().st_size if file.resolve().is_relative_to(site.resolve()) else 0
    except OSError:
        return 0
