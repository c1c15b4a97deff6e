"""WordPress post content → Markdown that reads the same.

WordPress stores a post as HTML in which blank lines make paragraphs (its `wpautop`), with
block-editor comments, `<!--more-->` and shortcodes. They are handled before the HTML is
turned into Markdown (markdownify): paragraphs made explicit, block comments removed, the more
tag and `[caption]` figures set aside and put back; other shortcodes stay as visible text and
are reported. Text that Markdown would read as markup (`*`, `_`, `#include <stdio.h>`) is
escaped, so that the post says exactly what it said.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from markdownify import MarkdownConverter

#: Tags that make blocks of their own: no paragraph is wrapped around them.
_BLOCK = (
    "address|article|aside|audio|blockquote|caption|col|colgroup|dd|details|div|dl|dt|embed|"
    "fieldset|figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|iframe|legend|li|map|math|"
    "menu|nav|noscript|object|ol|p|pre|script|section|style|summary|table|tbody|td|tfoot|th|"
    "thead|tr|ul|video"
)
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCK})[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCK})>)", re.IGNORECASE)
_STARTS_BLOCK = re.compile(rf"^<(?:{_BLOCK})[\s/>]|^<!--", re.IGNORECASE)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->\n?", re.DOTALL)
_MORE = re.compile(r"<!--more(.*?)-->", re.DOTALL)
_NEXTPAGE = re.compile(r"<!--nextpage-->")
_CAPTION = re.compile(r"\[(wp_)?caption([^\]]*)\](.*?)\[/(wp_)?caption\]", re.DOTALL)
_CAPTION_ATTRIBUTE = re.compile(r'caption="([^"]*)"')
_IMAGE = re.compile(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", re.IGNORECASE | re.DOTALL)
#: Shortcodes of WordPress and of its most used plugins, and any `[name attr="…"]`.
_KNOWN_SHORTCODES = (
    "audio|embed|gallery|playlist|video|wp_video|youtube|vimeo|soundcloud|googlemaps|"
    "contact-form|contact-form-7|code|sourcecode|instagram|twitter|tweet|slideshare|"
    "archives|recipe|polldaddy|email|wpvideo|dailymotion|flickr|scribd|ted|issuu|pdf"
)
_SHORTCODE = re.compile(
    rf"\[(?:(?:{_KNOWN_SHORTCODES})\b[^\]]*|[a-z][\w-]*\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|\S+)"
    rf"[^\]]*)\]|\[/(?:{_KNOWN_SHORTCODES})\]",
    re.IGNORECASE,
)
_MARKER = "hrdblogmarker{}end"
_MARKER_PARAGRAPH = re.compile(r"^hrdblogmarker(\d+)end$", re.MULTILINE)


def autop(text: str) -> str:
    """Make WordPress's implicit paragraphs explicit, as its `wpautop` does on display:
    blank lines part paragraphs, a single line break is a `<br>`; `<pre>` stays as it is."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\n\n<pre>{len(kept) - 1}</pre>\n\n"

    text = _PRE.sub(keep, text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _BLOCK_CLOSE.sub(r"\1\n\n", _BLOCK_OPEN.sub(r"\n\n\1", text))
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _STARTS_BLOCK.match(chunk) or _BLOCK_OPEN.search(chunk):
            paragraphs.append(chunk)
        else:
            paragraphs.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    joined = "\n\n".join(paragraphs)
    return re.sub(r"<pre>(\d+)</pre>", lambda m: kept[int(m.group(1))], joined)


class _Converter(MarkdownConverter):
    """markdownify, escaping text for both of hrdblog's Markdown engines.

    Python-Markdown takes backslash escapes only before its own punctuation, so `<` and `&`
    become entities, which every engine reads as the characters.
    """

    def escape(self, text: str, parent_tags: Any) -> str:
        if not text:
            return ""
        text = text.replace("\\", "\\\\")
        for char in "`*_[]":
            text = text.replace(char, "\\" + char)
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        if parent_tags and {"td", "th"} & set(parent_tags):
            text = text.replace("|", "\\|")
        # What would start a heading, a quote or a list at the start of a line.
        text = re.sub(r"(^|\n)(\s*)([#>+-])", r"\1\2\\\3", text)
        text = re.sub(r"(^|\n)(\s*\d+)([.)])(?=\s|$)", r"\1\2\\\3", text)
        # A line of `=` under a line of text would make it a heading.
        return re.sub(r"(^|\n)(\s*)=", r"\1\2&#61;", text)


def to_markdown(content: str, problem: Callable[[str], None]) -> str:
    """Return the Markdown of a WordPress post's content; `problem` hears what was not
    converted exactly."""
    blocks: list[str] = []

    def aside(markup: str) -> str:
        blocks.append(markup)
        return f"\n\n<p>{_MARKER.format(len(blocks) - 1)}</p>\n\n"

    content = _BLOCK_COMMENT.sub("", content)
    if _NEXTPAGE.search(content):
        problem("<!--nextpage--> (a post in several pages) removed: it is one page now")
        content = _NEXTPAGE.sub("", content)
    content = _MORE.sub(lambda m: aside(f"<!--more{m.group(1)}-->"), content)
    content = _CAPTION.sub(lambda m: aside(_figure(m.group(2), m.group(3))), content)
    content = _AUDIO.sub(lambda m: _recording(m, problem), content)
    for found in sorted({m.group(0) for m in _SHORTCODE.finditer(content)}):
        if found.lower().startswith("[gallery"):
            problem(
                f"shortcode {found} kept as text: WordPress showed the post's attached images "
                "there; put them in the post's folder and show each with ![what it shows](name)"
            )
        else:
            problem(f"shortcode {found} kept as text")
    converter = _Converter(heading_style="ATX", bullets="-", escape_misc=False, strip=["script"])
    markdown = str(converter.convert(autop(content)))
    markdown = _MARKER_PARAGRAPH.sub(lambda m: blocks[int(m.group(1))], markdown)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


_AUDIO = re.compile(
    r"""\[audio\s+(?:(?:src|mp3|ogg|wav|m4a)=)?["']?(https?://[^\s"'\]]+)["']?[^\]]*\](?:\[/audio\])?""",
    re.IGNORECASE,
)


def _recording(match: re.Match[str], problem: Callable[[str], None]) -> str:
    """Return an [audio] shortcode as a link to its recording, which stays on the old site."""
    address = html.unescape(match.group(1))
    problem(f"the recording {address} is now a link: download it and put it beside the post")
    name = address.rsplit("/", 1)[-1]
    return f'<p><a href="{html.escape(address)}">Recording: {html.escape(name)}</a></p>'


def _figure(attributes: str, inner: str) -> str:
    """Return a `[caption]` shortcode as an HTML figure: its image, and its caption."""
    image = _IMAGE.search(inner)
    picture = image.group(0).strip() if image else ""
    caption = _IMAGE.sub("", inner).strip()
    if not caption:
        found = _CAPTION_ATTRIBUTE.search(attributes)
        caption = html.escape(html.unescape(found.group(1))) if found else ""
    figcaption = f"\n<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>\n{picture}{figcaption}\n</figure>"


#: What loads from elsewhere by itself, as Markdown and as HTML writes it: images, frames,
#: media, objects, scripts and style sheets.
_MARKDOWN_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^\s)>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_ELEMENT = re.compile(
    r"<(iframe|video|audio|object|script)\b([^>]*)>(.*?)</\1\s*>|<(img|embed|source|link)\b([^>]*)/?>",
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_STYLE_URL = re.compile(r"""\s+style\s*=\s*(["'])[^"']*url\([^"']*\1""", re.IGNORECASE)
_KINDS = {"iframe": "the embedded page", "video": "the video", "audio": "the recording"}


def unembed(
    text: str,
    remote: Callable[[str], bool],
    found: Callable[[str], None],
) -> str:
    """Return Markdown or HTML with everything that would load from another site by itself
    (`remote` tells which addresses do) turned into a link a reader may follow, or removed;
    `found` hears each address, to be listed for the author to download.

    A build refuses a post whose pages load from another site: an imported post must build.
    """

    def image(match: re.Match[str]) -> str:
        alt, address = match.group(1), match.group(2)
        if not remote(address):
            return match.group(0)
        found(address)
        return f"[{alt.strip() or 'Image'}]({address})"

    def element(match: re.Match[str]) -> str:
        name = (match.group(1) or match.group(4)).lower()
        attributes = match.group(2) if match.group(1) else match.group(5)
        values = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTRIBUTE.finditer(attributes or "")
        }
        inside = match.group(3) or ""
        addresses = [
            values.get(key, "")
            for key in ("src", "data", "poster", "href" if name == "link" else "")
        ]
        addresses += [
            part.split()[0] for part in values.get("srcset", "").split(",") if part.strip()
        ]
        addresses += [m.group(1) for m in re.finditer(r"""\bsrc\s*=\s*["']([^"']+)""", inside)]
        far = [address for address in addresses if address and remote(html.unescape(address))]
        if not far:
            return match.group(0)
        for address in far:
            found(html.unescape(address))
        if name in {"script", "link"}:
            return ""
        label = values.get("alt") or values.get("title") or _KINDS.get(name, "the file")
        if name == "img":
            label = values.get("alt") or "Image"
        return f'<a href="{far[0]}">{html.escape(html.unescape(label))}</a>'

    text = _MARKDOWN_IMAGE.sub(image, text)
    text = _ELEMENT.sub(element, text)

    def style(match: re.Match[str]) -> str:
        return (
            ""
            if any(remote(a) for a in re.findall(r"url\(\s*['\"]?([^'\")\s]+)", match.group(0)))
            else match.group(0)
        )

    return _STYLE_URL.sub(style, text)
