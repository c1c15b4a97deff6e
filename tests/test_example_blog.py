"""The example blog that ships in content/ and templates/, built as its readers get it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REPO, broken_links, page, parse_html, text

from hrdblog.build import build
from hrdblog.config import load_config

COALITION_POSTS = [
    ("How a coalition signs a joint statement in 48 hours", "June 14, 2017"),
    ("Human Rights Day: what joint statements achieve", "December 10, 2016"),
    ("Why a jury of ten organisations chooses the Martin Ennals laureate", "May 10, 2016"),
    ("A new EU mechanism brings twelve organisations together for defenders", "October 22, 2015"),
    ("29 November: the coalition behind Women Human Rights Defenders Day", "November 29, 2014"),
    ("The Observatory: two networks, one alarm system", "June 3, 2014"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("example") / "site"
    build(load_config(REPO, output_dir=output))
    return output


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
        assert "coalition" in [text(a) for a in article.findall(".//p[@class='entry-tags']/a")]
    more_texts = [text(a.find(".//p[@class='more-link']/a")) for a in articles]
    assert more_texts.count("Read the rest of this entry »") == 5
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
    assert len(page(site, "/page/2/").findall(".//main//article")) == 6
    assert not (site / "page" / "3").exists()
    assert not list(site.rglob("*notes-for-trial-observers*"))  # a draft
    counts = {text(li) for li in page(site, "/tag/").findall(".//li")}
    assert {"coalition (6)", "UN (6)", "reprisals (4)"} <= counts


def test_the_example_templates_override_the_default_theme(site: Path) -> None:
    home = page(site, "/")
    assert text(home.find(".//p[@class='site-mission']")).startswith(
        "Documenting attacks on defenders"
    )
    assert "example blog that ships with hrdblog" in text(home.find(".//footer"))


def test_every_page_parses_and_every_link_resolves(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 2 + 16 + 21 + 1  # home pages, posts, tag pages, tag index
    for path in pages:
        root = parse_html(path)
        assert root.get("lang") == "en"
        assert len(root.findall(".//h1")) == 1, path
        assert root.find(".//main") is not None
    assert broken_links(site) == []


def test_pages_load_nothing_from_another_origin(site: Path) -> None:
    for path in site.rglob("*.html"):
        for element in parse_html(path).iter():
            for attribute in ("src", "srcset", "poster", "data"):
                assert "//" not in (element.get(attribute) or ""), (path, element.tag)
            if element.tag == "link":
                assert "//" not in element.get("href", ""), path
    assert "url(" not in (site / "static" / "style.css").read_text()
    assert "@import" not in (site / "static" / "style.css").read_text()
