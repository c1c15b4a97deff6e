"""Pages: About, Contact, Donate … files under content/pages/, published at the path of their
file, in no list, archive or feed, and in the sitemap."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml
from helpers import broken_links, build_site, by_class, make_site, page, post, run_cli, text

from hrdblog.build import build
from hrdblog.config import load_config
from hrdblog.errors import ErrorList

SETTINGS = {"title": "Dispatch", "base_url": "https://example.org/"}


def a_page(title: str, body: str = "Some text.", **fields: object) -> str:
    """Return the text of a page file: front matter without a date, and a body."""
    meta = {"title": title, **fields}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body


def blog(root: Path, **more: str) -> Path:
    return make_site(
        root,
        {
            "2017/statement.md": post("A statement", "2017-11-04", "News.", tags=["coalition"]),
            "pages/about.md": a_page(
                "About us", "We are **an organisation**.", updated="2020-01-02"
            ),
            "pages/about/team.md": a_page("Our team", "The team."),
            "pages/contact/index.md": a_page("Contact", "![Where we are](map.svg)"),
            "pages/Take Action.md": a_page("Take action", "Act now."),
            "pages/donate.md": a_page("Give", "Thank you.", url="/support/donate/"),
            "pages/old.md": a_page("Mission", "Why.", slug="mission", aliases=["/who-we-are/"]),
            **more,
        },
        SETTINGS,
        files={
            "content/pages/contact/map.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
        },
    )


def test_a_page_is_published_at_the_path_of_its_file(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    about = page(site, "/about/")
    assert text(about.find(".//h1")) == "About us"
    assert text(about.find(".//title")) == "About us – Dispatch"
    assert "We are an organisation." in text(by_class(about, "entry-content")[0])
    assert text(page(site, "/about/team/").find(".//h1")) == "Our team"
    contact = page(site, "/contact/")
    assert contact.find(".//img").get("src") == "map.svg"
    assert (site / "contact" / "map.svg").is_file()  # a page's folder is published beside it
    assert text(page(site, "/take-action/").find(".//h1")) == "Take action"
    assert text(page(site, "/support/donate/").find(".//h1")) == "Give"  # its `url:`
    assert text(page(site, "/mission/").find(".//h1")) == "Mission"  # its `slug:`
    assert not (site / "old").exists() and not (site / "donate").exists()
    assert broken_links(site, "https://example.org/") == []


def test_a_page_shows_when_it_was_updated_and_says_what_it_is(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    about = page(site, "/about/")
    time = about.find(".//main//time")
    assert time is not None and time.get("datetime") == "2020-01-02T00:00:00+00:00"
    assert text(by_class(about, "entry-meta")[0]) == "Last updated: January 2, 2020"
    assert page(site, "/about/team/").find(".//main//time") is None  # no date, none shown
    metas = {m.get("property") or m.get("name"): m.get("content") for m in about.iter("meta")}
    assert metas["description"] == "We are an organisation."
    assert metas["og:type"] == "website"
    canonical = next(link for link in about.iter("link") if link.get("rel") == "canonical")
    assert canonical.get("href") == "https://example.org/about/"


def test_pages_are_in_no_list_archive_or_feed_but_in_the_sitemap(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    for listed in ("index.html", "2017/index.html", "tag/coalition/index.html", "feed.xml"):
        shown = (site / listed).read_text()
        assert "A statement" in shown
        assert "About us" not in shown and "Our team" not in shown
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>https://example.org/about/</loc><lastmod>2020-01-02T00:00:00+00:00</lastmod>" in (
        sitemap
    )
    assert "<url><loc>https://example.org/about/team/</loc></url>" in sitemap
    assert "https://example.org/support/donate/" in sitemap
    assert "who-we-are" not in sitemap  # an old address is no page of its own


def test_an_old_address_of_a_page_leads_to_it(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    old = (site / "who-we-are" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../mission/">' in old


def test_a_draft_page_is_published_only_with_drafts(tmp_path: Path) -> None:
    root = blog(tmp_path, **{"pages/soon.md": a_page("Coming", "Soon.", draft=True)})
    site = build_site(root)
    assert not (site / "soon").exists()
    result = run_cli("build", "--source", str(root), "--drafts")
    assert result.exit_code == 0, result.output
    shown = page(site, "/soon/")
    assert text(by_class(shown, "entry-status")[0]) == "Draft"


def test_terms_on_a_page_are_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = blog(tmp_path, **{"pages/tagged.md": a_page("With terms", tags=["coalition"])})
    with caplog.at_level(logging.WARNING, logger="hrdblog"):
        site = build_site(root)
    assert (
        "content/pages/tagged.md:3: 'tags' is left out: a file under content/pages/ is a page, "
        "in no list of posts, so it has no terms (a post belongs in another folder of content/)"
    ) in caplog.messages
    tag_page = (site / "tag" / "coalition" / "index.html").read_text()
    assert "With terms" not in tag_page


def test_a_page_needs_a_title_and_no_date(tmp_path: Path) -> None:
    root = blog(
        tmp_path,
        **{
            "pages/untitled.md": "---\nlang: en\n---\nText.\n",
            "pages/dated.md": a_page("Dated", date="2015-01-01"),
        },
    )
    with pytest.raises(ErrorList) as raised:
        build(load_config(root))
    assert [str(e) for e in raised.value.errors] == [
        "content/pages/untitled.md:1: 'title' is missing\n"
        "  hint: add a line like `title: About us` to the front matter"
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "pages/bad.md",
            a_page("Bad", url="https://elsewhere.example/"),
            "content/pages/bad.md:3: 'url' must be an address on this site like /about/ or "
            "/about/team/, got 'https://elsewhere.example/'",
        ),
        (
            "pages/home.md",
            a_page("Home", url="/"),
            "content/pages/home.md:3: 'url' must be an address on this site like /about/ or "
            "/about/team/, got '/'",
        ),
        (
            "pages/!!!.md",
            a_page("Marks"),
            "content/pages/!!!.md:2: the file name '!!!' has no letters or digits: it cannot "
            "make the page's address",
        ),
        (
            "pages/con/x.md",
            a_page("Device"),
            "content/pages/con/x.md:2: the folder name 'con' is a device name on Windows: it "
            "cannot make the page's address",
        ),
    ],
)
def test_a_page_whose_address_cannot_be_made_is_an_error(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    with pytest.raises(ErrorList) as raised:
        build(load_config(blog(tmp_path, **{name: content})))
    assert [str(e).split("\n")[0] for e in raised.value.errors] == [message]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "pages/tag.md",
            a_page("Tags"),
            "content/pages/tag.md:2: the page /tag/ would be written to tag/index.html, as "
            "would the index of tags",
        ),
        (
            "pages/2017.md",
            a_page("Our year"),
            "content/pages/2017.md:2: the page /2017/ would be written to 2017/index.html, as "
            "would the archive /2017/",
        ),
        (
            "pages/clash.md",
            a_page("Clash", url="/2017/11/04/a-statement/"),
            "content/pages/clash.md:3: the page /2017/11/04/a-statement/ would be written to "
            "2017/11/04/a-statement/index.html, as would the post (content/2017/statement.md:2)",
        ),
        (
            "pages/twice.md",
            a_page("Twice", url="/about/team/"),
            "content/pages/about/team.md:2: the page /about/team/ would be written to "
            "about/team/index.html, as would the page /about/team/ (content/pages/twice.md:3)",
        ),
    ],
)
def test_a_page_at_the_address_of_another_output_is_an_error_naming_both(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    with pytest.raises(ErrorList) as raised:
        build(load_config(blog(tmp_path, **{name: content})))
    assert [str(e).split("\n")[0] for e in raised.value.errors] == [message]


def test_a_page_folder_holding_other_pages_is_an_error(tmp_path: Path) -> None:
    root = blog(tmp_path, **{"pages/about/index.md": a_page("About, again")})
    with pytest.raises(ErrorList) as raised:
        build(load_config(root))
    assert [str(e) for e in raised.value.errors] == [
        "content/pages/about/index.md: this page's folder content/pages/about/ also holds "
        "1 other page (content/pages/about/team.md): a page's folder, published beside its "
        "page, may hold only that page and its files\n"
        "  hint: rename index.md after the page (about.md), or move the other pages out of "
        "its folder"
    ]


def test_a_unicode_file_name_keeps_its_letters_where_the_site_asks(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"pages/من-نحن.md": a_page("من نحن", "نحن منظمة.", lang="ar")},
        {**SETTINGS, "slug_unicode": True},
    )
    site = build_site(root)
    about = page(site, "/من-نحن/")
    article = about.find(".//article")
    assert article is not None and article.get("lang") == "ar" and article.get("dir") == "rtl"
    assert "https://example.org/%D9%85%D9%86-%D9%86%D8%AD%D9%86/" in (
        (site / "sitemap.xml").read_text()
    )


@pytest.mark.parametrize("address", ["/con/", "/.git/x/", "/a:b/", "/aux.html"])
def test_an_address_some_disks_refuse_is_an_error_as_url_or_alias(
    tmp_path: Path, address: str
) -> None:
    for field in ("url", "aliases"):
        value: object = address if field == "url" else [address]
        root = blog(tmp_path / field, **{"pages/odd.md": a_page("Odd", **{field: value})})
        with pytest.raises(ErrorList) as raised:
            build(load_config(root))
        (message,) = [str(e).split("\n")[0] for e in raised.value.errors]
        assert message.startswith(f"content/pages/odd.md:3: '{field}' must be "), message
