"""Collecting posts into a site: order, tags under one spelling, clashes, pagination."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_site, post

from hrdblog.collect import collect
from hrdblog.config import load_config
from hrdblog.errors import ErrorList
from hrdblog.models import Site
from hrdblog.read import read_posts


def site_of(tmp_path: Path, files: dict[str, str], **settings: object) -> Site:
    make_site(tmp_path, files, settings)
    config = load_config(tmp_path)
    return collect(config, read_posts(config).posts)


def clashes(tmp_path: Path, files: dict[str, str]) -> list[str]:
    with pytest.raises(ErrorList) as info:
        site_of(tmp_path, files)
    return [str(e) for e in info.value.errors]


def test_posts_are_newest_first_and_same_date_posts_have_a_stable_order(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "z.md": post("Beta", "2017-01-01"),
            "a.md": post("Alpha", "2017-01-01"),
            "m.md": post("Newest", "2017-06-01"),
            "b.md": post("Oldest", "2016-01-01 23:59"),
        },
    )
    assert [p.title for p in site.posts] == ["Newest", "Beta", "Alpha", "Oldest"]


def test_a_tag_is_shown_under_its_most_common_spelling(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "a.md": post("A", "2017-01-01", tags=["Coalition"]),
            "b.md": post("B", "2017-01-02", tags=["coalition"]),
            "c.md": post("C", "2017-01-03", tags=["coalition", "UN"]),
        },
    )
    assert [(t.name, t.slug, len(t.posts)) for t in site.tags] == [
        ("coalition", "coalition", 3),
        ("UN", "un", 1),
    ]
    assert {term.name for p in site.posts for term in p.tags if term.slug == "coalition"} == {
        "coalition"
    }
    assert [p.title for p in site.tags[0].posts] == ["C", "B", "A"]


def test_two_different_tags_with_one_slug_are_an_error_naming_both_files(tmp_path: Path) -> None:
    found = clashes(
        tmp_path,
        {
            "a.md": post("A", "2017-01-01", tags=["C"]),
            "b.md": post("B", "2017-01-02", tags=["C++"]),
        },
    )
    assert found == [
        "content/b.md:4: the tags 'C++' and 'C' (content/a.md:4) would share the URL /tag/c/\n"
        "  hint: tags are told apart by their URL: rename one of them"
    ]


def test_two_posts_at_one_url_are_an_error_naming_both_files(tmp_path: Path) -> None:
    found = clashes(
        tmp_path,
        {"a.md": post("Statement", "2017-01-01"), "b.md": post("Statement!", "2017-01-01 18:00")},
    )
    assert found == [
        "content/b.md:2: this post and content/a.md would both be published at /2017/01/01/statement/\n"
        "  hint: give one of them another `slug:` in its front matter"
    ]


def test_lists_are_paginated_with_older_and_newer_links(tmp_path: Path) -> None:
    posts = {
        f"p{i:02}.md": post(f"Post {i}", f"2017-01-{i:02}", tags=["all"]) for i in range(1, 24)
    }
    site = site_of(tmp_path, posts, posts_per_page=10)
    assert [page.url for page in site.home] == ["/", "/page/2/", "/page/3/"]
    assert [len(page.posts) for page in site.home] == [10, 10, 3]
    assert (site.home[0].newer_url, site.home[0].older_url) == (None, "/page/2/")
    assert (site.home[1].newer_url, site.home[1].older_url) == ("/", "/page/3/")
    assert (site.home[2].newer_url, site.home[2].older_url) == ("/page/2/", None)
    assert [page.url for page in site.tags[0].pages] == [
        "/tag/all/",
        "/tag/all/page/2/",
        "/tag/all/page/3/",
    ]
    assert site.home[0].posts[0].title == "Post 23"
    assert site.home[2].posts[-1].title == "Post 1"


def test_an_empty_blog_has_one_empty_home_page(tmp_path: Path) -> None:
    site = site_of(tmp_path, {})
    assert [(page.url, page.posts, page.count) for page in site.home] == [("/", (), 1)]
