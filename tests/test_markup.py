"""Markdown rendering and excerpts: what list pages show of each post."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from hrdblog.config import DEFAULT_EXTENSIONS
from hrdblog.markup import Converter, Excerpt, excerpt
from hrdblog.urls import slugify

CONVERTER = Converter(DEFAULT_EXTENSIONS, {}, slugify)


def cut(markdown: str, summary: str | None = None, words: int = 55) -> Excerpt:
    summary_html = CONVERTER.html(summary) if summary else None
    return excerpt(CONVERTER.html(markdown), summary_html, words)


def well_formed(html: str) -> ET.Element:
    """Parse an HTML fragment as XML: it fails on any unclosed or misnested element."""
    return ET.fromstring(f"<root>{html.replace('&', '&amp;')}</root>")


def test_default_extensions_give_footnotes_tables_fenced_code_anchors_and_curly_quotes() -> None:
    html = CONVERTER.html(
        '## A "heading"\n\nText[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n'
        "```\ncode\n```\n\n[^1]: A note."
    )
    assert '<h2 id="a-heading">A &ldquo;heading&rdquo;</h2>' in html
    assert 'class="footnote-ref"' in html
    assert "<table>" in html
    assert "<pre><code>code\n</code></pre>" in html


@pytest.mark.parametrize("engine", ["markdown", "cmark"])
def test_a_table_column_s_alignment_is_a_class_not_a_style_the_site_s_policy_blocks(
    engine: str,
) -> None:
    if engine == "cmark":
        pytest.importorskip("cmarkgfm", reason="the fast extra (cmarkgfm) is not installed")
    converter = Converter(DEFAULT_EXTENSIONS, {}, slugify, engine=engine)
    html = converter.html("| name | held | days |\n|:--|:-:|--:|\n| A | Muscat | 12 |")
    assert "style=" not in html and "align=" not in html
    assert '<th class="align-left">name</th>' in html
    assert '<td class="align-center">Muscat</td>' in html
    assert '<td class="align-right">12</td>' in html


def test_raw_html_passes_through() -> None:
    assert '<aside class="note">Kept</aside>' in CONVERTER.html('<aside class="note">Kept</aside>')


def test_text_before_the_more_marker_is_the_excerpt() -> None:
    result = cut("First paragraph.\n\n<!--more-->\n\nSecond paragraph.")
    assert result.excerpt == "<p>First paragraph.</p>"
    assert result.has_more
    assert result.more_text is None
    assert '<span id="more"></span>' in result.body
    assert result.body.index('id="more"') < result.body.index("Second paragraph")
    assert "<!--more-->" not in result.body


def test_the_more_marker_can_set_the_link_text() -> None:
    result = cut("Intro.\n\n<!--more Continue reading about the trial-->\n\nRest.")
    assert result.more_text == "Continue reading about the trial"
    assert result.excerpt == "<p>Intro.</p>"


def test_a_marker_inside_a_paragraph_leaves_the_paragraph_closed() -> None:
    result = cut("Intro words <!--more--> and the rest.")
    assert result.excerpt == "<p>Intro words</p>"
    assert result.has_more


def test_a_marker_in_a_code_block_is_not_a_marker() -> None:
    result = cut("Write this:\n\n```\n<!--more-->\n```\n\nThat is all.", words=55)
    assert not result.has_more
    assert "&lt;!--more--&gt;" in result.excerpt


def test_a_marker_at_the_end_leaves_nothing_more() -> None:
    assert not cut("All of it.\n\n<!--more-->\n").has_more


def test_the_summary_is_the_excerpt_when_there_is_no_marker() -> None:
    result = cut("The whole body.", summary="A *short* summary.")
    assert result.excerpt == "<p>A <em>short</em> summary.</p>"
    assert result.has_more
    assert result.body.startswith('<span id="more"></span>')


def test_the_marker_comes_before_the_summary() -> None:
    result = cut("Before.\n\n<!--more-->\n\nAfter.", summary="Summary.")
    assert result.excerpt == "<p>Before.</p>"


def test_without_marker_or_summary_the_first_words_are_the_excerpt() -> None:
    words = " ".join(f"w{i}" for i in range(1, 101))
    result = cut(words)
    assert result.excerpt == "<p>" + " ".join(f"w{i}" for i in range(1, 56)) + "\u2026</p>"
    assert result.has_more
    assert '<span id="more"></span>w56' in result.body


def test_a_short_post_is_its_own_excerpt_without_a_read_more_link() -> None:
    result = cut("Only a few words here.")
    assert result.excerpt == "<p>Only a few words here.</p>"
    assert not result.has_more
    assert 'id="more"' not in result.body


def test_a_cut_inside_a_list_closes_the_list() -> None:
    result = cut("Intro one two.\n\n- three four\n- five six\n- seven eight", words=5)
    assert result.excerpt == "<p>Intro one two.</p>\n<ul>\n<li>three four\u2026</li></ul>"
    well_formed(result.excerpt)


def test_a_cut_inside_a_blockquote_closes_it() -> None:
    result = cut("> quoted words *in emphasis that go on* and on", words=4)
    assert (
        result.excerpt
        == "<blockquote>\n<p>quoted words <em>in emphasis\u2026</em></p></blockquote>"
    )
    well_formed(result.excerpt)


def test_a_cut_never_splits_a_tag_or_an_entity() -> None:
    result = cut('One "two" <a href="/x" title="a b c d">three four</a> five', words=3)
    assert (
        result.excerpt
        == '<p>One &ldquo;two&rdquo; <a href="/x" title="a b c d">three\u2026</a></p>'
    )


def test_footnotes_and_tables_of_contents_stay_out_of_excerpts() -> None:
    result = cut("[TOC]\n\n## Part one\n\nClaim.[^1]\n\n[^1]: Source.", words=55)
    assert "footnote" not in result.excerpt
    assert "toc" not in result.excerpt
    assert "Source." not in result.excerpt
    assert result.excerpt == "<h2>Part one</h2>\n<p>Claim.</p>"


def test_excerpts_carry_no_ids_so_list_pages_never_repeat_one() -> None:
    result = cut("## Heading\n\nText.\n\n<!--more-->\n\nMore.")
    assert "id=" not in result.excerpt
    assert '<h2 id="heading">' in result.body


def test_a_heading_called_more_does_not_take_the_excerpt_anchor() -> None:
    result = cut("Intro.\n\n<!--more-->\n\n## More\n\nText.")
    assert result.body.count('id="more"') == 1
    assert '<h2 id="more-heading">More</h2>' in result.body


def test_stray_end_tags_in_raw_html_are_dropped() -> None:
    result = cut("<div>one two</span> three four five</div>", words=3)
    well_formed(result.excerpt)
    assert result.excerpt == "<div>one two three\u2026</div>"


@pytest.mark.parametrize("words", [1, 2, 3, 5, 8, 13])
def test_every_cut_of_a_rich_post_is_well_formed(words: int) -> None:
    markdown = (
        "Intro *with **nested** emphasis* and a [link](/x).\n\n"
        "> A quote with a list:\n>\n> - one item\n> - two items\n\n"
        "1. first\n2. second with `code`\n\n| a | b |\n|---|---|\n| c d | e f |\n"
    )
    well_formed(cut(markdown, words=words).excerpt)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>one <p>two three four", "<p>one </p><p>two three\u2026</p>"),
        ("<p>one <div>two three four</div>", "<p>one </p><div>two three\u2026</div>"),
        (
            "<ul><li>one<li>two<li>three four",
            "<ul><li>one</li><li>two</li><li>three\u2026</li></ul>",
        ),
        (
            "<ul><li>one<ul><li>two</ul>three four",
            "<ul><li>one<ul><li>two</li></ul>three\u2026</li></ul>",
        ),
        ("<p><em>one <p>two three four", "<p><em>one </em></p><p>two three\u2026</p>"),
    ],
)
def test_raw_html_with_implied_end_tags_is_cut_as_a_browser_reads_it(
    html: str, expected: str
) -> None:
    cut = excerpt(html, None, words=3)
    assert cut.excerpt == expected
    well_formed(cut.excerpt)
