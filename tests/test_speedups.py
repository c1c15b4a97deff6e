"""The speed-ups give the plain way's bytes, and are used only on the versions they are
checked on (hrdblog.speedups)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from helpers import REPO, make_site, post, site_files, synthetic_blog
from markdown.treeprocessors import InlineProcessor

from hrdblog.build import build
from hrdblog.config import load_config
from hrdblog.markup import Converter
from hrdblog.speedups import TESTED, cmark_renderer, is_checked

EXTENSIONS = ("footnotes", "tables", "fenced_code", "toc", "smarty")


def untested(monkeypatch: pytest.MonkeyPatch, distribution: str, version: str) -> None:
    """Make the installed version of `distribution` seem to be `version`."""
    real = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata,
        "version",
        lambda name: version if name.lower() == distribution else real(name),
    )


def converter() -> Converter:
    return Converter(EXTENSIONS, {}, lambda text: text.lower().replace(" ", "-"))


def test_the_libraries_installed_are_ones_the_speedups_are_checked_on() -> None:
    # Otherwise this suite would check the speed-ups on versions no build uses them with.
    assert is_checked("markdown"), importlib.metadata.version("markdown")
    assert is_checked("cmarkgfm"), importlib.metadata.version("cmarkgfm")


@pytest.mark.parametrize(
    ("version", "used"),
    [("3.10.2", False), ("3.11", True), ("3.11.3", True), ("3.12.0", False), ("4.0", False)],
)
def test_a_speedup_is_used_only_on_the_versions_it_is_checked_on(
    monkeypatch: pytest.MonkeyPatch, version: str, used: bool
) -> None:
    untested(monkeypatch, "markdown", version)
    assert is_checked("markdown") is used
    md = converter()._md
    inline, smarty = md.treeprocessors["inline"], md.treeprocessors["smarty"]
    assert (type(inline).__name__ == "FastInline") is used
    assert (type(smarty).__name__ == "FastSmarty") is used
    if not used:  # the plain way: never even imported, as on versions it cannot work with
        assert type(inline) is InlineProcessor


def test_without_its_speedups_markdown_gives_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = converter()
    untested(monkeypatch, "markdown", "9.0")
    plain = converter()
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "content").rglob("*.md"))]
    assert texts
    for text in texts:
        assert fast.html(text) == plain.html(text)


def test_without_its_speedup_cmark_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    freeing = cmark_renderer()
    untested(monkeypatch, "cmarkgfm", "2021.1.1")
    plain = cmark_renderer()
    assert plain.__module__ == "hrdblog.speedups"  # the plain way: not the freeing renderer
    for path in sorted((REPO / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert freeing(text) == plain(text)


def test_every_library_with_speedups_is_listed_once() -> None:
    assert set(TESTED) == {"markdown", "cmarkgfm"}
    assert all(low < high for low, high in TESTED.values())


def test_the_collector_is_as_it_was_after_each_block_however_it_ends() -> None:
    import gc

    from hrdblog.speedups.collector import collector_paused, collector_skips_older

    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    with collector_skips_older():
        with collector_skips_older():
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() > 0  # only the outermost block thaws
    assert gc.get_freeze_count() == 0


def test_entries_made_once_give_the_bytes_of_the_entry_macro_on_each_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every list page of a blog with posts in two languages, a post in a folder of its own,
    links in excerpts and several pages to each list, built with and without the entries
    made once."""
    from hrdblog.speedups.entries import Entries

    root = synthetic_blog(tmp_path / "blog", posts=60)
    (root / "content" / "arabic.md").write_text(
        post("بيان", "2018-02-01", "نص [رابط](../other/) {braces}", tags=["تحالف"], lang="ar")
    )
    fast = tmp_path / "fast"
    real, made = Entries.html, []

    def html(self: Entries, context: object, post: object) -> object:
        entry = real(self, context, post)
        made.append(entry is not None)
        return entry

    monkeypatch.setattr(Entries, "html", html)
    monkeypatch.setattr("hrdblog.render.PARALLEL_PAGES", 10**9)  # here, where it is counted
    build(load_config(root, output_dir=fast), use_cache=False)
    assert made and all(made)  # every list page's entries are the ones made once
    monkeypatch.setattr(Entries, "html", lambda self, context, post: None)
    plain = tmp_path / "plain"
    build(load_config(root, output_dir=plain), use_cache=False)
    fast_files, plain_files = site_files(fast), site_files(plain)
    assert fast_files == plain_files
    assert sum(b"{braces}" in content for content in fast_files.values()) > 3  # list pages


def test_a_site_s_page_that_shows_entries_of_its_own_gets_them_as_the_macro_makes_them(
    tmp_path: Path,
) -> None:
    """A post page of the site's own lists its related posts with the entry macro, after
    setting what the entry reads: it shows what the macro makes there, in a clean build and
    in a rebuild of that page alone."""
    root = make_site(
        tmp_path / "blog",
        {
            f"p{n}.md": post(f"Post {n}", f"2020-01-{n + 1:02}", "Text.", tags=["a", "b"])
            for n in range(6)
        },
        {"base_url": "https://example.org/"},
    )
    (root / "templates").mkdir()
    (root / "templates" / "post.html").write_text(
        '{% extends "default/post.html" %}{% set taxonomies = () %}'
        '{% import "macros.html" as m with context %}{% block content %}{{ super() }}'
        "<aside>{{ m.entries({'posts': neighbours.related, 'count': 1}) }}</aside>"
        "{% endblock %}"
    )
    build(load_config(root))
    page = root / "site" / "2020" / "01" / "03" / "post-2" / "index.html"
    aside = page.read_text().split("<aside>")[1]
    assert "Post 0" in aside and 'rel="tag"' not in aside  # no terms: taxonomies is ()
    page.unlink()
    build(load_config(root))
    assert page.read_text().split("<aside>")[1] == aside
