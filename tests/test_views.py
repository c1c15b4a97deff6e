"""The views pages show, the plan of a site, and the reuse keys derived from views."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from helpers import make_site, post
from markupsafe import Markup

from hrdblog.collect import collect
from hrdblog.config import load_config
from hrdblog.errors import ErrorList
from hrdblog.models import Site
from hrdblog.plan import plan
from hrdblog.read import read_posts
from hrdblog.theme import Theme
from hrdblog.views import (
    SITE_WIDE,
    ArchiveCount,
    ArchiveView,
    Canonical,
    FeedView,
    HomeView,
    PostView,
    RedirectView,
    TermCount,
    TermIndexView,
    TermView,
    site_view,
)


def site_of(tmp_path: Path, files: dict[str, str], **settings: object) -> Site:
    make_site(tmp_path, files, {"base_url": "https://example.org/", **settings})
    config = load_config(tmp_path)
    return collect(config, read_posts(config).posts)


POSTS = {
    "a.md": post("Detained", "2017-01-02", tags=["coalition"], aliases=["/old/detained/"]),
    "b.md": post("Released", "2017-02-03", tags=["coalition", "oman"]),
    "c.md": post("Statement", "2018-03-04"),
}


def test_the_plan_lists_every_page_with_its_view_template_and_path(tmp_path: Path) -> None:
    pages = plan(site_of(tmp_path, POSTS), {"tag": frozenset({"count"})}).pages
    by_path = {page.path: page for page in pages}
    assert isinstance(by_path["index.html"].view, HomeView)
    assert by_path["index.html"].template == "index.html"
    detained = by_path["2017/01/02/detained/index.html"]
    assert isinstance(detained.view, PostView) and detained.view.post.title == "Detained"
    assert str(detained.origin) == "the post (content/a.md:2)"
    coalition = by_path["tag/coalition/index.html"].view
    assert isinstance(coalition, TermView)
    assert (coalition.tag.name, coalition.tag.count, coalition.taxonomy.name) == (
        "coalition",
        2,
        "tags",
    )
    assert [f.url for f in coalition.feeds] == ["/tag/coalition/feed.xml", "/feed.xml"]
    index = by_path["tag/index.html"].view
    assert isinstance(index, TermIndexView) and [t.name for t in index.terms] == [
        "coalition",
        "oman",
    ]
    old = by_path["old/detained/index.html"]
    assert isinstance(old.view, RedirectView) and not old.listed
    assert isinstance(by_path["feed.xml"].view, FeedView) and not by_path["feed.xml"].listed
    assert by_path["404.html"].url is None
    assert [p.path for p in pages][:2] == ["index.html", "2018/03/04/statement/index.html"]


def test_the_plan_checks_every_path_before_anything_is_rendered(tmp_path: Path) -> None:
    site = site_of(tmp_path, {**POSTS, "d.md": post("Feed", "2017-05-05", aliases=["/feed.xml"])})
    with pytest.raises(ErrorList) as caught:
        plan(site)
    assert "feed.xml" in str(caught.value) and "content/d.md" in str(caught.value)


def test_the_site_wide_view_holds_only_the_lists_named(tmp_path: Path) -> None:
    site = site_of(tmp_path, POSTS)
    bare = site_view(site, "/archives/", frozenset())
    assert [t.name for t in bare.taxonomies] == ["tags"]
    with pytest.raises(AttributeError):
        bare.post_count  # noqa: B018
    full = site_view(site, "/archives/", frozenset(SITE_WIDE))
    assert full.post_count == 3
    assert [t.count for t in full.terms["tags"]] == [2, 1]
    assert [p.title for p in full.recent_posts] == ["Statement", "Released", "Detained"]
    assert full.archives[0].year == ArchiveCount("year", date(2018, 1, 1), "/2018/", 1)


@pytest.mark.parametrize(
    ("footer", "named"),
    [
        ("<p>Ours</p>", set()),
        ("{{ site.post_count }}", {"post_count"}),
        ("{{ site['terms'].tags | length }} {{ site.taxonomies | length }}", {"terms"}),
        ("{% for p in site.recent_posts %}{{ p.title }}{% endfor %}", {"recent_posts"}),
        ("{% set s = site %}{{ s.posts | length }}", set(SITE_WIDE)),
        ("{{ site[name] }}", set(SITE_WIDE)),
        ("{% macro m(x) %}{{ x }}{% endmacro %}{{ m(site) }}", set(SITE_WIDE)),
    ],
)
def test_the_site_wide_lists_are_those_the_templates_name(
    tmp_path: Path, footer: str, named: set[str]
) -> None:
    make_site(tmp_path, POSTS, files={"templates/footer.html": footer})
    assert Theme(load_config(tmp_path)).named()["site"] == named


def test_the_default_theme_names_no_site_wide_list(tmp_path: Path) -> None:
    make_site(tmp_path, POSTS)
    assert Theme(load_config(tmp_path)).named()["site"] == frozenset()


def test_term_and_archive_pages_have_their_counts_only_where_a_template_names_them(
    tmp_path: Path,
) -> None:
    site = site_of(tmp_path, POSTS)
    bare = {p.path: p.view for p in plan(site).pages}
    coalition, year = bare["tag/coalition/index.html"], bare["2017/index.html"]
    assert isinstance(coalition, TermView) and isinstance(year, ArchiveView)
    assert (coalition.tag.name, coalition.tag.url) == ("coalition", "/tag/coalition/")
    assert not hasattr(coalition.tag, "count") and not hasattr(year.archive, "count")
    named = {"tag": frozenset({"count"}), "archive": frozenset({"count"})}
    counted = {p.path: p.view for p in plan(site, named).pages}
    coalition, year = counted["tag/coalition/index.html"], counted["2017/index.html"]
    assert isinstance(coalition, TermView) and isinstance(year, ArchiveView)
    assert coalition.tag == TermCount("tags", "coalition", "coalition", "/tag/coalition/", 2)
    assert year.archive == ArchiveCount("year", date(2017, 1, 1), "/2017/", 2)
    canonical = Canonical(lambda p: str(p.file))
    assert canonical(bare["2017/index.html"]) != canonical(year)


def test_a_key_is_the_same_exactly_when_the_view_is(tmp_path: Path) -> None:
    site = site_of(tmp_path, POSTS)
    canonical = Canonical(lambda p: f"digest of {p.file} {p.title}")
    home = plan(site).pages[0].view
    assert isinstance(home, HomeView)
    first = canonical(home)  # posts and shared parts met again are written as remembered
    assert canonical(home) == first == Canonical(lambda p: f"digest of {p.file} {p.title}")(home)
    assert "digest of content/c.md Statement" in canonical(home)
    # An equal view made apart, from another reading of the same site, keys the same with
    # what this one remembers; one part of it changed, it does not.
    again = plan(site_of(tmp_path / "again", POSTS)).pages[0].view
    assert again == home and again is not home and canonical(again) == first
    assert isinstance(again, HomeView)
    renamed = replace(again.feeds[0], title="Another feed")
    assert canonical(replace(again, feeds=(renamed, *again.feeds[1:]))) != first
    fewer = replace(home, page=replace(home.page, posts=home.page.posts[1:]))
    other_feeds = replace(home, feeds=())
    later = replace(home, page=replace(home.page, older_url="/page/2/"))
    keys = {canonical(v) for v in (home, fewer, other_feeds, later)}
    assert len(keys) == 4
    assert canonical({"b": 1, "a": Markup("<b>x</b>")}) == canonical({"a": "<b>x</b>", "b": 1})


def test_a_view_holding_what_has_no_key_is_an_error() -> None:
    with pytest.raises(TypeError, match="has no key"):
        Canonical(str)(HomeView(object(), ()))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("one", "other"),
    [((12, 3), (1, 23)), (("a", "b"), ("ab",)), ({"a": 1}, {"a1": None}), ((("x",),), ("x",))],
)
def test_two_views_never_write_one_key(one: object, other: object) -> None:
    canonical = Canonical(str)
    assert canonical(one) != canonical(other)
