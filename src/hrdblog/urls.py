"""URL rules: slugs, permalinks, paginated URLs, output paths and relative links.

A url here is site-relative and starts with `/`; a page's url ends with `/` and is written to
`<url>index.html`. Pages link to each other with relative hrefs computed from these urls, so
one built site works at a domain root, under a sub-path, on a mirror and from disk.
"""

from __future__ import annotations

import functools
import posixpath
import re
import string
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

import slugify as _slugify

from hrdblog.errors import HrdblogError, OutputError, raise_all

SLUG_MAX_LENGTH = 80
PERMALINK_FIELDS = frozenset({"year", "month", "day", "slug"})


def slugify(text: str, unicode: bool = False) -> str:
    """Return the URL slug of a title or a tag: lower case, words joined by hyphens.

    ASCII by default (other scripts are transliterated); with `unicode`, letters of every
    script are kept, so an Arabic title gives a readable Arabic URL.
    """
    return str(
        _slugify.slugify(
            text,
            allow_unicode=unicode,
            max_length=SLUG_MAX_LENGTH,
            word_boundary=True,
            save_order=True,
            regex_pattern=_not_in_unicode_slugs() if unicode else None,
        )
    )


@functools.cache
def _not_in_unicode_slugs() -> re.Pattern[str]:
    """Match what a Unicode slug drops: all but letters, digits and combining marks.

    `\\w` alone leaves out combining marks, which would split words of Arabic with its vowel
    marks (معًا), Hebrew with niqqud and the Indic scripts in two.
    """
    marks = "".join(
        re.escape(chr(code))
        for code in range(0x300, 0x10000)
        if unicodedata.category(chr(code)) in {"Mn", "Mc", "Me"}
    )
    return re.compile(f"[^\\w{marks}-]+|_+")


#: Names Windows cannot give a file or folder: a site copied to a USB stick or a Windows
#: server would lose the page.
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10)}
)


_ALIAS = re.compile(r"^/[^\s?#%\\<>\"']*$")


def alias_allowed(path: str) -> bool:
    """Tell whether a site path can take a page (a redirect, a page of its own): it starts
    with / and has no query, fragment, escapes, quotes, `.` or `..` segments or empty
    segments, and every disk takes each of its names (`portable`)."""
    padded = path + "/"
    return (
        bool(_ALIAS.match(path))
        and "/../" not in padded
        and "/./" not in padded
        and ("//" not in path)
        and all(portable(name) for name in path.split("/"))
    )


def portable(name: str) -> bool:
    """Tell whether every disk takes a name of a site path as a file or folder name: not a
    Windows device name (con, aux.html), not hidden (.git), without `:`, `*` or `|`."""
    return not (
        name.startswith(".") or reserved(name.split(".")[0]) or any(c in name for c in ":*|")
    )


def slug_problem(slug: str, unicode: bool = False) -> tuple[str, str] | None:
    """Return what is wrong with a slug an author gives, and a hint; None if it is usable.

    A slug is the last part of a post's URL and its file's name: lower-case letters, digits
    and hyphens only (so never a `/`, a `..` or a whole path), and no Windows device name.
    """
    wanted = slugify(slug, unicode)
    if wanted != slug:
        return (
            f"may only hold lower-case letters, digits and hyphens, got {slug!r}",
            f"try {wanted}" if wanted else "use letters or digits",
        )
    if reserved(slug):
        return (
            f"may not be {slug!r}, a device name on Windows, where the page would be lost",
            f"choose another name, like {slug}-1",
        )
    return None


def reserved(slug: str) -> bool:
    """Return whether a slug is a name Windows reserves for a device."""
    return slug.lower() in RESERVED_NAMES


def term_key(name: str) -> str:
    """Return what makes two spellings of a tag the same tag: case, width and spacing aside."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(folded.replace("-", " ").replace("_", " ").split())


_PERMALINK_TEXT = re.compile(r"^[\w./-]*$")


def check_permalink(pattern: str) -> str | None:
    """Return what is wrong with a permalink pattern, or None if it is usable.

    Between its fields, a pattern holds letters, digits, `-`, `_`, `.` and `/` only: no `%`
    (an escaped `..`), `?`, `#`, space or backslash could then make a URL that is not a path
    of the site; its fields take no format (`{slug:x}`, `{year:>12}`).
    """
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        return f"it is not a valid pattern ({exc})"
    for text, name, spec, conversion in parts:
        if not _PERMALINK_TEXT.match(text):
            bad = next(c for c in text if not _PERMALINK_TEXT.match(c))
            return (
                f"it holds {bad!r}; between its fields it may hold letters, digits, -, _, . and /"
            )
        if name is not None and (spec or conversion):
            written = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            return f"its fields are written without a format, like {{{name}}}, not {written}"
    fields = [name for _, name, _, _ in parts if name is not None]
    unknown = sorted(set(fields) - PERMALINK_FIELDS)
    if unknown:
        known = ", ".join("{" + f + "}" for f in sorted(PERMALINK_FIELDS))
        return f"it uses {{{unknown[0]}}}, but only {known} are known"
    if "slug" not in fields:
        return "it must contain {slug}, or every post would get the same URL"
    if not (pattern.startswith("/") and pattern.endswith("/")):
        return "it must start and end with '/'"
    if re.search(r"//|/\.\.?/", pattern):
        return "it must not contain '//', '/./' or '/../'"
    return None


def post_url(pattern: str, date: datetime, slug: str) -> str:
    """Return a post's url from the permalink pattern, e.g. /2017/11/04/slug/."""
    return pattern.format(
        year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}", slug=slug
    )


def archive_url(year: int, month: int | None = None, day: int | None = None) -> str:
    """Return the url of a date archive: /2017/, /2017/11/ or /2017/11/04/."""
    parts = [f"{year:04d}"]
    if month is not None:
        parts.append(f"{month:02d}")
        if day is not None:
            parts.append(f"{day:02d}")
    return "/" + "/".join(parts) + "/"


def feed_url(list_url: str) -> str:
    """Return the url of the Atom feed of a list: /feed.xml, /tag/coalition/feed.xml."""
    return f"{list_url}feed.xml"


def absolute(base_url: str, url: str) -> str:
    """Return the permalink of a site url: base_url (which ends in /) joined with it."""
    return base_url + url.lstrip("/")


def page_url(first: str, number: int) -> str:
    """Return the url of page `number` of a list whose first page is at `first`."""
    return first if number == 1 else f"{first}page/{number}/"


def output_path(url: str) -> str:
    """Return the file a url is written to, relative to the output folder."""
    path = url.lstrip("/")
    return path + "index.html" if url.endswith("/") else path


#: What a browser strips from both ends of an address: C0 control characters and the space.
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def as_read(address: str) -> str:
    """Return an address as a browser reads it: without the spaces and control characters
    around it (`[x]( https://…)` leads to https://…) nor the tabs and line breaks in it, and,
    for a web address or one on this site, with `\\` read as `/` (`/\\evil.example/` is
    //evil.example/, another site)."""
    address = address.strip(_C0_AND_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", address)
    if scheme is None or scheme.group(1).lower() in {"http", "https"}:
        address = address.replace("\\", "/")
    return address


def relative(from_url: str, to_url: str, index_html: bool = False) -> str:
    """Return the href that leads from the page at `from_url` to `to_url`.

    With `index_html`, links to folders name their `index.html`, as browsers need when a
    site is opened from disk (file://).
    """
    return Hrefs(from_url, index_html)(to_url)


class Hrefs:
    """The hrefs from one page to site urls (`relative`), its folder split once and each
    href worked out once: a list page links to some seventy places."""

    def __init__(self, from_url: str, index_html: bool = False) -> None:
        self.from_url = from_url
        self.index_html = index_html
        self.base = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
        self.parts = _segments(self.base)
        self.known: dict[str, str] = {}

    def __call__(self, to_url: str) -> str:
        """Return the href from this page to `to_url`."""
        href = self.known.get(to_url)
        if href is None:
            href = self.known[to_url] = self._href(to_url)
        return href

    def _href(self, to_url: str) -> str:
        path, hash_, fragment = to_url.partition("#")
        if not path:
            return f"#{fragment}"
        rel = relpath(path, self.base, self.parts)
        if path.endswith("/"):
            rel = "" if rel == "." else rel + "/"
            rel = rel + "index.html" if self.index_html else (rel or "./")
        return f"{rel}{hash_}{fragment}"


def relpath(path: str, start: str, start_parts: list[str] | None = None) -> str:
    """Return posixpath.relpath(path, start) for two site urls (both start with `/`), without
    its normalising, and never from the folder the build runs in.

    The urls a site links between are already normal (no `.`, `..` or `//` segments); where
    one is not, it is made so first. Rendering asks this for every link of every page;
    `start_parts` are the segments of `start`, if split already.
    """
    if not (path.startswith("/") and start.startswith("/")):
        raise ValueError(f"not a site url: {path!r} from {start!r}")
    if "//" in path or "/." in path:
        path = _normal(path)
    if "//" in start or "/." in start:
        start, start_parts = _normal(start), None
    from_parts = _segments(start) if start_parts is None else start_parts
    to_parts = _segments(path)
    shared = 0
    for a, b in zip(from_parts, to_parts, strict=False):
        if a != b:
            break
        shared += 1
    return "/".join([".."] * (len(from_parts) - shared) + to_parts[shared:]) or "."


def _normal(url: str) -> str:
    """Return a site url without `.`, `..` or empty segments (none leads above the root)."""
    return posixpath.normpath("/" + url.lstrip("/"))


def _segments(url: str) -> list[str]:
    return [part for part in url.split("/") if part]


#: The list of published files with their SHA-256, in `sha256sum` format. Its presence also
#: marks a folder as hrdblog's own output, which a later build may replace; nothing else may
#: take its name.
MANIFEST = ".hrdblog-manifest"
#: The same list under a name every host serves (some leave out names starting with a dot),
#: for checking a mirror or a copy: `sha256sum -c SHA256SUMS` in its folder.
SUMS = "SHA256SUMS"
#: The files of the list, each listing every published file but these.
MANIFESTS = (MANIFEST, SUMS)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


#: The longest name of a file or folder most disks take, in bytes of UTF-8.
NAME_MAX = 255


def path_allowed(path: str) -> bool:
    """Tell whether an output path stays inside the output folder and can be published:
    relative, without `..`, backslashes or control characters, each of its names short
    enough for a disk to take."""
    return (
        bool(path)
        and not path.startswith("/")
        and ".." not in path.split("/")
        and "\\" not in path
        and not _CONTROL.search(path)
        and all(len(name.encode()) <= NAME_MAX for name in path.split("/"))
    )


class Origin(NamedTuple):
    """What makes an output, for messages: `what` it is, and `where` it is written (the
    file and line of the author's that gives it, if any)."""

    what: str
    where: str = ""

    def subject(self) -> str:
        """Return it as the subject of a message: `content/a.md:4: the old address /x/`."""
        return f"{self.where}: {self.what}" if self.where else self.what

    def __str__(self) -> str:
        return f"{self.what} ({self.where})" if self.where else self.what


def check_paths(planned: Iterable[tuple[str, Origin]]) -> None:
    """Raise every problem of a site's output paths, each given with what makes it.

    A path must stay inside the output folder; no two outputs may share one (names differing
    only in case are one file on many disks); no output may sit inside another's file (an
    old address /feed.xml/ and the feed /feed.xml); and the manifest's name is hrdblog's own.
    Where an output the author gave (a post, an old address, a file) clashes with one hrdblog
    makes, the message is the author's.
    """
    errors: list[HrdblogError] = []
    seen: dict[str, tuple[str, Origin]] = {}
    hint = "give one of them another address (`slug:`, `url:`, `aliases:` or its file name)"
    for path, origin in sorted(planned, key=lambda item: bool(item[1].where)):
        if not path_allowed(path) or path.split("/")[0] in MANIFESTS:
            long = max(path.split("/"), key=lambda name: len(name.encode()))
            why = (
                f": its name {long[:40]}… is {len(long.encode())} bytes long, and a disk takes "
                f"names of at most {NAME_MAX}"
                if len(long.encode()) > NAME_MAX
                else ""
            )
            errors.append(
                OutputError(
                    f"{origin.subject()} cannot be published as {path!r}{why}",
                    "give it a shorter address" if why else None,
                )
            )
            continue
        # One file on the disks that ignore case, or that store é as e and its accent
        key = unicodedata.normalize("NFC", path).casefold()
        if key in seen:
            other = seen[key][1]
            message = f"{origin.subject()} would be written to {path}, as would {other}"
            errors.append(OutputError(message, hint))
        else:
            seen[key] = (path, origin)
    for key, (path, origin) in seen.items():
        parts = key.split("/")
        for depth in range(1, len(parts)):
            found = seen.get("/".join(parts[:depth]))
            if found is not None:
                message = (
                    f"{origin.subject()} would be written to {path}, inside {found[0]}, which is "
                    f"the file of {found[1]}"
                )
                errors.append(OutputError(message, hint))
                break
    raise_all(errors)
