"""Markdown to HTML, and the excerpt: the part of a post that list pages show.

The excerpt is, in this order: the HTML before `<!--more-->` (`<!--more Link text-->` also
sets the link text); else the post's `summary`; else the first `excerpt_words` words. Cutting
works on the rendered HTML, token by token, so it never cuts inside a tag and closes every
element it leaves open. Footnote references, footnotes and tables of contents are left out of
excerpts, and `id` attributes are dropped, since a list page shows many excerpts at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape, unescape
from html.entities import html5 as html5_entities
from html.parser import HTMLParser
from typing import Any

import markdown
import nh3
from markupsafe import Markup

from hrdblog.speedups import cmark_renderer, speed_up_markdown

MORE_ID = "more"
MORE_ANCHOR = f'<span id="{MORE_ID}"></span>'
ELLIPSIS = "\u2026"

_MORE_COMMENT = re.compile(r"^more(?:\s+(.*\S))?\s*$", re.DOTALL)
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_RAW_TEXT = frozenset({"script", "style", "textarea", "title"})
# Elements whose start tag ends an open <p>, as HTML parsers do (HTML §13.2.6.4.7).
_CLOSES_P = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul".split()
)
# Elements an implied end tag does not reach past.
_SCOPE = frozenset("applet caption html table td th marquee object template ul ol li dd dt".split())
# Elements inside which a word can go on: any other tag separates words.
_PHRASING = frozenset(
    "a abbr b bdi bdo cite code data del dfn em i ins kbd mark q s samp small span strong sub "
    "sup time u var".split()
)
# An element whose start tag ends an open element of the same kind (or a sibling kind).
_ENDS_SIBLING = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}}
_WORDS = re.compile(r"\S+|\s+")


_LINK_ATTRIBUTE = re.compile(
    r"""(\s(href|src|srcset)\s*=\s*)(["'])(.*?)\3""", re.IGNORECASE | re.DOTALL
)


def rewrite_links(html: str, change: Callable[[str], str | None]) -> Markup:
    """Return HTML with each href, src and srcset address replaced by `change(address)`.

    `change` gets the address unescaped and returns the new one, or None to keep it.
    """

    def rewrite(match: re.Match[str]) -> str:
        value = unescape(match.group(4))
        if match.group(2).lower() == "srcset":
            candidates = [part.strip().split(None, 1) for part in value.split(",") if part.strip()]
            changed = [(change(c[0]), c) for c in candidates]
            if all(new is None for new, _ in changed):
                return match.group(0)
            new = ", ".join(
                " ".join([c[0] if address is None else address, *c[1:]]) for address, c in changed
            )
        else:
            found = change(value)
            if found is None:
                return match.group(0)
            new = found
        quote = match.group(3)
        return f"{match.group(1)}{quote}{escape(new, quote=True)}{quote}"

    return Markup(_LINK_ATTRIBUTE.sub(rewrite, str(html)))


# What `sanitize: true` keeps: ordinary formatting, and what hrdblog's Markdown extensions
# make (footnotes, tables of contents, heading anchors, aligned table cells).
_SAFE_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
}


def sanitize(html: str) -> str:
    """Return HTML without scripts, event handlers, frames, forms or javascript: addresses.

    For sites that publish what others write: formatting, links and images stay.
    """
    return nh3.clean(
        html,
        attributes=_SAFE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        strip_comments=False,  # keeps <!--more-->; a comment runs nothing
        filter_style_properties={"text-align"},
    )


def check_extensions(
    extensions: tuple[str, ...], configs: Mapping[str, Mapping[str, Any]]
) -> str | None:
    """Return why Python-Markdown cannot load these extensions, or None if it can."""
    try:
        markdown.Markdown(
            extensions=list(extensions), extension_configs={k: dict(v) for k, v in configs.items()}
        )
    except (ImportError, AttributeError, TypeError, KeyError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    return None


class Converter:
    """Render Markdown documents to HTML with one reusable, reset-between-uses instance.

    The engine is Python-Markdown with its extensions, or, with `engine="cmark"`, GitHub's
    CommonMark engine (cmarkgfm, the `fast` extra): tables, footnotes, curly quotes, raw HTML
    and heading anchors too, some forty times faster, without Python-Markdown's extensions.
    """

    def __init__(
        self,
        extensions: tuple[str, ...],
        configs: Mapping[str, Mapping[str, Any]],
        heading_id: Callable[[str], str],
        engine: str = "markdown",
    ) -> None:
        self._heading_id = heading_id
        self._cmark: Callable[[str], str] | None = None
        if engine == "cmark":
            self._cmark = cmark_renderer()
            return
        extension_configs = {name: dict(value) for name, value in configs.items()}
        if "toc" in extensions:

            def slug(value: str, separator: str) -> str:
                # "more" is the excerpt anchor's id; a heading must not take it.
                found = heading_id(value)
                return f"{found}-heading" if found == MORE_ID else found

            extension_configs.setdefault("toc", {}).setdefault("slugify", slug)
        self._md = markdown.Markdown(
            extensions=list(extensions),
            extension_configs=extension_configs,
            output_format="html",
        )
        speed_up_markdown(self._md)

    def html(self, text: str) -> str:
        """Return the HTML of one Markdown document."""
        if self._cmark is not None:
            return _aligned_by_class(_with_heading_ids(self._cmark(text), self._heading_id))
        self._md.reset()  # footnotes, toc and references keep state between documents
        html = self._md.convert(text)
        if "\x02" in html or "\x03" in html:
            html = _without_placeholders(html)
        return _aligned_by_class(html)


#: A table cell's alignment as the engines write it: a style attribute (Python-Markdown),
#: which the site's Content-Security-Policy keeps browsers from applying, or the align
#: attribute (cmark), which HTML no longer has.
_ALIGNED = re.compile(
    r'<(t[hd]) (?:style="text-align: (left|center|right);"|align="(left|center|right)")>'
)


def _aligned_by_class(html: str) -> str:
    """Return the HTML with each table cell's alignment given as a class (`align-center`),
    which the theme's stylesheet aligns."""
    if "<t" not in html:
        return html
    return _ALIGNED.sub(lambda m: f'<{m[1]} class="align-{m[2] or m[3]}">', html)


_ESCAPED = re.compile("\x02([0-9]+)\x03")
_PLACEHOLDER = re.compile("\x02klzzwxh:[0-9]+\x03?|[\x02\x03]")


def _without_placeholders(html: str) -> str:
    """Remove what Python-Markdown leaves of its own placeholders (STX … ETX) when emphasis
    it cannot pair crosses them (`- **0* * *\\.*`): an escaped character is put back, the
    rest, which no page may hold, goes."""
    html = _ESCAPED.sub(lambda match: escape(chr(int(match.group(1)))), html)
    return _PLACEHOLDER.sub("", html)


def cmark_available() -> bool:
    """Return whether the cmark engine (cmarkgfm) is installed."""
    try:
        import cmarkgfm  # noqa: F401
    except ImportError:
        return False
    return True


_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)


def _with_heading_ids(html: str, heading_id: Callable[[str], str]) -> str:
    """Give each heading an id from its text, as Python-Markdown's toc extension does."""
    taken: set[str] = {MORE_ID}

    def add(match: re.Match[str]) -> str:
        text = plain_text(match.group(2))
        base = heading_id(text) or "section"
        found, number = base, 1
        while found in taken:
            found = f"{base}_{number}"
            number += 1
        taken.add(found)
        return f'<h{match.group(1)} id="{escape(found)}">{match.group(2)}</h{match.group(1)}>'

    return _HEADING.sub(add, html)


@dataclass(frozen=True)
class Excerpt:
    """A post's rendered body with its `#more` anchor, and the excerpt list pages show."""

    body: Markup
    excerpt: Markup
    has_more: bool  # the post holds more than its excerpt shows
    more_text: str | None  # the link text set by `<!--more Link text-->`, if any


def excerpt(body_html: str, summary_html: str | None, words: int) -> Excerpt:
    """Choose and cut a post's excerpt: the more marker, else the summary, else `words` words."""
    if "<!--more" in body_html:
        cut = _Cutter(body_html, words=None).run()
        if cut.marker is not None:
            start, end = cut.marker
            body = body_html[:start] + MORE_ANCHOR + body_html[end:]
            has_more = bool(_visible_text(body_html[end:]))
            return Excerpt(Markup(body), Markup(cut.html), has_more, cut.more_text)
    if summary_html is not None:
        clean = _Cutter(summary_html, words=None, markers=False).run()
        return Excerpt(
            Markup(MORE_ANCHOR + body_html),
            Markup(clean.html),
            bool(_visible_text(body_html)),
            None,
        )
    cut = _Cutter(body_html, words=words, markers=False).run()
    if cut.word_cut is None:
        return Excerpt(Markup(body_html), Markup(cut.html), False, None)
    at = cut.word_cut
    return Excerpt(
        Markup(body_html[:at] + MORE_ANCHOR + body_html[at:]), Markup(cut.html), True, None
    )


def plain_text(html: str) -> str:
    """Return the text of HTML: tags dropped, references decoded, whitespace made single."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]*>", "", html).strip()


@dataclass(frozen=True)
class _Cut:
    html: str
    marker: tuple[int, int] | None = None  # source span of the first more marker
    more_text: str | None = None
    word_cut: int | None = None  # source offset where the word limit cut the text


class _Stop(Exception):
    """Raised inside the parser when the cut point is reached."""


class _Cutter(HTMLParser):
    """Copy HTML up to a more marker or a word limit, leaving out what excerpts never show."""

    def __init__(self, html: str, words: int | None, markers: bool = True) -> None:
        super().__init__(convert_charrefs=False)
        self.source = html
        self.limit = words
        self.markers = markers
        self.out: list[str] = []
        self.open: list[str] = []
        self.skip_depth: int | None = None  # open-element depth of a left-out element
        self.count = 0
        self.in_word = False
        self.last_word_end: tuple[int, tuple[str, ...]] = (0, ())
        self.marker: tuple[int, int] | None = None
        self.more_text: str | None = None
        self.word_cut: int | None = None
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", html))
        self._line_starts = starts

    def run(self) -> _Cut:
        try:
            self.feed(self.source)
            self.close()
        except _Stop:
            pass
        out, still_open = self.out, tuple(self.open)
        if self.word_cut is not None:
            end, still_open = self.last_word_end
            out = [*out[:end], ELLIPSIS]
        closing = "".join(f"</{tag}>" for tag in reversed(still_open))
        return _Cut(
            "".join(out).strip() + closing,
            self.marker,
            self.more_text,
            self.word_cut,
        )

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _emit(self, text: str) -> None:
        if self.skip_depth is None:
            self.out.append(text)

    @staticmethod
    def _left_out(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        # Footnote references and footnotes, as Python-Markdown and as cmark write them.
        if tag == "sup" and (
            (values.get("id") or "").startswith("fnref") or "footnote-ref" in classes
        ):
            return True
        if tag == "section" and "footnotes" in classes:
            return True
        return tag == "div" and ("footnote" in classes or "toc" in classes)

    def _close_implied(self, tag: str) -> None:
        """Close what a browser would close before `tag` opens: an open <p>, a sibling <li>."""
        ends = {"p"} if tag in _CLOSES_P else _ENDS_SIBLING.get(tag, set())
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth] in ends:
                self.handle_endtag(self.open[depth])
                return
            if self.open[depth] in _SCOPE or self.open[depth] in _CLOSES_P:
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not _TAG_NAME.match(tag):
            return  # "<A</div>" and the like: no element a browser would make
        self._close_implied(tag)
        if tag not in _PHRASING:
            self.in_word = False
        if self.skip_depth is None and self._left_out(tag, attrs):
            self.skip_depth = len(self.open)
        self._emit(_start_tag(tag, attrs))
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _PHRASING:
            self.in_word = False
        if self.skip_depth is None and not self._left_out(tag, attrs):
            self._emit(_start_tag(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if not _TAG_NAME.match(tag):
            return
        if tag not in _PHRASING:
            self.in_word = False
        if tag not in self.open:
            return  # a stray end tag: dropping it keeps the excerpt well formed
        while self.open:
            top = self.open.pop()
            self._emit(f"</{top}>")
            if self.skip_depth is not None and len(self.open) <= self.skip_depth:
                self.skip_depth = None
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        in_raw_text = bool(self.open) and self.open[-1] in _RAW_TEXT
        if not in_raw_text:
            # References and tags come to the other handlers: an "&" or "<" left in the text
            # stands alone, and is escaped so that the excerpt parses cleanly.
            data = data.replace("&", "&amp;").replace("<", "&lt;")
        if self.limit is None or self.skip_depth is not None or in_raw_text:
            self._emit(data)
            return
        start = self._offset()
        for match in _WORDS.finditer(data):
            token = match.group()
            if token.isspace():
                self.in_word = False
                self._emit(token)
            else:
                self._word_part(token, start + match.start())

    def _word_part(self, text: str, offset: int) -> None:
        """Emit part of a word; a word beyond the limit ends the excerpt before it."""
        if not self.in_word:
            self.count += 1
            self.in_word = True
            if self.limit is not None and self.count > self.limit:
                self.word_cut = offset
                raise _Stop
        self._emit(text)
        if self.count == self.limit:
            # The end of the last word kept: the excerpt ends here if another word follows.
            self.last_word_end = (len(self.out), tuple(self.open))

    def _reference(self, text: str) -> None:
        if self.limit is not None and self.skip_depth is None:
            self._word_part(text, self._offset())
        else:
            self._emit(text)

    def handle_entityref(self, name: str) -> None:
        known = f"{name};" in html5_entities
        self._reference(f"&{name};" if known else f"&amp;{name}")

    def handle_charref(self, name: str) -> None:
        self._reference(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        match = _MORE_COMMENT.match(data) if self.markers else None
        if match and self.skip_depth is None:
            start = self._offset()
            self.marker = (start, start + len(f"<!--{data}-->"))
            self.more_text = match.group(1)
            raise _Stop
        # Other comments, declarations and processing instructions show nothing: an excerpt
        # leaves them out, and with them the parse errors some of them would cause.


_TAG_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
# Attribute names real HTML uses (and XML accepts): a stray "<" or "0" in broken markup is not one.
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z_:][-A-Za-z0-9_:.]*$")


def _start_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    if not _TAG_NAME.match(tag):
        return ""  # not an element a browser would make: left out
    parts = [tag]
    seen = {"id"}  # ids repeat when a list page shows several excerpts
    for name, value in attrs:
        if name in seen or not _ATTRIBUTE_NAME.match(name):
            continue  # a repeated attribute: browsers keep the first
        seen.add(name)
        parts.append(f'{name}="{escape(value or "", quote=True)}"')
    return "<" + " ".join(parts) + ">"
