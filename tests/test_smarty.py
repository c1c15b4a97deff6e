"""Curly quotes, dashes and ellipses: hrdblog's faster processor gives smarty's very bytes."""

from __future__ import annotations

import os

import markdown
import pytest
from helpers import REPO, SHARED

from hrdblog.smarty import FastSmarty, speed_up

CORPUS = SHARED / "corpora" / "guardianproject" / "posts"
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


def documents() -> list[str]:
    found = list(TRICKY)
    for folder in (REPO / "content", CORPUS):
        found += [
            p.read_text(encoding="utf-8-sig") for p in sorted(folder.rglob("*.md")) if p.is_file()
        ]
    return found


@pytest.mark.parametrize("config", CONFIGS, ids=["default", "angled", "quotes-only", "german"])
def test_the_fast_processor_gives_smartys_bytes(config: dict[str, object]) -> None:
    if not CORPUS.is_dir() and os.environ.get("CI"):
        pytest.fail(f"{CORPUS} is missing")
    slow = markdown.Markdown(extensions=EXTENSIONS, extension_configs=config)
    fast = markdown.Markdown(extensions=EXTENSIONS, extension_configs=config)
    speed_up(fast)
    assert isinstance(fast.treeprocessors["smarty"], FastSmarty)
    texts = documents()
    assert len(texts) > 250 or not CORPUS.is_dir()
    for text in texts:
        slow.reset()
        fast.reset()
        assert fast.convert(text) == slow.convert(text), text[:200]


def test_without_smarty_nothing_is_added() -> None:
    md = markdown.Markdown(extensions=["tables"])
    speed_up(md)
    assert "smarty" not in md.treeprocessors
    assert md.convert("'a' -- b") == "<p>'a' -- b</p>"
