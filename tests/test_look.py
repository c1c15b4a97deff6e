"""The default theme's look: logo, icon and accent colour; the masthead; kickers, counts and
feed links; compact archives; right-to-left typography; the not-found page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from helpers import build_site, by_class, make_site, page, post, text
from PIL import Image

from hrdblog.build import build
from hrdblog.colors import DARK_BACKGROUND, contrast
from hrdblog.config import load_config
from hrdblog.errors import HrdblogError

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">'
    '<rect width="10" height="10"/></svg>'
)


def _icon() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "teal").save(out, "PNG")
    return out.getvalue()


ICON = _icon()


def posts() -> dict[str, str]:
    return {
        "2017/a.md": post(
            "Detained in Muscat", "2017-11-04", countries=["Oman", "Yemen"], tags=["detention"]
        ),
        "2017/b.md": post("A coalition forms", "2017-11-02", tags=["coalition", "detention"]),
        "2017/c.md": post("Released", "2017-10-20", countries=["Oman"], tags=["detention"]),
        "2016/d.md": post("A year before", "2016-05-01", tags=["coalition"]),
    }


SETTINGS = {
    "title": "Dispatch",
    "description": "News of defenders.",
    "base_url": "https://example.org/",
    "taxonomies": {"countries": {"path": "country"}},
}


def test_the_logo_the_icon_and_the_accent_colour_come_from_the_settings(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        posts(),
        {
            **SETTINGS,
            "logo": "logo.svg",
            "favicon": "static/icon.png",
            "accent_color": "#0B5563",
            "stylesheet": "site.css",
        },
        files={"static/logo.svg": LOGO, "static/icon.png": ICON, "static/site.css": "a{}"},
    )
    site = build_site(root)
    home = page(site, "/")
    logo = home.find(".//header//img[@class='site-logo']")
    assert logo is not None
    assert (logo.get("src"), logo.get("alt")) == ("static/logo.svg", "")  # the name follows it
    assert (logo.get("width"), logo.get("height")) == ("10", "10")  # read from the drawing
    assert text(home.find(".//h1[@class='site-title']")) == "Dispatch"
    icons = [link.get("href") for link in home.iter("link") if link.get("rel") == "icon"]
    assert icons == ["static/icon.png"]
    assert not (site / "favicon.svg").exists()
    sheets = [link.get("href") for link in home.iter("link") if link.get("rel") == "stylesheet"]
    # The site's own rules come last, over the theme's and the accent's.
    assert sheets == ["static/style.css", "static/hrdblog-accent.css", "static/site.css"]
    accent = (site / "static" / "hrdblog-accent.css").read_text()
    assert ":root { --accent: #0b5563; --accent-text: #0b5563; }" in accent
    dark = accent.split("--accent-text: ")[2].split(";")[0]
    assert contrast(dark, DARK_BACKGROUND) >= 6  # lightened until it reads on the dark theme


def test_a_light_accent_colours_the_bar_and_a_readable_one_of_its_hue_the_text(
    tmp_path: Path,
) -> None:
    site = build_site(make_site(tmp_path, posts(), {**SETTINGS, "accent_color": "#f5c400"}))
    accent = (site / "static" / "hrdblog-accent.css").read_text()
    # The brand's yellow for the bar; on white, text in the nearest darker yellow that reads.
    assert ":root { --accent: #f5c400; --accent-text: #8e7200; }" in accent
    assert contrast("#8e7200", "#ffffff") >= 4.5
    icon = (site / "favicon.svg").read_text()
    assert 'fill="#f5c400"' in icon and 'fill="#000000">D</text>' in icon  # black on yellow


def test_without_a_favicon_the_site_s_initial_on_its_accent_is_its_icon(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, posts(), {**SETTINGS, "title": "écoute Oman"}))
    icon = (site / "favicon.svg").read_text()
    assert 'fill="#ffffff">É</text>' in icon and 'fill="#8f1d1d"' in icon
    links = [
        link.get("href")
        for link in page(site, "/tag/coalition/").iter("link")
        if link.get("rel") == "icon"
    ]
    assert links == ["../../favicon.svg"]
    assert not (site / "static" / "hrdblog-accent.css").exists()


@pytest.mark.parametrize(
    ("settings", "files", "message"),
    [
        (
            {"accent_color": "red"},
            {},
            "hrdblog.yaml:2: 'accent_color' must be a colour written #rrggbb, got 'red'",
        ),
        (
            {"logo": "logo.svg"},
            {},
            "hrdblog.yaml:2: 'logo' names static/logo.svg, which is not there\n  hint: put the "
            "file in the folder static/ beside hrdblog.yaml, or correct its name",
        ),
        (
            {"favicon": "../secret.png"},
            {},
            "hrdblog.yaml:2: 'favicon' must name a file in the folder static/, got '../secret.png'",
        ),
        (
            {"stylesheet": "logo.png"},
            {"static/logo.png": "x"},
            "hrdblog.yaml:2: 'stylesheet' names static/logo.png, which is no stylesheet\n  hint: "
            "name a file ending in .css",
        ),
        (
            {"kicker": "country"},
            {},
            "hrdblog.yaml:2: 'kicker' names no taxonomy of the site: 'country'\n  hint: did you "
            "mean countries?",
        ),
        (
            {"image_widths": "[480, 20000]"},
            {},
            "hrdblog.yaml:2: 'image_widths' must be a list of widths in pixels, each from 100 to "
            "4000, got 20000",
        ),
    ],
)
def test_a_look_setting_that_cannot_be_used_is_an_error_at_its_line(
    tmp_path: Path, settings: dict[str, str], files: dict[str, str], message: str
) -> None:
    lines = "".join(f"{key}: {value}\n" for key, value in settings.items())
    root = make_site(tmp_path, posts(), files=files)
    (root / "hrdblog.yaml").write_text(
        f"title: Dispatch\n{lines}taxonomies:\n  countries: {{path: country}}\n"
    )
    with pytest.raises(HrdblogError) as caught:
        build(load_config(root))
    assert str(caught.value).startswith(message)


def test_the_masthead_is_compact_and_the_description_on_the_home_page_only(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, posts(), SETTINGS))
    assert text(page(site, "/").find(".//p[@class='site-description']")) == "News of defenders."
    for url in ("/2017/11/04/detained-in-muscat/", "/tag/coalition/", "/page/2/", "/archives/"):
        if (site / url.strip("/") / "index.html").exists():
            assert page(site, url).find(".//p[@class='site-description']") is None, url
    header = page(site, "/2017/").find(".//header[@class='site-header']")
    assert header is not None
    masthead = header.find("div[@class='masthead']")
    assert masthead is not None
    assert [child.get("class") for child in masthead] == ["site-title", "site-nav", "site-search"]


def test_a_kicker_stands_above_each_title_and_dates_in_lists_are_plain(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, posts(), {**SETTINGS, "kicker": "countries"}))
    entries = page(site, "/").findall(".//main//article")
    kickers = [
        text(k) if (k := e.find("p[@class='entry-kicker']")) is not None else None for e in entries
    ]
    assert kickers == ["Oman", None, "Oman", None]  # the first of its countries
    first = entries[0]
    assert [child.tag for child in first][:2] == ["p", "h2"]
    assert first.find("p[@class='entry-kicker']/a").get("href") == "country/oman/"
    assert first.find(".//p[@class='entry-meta']/time/a") is None
    # On its own page the date leads to the archive of its day.
    single = page(site, "/2017/11/04/detained-in-muscat/")
    assert text(single.find(".//article/p[@class='entry-kicker']")) == "Oman"
    assert single.find(".//p[@class='entry-meta']/time/a").get("href") == "../"


def test_a_term_page_shows_its_count_its_feed_and_its_pages_above_and_below(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, posts(), {**SETTINGS, "posts_per_page": 2}))
    detention = page(site, "/tag/detention/")
    meta = detention.find(".//main/p[@class='list-meta']")
    assert text(meta) == "3 posts Feed of these posts"
    feed = meta.find("a")
    assert (feed.get("href"), feed.get("type")) == ("feed.xml", "application/atom+xml")
    navigations = detention.findall(".//main/nav[@class='pagination']")
    assert [n.get("aria-label") for n in navigations] == [
        "More posts, above the list",
        "More posts",
    ]
    assert all(n.find("a[@rel='next']").get("href") == "page/2/" for n in navigations)
    assert text(page(site, "/country/yemen/").find(".//main/p[@class='list-meta']")).startswith(
        "1 post "
    )


def test_compact_archives_list_titles_and_dates_by_month_on_one_page(tmp_path: Path) -> None:
    site = build_site(
        make_site(tmp_path, posts(), {**SETTINGS, "compact_archives": True, "posts_per_page": 1})
    )
    year = page(site, "/2017/")
    assert [text(h) for h in year.findall(".//main/h2")] == ["November 2017", "October 2017"]
    lists = year.findall(".//main/ul[@class='compact-list']")
    assert [[text(li) for li in ul] for ul in lists] == [
        ["Detained in Muscat November 4, 2017", "A coalition forms November 2, 2017"],
        ["Released October 20, 2017"],
    ]
    assert not (site / "2017" / "page").exists()  # the whole year on one page
    assert page(site, "/2017/11/").find(".//main/h2") is None  # a month needs no month heading
    assert page(site, "/").find(".//main//article") is not None  # the home page keeps excerpts


def test_arabic_terms_are_separated_by_the_arabic_comma(tmp_path: Path) -> None:
    site = build_site(
        make_site(
            tmp_path,
            {"a.md": post("تحالف جديد", "2017-01-01", lang="ar", tags=["تحالف", "عمان"])},
            {**SETTINGS, "language": "ar", "slug_unicode": True},
        )
    )
    terms = page(site, "/").find(".//p[@class='entry-terms entry-tags']")
    assert text(terms) == "الوسوم: تحالف، عمان"
    assert text(page(site, "/tag/تحالف/").find(".//main/p[@class='list-meta']")).startswith(
        "عدد التدوينات: 1"
    )


def test_the_not_found_page_lists_the_newest_posts(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, posts(), SETTINGS))
    newest = page(site, "404.html").find(".//section[@class='newest-posts']")
    assert newest is not None
    assert text(newest.find("h2")) == "Latest posts"
    links = [(text(a), a.get("href")) for a in newest.iter("a")]
    assert links[0] == ("Detained in Muscat", "/2017/11/04/detained-in-muscat/")
    assert len(links) == 4


def test_the_stylesheet_sets_right_to_left_scripts_and_paper_apart(tmp_path: Path) -> None:
    css = (build_site(make_site(tmp_path, posts())) / "static" / "style.css").read_text()
    assert ":lang(ar)" in css and "Noto Naskh Arabic" in css and ":lang(ur)" in css
    print_rules = css.split("@media print", 1)[1]
    for hidden in (".site-nav", ".site-footer", ".related-posts", ".post-navigation"):
        assert hidden in print_rules.split("display: none")[0]
    assert 'content: " (" attr(href) ")"' in print_rules
    assert "break-inside: avoid" in print_rules


def test_a_post_prints_its_address(tmp_path: Path) -> None:
    single = page(
        build_site(make_site(tmp_path, posts(), SETTINGS)), "/2017/11/02/a-coalition-forms/"
    )
    printed = by_class(single, "print-only")
    assert [text(p) for p in printed] == [
        "Dispatch: https://example.org/2017/11/02/a-coalition-forms/"
    ]
