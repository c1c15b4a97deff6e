"""Excerpts of 270 real posts (../shared/corpora/guardianproject): raw HTML, shortcodes, CRLF.

Whatever the author's HTML, the excerpt a list page shows must parse without a single error.
"""

from __future__ import annotations

import os
from pathlib import Path

import html5lib
import pytest
from helpers import REPO

from hrdblog.config import DEFAULT_EXTENSIONS
from hrdblog.errors import ContentError, LocatedError
from hrdblog.frontmatter import split
from hrdblog.markup import Converter, excerpt
from hrdblog.urls import slugify

CORPUS = REPO.parent / "shared" / "corpora" / "guardianproject" / "posts"
if not CORPUS.is_dir():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CORPUS} is missing")
    pytest.skip(f"the shared corpus is not here ({CORPUS})", allow_module_level=True)

POSTS = sorted(p for p in CORPUS.rglob("*.md") if p.is_file())
CONVERTER = Converter(DEFAULT_EXTENSIONS, {}, slugify)
_FRAGMENT = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)


def error(line: int | None, message: str, hint: str | None = None) -> LocatedError:
    return ContentError("post", line, message, hint)


def body_of(path: Path) -> str:
    text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    try:
        return split(text, error).body
    except ContentError:
        return text  # a file without front matter: its whole text is the body


def test_the_corpus_is_all_there() -> None:
    assert len(POSTS) >= 270


@pytest.mark.parametrize("path", POSTS, ids=[p.relative_to(CORPUS).as_posix() for p in POSTS])
def test_every_excerpt_of_a_real_post_is_valid_html(path: Path) -> None:
    html = CONVERTER.html(body_of(path))
    for words in (5, 55):
        cut = excerpt(html, None, words)
        _FRAGMENT.parseFragment(str(cut.excerpt))
        shown = " ".join(
            html5lib.parseFragment(str(cut.excerpt), namespaceHTMLElements=False).itertext()
        )
        if "<!--more" not in html:  # else the excerpt is what comes before the marker
            assert len(shown.split()) <= words + 5  # a few more where tags split words
