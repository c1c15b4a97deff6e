"""Fixture sites built end to end: the pages, links and files a reader gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    REPO,
    broken_links,
    build_site,
    make_site,
    page,
    parse_html,
    post,
    run_cli,
    site_files,
    text,
)

from hrdblog.build import build
from hrdblog.config import load_config
from hrdblog.errors import HrdblogError, OutputError, ThemeError

LONG = " ".join(f"word{i}" for i in range(1, 80))


def three_posts() -> dict[str, str]:
    return {
        "2017/first.md": post(
            "First statement",
            "2017-01-10",
            "Intro.\n\n<!--more-->\n\nRest.",
            tags=["coalition", "UN"],
        ),
        "2017/second.md": post("Second", "2017-02-10", LONG, tags=["Coalition"]),
        "2017/third.md": post(
            "Third <script>alert(1)</script>",
            "2017-03-10",
            "Body.",
            tags=["coalition", "reprisals"],
            summary="A *summary*.",
        ),
    }


def entries(site: Path, url: str) -> list:
    return page(site, url).findall(".//main//article")


def test_a_tag_page_reads_like_a_wordpress_tag_archive(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, three_posts()))
    tag_page = page(site, "/tag/coalition/")
    assert text(tag_page.find(".//main//h1")) == "Posts Tagged ‘coalition’"
    assert text(tag_page.find(".//title")) == "Posts Tagged ‘coalition’ – My hrdblog"
    articles = entries(site, "/tag/coalition/")
    assert [text(a.find("h2")) for a in articles] == [
        "Third <script>alert(1)</script>",
        "Second",
        "First statement",
    ]
    third, second, first = articles
    assert third.find("h2/a").get("href") == "../../2017/03/10/third-script-alert-1-script/"
    assert text(third.find(".//time")) == "March 10, 2017"
    assert third.find(".//time").get("datetime") == "2017-03-10T00:00:00+00:00"
    assert text(third.find(".//div[@class='entry-summary']")) == "A summary."
    more = third.find(".//p[@class='more-link']/a")
    assert (text(more), more.get("href")) == (
        "Read the rest of this entry »",
        "../../2017/03/10/third-script-alert-1-script/#more",
    )
    assert [text(a) for a in third.findall(".//p[@class='entry-terms entry-tags']/a")] == [
        "coalition",
        "reprisals",
    ]
    assert [a.get("href") for a in third.findall(".//p[@class='entry-terms entry-tags']/a")] == [
        "./",
        "../reprisals/",
    ]
    assert text(second.find(".//div[@class='entry-summary']")).endswith("word55\u2026")
    assert text(first.find(".//div[@class='entry-summary']")) == "Intro."


def test_scripts_in_titles_are_escaped_everywhere(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, three_posts()))
    for path, content in site_files(site).items():
        assert b"<script>" not in content, path
    assert b"Third &lt;script&gt;alert(1)&lt;/script&gt;" in (site / "index.html").read_bytes()


def test_a_short_post_has_no_read_more_link_and_a_custom_marker_sets_its_text(
    tmp_path: Path,
) -> None:
    site = build_site(
        make_site(
            tmp_path,
            {
                "a.md": post("Short", "2017-01-01", "Just this."),
                "b.md": post(
                    "Custom", "2017-01-02", "Intro.\n\n<!--more Read the full statement-->\n\nRest."
                ),
            },
        )
    )
    custom, short = entries(site, "/")
    assert short.find(".//p[@class='more-link']") is None
    assert text(custom.find(".//p[@class='more-link']/a")) == "Read the full statement"


def test_the_post_page_holds_the_whole_post_with_the_more_anchor(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, three_posts()))
    first = page(site, "/2017/01/10/first-statement/")
    assert text(first.find(".//main//h1")) == "First statement"
    assert text(first.find(".//title")) == "First statement – My hrdblog"
    content = first.find(".//div[@class='entry-content']")
    assert text(content) == "Intro. Rest."
    assert content.find(".//span[@id='more']") is not None
    assert [a.get("href") for a in first.findall(".//p[@class='entry-terms entry-tags']/a")] == [
        "../../../../tag/coalition/",
        "../../../../tag/un/",
    ]
    assert first.find(".//meta[@name='description']").get("content") == "Intro."


def test_home_and_tag_pages_are_paginated_ten_to_a_page(tmp_path: Path) -> None:
    posts = {
        f"p{i:02}.md": post(f"Post {i}", f"2017-01-{i:02}", tags=["coalition"])
        for i in range(1, 26)
    }
    site = build_site(make_site(tmp_path, posts))
    for first in ("/", "/tag/coalition/"):
        second, third = f"{first}page/2/", f"{first}page/3/"
        assert [len(entries(site, url)) for url in (first, second, third)] == [10, 10, 5]
        assert text(entries(site, first)[0].find("h2")) == "Post 25"
        assert text(entries(site, third)[-1].find("h2")) == "Post 1"
        nav = page(site, second).find(".//nav[@class='pagination']")
        links = {text(a): a.get("href") for a in nav.findall("a")}
        assert links == {"« Older Entries": "../3/", "Newer Entries »": "../../"}
        assert text(page(site, second).find(".//main//h1")).endswith("Page 2") or first != "/"
        assert page(site, second).find(".//title").text.count("Page 2") == 1
    assert not (site / "page" / "4").exists()
    assert (
        page(site, "/").find(".//nav[@class='pagination']/a[@rel='next']").get("href") == "page/2/"
    )


def test_the_tag_index_lists_every_tag_with_its_count(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, three_posts()))
    items = [text(li) for li in page(site, "/tag/").findall(".//ul[@class='tag-index']/li")]
    assert items == ["coalition (3)", "reprisals (1)", "UN (1)"]


def test_every_page_is_well_formed_html_and_every_link_resolves(tmp_path: Path) -> None:
    posts = {
        f"p{i:02}.md": post(f"Post {i}", f"2017-01-{i:02}", LONG, tags=["a", "b"])
        for i in range(1, 13)
    }
    site = build_site(make_site(tmp_path, {**posts, **three_posts()}))
    pages = sorted(site.rglob("*.html"))
    home, posts, tags, tag_index = 2, 15, 2 * 2 + 3, 1
    year, months, days = 2, 2 + 1 + 1, 12 + 1 + 1  # 2017; January on two pages, February, March
    listing, not_found, search = 1, 1, 1
    assert len(pages) == (
        home + posts + tags + tag_index + year + months + days + listing + not_found + search
    )
    for path in pages:
        root = parse_html(path)
        assert root.get("lang") == "en"
        assert root.find(".//title").text
        assert len(root.findall(".//h1")) == 1, path
    assert broken_links(site) == []


def test_links_can_name_index_html_for_a_site_opened_from_disk(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, three_posts(), {"index_html_links": True}))
    hrefs = [a.get("href") for a in page(site, "/tag/coalition/").iter("a")]
    assert "../../index.html" in hrefs
    assert "../../2017/01/10/first-statement/index.html#more" in hrefs
    assert all(not h.endswith("/") for h in hrefs)
    assert broken_links(site) == []


def test_the_broken_link_check_finds_what_is_broken(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, three_posts()))
    (site / "2017" / "02" / "10" / "second" / "index.html").unlink()
    (site / "static" / "style.css").unlink()
    problems = broken_links(site)
    assert "index.html: static/style.css: does not exist" in problems
    assert "tag/coalition/index.html: ../../2017/02/10/second/: does not exist" in problems
    assert not any("first-statement/#more" in problem for problem in problems)


def test_interface_texts_come_from_the_settings(tmp_path: Path) -> None:
    texts = {
        "tags_heading": "Articles marqués « %s »",
        "read_more": "Lire la suite »",
        "tags_label": "Mots-clés :",
    }
    site = build_site(make_site(tmp_path, three_posts(), {"texts": texts, "language": "fr"}))
    tag_page = page(site, "/tag/coalition/")
    assert tag_page.get("lang") == "fr"
    assert text(tag_page.find(".//main//h1")) == "Articles marqués « coalition »"
    assert text(tag_page.find(".//p[@class='more-link']/a")) == "Lire la suite »"
    assert text(tag_page.find(".//time")) == "10 mars 2017"


def test_site_templates_override_or_extend_the_default_theme(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        three_posts(),
        files={
            "templates/footer.html": '<footer class="site-footer"><p>Our own footer</p></footer>\n',
            "templates/header.html": (
                '{% extends "default/header.html" %}{% block branding %}{{ super() }}'
                '<p class="tagline">Tagline</p>{% endblock %}'
            ),
        },
    )
    site = build_site(root)
    home = page(site, "/")
    assert text(home.find(".//footer[@class='site-footer']")) == "Our own footer"
    assert text(home.find(".//p[@class='tagline']")) == "Tagline"
    assert text(home.find(".//h1[@class='site-title']")) == "My hrdblog"  # the default part kept


def test_a_site_entry_template_may_show_what_differs_from_page_to_page(tmp_path: Path) -> None:
    """The default entry is made once a post for all list pages; a site's own entry is not."""
    macros = Path(__file__).parent.parent / "src/hrdblog/themes/default/templates/macros.html"
    own = macros.read_text().replace(
        '<article class="entry{%', '<article data-page="{{ page_url }}" class="entry{%'
    )
    root = make_site(tmp_path, three_posts(), files={"templates/macros.html": own})
    site = build_site(root)
    for url in ("/", "/tag/coalition/", "/2017/"):
        articles = page(site, url).findall(".//article")
        assert articles
        assert {article.get("data-page") for article in articles} == {url}


def test_an_entry_made_once_shows_braces_and_links_as_written_on_every_list(
    tmp_path: Path,
) -> None:
    """The entry kept for every list page holds its text as written: braces and all."""
    posts = {
        "2017/braces.md": post(
            "Code {0} and {name} and }{",
            "2017-03-01",
            "Say {1} and {{x}} and [a link](../other/) here.\n\n<!--more-->\n\nMore.",
            tags=["coalition"],
        )
    }
    site = build_site(make_site(tmp_path, posts))
    # The title's link and the excerpt's, each pointed from the page that shows the entry.
    for url, folder in [
        ("/", "2017/03/01/"),
        ("/tag/coalition/", "../../2017/03/01/"),
        ("/2017/", "03/01/"),
        ("/2017/03/01/", ""),
    ]:
        article = page(site, url).find(".//article")
        assert article is not None
        assert text(article.find(".//h2")) == "Code {0} and {name} and }{"
        summary = text(article.find(".//div[@class='entry-summary']"))
        assert summary == "Say {1} and {{x}} and a link here."
        links = [a.get("href") for a in article.iter("a")]
        assert links[0] == f"{folder}code-0-and-name-and/"
        assert f"{folder}other/" in links


def test_a_template_error_names_the_template_and_line_and_writes_nothing(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        three_posts(),
        files={"templates/footer.html": "<footer>\n{{ no_such_thing }}\n</footer>\n"},
    )
    with pytest.raises(ThemeError) as info:
        build_site(root)
    assert str(info.value) == (
        "templates/footer.html:2: 'no_such_thing' is undefined\n"
        "  hint: check the spelling; README lists what templates can use"
    )
    assert not (root / "site").exists()


def test_a_template_syntax_error(tmp_path: Path) -> None:
    root = make_site(tmp_path, three_posts(), files={"templates/footer.html": "{% if x %}\n<p>\n"})
    with pytest.raises(
        ThemeError,
        match=r"^templates/footer.html:2: template syntax error: Unexpected end of template",
    ):
        build_site(root)


def test_two_builds_of_the_same_input_are_byte_identical(tmp_path: Path) -> None:
    root = make_site(tmp_path, three_posts())
    first = site_files(build_site(root))
    second = site_files(build_site(root))
    assert first == second
    assert ".hrdblog-manifest" in first


def test_the_manifest_lists_every_file_with_its_sha256(tmp_path: Path) -> None:
    import hashlib

    site = build_site(make_site(tmp_path, three_posts()))
    lines = (site / ".hrdblog-manifest").read_text().splitlines()
    listing = {".hrdblog-manifest", "SHA256SUMS"}  # the list, under two names
    files = {k: v for k, v in site_files(site).items() if k not in listing}
    assert lines == [f"{hashlib.sha256(files[name]).hexdigest()}  {name}" for name in sorted(files)]
    assert (site / "SHA256SUMS").read_text().splitlines() == lines


def test_a_rebuild_removes_pages_that_no_longer_exist(tmp_path: Path) -> None:
    root = make_site(tmp_path, three_posts())
    site = build_site(root)
    assert (site / "tag" / "reprisals" / "index.html").exists()
    (root / "content" / "2017" / "third.md").unlink()
    build_site(root)
    assert not (site / "tag" / "reprisals").exists()
    assert not list(tmp_path.glob(".site.*"))  # no temporary folder left behind


def test_static_files_of_the_site_are_published_over_the_theme(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        three_posts(),
        files={"static/style.css": "body{}", "static/img/logo.svg": "<svg/>"},
    )
    site = build_site(root)
    assert (site / "static" / "style.css").read_text() == "body{}"
    assert (site / "static" / "img" / "logo.svg").read_text() == "<svg/>"


def test_a_folder_hrdblog_did_not_write_is_not_replaced(tmp_path: Path) -> None:
    root = make_site(tmp_path, three_posts())
    (root / "site").mkdir()
    (root / "site" / "thesis.docx").write_text("years of work")
    with pytest.raises(OutputError, match="holds files that hrdblog did not write"):
        build_site(root)
    assert (root / "site" / "thesis.docx").read_text() == "years of work"
    build(load_config(root), force=True)
    assert not (root / "site" / "thesis.docx").exists()


@pytest.mark.parametrize("output", [".", "content", "content/site", "templates", ".."])
def test_the_output_folder_may_not_be_or_hold_the_blog_or_its_sources(
    tmp_path: Path, output: str
) -> None:
    root = make_site(
        tmp_path / "blog", three_posts(), files={"templates/footer.html": "<footer></footer>"}
    )
    before = site_files(tmp_path)
    with pytest.raises(OutputError, match="would replace"):
        build(load_config(root, output_dir=root / output), force=True)
    assert site_files(tmp_path) == before


def test_files_in_root_are_published_at_the_root_of_the_site(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"a.md": post("A", "2017-01-01")},
        files={
            "root/CNAME": "news.example.org\n",
            "root/.well-known/security.txt": "Contact: mailto:security@example.org\n",
            "root/.nojekyll": "",
            "root/.git/config": "not published",
            "root/notes.swp": "published: it is not hidden",
        },
    )
    site = build_site(root)
    assert (site / "CNAME").read_text() == "news.example.org\n"
    assert (site / ".well-known" / "security.txt").is_file()
    assert (site / ".nojekyll").is_file()
    assert not (site / ".git").exists()
    listed = (site / ".hrdblog-manifest").read_text()
    assert "  CNAME\n" in listed and "  .well-known/security.txt\n" in listed


def test_files_added_to_the_site_by_hand_are_named_when_a_build_removes_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    site = build_site(root)
    (site / "CNAME").write_text("news.example.org\n")
    (site / ".well-known").mkdir()
    (site / ".well-known" / "security.txt").write_text("Contact: mailto:x@example.org\n")
    for use_cache in (True, False):
        caplog.clear()
        (site / "CNAME").write_text("news.example.org\n")
        build(load_config(root), use_cache=use_cache)
        assert not (site / "CNAME").exists()
        assert (
            f"{site}/CNAME: removed: no build published it, so it was put there by hand; a file "
            "to publish at the root of the site goes in root/CNAME"
        ) in caplog.messages
    assert any(".well-known/security.txt: removed" in m for m in caplog.messages) is False


def test_a_file_of_root_at_the_address_of_a_page_is_an_error_naming_both(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"a.md": post("A", "2017-01-01")},
        files={"root/index.html": "<p>Mine</p>", "root/robots.txt/x": "y"},
    )
    with pytest.raises(HrdblogError) as raised:
        build(load_config(root))
    assert [line for line in str(raised.value).splitlines() if "hint" not in line] == [
        "root/index.html: the file would be written to index.html, as would the home page",
        "root/robots.txt/x: the file would be written to robots.txt/x, inside robots.txt, "
        "which is the file of robots.txt",
    ]


def test_check_refuses_what_build_refuses(tmp_path: Path) -> None:
    import shutil

    case = REPO / "tests" / "sites" / "invalid" / "alias-on-a-fixed-output"
    root = tmp_path / "blog"
    shutil.copytree(case, root)
    built = run_cli("build", "--source", str(root))
    checked = run_cli("check", "--source", str(root))
    assert built.exit_code == checked.exit_code == 1
    first = built.stderr.splitlines()[0]
    assert first.startswith("content/2017/statement.md:4: the old address /tag/ would be written")
    assert first in checked.stderr.splitlines()


def test_old_addresses_of_the_site_are_sent_on_to_their_new_ones(tmp_path: Path) -> None:
    settings = {
        "base_url": "https://example.org/",
        "redirects": {
            "/tag/alignment-2/": "/tag/alignment/",
            "/category/news/statements": "/category/statements/",
            "/old-donate.html": "/2017/01/01/a/",
        },
    }
    a = post("A", "2017-01-01", tags=["alignment"], categories=["Statements"])
    root = make_site(tmp_path, {"a.md": a}, settings)
    site = build_site(root)
    moved = page(site, "/tag/alignment-2/")
    assert moved.find(".//meta[@http-equiv='refresh']").get("content") == "0; url=../alignment/"
    assert (
        moved.find(".//link[@rel='canonical']").get("href") == "https://example.org/tag/alignment/"
    )
    assert page(site, "/category/news/statements/").find(".//a").get("href") == "../../statements/"
    assert parse_html(site / "old-donate.html").find(".//a").get("href") == "2017/01/01/a/"
    assert broken_links(site) == []


def test_a_redirect_on_a_page_of_the_site_is_an_error_naming_the_setting(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"a.md": post("A", "2017-01-01", tags=["alignment"])},
        {"redirects": {"/tag/alignment/": "/tag/x/"}},
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        "hrdblog.yaml: redirects: the old address /tag/alignment/ would be written to "
        "tag/alignment/index.html, as would the tags page of 'alignment'"
    )
