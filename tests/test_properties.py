"""Properties that hold for every input, checked on many generated ones (Hypothesis)."""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hrdblog.characters import clean_text
from hrdblog.config import DEFAULT_EXTENSIONS, load_config
from hrdblog.markup import Converter, excerpt
from hrdblog.read import read_posts
from hrdblog.urls import reserved, slugify

CONVERTER = Converter(DEFAULT_EXTENSIONS, {}, slugify)
_FRAGMENT = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)

words = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=12
)
inline = st.one_of(
    words,
    words.map(lambda w: f"*{w}*"),
    words.map(lambda w: f"**{w}**"),
    words.map(lambda w: f"`{w}`"),
    words.map(lambda w: f"[{w}](https://example.org/x)"),
    st.sampled_from(
        [
            "<em>raw",
            "</em>",
            "<span>",
            "</span>",
            "<br>",
            "&amp;",
            "&nbsp;",
            "<!--more-->",
            "[^1]",
            "<b><i>x</b></i>",
        ]
    ),
)
line = st.lists(inline, min_size=1, max_size=12).map(" ".join)
block = st.one_of(
    line,
    line.map(lambda t: f"## {t}"),
    line.map(lambda t: f"> {t}"),
    st.lists(line, min_size=1, max_size=4).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(line, min_size=1, max_size=4).map(lambda items: "\n".join(f"1. {i}" for i in items)),
    line.map(lambda t: f"```\n{t}\n```"),
    line.map(lambda t: f"<div>{t}</div>"),
    line.map(lambda t: f"<p>{t}<p>{t}"),
    st.just("[TOC]"),
    st.just("[^1]: A footnote."),
    st.just("| a | b |\n|---|---|\n| c | d |"),
)
markdown = st.lists(block, min_size=1, max_size=8).map("\n\n".join)


VOID = re.compile(r"<(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b([^>]*?)/?>")


def well_formed(html: str) -> None:
    """Fail unless `html` nests every element properly and parses without an HTML error."""
    html_as_xml = VOID.sub(r"<\1\2/>", html)
    ET.fromstring("<root>" + re.sub(r"&(?!amp;|lt;|gt;|quot;|#)", "&amp;", html_as_xml) + "</root>")
    _FRAGMENT.parseFragment(html)


@settings(max_examples=300, deadline=None)
@given(markdown, st.integers(min_value=1, max_value=80))
def test_every_excerpt_is_well_formed(text: str, limit: int) -> None:
    body = CONVERTER.html(text)
    cut = excerpt(body, None, limit)
    well_formed(str(cut.excerpt))
    assert str(cut.body).count('id="more"') <= 1 + body.count('id="more"')


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.integers(min_value=1, max_value=60))
@example("\U0002fffe", 1)  # a noncharacter beyond the first two planes
def test_every_excerpt_of_any_text_is_well_formed(text: str, limit: int) -> None:
    # Text as reading leaves it: without the control characters no page may hold.
    well_formed(str(excerpt(CONVERTER.html(clean_text(text)), None, limit).excerpt))


SAFE_ASCII = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=120))
def test_every_ascii_slug_is_empty_or_safe(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or (SAFE_ASCII.match(slug) and len(slug) <= 80), slug


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=120))
def test_every_unicode_slug_is_empty_or_safe(text: str) -> None:
    slug = slugify(text, unicode=True)
    if slug:
        assert len(slug) <= 80
        assert not re.search(r"[\s/\\\\?#%<>\"'`:*|\x00-\x1f\x7f]", slug), slug
        assert ".." not in slug and not slug.startswith(("-", ".")) and not slug.endswith("-")
        assert slug == slug.lower()


front_matter_ish = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(
        lambda meta, body: f"---\n{meta}\n---\n{body}".encode("utf-8", "surrogatepass"),
        st.text(max_size=200),
        st.text(max_size=100),
    ),
    st.builds(
        lambda title, date, tags, extra: (
            f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n{extra}\n---\nBody".encode(
                "utf-8", "surrogatepass"
            )
        ),
        st.text(max_size=40),
        st.one_of(st.text(max_size=25), st.dates().map(str), st.datetimes().map(str)),
        st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10), max_size=4).map(str)),
        st.text(max_size=40),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter_ish)
def test_reading_any_bytes_gives_a_post_or_a_content_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content"
        content.mkdir()
        (content / "post.md").write_bytes(data)
        reading = read_posts(load_config(Path(folder)))  # any other exception fails the test
        assert len(reading.posts) + len(reading.errors) >= 1
        for post in reading.posts:
            assert post.title.strip() and post.slug and not reserved(post.slug)
            assert post.url.startswith("/") and ".." not in post.url
        for error in reading.errors:
            assert str(error).startswith("content/post.md")


def test_what_python_markdown_leaves_of_its_placeholders_never_reaches_a_page() -> None:
    """Emphasis it cannot pair can cross a placeholder and leave STX and ETX in the HTML."""
    html = CONVERTER.html("0\n\n- **0* * *\\.*")
    assert "\x02" not in html and "\x03" not in html and "klzzwxh" not in html
    well_formed(str(excerpt(html, None, 3).excerpt))
