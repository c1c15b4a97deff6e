"""Links, emphasis, code and the rest of a line: hrdblog's faster inline processing gives
Python-Markdown's very bytes."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from helpers import markdown_documents

from hrdblog.speedups.inline import FastInline, speed_up_inline
from hrdblog.speedups.smarty import speed_up_smarty as speed_up

TRICKY = [
    "Plain words, nothing any pattern wants.",
    "`code` and ``co`de`` and \\`not code\\` and \\\\`code after escaped backslashes`",
    "\\*not em\\* \\[not a link\\] \\\\ \\_ \\# \\& \\<",
    "*em* _em_ **strong** __strong__ ***both*** *a **b** c* snake_case_word 2 * 3 * 4",
    "* not a list? a * lone star _ and underscore",
    "[link](http://example.org 'title') [ref][r] [short] ![img](a.png) ![ref img][r] ![short]"
    "\n\n[r]: http://example.org/r\n[short]: /s",
    "[link with `code` and *em*](/x) and [![image in link](i.png)](/y)",
    "<http://example.org/auto> <someone@example.org> <not a link> a < b > c",
    'Raw <span class="x">*em inside*</span> <!-- a comment --> <?pi x?> <![CDATA[ x ]]>',
    "Entities &amp; &#8212; &#x2014; &copy; and a lone & and &notanentity",
    "Line  \nbreak and line\nwithout",
    "Footnote[^1] and [^missing] and [^2].\n\n[^1]: Note with *em* and [a link](/l).\n"
    "[^2]: Another `code` note.",
    "| *a* | `b` |\n|---|---|\n| [c](/c) | &amp; |",
    "```\n*fenced* [not](/link) &amp;\n```\n\n    indented *code*",
    "> quote with *em* and [link](/q)\n>\n> - list *item*\n> - `code`",
    "# Heading with *em* and `code`\n\n## [Linked](/h) heading",
    "Mixed: **[strong link](/s)** *`em code`* <b>*x*</b> \\\\*escaped backslash then em*",
    "Nested [a [b] c](/n) and [unclosed [bracket](/u) and [[double]](/d)",
    "Unicode — «guillemets» ‘quotes’ Ĳ ﬁ العربية *عربي* [رابط](/ar)",
]
EXTENSION_SETS = {
    "defaults": ["footnotes", "tables", "fenced_code", "toc", "smarty"],
    "extra": ["extra", "smarty", "toc"],
    "nl2br, sane lists": ["nl2br", "sane_lists", "footnotes"],
    "none": [],
}


@pytest.mark.parametrize("extensions", EXTENSION_SETS.values(), ids=EXTENSION_SETS.keys())
def test_the_fast_processor_gives_python_markdowns_bytes(extensions: list[str]) -> None:
    slow = markdown.Markdown(extensions=extensions)
    fast = markdown.Markdown(extensions=extensions)
    speed_up(slow)
    speed_up(fast)
    speed_up_inline(fast)
    assert isinstance(fast.treeprocessors["inline"], FastInline)
    assert not isinstance(slow.treeprocessors["inline"], FastInline)
    for text in markdown_documents(TRICKY):
        slow.reset()
        fast.reset()
        assert fast.convert(text) == slow.convert(text), text[:200]


def test_a_pattern_it_does_not_know_is_always_tried(tmp_path: Path) -> None:
    """An extension's own inline pattern has no known needs: it is tried on every text."""
    from markdown.extensions import Extension
    from markdown.inlinepatterns import SimpleTagInlineProcessor

    class Strike(Extension):
        def extendMarkdown(self, md: markdown.Markdown) -> None:
            md.inlinePatterns.register(
                SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "strike", 175
            )

    md = markdown.Markdown(extensions=[Strike()])
    speed_up_inline(md)
    assert isinstance(md.treeprocessors["inline"], FastInline)
    assert md.convert("a ~~gone~~ b *em*") == "<p>a <del>gone</del> b <em>em</em></p>"


def test_another_inline_processor_is_left_in_place() -> None:
    from markdown.treeprocessors import InlineProcessor

    class Own(InlineProcessor):
        pass

    md = markdown.Markdown()
    md.treeprocessors.register(Own(md), "inline", 20)
    speed_up_inline(md)
    assert type(md.treeprocessors["inline"]) is Own
