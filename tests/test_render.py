"""Stage 4 on its own: each planned page rendered from its view, in the order of the plan."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import make_site, post

from hrdblog.collect import collect
from hrdblog.config import load_config
from hrdblog.errors import ErrorList, ThemeError
from hrdblog.plan import Plan, plan
from hrdblog.read import read_posts
from hrdblog.render import render, render_page
from hrdblog.theme import Theme

POSTS = {
    "a.md": post("Detained", "2017-01-02", "The *first* text.", tags=["coalition"]),
    "b.md": post("Released", "2017-02-03", tags=["coalition", "oman"]),
}


def planned(root: Path, files: dict[str, str] | None = None, **settings: object) -> Plan:
    make_site(root, POSTS, {"base_url": "https://example.org/", **settings}, files)
    config = load_config(root)
    site = collect(config, read_posts(config).posts)
    return plan(site, Theme(config).named())


def test_the_outputs_come_in_the_order_of_the_plan_then_the_files(tmp_path: Path) -> None:
    """Pages, then the files made from the settings, then the files published as they are,
    then the search index."""
    the_plan = planned(tmp_path, {"static/note.txt": "A note."})
    outputs = list(render(the_plan, Theme(load_config(tmp_path))))
    pages = [page.path for page in the_plan.pages]
    assert [output.path for output in outputs[: len(pages)]] == pages
    made = [output.path for output in the_plan.made]
    assert made == ["_headers"]  # made from the settings alone
    files = [n for n, _ in the_plan.files]
    after = len(pages) + len(made)
    assert [output.path for output in outputs[len(pages) : after]] == made
    assert [output.path for output in outputs[after : after + len(files)]] == files
    index = [output.path for output in outputs[after + len(files) :]]
    assert index[:3] == ["pagefind/fragment/en_55a3301.pf_fragment", *index[1:3]]
    assert all(path.startswith("pagefind/") for path in index) and "pagefind/pagefind.js" in index
    note = next(output for output in outputs if output.path == "static/note.txt")
    assert note.content == b"A note."


def test_a_page_shows_its_view_and_nothing_decides_it_but_the_plan(tmp_path: Path) -> None:
    the_plan = planned(tmp_path)
    theme = Theme(load_config(tmp_path))
    page = next(p for p in the_plan.pages if p.path == "2017/01/02/detained/index.html")
    output = render_page(theme, the_plan.site, page)
    html = output.content.decode()
    assert "<em>first</em>" in html and "<title>Detained" in html
    assert output.origin == "the post (content/a.md:2)"
    # The same view at another address is the same page linked from there.
    moved = render_page(theme, the_plan.site, replace(page, url="/elsewhere/", path="x.html"))
    assert moved.path == "x.html" and moved.content != output.content
    assert render_page(theme, the_plan.site, page) == output


def test_rendering_is_lazy_and_stops_at_the_first_template_error(tmp_path: Path) -> None:
    the_plan = planned(tmp_path, {"templates/tag.html": "{{ 1 // 0 }}"})
    theme = Theme(load_config(tmp_path))
    outputs = render(the_plan, theme)
    first = next(outputs)  # made when asked for, not before
    assert first.path == the_plan.pages[0].path
    with pytest.raises(ThemeError, match=r"templates/tag\.html:1: ZeroDivisionError"):
        list(outputs)


def test_what_the_plan_leaves_out_is_told_once_the_pages_are_rendered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    the_plan = planned(tmp_path, base_url="")
    assert not any(p.path == "sitemap.xml" for p in the_plan.pages)
    outputs = render(the_plan, Theme(load_config(tmp_path)))
    with caplog.at_level(logging.WARNING):
        for _ in the_plan.pages:
            next(outputs)
        assert caplog.messages == []
        list(outputs)
    assert caplog.messages == [
        "feeds and sitemap.xml were not written: they need the site's address; "
        "set base_url in hrdblog.yaml"
    ]


def test_the_sitemap_lists_every_page_with_an_address_by_path(tmp_path: Path) -> None:
    the_plan = planned(tmp_path)
    sitemap = next(p for p in the_plan.pages if p.path == "sitemap.xml")
    xml = render_page(Theme(load_config(tmp_path)), the_plan.site, sitemap).content.decode()
    listed = [p for p in the_plan.pages if p.listed and p.url and p.lastmod]
    assert xml.count("<url>") == len(listed) > 5
    assert "<loc>https://example.org/tag/oman/</loc>" in xml
    assert "404" not in xml and "feed.xml" not in xml


def test_every_bad_published_file_is_reported_at_once(tmp_path: Path) -> None:
    files = {
        "static/a.svg": '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.org/i.png"/></svg>',
        "static/b.png": "not an image",
    }
    the_plan = planned(tmp_path, files)
    with pytest.raises(ErrorList) as raised:
        list(render(the_plan, Theme(load_config(tmp_path))))
    shown = [str(error) for error in raised.value.errors]
    assert len(shown) == 2
    assert shown[0].startswith("static/a.svg: loads https://x.org/i.png from another site")
    assert shown[1].startswith("static/b.png: cannot be read as an image")
