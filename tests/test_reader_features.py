"""What a reader finds around the lists: feeds, date archives, taxonomies, post navigation,
the sitemap, robots.txt, the not-found page, and posts in right-to-left languages."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from helpers import broken_links, build_site, by_class, make_site, page, parse_html, post, text

BASE = "https://news.example.org/dispatch/"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def blog() -> dict[str, str]:
    return {
        "2017/strike.md": post(
            "Hunger strike in Oman",
            "2017-11-04 10:30",
            "Lawyers say the defender is weak.\n\n<!--more-->\n\nSee [the coalition](../../../../tag/coalition/).",
            tags=["coalition", "detention"],
            countries=["Oman"],
            source={"name": "Gulf Centre", "url": "https://gulf.example/story"},
        ),
        "2017/statement.md": post(
            "Joint statement on reprisals",
            "2017-11-02",
            "Twenty organisations signed.",
            tags=["coalition", "reprisals"],
            countries=["Oman", "Bahrain"],
            updated="2017-11-20 08:00",
        ),
        "2016/network.md": post(
            "Defenders form a network", "2016-05-10", "Text.", tags=["coalition"]
        ),
        "2017/arabic.md": post(
            "تحالف جديد لحماية المدافعين",
            "2017-11-03",
            "أعلنت منظمات عدة عن تحالف جديد.",
            tags=["تحالف", "coalition"],
            countries=["Oman"],
            lang="ar",
        ),
    }


SETTINGS = {
    "title": "Dispatch",
    "base_url": BASE,
    "slug_unicode": True,
    "taxonomies": {
        "countries": {
            "path": "country",
            "title": "Countries",
            "heading": "Posts about %s",
            "label": "Countries:",
        }
    },
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(make_site(tmp_path_factory.mktemp("reader"), blog(), SETTINGS))


def feed(site: Path, url: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse((site / url.lstrip("/")).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


# Feeds


def test_the_site_feed_lists_posts_newest_first_with_absolute_addresses(site: Path) -> None:
    parsed = feed(site, "/feed.xml")
    assert parsed.feed.title == "Dispatch"
    assert parsed.feed.link == BASE
    assert [e.title for e in parsed.entries] == [
        "Hunger strike in Oman",
        "تحالف جديد لحماية المدافعين",
        "Joint statement on reprisals",
        "Defenders form a network",
    ]
    first = parsed.entries[0]
    assert first.link == f"{BASE}2017/11/04/hunger-strike-in-oman/"
    content = first.content[0].value
    assert "See" in content  # the full text, not the excerpt
    assert f'href="{BASE}tag/coalition/"' in content


def test_links_in_feed_entries_are_made_absolute_as_a_browser_resolves_them(tmp_path: Path) -> None:
    body = (
        "See [the appeal](appeal.pdf), [the tag](/tag/oman/), [a note](#note), "
        "[elsewhere](https://other.example/x?a=1&b=2), [mail](mailto:desk@example.org) "
        "and ![a photo](photo.jpg)."
    )
    site = build_site(
        make_site(tmp_path, {"a.md": post("A", "2017-11-04", body)}, {"base_url": BASE})
    )
    content = feed(site, "/feed.xml").entries[0].content[0].value
    permalink = f"{BASE}2017/11/04/a/"
    assert f'href="{permalink}appeal.pdf"' in content
    assert 'href="https://news.example.org/tag/oman/"' in content  # from the domain's root
    assert f'href="{permalink}#note"' in content
    assert 'href="https://other.example/x?a=1&amp;b=2"' in content
    assert 'href="mailto:desk@example.org"' in content
    assert f'src="{permalink}photo.jpg"' in content


def test_feeds_meet_the_atom_specification(site: Path) -> None:
    for path in sorted(site.rglob("feed.xml")):
        root = ET.parse(path).getroot()
        assert root.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated", "author"):
            assert root.find(f"{ATOM}{required}") is not None, (path, required)
        assert (
            root.find(f"{ATOM}link[@rel='self']").get("href")
            == BASE + path.relative_to(site).as_posix()
        )
        entries = root.findall(f"{ATOM}entry")
        assert entries, path
        for entry in entries:
            for required in ("id", "title", "updated", "link", "content"):
                assert entry.find(f"{ATOM}{required}") is not None, (path, required)
            assert entry.get(XML_LANG) in {"en", "ar"}


def test_feed_entries_carry_language_dates_and_terms(site: Path) -> None:
    entries = {e.title: e for e in feed(site, "/feed.xml").entries}
    root = ET.parse(site / "feed.xml").getroot()
    langs = {e.find(f"{ATOM}title").text: e.get(XML_LANG) for e in root.findall(f"{ATOM}entry")}
    assert langs["تحالف جديد لحماية المدافعين"] == "ar"
    assert langs["Joint statement on reprisals"] == "en"
    statement = entries["Joint statement on reprisals"]
    assert statement.published == "2017-11-02T00:00:00+00:00"
    assert statement.updated == "2017-11-20T08:00:00+00:00"
    assert {t.term for t in statement.tags} == {"coalition", "reprisals", "oman", "bahrain"}
    assert root.find(f"{ATOM}updated").text == "2017-11-20T08:00:00+00:00"


def test_every_tag_and_term_has_its_feed_advertised_on_its_page(site: Path) -> None:
    for url in ("/tag/coalition/", "/tag/تحالف/", "/country/oman/", "/country/bahrain/"):
        links = page(site, url).findall(".//head/link[@rel='alternate']")
        assert links[0].get("href") == "feed.xml"
        assert links[0].get("type") == "application/atom+xml"
        assert links[1].get("href").endswith("feed.xml")
    assert [e.title for e in feed(site, "/country/oman/feed.xml").entries] == [
        "Hunger strike in Oman",
        "تحالف جديد لحماية المدافعين",
        "Joint statement on reprisals",
    ]
    assert feed(site, "/country/oman/feed.xml").feed.title == "Posts about Oman – Dispatch"
    assert page(site, "/").find(".//head/link[@rel='alternate']").get("href") == "feed.xml"


def test_entry_ids_survive_a_change_of_title(tmp_path: Path) -> None:
    root = make_site(
        tmp_path, {"statement.md": post("First title", "2017-11-02")}, {"base_url": BASE}
    )
    before = feed(build_site(root), "/feed.xml").entries[0]
    (root / "content" / "statement.md").write_text(post("A better title", "2017-11-02"))
    after = feed(build_site(root), "/feed.xml").entries[0]
    assert before.link != after.link
    assert before.id == after.id == "tag:news.example.org,2017-11-02:statement"


def test_feed_length_and_excerpt_mode_are_settings(tmp_path: Path) -> None:
    posts = {
        f"p{i}.md": post(f"Post {i}", f"2017-01-{i:02}", "Intro.\n\n<!--more-->\n\nRest.")
        for i in range(1, 10)
    }
    site = build_site(
        make_site(tmp_path, posts, {"base_url": BASE, "feed_items": 3, "feed_content": "excerpt"})
    )
    entries = feed(site, "/feed.xml").entries
    assert [e.title for e in entries] == ["Post 9", "Post 8", "Post 7"]
    assert entries[0].summary == "<p>Intro.</p>"
    assert "content" not in entries[0]


def test_without_base_url_the_build_says_once_why_there_are_no_feeds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        site = build_site(make_site(tmp_path, blog(), {**SETTINGS, "base_url": ""}))
    assert caplog.messages == [
        "feeds and sitemap.xml were not written: they need the site's address; set base_url in hrdblog.yaml"
    ]
    assert not list(site.rglob("*.xml"))
    assert page(site, "/").find(".//head/link[@rel='alternate']") is None
    assert (site / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"


# Date archives


def test_date_archives_are_headed_counted_and_linked_from_post_dates(site: Path) -> None:
    month = page(site, "/2017/11/")
    assert text(month.find(".//main//h1")) == "Archive for November 2017"
    assert len(month.findall(".//main//article")) == 3
    assert text(page(site, "/2017/").find(".//main//h1")) == "Archive for 2017"
    assert text(page(site, "/2017/11/04/").find(".//main//h1")) == "Archive for November 4, 2017"
    strike = page(site, "/2017/11/04/hunger-strike-in-oman/")
    assert strike.find(".//p[@class='entry-meta']/time/a").get("href") == "../"


def test_the_archive_listing_has_years_with_their_months_and_counts(site: Path) -> None:
    listing = page(site, "/archives/")
    years = listing.findall(".//main//section")
    assert [text(y.find("h2")) for y in years] == ["2017 (3)", "2016 (1)"]
    assert [text(li) for li in years[0].findall(".//li")] == ["November 2017 (3)"]
    assert years[1].find(".//li/a").get("href") == "../2016/05/"


# Taxonomies


def test_each_taxonomy_has_term_pages_and_an_index(site: Path) -> None:
    oman = page(site, "/country/oman/")
    assert text(oman.find(".//main//h1")) == "Posts about Oman"
    assert len(oman.findall(".//main//article")) == 3
    assert [text(li) for li in page(site, "/country/").findall(".//main//li")] == [
        "Bahrain (1)",
        "Oman (3)",
    ]
    nav = [text(a) for a in page(site, "/").findall(".//nav[@class='site-nav']//a")]
    assert nav == ["Home", "Tags", "Countries", "Archives"]  # no categories are used
    assert not (site / "category").exists()


# The post page


def test_the_post_page_links_its_neighbours_related_posts_terms_and_source(site: Path) -> None:
    statement = page(site, "/2017/11/02/joint-statement-on-reprisals/")
    nav = statement.find(".//nav[@class='post-navigation']")
    assert [(a.get("rel"), text(a)) for a in nav.findall("a")] == [
        ("prev", "« Defenders form a network"),
        ("next", "تحالف جديد لحماية المدافعين »"),
    ]
    related = [text(a) for a in statement.findall(".//section[@class='related-posts']//a")]
    assert related == [
        "Hunger strike in Oman",
        "تحالف جديد لحماية المدافعين",
        "Defenders form a network",
    ]
    labels = [text(p).split(" ")[0] for p in by_class(statement, "entry-terms")]
    assert labels == ["Tags:", "Countries:"]
    strike = page(site, "/2017/11/04/hunger-strike-in-oman/")
    source = strike.find(".//p[@class='entry-source']")
    assert text(source) == "via Gulf Centre"
    assert source.find("a").get("href") == "https://gulf.example/story"


def test_the_post_page_has_canonical_description_and_opengraph(site: Path) -> None:
    head = page(site, "/2017/11/04/hunger-strike-in-oman/").find("head")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in head.findall("meta")}
    assert (
        head.find("link[@rel='canonical']").get("href")
        == f"{BASE}2017/11/04/hunger-strike-in-oman/"
    )
    assert meta["og:url"] == f"{BASE}2017/11/04/hunger-strike-in-oman/"
    assert meta["og:title"] == "Hunger strike in Oman"
    assert meta["og:type"] == "article"
    assert meta["description"] == meta["og:description"] == "Lawyers say the defender is weak."
    assert meta["article:published_time"] == "2017-11-04T10:30:00+00:00"
    assert meta["referrer"] == "no-referrer"


# Site-wide files


def test_sitemap_lists_every_page_with_absolute_urls_and_lastmod(site: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ET.parse(site / "sitemap.xml").getroot().findall("s:url", ns)
    locations = {u.find("s:loc", ns).text: u.find("s:lastmod", ns).text for u in urls}
    pages = [p for p in site.rglob("index.html") if p.parent.name != "search"]
    assert len(locations) == len(pages)
    assert locations[BASE] == "2017-11-20T08:00:00+00:00"
    assert (
        locations[f"{BASE}2017/11/02/joint-statement-on-reprisals/"] == "2017-11-20T08:00:00+00:00"
    )
    assert locations[f"{BASE}2016/"] == "2016-05-10T00:00:00+00:00"
    assert f"{BASE}404.html" not in locations
    assert (
        site / "robots.txt"
    ).read_text() == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"


def test_the_not_found_page_links_from_the_root_under_the_site_path(site: Path) -> None:
    not_found = parse_html(site / "404.html")
    assert text(not_found.find(".//main//h1")) == "Page not found"
    # Served at any address, it links from the root of the domain, under the site's path:
    # never to another origin, so a mirror's 404 page requests nothing from the original.
    stylesheet = not_found.find(".//head/link[@rel='stylesheet']").get("href")
    assert stylesheet == "/dispatch/static/style.css"
    assert broken_links(site, base_url=BASE) == []


def test_without_base_url_the_not_found_page_links_from_the_root(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, blog(), {**SETTINGS, "base_url": ""}))
    assert (
        parse_html(site / "404.html").find(".//head/link[@rel='stylesheet']").get("href")
        == "/static/style.css"
    )


# Languages and right-to-left


def test_a_right_to_left_post_is_marked_on_its_page_and_in_every_list(site: Path) -> None:
    post_page = page(site, "/2017/11/03/تحالف-جديد-لحماية-المدافعين/")
    article = post_page.find(".//main/article")
    assert (article.get("lang"), article.get("dir")) == ("ar", "rtl")
    assert text(article.find(".//time")) == "3 نوفمبر 2017"
    for url in ("/", "/tag/coalition/", "/country/oman/", "/2017/11/", "/tag/تحالف/"):
        entry = next(
            a for a in page(site, url).findall(".//main//article") if "تحالف" in text(a.find("h2"))
        )
        assert (entry.get("lang"), entry.get("dir")) == ("ar", "rtl"), url
        assert (
            text(entry.find(".//p[@class='more-link']/a"))
            if entry.find(".//p[@class='more-link']") is not None
            else True
        )
    english = page(site, "/tag/coalition/").findall(".//main//article")[0]
    assert english.get("dir") is None
    assert english.find("h2").get("dir") == "auto"


def test_names_of_mixed_direction_are_isolated(site: Path) -> None:
    heading = page(site, "/tag/تحالف/").find(".//main//h1")
    assert heading.find("bdi").text == "تحالف"
    assert all(a.find("bdi") is not None for a in page(site, "/tag/").findall(".//main//li/a"))


def test_an_arabic_site_reads_right_to_left_in_arabic(tmp_path: Path) -> None:
    site = build_site(
        make_site(tmp_path, blog(), {**SETTINGS, "language": "ar", "posts_per_page": 2})
    )
    home = page(site, "/")
    assert (home.get("lang"), home.get("dir")) == ("ar", "rtl")
    assert text(home.find(".//a[@class='skip-link']")) == "انتقل إلى المحتوى"
    assert text(home.find(".//nav[@class='pagination']/a")) == "« التدوينات الأقدم"
    assert (
        text(page(site, "/tag/coalition/").find(".//main//h1"))
        == "التدوينات الموسومة بـ«coalition»"
    )
    assert text(page(site, "/2017/11/").find(".//main//h1")) == "أرشيف نوفمبر 2017"
    english_entry = page(site, "/").findall(".//main//article")[0]
    assert (english_entry.get("lang"), english_entry.get("dir")) == (None, None)
    assert broken_links(site, base_url=BASE) == []


def test_every_page_of_the_reader_site_parses_and_links_resolve(site: Path) -> None:
    for path in site.rglob("*.html"):
        parse_html(path)
    assert broken_links(site, base_url=BASE) == []


# Old addresses


def test_aliases_become_redirects_to_the_post(tmp_path: Path) -> None:
    old = ["/2017/11/04/old-name/", "/archives/123.html", "/news/strike"]
    site = build_site(
        make_site(
            tmp_path,
            {"a.md": post("Hunger strike", "2017-11-04", "Text.", aliases=old)},
            {"base_url": BASE},
        )
    )
    first = parse_html(site / "2017" / "11" / "04" / "old-name" / "index.html")
    assert first.find(".//meta[@http-equiv='refresh']").get("content") == "0; url=../hunger-strike/"
    assert first.find(".//link[@rel='canonical']").get("href") == f"{BASE}2017/11/04/hunger-strike/"
    assert text(first.find(".//title")) == "Hunger strike"
    second = parse_html(site / "archives" / "123.html")
    assert second.find(".//a").get("href") == "../2017/11/04/hunger-strike/"
    assert (site / "news" / "strike" / "index.html").is_file()
    assert broken_links(site, base_url=BASE) == []
    assert b"old-name" not in (site / "sitemap.xml").read_bytes()


def test_an_alias_at_the_address_of_another_page_is_an_error(tmp_path: Path) -> None:
    from helpers import run_cli

    root = make_site(
        tmp_path,
        {
            "a.md": post("A", "2017-11-04", aliases=["/2017/11/05/b/"]),
            "b.md": post("B", "2017-11-05"),
        },
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "would be written to 2017/11/05/b/index.html" in result.stderr


@pytest.mark.parametrize(
    "alias", ["old-name", "/a/../../etc/", "https://other.example/x", "/?p=123", "/a b/"]
)
def test_an_alias_must_be_a_path_of_this_site(tmp_path: Path, alias: str) -> None:
    from hrdblog.config import load_config
    from hrdblog.read import read_posts

    make_site(tmp_path, {"a.md": post("A", "2017-11-04", aliases=[alias])})
    (error,) = read_posts(load_config(tmp_path)).errors
    assert str(error).startswith(
        "content/a.md:4: 'aliases' must be addresses on this site like /2017/11/04/old-name/"
    )


def test_a_feed_entry_keeps_its_id_when_its_post_moves_into_a_folder(tmp_path: Path) -> None:
    settings = {"base_url": "https://example.org/"}
    flat = build_site(make_site(tmp_path / "a", {"2017/x.md": post("X", "2017-01-01")}, settings))
    folder = build_site(
        make_site(tmp_path / "b", {"2017/x/index.md": post("X", "2017-01-01")}, settings)
    )
    ids = [
        ET.parse(site / "feed.xml").getroot().find(f"{ATOM}entry/{ATOM}id").text
        for site in (flat, folder)
    ]
    assert ids[0] == ids[1] == "tag:example.org,2017-01-01:2017/x"


def test_robots_txt_under_a_sub_path_is_said_to_be_where_crawlers_never_look(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = {"base_url": "https://example.org/news/"}
    build_site(make_site(tmp_path, {"a.md": post("A", "2017-01-01")}, settings))
    said = [m for m in caplog.messages if m.startswith("robots.txt is published at")]
    assert said == [
        "robots.txt is published at https://example.org/news/robots.txt, but crawlers look for "
        "it only at the root of the domain (https://example.org/robots.txt): copy it there, or "
        "ask whoever runs the domain to"
    ]


@pytest.mark.parametrize(
    ("lang", "direction"),
    [
        ("ku", "ltr"),
        ("ku-Latn", "ltr"),
        ("ku-Arab", "rtl"),
        ("ckb", "rtl"),
        ("sd-Deva", "ltr"),
        ("fa", "rtl"),
    ],
)
def test_a_post_is_laid_out_in_the_direction_of_its_script(
    tmp_path: Path, lang: str, direction: str
) -> None:
    site = build_site(make_site(tmp_path, {"a.md": post("A", "2017-01-01", lang=lang)}))
    article = page(site, "/2017/01/01/a/").find(".//article")
    assert (article.get("lang"), article.get("dir")) == (lang, direction)


def test_an_address_written_with_spaces_around_it_leaks_nothing_of_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = 'See <a href=" https://example.org/a">x</a>, <a href=" //example.org/b">y</a>, [z]( ../../z).'
    root = make_site(tmp_path / "blog", {"a.md": post("A", "2017-01-01", body, tags=["t"])})
    (tmp_path / "the-builders-folder").mkdir()
    monkeypatch.chdir(tmp_path / "the-builders-folder")
    site = build_site(root)
    for path in site.rglob("*.html"):
        assert "the-builders-folder" not in path.read_text(), path
    assert 'href="../../2017/01/z"' in (site / "tag" / "t" / "index.html").read_text()
