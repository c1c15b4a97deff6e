"""The two Markdown engines: Python-Markdown (the default) and cmark (`markdown_engine: cmark`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import REPO, make_site, parse_html, post, run_cli, text

from hrdblog.build import build
from hrdblog.config import DEFAULT_EXTENSIONS, load_config
from hrdblog.markup import Converter, excerpt
from hrdblog.speedups.cmark import freeing_renderer
from hrdblog.urls import slugify

pytest.importorskip("cmarkgfm", reason="the fast extra (cmarkgfm) is not installed")

CMARK = Converter(DEFAULT_EXTENSIONS, {}, slugify, engine="cmark")
MARKDOWN = Converter(DEFAULT_EXTENSIONS, {}, slugify)


def words(html_file: Path) -> list[str]:
    main = parse_html(html_file).find(".//main")
    return text(main).replace("\u21a9", "").split()  # footnotes' back-links differ in form only


def test_every_page_of_the_example_blog_carries_the_same_words_with_both_engines(
    tmp_path: Path,
) -> None:
    build(load_config(REPO, output_dir=tmp_path / "markdown"), use_cache=False)
    build(
        load_config(REPO, output_dir=tmp_path / "cmark", markdown_engine="cmark"), use_cache=False
    )
    pages = sorted(
        p.relative_to(tmp_path / "markdown") for p in (tmp_path / "markdown").rglob("*.html")
    )
    assert pages == sorted(
        p.relative_to(tmp_path / "cmark") for p in (tmp_path / "cmark").rglob("*.html")
    )
    for page in pages:
        assert words(tmp_path / "markdown" / page) == words(tmp_path / "cmark" / page), page


def test_cmark_renders_what_authors_need() -> None:
    html = CMARK.html(
        '## A "heading"\n\n## A "heading"\n\n## More\n\nText[^1] -- and more...\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n'
        "<aside>raw</aside>\n\n<!--more-->\n\n[^1]: A note."
    )
    assert '<h2 id="a-heading">A “heading”</h2>' in html
    assert '<h2 id="a-heading_1">' in html  # ids stay unique
    assert '<h2 id="more_1">More</h2>' in html  # "more" is the excerpt's anchor
    assert "Text<sup" in html and "– and more…" in html
    assert "<table>" in html and "<aside>raw</aside>" in html and "<!--more-->" in html


def test_excerpts_are_cut_alike_by_both_engines() -> None:
    source = "Intro with a claim.[^1]\n\n<!--more-->\n\nThe rest.\n\n[^1]: Its source."
    for converter in (CMARK, MARKDOWN):
        cut = excerpt(converter.html(source), None, 55)
        assert re.sub(r"\s+", " ", str(cut.excerpt)) == "<p>Intro with a claim.</p>"
        assert cut.has_more


def test_a_blog_builds_with_cmark_from_the_settings(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"a.md": post("A", "2017-01-01", "## Part\n\nText.")},
        {"markdown_engine": "cmark"},
    )
    assert run_cli("build", "--source", str(root)).exit_code == 0
    assert (
        '<h2 id="part">Part</h2>'
        in (root / "site" / "2017" / "01" / "01" / "a" / "index.html").read_text()
    )


def test_cmark_without_the_extra_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hrdblog.config.cmark_available", lambda: False)
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")}, {"markdown_engine": "cmark"})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "hrdblog.yaml:1: 'markdown_engine' cmark needs cmarkgfm, which is not installed\n"
        '  hint: install it with: pip install "hrdblog[fast]"'
    )


def resident_kb() -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


def test_cmark_gives_cmarkgfms_html_and_frees_what_it_allocates() -> None:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_SMART | Options.CMARK_OPT_FOOTNOTES
    render = freeing_renderer()
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "content").rglob("*.md"))]
    for text_ in texts:
        assert render(text_) == cmarkgfm.github_flavored_markdown_to_html(
            text_, options=options
        ).rstrip("\n")
    if not Path("/proc/self/status").exists():
        return
    long = "\n\n".join(texts)  # 26 KB, of which cmarkgfm's own function keeps 270 KB a call
    render(long)
    before = resident_kb()
    for _ in range(500):
        render(long)
    assert resident_kb() - before < 20_000
