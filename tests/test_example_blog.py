"""The example blog that ships in content/ and templates/, built as its readers get it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import feedparser
import pytest
from helpers import broken_links, page, parse_html, text

COALITION_POSTS = [
    ("How a coalition signs a joint statement in 48 hours", "June 14, 2017"),
    ("Human Rights Day: what joint statements achieve", "December 10, 2016"),
    ("Why a jury of ten organisations chooses the Martin Ennals laureate", "May 10, 2016"),
    ("Honduras: organisations join forces to demand justice for Berta Cáceres", "March 4, 2016"),
    ("A new EU mechanism brings twelve organisations together for defenders", "October 22, 2015"),
    ("29 November: the coalition behind Women Human Rights Defenders Day", "November 29, 2014"),
    ("The Observatory: two networks, one alarm system", "June 3, 2014"),
]
BASE = "https://dispatch.example.org/"


@pytest.fixture(scope="module")
def site(example_site: Path) -> Path:
    return example_site


def test_the_coalition_tag_page(site: Path) -> None:
    tag_page = page(site, "/tag/coalition/")
    assert text(tag_page.find(".//main//h1")) == "Posts Tagged ‘coalition’"
    articles = tag_page.findall(".//main//article")
    assert [(text(a.find("h2")), text(a.find(".//time"))) for a in articles] == COALITION_POSTS
    for article in articles:
        title_link = article.find("h2/a").get("href")
        excerpt = text(article.find(".//div[@class='entry-summary']"))
        assert len(excerpt.split()) >= 15, title_link
        more = article.find(".//p[@class='more-link']/a")
        assert more is not None, title_link
        assert more.get("href") == f"{title_link}#more"
        assert "coalition" in [
            text(a) for a in article.findall(".//p[@class='entry-terms entry-tags']/a")
        ]
    more_texts = [text(a.find(".//p[@class='more-link']/a")) for a in articles]
    assert more_texts.count("Read the rest of this entry »") == 6
    assert "How the Observatory works" in more_texts


def test_the_three_kinds_of_excerpt(site: Path) -> None:
    articles = {
        text(a.find("h2")): a for a in page(site, "/tag/coalition/").findall(".//main//article")
    }
    by_marker = text(articles["How a coalition signs a joint statement in 48 hours"].find(".//div"))
    assert by_marker == (
        "A defender is arrested on a Monday; the hearing is on Thursday. A joint statement published "
        "on Wednesday can still make a difference. Here is how experienced coalitions manage it."
    )
    by_summary = text(
        articles["Why a jury of ten organisations chooses the Martin Ennals laureate"].find(
            ".//div"
        )
    )
    assert by_summary.startswith("The Martin Ennals Award is chosen not by one organisation")
    by_words = text(articles["Human Rights Day: what joint statements achieve"].find(".//div"))
    assert len(by_words.split()) == 55
    assert by_words.endswith("\u2026")


def test_the_post_page_continues_at_the_more_anchor(site: Path) -> None:
    post = page(site, "/2014/06/03/observatory-alarm-system/")
    content = post.find(".//div[@class='entry-content']")
    children = list(content)
    anchor = next(i for i, e in enumerate(children) if e.get("id") == "more")
    assert text(children[anchor - 1]).startswith("When a defender is arrested")
    assert text(children[anchor + 1]).startswith("Two international federations")


def test_home_pages_drafts_and_the_tag_index(site: Path) -> None:
    home = page(site, "/")
    assert len(home.findall(".//main//article")) == 10
    assert len(page(site, "/page/2/").findall(".//main//article")) == 8
    assert not (site / "page" / "3").exists()
    assert not list(site.rglob("*notes-for-trial-observers*"))  # a draft
    counts = {text(li) for li in page(site, "/tag/").findall(".//main//li")}
    assert {"coalition (7)", "UN (6)", "reprisals (4)"} <= counts
    assert "تحالفات (2)" in {text(li) for li in page(site, "/ar/tag/").findall(".//main//li")}


def test_arabic_posts_have_their_own_tree_with_tag_pages_feeds_and_archives(site: Path) -> None:
    home = page(site, "/ar/")
    assert (home.get("lang"), home.get("dir")) == ("ar", "rtl")
    tag_page = page(site, "/ar/tag/تحالفات/")
    assert text(tag_page.find(".//main//h1")) == "التدوينات الموسومة بـ«تحالفات»"
    assert len(tag_page.findall(".//main//article")) == 2
    parsed = feedparser.parse((site / "ar" / "tag" / "تحالفات" / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == [
        "شبكات الحماية المحلية حين ينظم المدافعون أنفسهم",
        "في اليوم الدولي للمدافعات عن حقوق الإنسان: لماذا نعمل معًا",
    ]
    assert (
        parsed.entries[0].link
        == f"{BASE}ar/2017/03/01/شبكات-الحماية-المحلية-حين-ينظم-المدافعون-أنفسهم/"
    )
    march = page(site, "/ar/2017/03/")
    assert text(march.find(".//main//h1")) == "أرشيف مارس 2017"
    post = page(site, "/ar/2013/12/10/إعلان-المدافعين-عن-حقوق-الإنسان-يبلغ-عامه-الخامس-عشر/")
    assert post.get("dir") == "rtl"
    assert text(post.find(".//p[@class='entry-meta']")) == "10 ديسمبر 2013 بقلم فريق التحرير"
    assert text(post.find(".//p[@class='entry-terms entry-tags']")).startswith("الوسوم:")
    assert not (site / "2017" / "03").exists()  # not in the English tree


def test_three_posts_and_a_page_are_translated_and_link_each_other(site: Path) -> None:
    pairs = {
        "/2013/12/09/the-declaration-on-human-rights-defenders-turns-fifteen/": (
            "/ar/2013/12/10/إعلان-المدافعين-عن-حقوق-الإنسان-يبلغ-عامه-الخامس-عشر/"
        ),
        "/2014/11/29/29-november-the-coalition-behind-women-human-rights-defenders-day/": (
            "/ar/2016/11/29/في-اليوم-الدولي-للمدافعات-عن-حقوق-الإنسان-لماذا-نعمل-معًا/"
        ),
        "/2017/02/15/local-defenders-organise-their-own-protection-networks/": (
            "/ar/2017/03/01/شبكات-الحماية-المحلية-حين-ينظم-المدافعون-أنفسهم/"
        ),
        "/about/": "/ar/about/",
        "/tag/coalition/": "/ar/tag/تحالفات/",
    }
    for english, arabic in pairs.items():
        expected = {
            "en": BASE + english[1:],
            "ar": BASE + arabic[1:],
            "x-default": BASE + english[1:],
        }
        for url in (english, arabic):
            links = {
                link.get("hreflang"): unquote(link.get("href") or "")
                for link in page(site, url).iter("link")
                if link.get("hreflang")
            }
            assert links == expected, url


def test_the_pages_and_the_menu(site: Path) -> None:
    nav = next(n for n in page(site, "/contact/").iter("nav") if n.get("class") == "site-nav")
    entries = [(text(a), a.get("href"), a.get("aria-current")) for a in nav.iter("a")]
    assert entries == [
        ("Home", "../", None),
        ("About us", "../about/", None),
        ("Contact", "./", "page"),
        ("Coalitions", "../tag/coalition/", None),
        ("Countries", "../country/", None),
        ("Archives", "../archives/", None),
        ("Donate", "../donate/", None),
    ]
    about = page(site, "/about/")
    assert text(about.find(".//main//h1")) == "About us"
    assert text(about.find(".//p[@class='entry-meta']")) == "Last updated: June 1, 2017"
    assert "Reaching us safely" in text(page(site, "/contact/").find(".//main"))
    assert "/donate/" in (site / "sitemap.xml").read_text()
    assert "Donate" not in (site / "index.html").read_text().split("</header>")[1]


def test_every_feed_of_the_example_blog_parses(site: Path) -> None:
    feeds = sorted(site.rglob("feed.xml"))
    # In English: the site, every tag, every country; in Arabic: the site, every tag
    assert len(feeds) == (1 + 25 + 2) + (1 + 5)
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, path
        assert parsed.entries, path
    site_feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert len(site_feed.entries) == 18  # every English post: fewer than feed_items
    assert site_feed.entries[0].title == "The annual UN report on reprisals, and why it matters"


def test_countries_are_declared_and_used(site: Path) -> None:
    assert [text(li) for li in page(site, "/country/").findall(".//main//li")] == [
        "Honduras (1)",
        "Mexico (1)",
    ]
    assert text(page(site, "/country/mexico/").find(".//main//h1")) == "Posts about Mexico"
    post = page(site, "/2016/03/04/honduras-justice-for-berta-caceres/")
    assert text(post.find(".//p[@class='entry-terms entry-countries']")) == "Countries: Honduras"


def test_archives_count_every_post(site: Path) -> None:
    listing = page(site, "/archives/")
    years = [text(h) for h in listing.findall(".//main//h2")]
    assert years == ["2017 (6)", "2016 (5)", "2015 (2)", "2014 (3)", "2013 (2)"]
    arabic = [text(h) for h in page(site, "/ar/archives/").findall(".//main//h2")]
    assert arabic == ["2017 (1)", "2016 (1)", "2013 (1)"]


def test_the_example_templates_override_the_default_theme(site: Path) -> None:
    home = page(site, "/")
    assert text(home.find(".//p[@class='site-mission']")).startswith(
        "Documenting attacks on defenders"
    )
    assert text(page(site, "/ar/").find(".//p[@class='site-mission']")).startswith(
        "نوثّق الاعتداءات على المدافعين"
    )
    assert "example blog that ships with hrdblog" in text(home.find(".//footer"))


def test_every_page_parses_and_every_link_resolves(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    home, posts, own, tags, countries = 2, 18, 3, 25 + 1, 2 + 1
    archives = 5 + 16 + 18  # years, months, days with posts, 2013 to 2017
    # The listing, the not-found page, search and the mirrors page, in each language.
    english = home + posts + own + tags + countries + archives + 1 + 1 + 1 + 1
    arabic = 1 + 3 + 1 + (5 + 1) + (3 + 3 + 3) + 1 + 1 + 1 + 1
    assert len(pages) == english + arabic
    for path in pages:
        root = parse_html(path)
        assert root.get("lang") == ("ar" if path.is_relative_to(site / "ar") else "en")
        assert len(root.findall(".//h1")) == 1, path
        assert root.find(".//main") is not None
    assert broken_links(site, base_url=BASE) == []


def test_pages_load_nothing_from_another_origin(site: Path) -> None:
    for path in site.rglob("*.html"):
        for element in parse_html(path).iter():
            for attribute in ("src", "srcset", "poster", "data"):
                assert "//" not in (element.get(attribute) or "").removeprefix(BASE), (
                    path,
                    element.tag,
                )
            if element.tag == "link" and element.get("rel") not in {"canonical", "alternate"}:
                assert "//" not in element.get("href", "").removeprefix(BASE), path
    assert "url(" not in (site / "static" / "style.css").read_text()
    assert "@import" not in (site / "static" / "style.css").read_text()
