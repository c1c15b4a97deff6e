"""Curly quotes, dashes and ellipses: hrdblog's faster processor gives smarty's very bytes."""

from __future__ import annotations

import markdown
import pytest
from helpers import markdown_documents

from hrdblog.speedups.smarty import FastSmarty
from hrdblog.speedups.smarty import speed_up_smarty as speed_up

TRICKY = [
    "'Tis the '80s, \"he said\" -- 'quoted' --- words... \"'nested'\" it's 'a' \"b\"",
    "''",
    '""',
    "'\"x\"'",
    "rock 'n' roll; the students' union; 5' 10\"",
    "<<a>> and << b >>",
    "x--'y, a---b, a----b, ....",
    " 'a' ",
    "'s",
    "\\\"escaped\\\" and \\'single\\'",
    "`code 'x' -- ...` and\n\n    indented 'code'",
    "*'em'* 'x*y*' **\"strong\"**",
    'He said "<em>hi</em>" and \'<a href="x">l</a>\'',
    "&nbsp;'x' &mdash;\"y\" &#8211;'z'",
    "A [link 'text'](http://x.org \"title 'q'\") and ![alt 'x'](a.png)",
    "| 'a' | \"b\" |\n|---|---|\n| -- | ... |",
    "Footnote[^1] 'here'.\n\n[^1]: A 'note' -- \"quoted\".",
]
CONFIGS = [
    {},
    {"smarty": {"smart_angled_quotes": True}},
    {"smarty": {"smart_dashes": False, "smart_ellipses": False}},
    {
        "smarty": {
            "substitutions": {"left-double-quote": "&bdquo;", "right-double-quote": "&ldquo;"}
        }
    },
]
EXTENSIONS = ["footnotes", "tables", "fenced_code", "toc", "smarty"]


@pytest.mark.parametrize("config", CONFIGS, ids=["default", "angled", "quotes-only", "german"])
def test_the_fast_processor_gives_smartys_bytes(config: dict[str, object]) -> None:
    slow = markdown.Markdown(extensions=EXTENSIONS, extension_configs=config)
    fast = markdown.Markdown(extensions=EXTENSIONS, extension_configs=config)
    speed_up(fast)
    assert isinstance(fast.treeprocessors["smarty"], FastSmarty)
    for text in markdown_documents(TRICKY):
        slow.reset()
        fast.reset()
        assert fast.convert(text) == slow.convert(text), text[:200]


def test_without_smarty_nothing_is_added() -> None:
    md = markdown.Markdown(extensions=["tables"])
    speed_up(md)
    assert "smarty" not in md.treeprocessors
    assert md.convert("'a' -- b") == "<p>'a' -- b</p>"
