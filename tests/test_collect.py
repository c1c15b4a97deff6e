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
        "  hint: terms are told apart by their URL: rename one of them"
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


def test_date_archives_for_every_year_month_and_day_newest_first(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "a.md": post("A", "2016-12-31 23:00"),
            "b.md": post("B", "2017-11-04 09:00"),
            "c.md": post("C", "2017-11-04 18:00"),
            "d.md": post("D", "2017-02-01"),
        },
    )
    assert [(a.kind, a.url, [p.title for p in a.posts]) for a in site.archives] == [
        ("year", "/2017/", ["C", "B", "D"]),
        ("year", "/2016/", ["A"]),
        ("month", "/2017/11/", ["C", "B"]),
        ("month", "/2017/02/", ["D"]),
        ("month", "/2016/12/", ["A"]),
        ("day", "/2017/11/04/", ["C", "B"]),
        ("day", "/2017/02/01/", ["D"]),
        ("day", "/2016/12/31/", ["A"]),
    ]
    assert [(y.year.url, [m.url for m in y.months]) for y in site.archive_listing] == [
        ("/2017/", ["/2017/11/", "/2017/02/"]),
        ("/2016/", ["/2016/12/"]),
    ]


def test_archives_use_the_site_time_zone(tmp_path: Path) -> None:
    site = site_of(
        tmp_path, {"a.md": post("A", "2017-12-31T22:30:00+00:00")}, timezone="Asia/Muscat"
    )
    assert [a.url for a in site.archives] == ["/2018/", "/2018/01/", "/2018/01/01/"]


def test_archives_are_paginated(tmp_path: Path) -> None:
    posts = {f"p{i:02}.md": post(f"Post {i}", f"2017-03-{i:02}") for i in range(1, 13)}
    site = site_of(tmp_path, posts, posts_per_page=5)
    year = site.archives[0]
    assert [page.url for page in year.pages] == ["/2017/", "/2017/page/2/", "/2017/page/3/"]


def test_previous_and_next_posts(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "a.md": post("Old", "2017-01-01"),
            "b.md": post("Middle", "2017-01-02"),
            "c.md": post("New", "2017-01-03"),
        },
    )
    neighbours = {
        p.post.title: (p.previous and p.previous.title, p.next and p.next.title)
        for p in site.post_pages
    }
    assert neighbours == {
        "New": ("Middle", None),
        "Middle": ("Old", "New"),
        "Old": (None, "Middle"),
    }


def test_related_posts_share_the_most_terms_then_are_newest(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "me.md": post("Me", "2017-01-10", tags=["a", "b"], categories=["x"]),
            "two.md": post("Shares two", "2017-01-01", tags=["a"], categories=["x"]),
            "one-old.md": post("Shares one, old", "2017-01-02", tags=["b"]),
            "one-new.md": post("Shares one, new", "2017-01-05", tags=["a"]),
            "none.md": post("Shares none", "2017-01-09", tags=["c"]),
            **{f"more{i}.md": post(f"More {i}", f"2016-01-0{i}", tags=["a"]) for i in range(1, 6)},
        },
    )
    page = next(p for p in site.post_pages if p.post.title == "Me")
    assert [p.title for p in page.related] == [
        "Shares two",
        "Shares one, new",
        "Shares one, old",
        "More 5",
        "More 4",
    ]


def test_related_posts_can_be_turned_off(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {"a.md": post("A", "2017-01-01", tags=["x"]), "b.md": post("B", "2017-01-02", tags=["x"])},
        related_posts=0,
    )
    assert all(page.related == () for page in site.post_pages)


def test_every_taxonomy_has_its_terms_and_its_clash_rule(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "a.md": post("A", "2017-01-01", countries=["Oman"], tags=["x"]),
            "b.md": post("B", "2017-01-02", countries=["oman", "Syria"]),
        },
        taxonomies={"countries": "country"},
    )
    by_name = {t.taxonomy.name: t for t in site.taxonomies}
    assert [(tag.name, tag.url, len(tag.posts)) for tag in by_name["countries"].tags] == [
        ("Oman", "/country/oman/", 2),  # a tie: the first in code-point order
        ("Syria", "/country/syria/", 1),
    ]
    assert by_name["categories"].tags == ()
    with pytest.raises(
        ErrorList, match=r"the countries 'C\+\+' and 'C' .* would share the URL /country/c/"
    ):
        site_of(
            tmp_path / "other",
            {
                "a.md": post("A", "2017-01-01", countries=["C"]),
                "b.md": post("B", "2017-01-02", countries=["C++"]),
            },
            taxonomies={"countries": "country"},
        )


def test_related_posts_match_their_definition_on_a_random_blog(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    vocabulary = [f"t{i}" for i in range(12)]
    posts = {
        f"p{i:03}.md": post(
            f"Post {i}",
            f"2017-{1 + i % 12:02}-{1 + i % 28:02} {i % 24:02}:00",
            tags=rng.sample(vocabulary, rng.randint(1, 5)),
        )
        for i in range(120)
    }
    site = site_of(tmp_path, posts)
    order = {p.file: n for n, p in enumerate(site.posts)}  # newest first
    for page in site.post_pages:
        mine = {t.slug for t in page.post.tags}
        others = [p for p in site.posts if p is not page.post and mine & {t.slug for t in p.tags}]
        expected = sorted(
            others, key=lambda p: (-len(mine & {t.slug for t in p.tags}), order[p.file])
        )[:5]
        assert [p.file for p in page.related] == [p.file for p in expected], page.post.file


def test_on_a_large_archive_related_posts_are_looked_for_near_in_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each shared term offers RELATED_WINDOW posts on either side: linear work on any archive."""
    import hrdblog.collect

    posts = {
        "target.md": post("Target", "2017-06-15", tags=["x", "y"]),
        "near.md": post("Near", "2017-06-14", tags=["x", "y"]),
        "far.md": post("Far", "2016-01-01", tags=["x", "y"]),
    }
    posts |= {
        f"f{i:02}.md": post(f"Filler {i}", f"2017-0{1 + i % 5}-{1 + i:02}", tags=["x"])
        for i in range(20)
    }
    related = {}
    for window in (250, 2):
        monkeypatch.setattr(hrdblog.collect, "RELATED_WINDOW", window)
        pages = site_of(tmp_path / str(window), posts).post_pages
        target = next(page for page in pages if page.post.title == "Target")
        related[window] = [p.title for p in target.related]
    assert related[250][:2] == ["Near", "Far"]  # both share two terms
    assert related[2][0] == "Near"
    assert "Far" not in related[2]  # beyond the window, and the oldest of one-term posts
