"""`hrdblog import wordpress`: every post over, every old link working, nothing lost silently."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import pytest
import yaml
from helpers import make_site, run_cli, shared

from hrdblog.config import DEFAULT_EXTENSIONS
from hrdblog.importers.html import to_markdown
from hrdblog.markup import Converter
from hrdblog.urls import slugify


def item(
    post_id: int,
    title: str,
    content: str,
    *,
    name: str | None = None,
    kind: str = "post",
    status: str = "publish",
    date: str = "2017-03-04 10:00:00",
    link: str | None = None,
    terms: str = "",
    excerpt: str = "",
    password: str = "",
    extra: str = "",
) -> str:
    name = name if name is not None else slugify(title)
    link = link or f"https://old.example.org/{date[:4]}/{date[5:7]}/{date[8:10]}/{name}/"
    return f"""
    <item>
      <title><![CDATA[{title}]]></title>
      <link>{link}</link>
      <dc:creator><![CDATA[lina]]></dc:creator>
      <guid isPermaLink="false">https://old.example.org/?p={post_id}</guid>
      <content:encoded><![CDATA[{content}]]></content:encoded>
      <excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
      <wp:post_id>{post_id}</wp:post_id>
      <wp:post_date><![CDATA[{date}]]></wp:post_date>
      <wp:post_date_gmt><![CDATA[{date}]]></wp:post_date_gmt>
      <wp:post_name><![CDATA[{name}]]></wp:post_name>
      <wp:status><![CDATA[{status}]]></wp:status>
      <wp:post_type><![CDATA[{kind}]]></wp:post_type>
      <wp:post_password><![CDATA[{password}]]></wp:post_password>
      {terms}{extra}
    </item>"""


def export(*items: str, version: str = "1.2", channel: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/{version}/">
<channel>
  <title>Old site</title>
  <link>https://old.example.org</link>
  <wp:wxr_version>{version}</wp:wxr_version>
  <wp:base_blog_url>https://old.example.org</wp:base_blog_url>
  <wp:author><wp:author_login><![CDATA[lina]]></wp:author_login>
    <wp:author_display_name><![CDATA[Lina A.]]></wp:author_display_name></wp:author>
  {channel}
  {"".join(items)}
</channel>
</rss>
"""


COALITION = (
    '<category domain="post_tag" nicename="coalition"><![CDATA[Coalition]]></category>'
    '<category domain="category" nicename="statements"><![CDATA[Statements]]></category>'
)


def blog(tmp_path: Path) -> Path:
    return make_site(tmp_path / "blog", {}, {"base_url": "https://example.org/"})


def imported(root: Path, text: str, *args: str) -> tuple[int, str, str]:
    (root.parent / "export.xml").write_text(text, encoding="utf-8")
    result = run_cli(
        "import", "wordpress", str(root.parent / "export.xml"), "--into", str(root), *args
    )
    return result.exit_code, result.stdout, result.stderr


def front(path: Path) -> dict[str, object]:
    meta: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    return meta


def test_a_post_comes_over_with_its_fields_and_its_address(tmp_path: Path) -> None:
    root = blog(tmp_path)
    post = item(
        12,
        "Coalition statement on reprisals",
        "First paragraph.\n\n<!--more-->\n\nThe rest.",
        terms=COALITION,
        excerpt="<em>Twelve</em> organisations sign.",
        date="2017-03-04 23:30:00",
    )
    code, out, err = imported(root, export(post))
    assert (code, err) == (0, "")
    path = root / "content" / "2017" / "coalition-statement-on-reprisals.md"
    assert front(path) == {
        "title": "Coalition statement on reprisals",
        "date": "2017-03-04 23:30:00+00:00",
        "slug": "coalition-statement-on-reprisals",
        "author": "Lina A.",
        "tags": ["Coalition"],
        "categories": ["Statements"],
        "summary": "*Twelve* organisations sign.",
        "original_url": "https://old.example.org/2017/03/04/coalition-statement-on-reprisals/",
    }
    assert path.read_text().split("---\n", 2)[2] == "First paragraph.\n\n<!--more-->\n\nThe rest.\n"
    assert out.startswith("Imported from ")
    assert "1 post; 1 tag, 1 category." in out
    assert run_cli("build", "--source", str(root)).exit_code == 0
    page = root / "site" / "2017" / "03" / "04" / "coalition-statement-on-reprisals" / "index.html"
    assert "The rest." in page.read_text()
    assert (
        "Read the rest of this entry"
        in (root / "site" / "tag" / "coalition" / "index.html").read_text()
    )


def test_an_old_address_that_differs_becomes_a_redirect(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "blog", {}, {"base_url": "https://example.org/", "timezone": "Asia/Beirut"}
    )
    renamed = item(
        5,
        "Renamed",
        "Text.",
        name="new-name",
        link="https://old.example.org/2017/03/04/old-name/",
        date="2017-03-04 23:30:00",  # already the 5th in Beirut: the day in the URL changes too
    )
    plain = item(6, "Plain permalinks", "Text.", link="https://old.example.org/?p=6")
    code, out, _ = imported(root, export(renamed, plain))
    assert code == 0
    meta = front(root / "content" / "2017" / "new-name.md")
    assert meta["date"] == "2017-03-05 01:30:00+02:00"
    assert meta["aliases"] == ["/2017/03/04/old-name/"]
    assert (
        "3 old addresses cannot be a static page (with a query like ?p=123, a feed, or differing from the new one only in case)"
        in out
    )
    assert (root / "import-redirects.map").read_text() == (
        "/?p=5 /2017/03/05/new-name/;\n/?p=6 /2017/03/04/plain-permalinks/;\n/feed/ /feed.xml;\n"
    )
    assert run_cli("build", "--source", str(root)).exit_code == 0
    redirect = (root / "site" / "2017" / "03" / "04" / "old-name" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../../05/new-name/">' in redirect


def test_drafts_scheduled_posts_pages_and_the_rest_are_accounted_for(tmp_path: Path) -> None:
    root = blog(tmp_path)
    items = [
        item(1, "Published", "Text."),
        item(2, "A draft", "Text.", status="draft"),
        item(3, "Pending review", "Text.", status="pending"),
        item(4, "Later", "Text.", status="future", date="2099-01-01 09:00:00"),
        item(5, "Secret", "Text.", password="hunter2"),
        item(6, "About us", "Who we are.", kind="page", link="https://old.example.org/about-us/"),
        item(
            10,
            "Our team",
            "Us.",
            kind="page",
            link="https://old.example.org/about-us/our-team/",
            extra="<wp:post_parent>6</wp:post_parent>",
        ),
        item(11, "Donate", "Soon.", kind="page", status="draft"),
        item(
            7,
            "photo",
            "",
            kind="attachment",
            extra="<wp:post_parent>1</wp:post_parent>"
            "<wp:attachment_url>https://old.example.org/wp-content/uploads/vigil.jpg"
            "</wp:attachment_url>",
        ),
        item(8, "Home", "", kind="nav_menu_item"),
        item(
            9,
            "With comments",
            "Text.",
            extra="<wp:comment><wp:comment_id>1</wp:comment_id>"
            "</wp:comment><wp:comment><wp:comment_id>2</wp:comment_id></wp:comment>",
        ),
    ]
    unused = "<wp:tag><wp:tag_slug>u</wp:tag_slug><wp:tag_name>Unused</wp:tag_name></wp:tag>"
    code, out, _ = imported(root, export(*items, channel=unused))
    assert code == 0
    assert out.splitlines()[0] == (
        f"Imported from {root.parent / 'export.xml'}: 2 posts, 3 drafts, 1 scheduled post, "
        "2 pages, 1 draft page; 0 tags, 0 categories."
    )
    assert (
        "Not imported: comments (hrdblog has none): 2, nav_menu_item: 1, tags no imported post has: 1."
        in out
    )
    assert "  https://old.example.org/wp-content/uploads/vigil.jpg  (Published)" in out
    assert "password-protected on WordPress: imported as a draft, without its password" in out
    assert "  https://old.example.org/?page_id=6 -> /about-us/" in out
    assert "  https://old.example.org/?page_id=10 -> /about-us/our-team/" in out
    assert "page_id=11" not in out  # a draft had no address
    assert front(root / "content" / "2017" / "secret.md")["draft"] is True
    assert "hunter2" not in (root / "content" / "2017" / "secret.md").read_text()
    assert (root / "content" / "pages" / "about-us.md").read_text().endswith("Who we are.\n")
    assert front(root / "content" / "pages" / "donate.md")["draft"] is True
    assert run_cli("build", "--source", str(root)).exit_code == 0
    built = {p.parent.name for p in (root / "site" / "2017").rglob("index.html")}
    assert {"published", "with-comments"} <= built
    assert not built & {"a-draft", "pending-review", "secret"}
    team = (root / "site" / "about-us" / "our-team" / "index.html").read_text()
    assert "<title>Our team – " in team and "Us." in team
    assert not (root / "site" / "donate").exists()


def test_a_second_run_adds_only_what_is_new_and_overwrites_nothing(tmp_path: Path) -> None:
    root = blog(tmp_path)
    first = item(1, "First", "Text.")
    assert imported(root, export(first))[0] == 0
    path = root / "content" / "2017" / "first.md"
    path.write_text(path.read_text().replace("Text.", "Edited after the import."))
    code, out, _ = imported(root, export(first, item(2, "Second", "More.")))
    assert code == 0
    assert "Edited after the import." in path.read_text()
    assert (root / "content" / "2017" / "second.md").is_file()
    assert "1 file already there, left as they are" in out
    assert "  content/2017/first.md" in out


def test_two_posts_with_one_slug_get_two_files(tmp_path: Path) -> None:
    root = blog(tmp_path)
    same = [
        item(1, "Update", "One.", date="2017-01-01 10:00:00"),
        item(2, "Update", "Two.", date="2017-02-01 10:00:00"),
    ]
    assert imported(root, export(*same))[0] == 0
    assert sorted(p.name for p in (root / "content" / "2017").iterdir()) == [
        "update-2.md",
        "update.md",
    ]
    assert (
        imported(root, export(*same))[1].count("already there") == 1
    )  # a second run: no third file
    assert len(list((root / "content" / "2017").iterdir())) == 2


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_version_of_the_format(tmp_path: Path, version: str) -> None:
    root = blog(tmp_path)
    old_terms = '<category><![CDATA[Statements]]></category><category domain="tag"><![CDATA[UN]]></category>'
    code, _, _ = imported(root, export(item(1, "Old", "Text.", terms=old_terms), version=version))
    assert code == 0
    meta = front(root / "content" / "2017" / "old.md")
    assert (meta["tags"], meta["categories"]) == (["UN"], ["Statements"])


def test_broken_xml_is_an_error_with_its_line_and_nothing_is_written(tmp_path: Path) -> None:
    root = blog(tmp_path)
    text = export(item(1, "Fine", "Text.")).replace("</wp:post_name>", "</wp:post_nam>", 1)
    code, out, err = imported(root, text)
    lines = text.splitlines()
    line = next(n for n, text_line in enumerate(lines, 1) if "</wp:post_nam>" in text_line)
    assert code == 1
    assert out == ""
    assert err == (
        f"{root.parent / 'export.xml'}:{line}: the export is not well-formed XML (mismatched tag)\n"
        "  hint: export it again from WordPress (Tools → Export), or mend the line named\n"
        "error: nothing was imported\n"
    )
    assert not list((root / "content").iterdir())


def test_an_export_with_entity_tricks_is_refused(tmp_path: Path) -> None:
    root = blog(tmp_path)
    bomb = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">]><rss>&a;</rss>'
    code, _, err = imported(root, bomb)
    assert code == 1
    assert "refused for safety" in err


def markdown_reads_the_same(content: str) -> tuple[str, str]:
    """Return the text of WordPress content, and of its Markdown rendered by hrdblog."""
    problems: list[str] = []
    converter = Converter(tuple(e for e in DEFAULT_EXTENSIONS if e != "smarty"), {}, slugify)
    rendered = converter.html(to_markdown(content, problems.append))
    return words(content), words(rendered)


def words(html: str) -> str:
    """Return the words a reader sees in HTML, tags parting words."""
    tree = html5lib.parseFragment(html, namespaceHTMLElements=False)
    return " ".join(" ".join(tree.itertext()).split())


@pytest.mark.parametrize(
    "content",
    [
        "Compile with #include &lt;stdio.h&gt; and 2*3*4, snake_case_name and [sic].",
        "AT&amp;T &amp; friends: a &lt;b&gt; tag, shown as text.",
        "# not a heading\n\n1. not a list\n\n- not a bullet\n\n&gt; not a quote",
        "A `tick`, a back\\slash, a pipe | and {braces}.",
        "<p>Line one<br>line two</p><ul><li>one</li><li>two</li></ul>",
        "Para one\nwith a break.\n\nPara two.",
        "<pre><code>int *p = &amp;x; // **not bold**</code></pre>",
        "<table><tr><th>a|b</th></tr><tr><td>1</td></tr></table>",
    ],
)
def test_text_that_looks_like_markup_reads_the_same(content: str) -> None:
    original, rendered = markdown_reads_the_same(content)
    assert rendered == original


def test_block_comments_captions_and_shortcodes(tmp_path: Path) -> None:
    problems: list[str] = []
    content = (
        "<!-- wp:paragraph -->\n<p>Before.</p>\n<!-- /wp:paragraph -->\n\n"
        '[caption id="attachment_1" align="alignnone" width="300"]'
        '<img src="https://old.example.org/vigil.jpg" alt="A vigil" width="300"> The vigil in Muscat'
        "[/caption]\n\n"
        '[gallery ids="1,2,3"]\n\nSee [sic] and [1].'
    )
    markdown = to_markdown(content, problems.append)
    assert "wp:paragraph" not in markdown
    assert (
        '<figure>\n<img src="https://old.example.org/vigil.jpg" alt="A vigil" width="300">\n'
        "<figcaption>The vigil in Muscat</figcaption>\n</figure>"
    ) in markdown
    assert '\\[gallery ids="1,2,3"\\]' in markdown  # shown as it was written
    assert "\\[sic\\] and \\[1\\]" in markdown
    assert problems == [
        'shortcode [gallery ids="1,2,3"] kept as text: WordPress showed the post\'s attached '
        "images there; put them in the post's folder and show each with ![what it shows](name)"
    ]


def test_names_lose_direction_overrides_and_invisible_characters(tmp_path: Path) -> None:
    root = blog(tmp_path)
    text = shared("wxr", "wxr-utf-8-challenges.xml").read_text()
    code, out, _ = imported(root, text)
    assert code == 0
    (post,) = (root / "content").rglob("*.md")
    meta = front(post)
    title = str(meta["title"])
    assert not set(title) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b")
    assert title.startswith('"The Road Not Taken" by Rob')
    display = re.search(r"author_display_name><!\[CDATA\[(.*?)\]\]>", text)
    assert display is not None
    # Its letters with their combining marks, without the invisible characters after them.
    assert meta["author"] == display.group(1).split(" ")[0]
    assert "direction overrides or invisible characters removed from its title" in out
    assert run_cli("build", "--source", str(root)).exit_code == 0


def field(chunk: str, name: str) -> str:
    """Return a field of an item of an export, read with a regular expression."""
    match = re.search(rf"<{name}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{name}>", chunk, re.S)
    return match.group(1).strip() if match else ""


def published_posts(export_file: Path, kind: str = "post") -> list[tuple[str, str]]:
    """Return (title, link) of every published post (or page) without a password, read
    independently."""
    text = export_file.read_text(encoding="utf-8")
    return [
        (field(chunk, "title"), field(chunk, "link"))
        for chunk in text.split("<item>")[1:]
        if (field(chunk, "wp:post_type"), field(chunk, "wp:status")) == (kind, "publish")
        and not field(chunk, "wp:post_password")
    ]


def test_the_theme_unit_test_export_builds_with_every_old_link_working(tmp_path: Path) -> None:
    root = blog(tmp_path)
    code, out, err = imported(root, shared("wxr", "theme-unit-test-data.xml").read_text())
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith(
        f"Imported from {root.parent / 'export.xml'}: 55 posts, 2 drafts, 1 scheduled post, "
        "21 pages;"
    )
    built = run_cli("build", "--source", str(root))
    assert built.exit_code == 0, built.stderr
    posts = published_posts(shared("wxr", "theme-unit-test-data.xml"))
    assert len(posts) == 55
    for title, link in posts:
        page = root / "site" / unquote(urlsplit(link).path).strip("/") / "index.html"
        assert page.is_file(), f"{title}: nothing at {link}"
    pages = published_posts(shared("wxr", "theme-unit-test-data.xml"), "page")
    assert len(pages) == 21
    for title, link in pages:  # a page, or a redirect to it (its name made ASCII)
        path = re.sub("/+", "/", unquote(urlsplit(link).path)).strip("/")
        page = root / "site" / path / "index.html"
        assert page.is_file(), f"{title}: nothing at {link}"
        shown = page.read_text()
        assert f"<title>{html.escape(title, quote=False)}" in shown, f"{title}: not at {link}"
    assert (root / "content" / "pages" / "level-1" / "level-2" / "level-3.md").is_file()
    level_3 = (root / "site" / "level-1" / "level-2" / "level-3" / "index.html").read_text()
    assert '<h1 class="entry-title" dir="auto">Level 3</h1>' in level_3
    redirects = (root / "import-redirects.map").read_text()
    assert "/?page_id=172 /level-1/level-2/level-3/;" in (redirects)
    # Nothing loads from the old site: its images and embeds became links, each listed in the
    # report, for the author to download.
    checked = run_cli("check", "--source", str(root))
    assert checked.exit_code == 0, checked.stderr
    linked = {
        address
        for path in (root / "content").rglob("*.md")
        for address in re.findall(r"\]\((https?://[^)\s]+\.(?:jpe?g|png|gif))\)", path.read_text())
    }
    assert linked
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("  http")}
    assert linked <= listed


@pytest.mark.parametrize("name", ["valid-wxr-1.1.xml", "wxr-comprehensive.xml", "term-formats.xml"])
def test_the_other_real_exports_import_and_build(tmp_path: Path, name: str) -> None:
    root = blog(tmp_path)
    code, _, err = imported(root, shared("wxr", name).read_text())
    assert (code, err) == (0, "")
    built = run_cli("build", "--source", str(root))
    assert built.exit_code == 0, built.stderr


def test_the_malformed_export_is_an_error_naming_its_line(tmp_path: Path) -> None:
    root = blog(tmp_path)
    code, _, err = imported(root, shared("wxr", "malformed.xml").read_text())
    assert code == 1
    assert err.startswith(f"{root.parent / 'export.xml'}:90: the export is not well-formed XML")
    assert "Traceback" not in err


@pytest.mark.parametrize("date", ["9999-12-31 23:00:00", "0001-01-01 00:30:00"])
def test_a_date_no_post_may_have_is_an_error_and_nothing_is_written(
    tmp_path: Path, date: str
) -> None:
    root = blog(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    fine = item(1, "A fine post", "Text.")
    code, _, err = imported(root, export(fine, item(2, "Far away", "Text.", date=date)))
    assert code == 1
    assert err.startswith(
        f"{root.parent / 'export.xml'}: post 2 (Far away): its date '{date}' is not one a post "
        "may have (between 1000-01-01 and 9998-12-31)"
    )
    assert "Traceback" not in err
    after = [p.relative_to(root) for p in root.rglob("*") if ".hrdblog-cache" not in p.parts]
    assert sorted(after) == before  # not even post 1


def test_a_post_the_build_would_refuse_is_not_imported_and_the_report_says_why(
    tmp_path: Path,
) -> None:
    root = blog(tmp_path)
    clash = (
        '<category domain="post_tag" nicename="c"><![CDATA[C]]></category>'
        '<category domain="post_tag" nicename="c-2"><![CDATA[C++]]></category>'
    )
    code, out, _ = imported(
        root, export(item(1, "Fine", "Text."), item(2, "Two", "T.", terms=clash))
    )
    assert code == 0
    assert (
        "  post 2 (Two)\n    - not imported: the build would refuse it: the tags 'C++' and 'C' "
        in out
    )
    assert [p.name for p in (root / "content").rglob("*.md")] == ["fine.md"]
    assert run_cli("build", "--source", str(root)).exit_code == 0


def test_old_term_pages_featured_images_and_feeds_are_redirected_or_reported(
    tmp_path: Path,
) -> None:
    root = blog(tmp_path)
    channel = (
        "<wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>news</wp:category_nicename>"
        "<wp:category_parent></wp:category_parent><wp:cat_name>News</wp:cat_name></wp:category>"
        "<wp:category><wp:term_id>2</wp:term_id><wp:category_nicename>statements</wp:category_nicename>"
        "<wp:category_parent>news</wp:category_parent><wp:cat_name>Statements</wp:cat_name></wp:category>"
    )
    terms = (
        '<category domain="post_tag" nicename="alignment-2"><![CDATA[Alignment]]></category>'
        '<category domain="category" nicename="statements"><![CDATA[Statements]]></category>'
    )
    featured = (
        "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
        "<wp:meta_value>99</wp:meta_value></wp:postmeta>"
    )
    photo = item(
        99,
        "A photo",
        "",
        kind="attachment",
        extra="<wp:attachment_url>https://old.example.org/wp-content/uploads/vigil.jpg</wp:attachment_url>",
    )
    post = item(12, "Coalition statement", "Text.", terms=terms, extra=featured)
    code, out, err = imported(root, export(post, photo, channel=channel))
    assert (code, err) == (0, "")
    assert "  /tag/alignment-2/ -> /tag/alignment/" in out
    assert "  /category/news/statements/ -> /category/statements/" in out
    assert (
        "its featured image https://old.example.org/wp-content/uploads/vigil.jpg is not brought "
        "over: import again with --uploads" in " ".join(out.split())
    )
    assert "  https://old.example.org/wp-content/uploads/vigil.jpg  (Coalition statement)" in out
    redirects = (root / "import-redirects.map").read_text()
    assert "/feed/ /feed.xml;\n" in redirects
    assert "/tag/alignment-2/feed/ /tag/alignment/feed.xml;\n" in redirects
    assert run_cli("build", "--source", str(root)).exit_code == 0
    moved = (root / "site" / "tag" / "alignment-2" / "index.html").read_text()
    assert 'content="0; url=../alignment/"' in moved
    assert (root / "site" / "category" / "news" / "statements" / "index.html").is_file()
    assert run_cli("check", "--source", str(root)).exit_code == 0
    again = run_cli("import", "wordpress", str(root.parent / "export.xml"), "--into", str(root))
    assert again.exit_code == 0
    assert (root / "hrdblog.yaml").read_text().count("redirects:") == 1


def test_featured_images_come_over_from_a_copy_of_the_uploads_folder(tmp_path: Path) -> None:
    from PIL import Image

    root = blog(tmp_path)
    uploads = tmp_path / "uploads"
    (uploads / "2017" / "03").mkdir(parents=True)
    Image.new("RGB", (1200, 800), "teal").save(uploads / "2017" / "03" / "vigil.jpg")

    def featuring(attachment: int) -> str:
        return (
            "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
            f"<wp:meta_value>{attachment}</wp:meta_value></wp:postmeta>"
        )

    def attachment(number: int, url: str, alt: str = "", caption: str = "") -> str:
        meta = (
            f"<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>"
            f"<wp:meta_value><![CDATA[{alt}]]></wp:meta_value></wp:postmeta>"
        )
        return item(
            number,
            f"Photo {number}",
            "",
            kind="attachment",
            excerpt=caption,
            extra=f"<wp:attachment_url>{url}</wp:attachment_url>{meta}",
        )

    code, out, err = imported(
        root,
        export(
            item(12, "Vigil in Muscat", "Text.", extra=featuring(99)),
            item(13, "Lost photo", "Text.", extra=featuring(98)),
            attachment(
                99,
                "https://old.example.org/wp-content/uploads/2017/03/vigil.jpg",
                alt="Candles outside the court",
                caption="The first <em>night</em>.",
            ),
            attachment(98, "https://old.example.org/wp-content/uploads/2016/01/gone.jpg"),
        ),
        "--uploads",
        str(uploads),
    )
    assert (code, err) == (0, "")
    post = root / "content" / "2017" / "vigil-in-muscat" / "index.md"
    meta = front(post)
    assert {key: meta.get(key) for key in ("image", "image_alt", "image_caption")} == {
        "image": "vigil.jpg",
        "image_alt": "Candles outside the court",
        "image_caption": "The first night.",
    }
    assert (post.parent / "vigil.jpg").read_bytes() == (uploads / "2017/03/vigil.jpg").read_bytes()
    said = " ".join(out.split())
    assert (
        "its featured image https://old.example.org/wp-content/uploads/2016/01/gone.jpg is not "
        "a photo in the uploads folder" in said
    )
    # Brought over, it is not in the list of files still on the old site; the lost one is.
    assert "uploads/2017/03/vigil.jpg" not in said
    assert "https://old.example.org/wp-content/uploads/2016/01/gone.jpg (" in said
    assert run_cli("build", "--source", str(root)).exit_code == 0
    figure = (root / "site" / "2017" / "03" / "04" / "vigil-in-muscat" / "index.html").read_text()
    assert 'alt="Candles outside the court"' in figure and "vigil.960w.webp" in figure


def test_gallery_and_audio_shortcodes_are_named_in_the_report() -> None:
    problems: list[str] = []
    markdown = to_markdown(
        '[gallery ids="1,2"]\n\n[audio mp3="https://old.example.org/wp-content/uploads/talk.mp3"][/audio]',
        problems.append,
    )
    assert "[Recording: talk.mp3](https://old.example.org/wp-content/uploads/talk.mp3)" in markdown
    assert problems == [
        "the recording https://old.example.org/wp-content/uploads/talk.mp3 is now a link: "
        "download it and put it beside the post",
        'shortcode [gallery ids="1,2"] kept as text: WordPress showed the post\'s attached images '
        "there; put them in the post's folder and show each with ![what it shows](name)",
    ]


def test_pages_keep_their_old_addresses_whatever_else_the_export_holds(tmp_path: Path) -> None:
    root = blog(tmp_path)
    items = [
        item(1, "A post", "Text.", date="2020-05-01 10:00:00"),
        item(5, "About", "Soon.", kind="page", name="", status="draft"),  # before the published
        item(6, "About", "Who.", kind="page", link="https://old.example.org/about/"),
        item(
            7,
            "Team",
            "Us.",
            kind="page",
            link="https://old.example.org/about/team/",
            extra="<wp:post_parent>6</wp:post_parent>",
        ),
        item(8, "Archives", "Old.", kind="page", link="https://old.example.org/archives/"),
        item(9, "Year", "2020.", kind="page", name="2020", link="https://old.example.org/2020/"),
        item(10, "Index", "I.", kind="page", name="index", link="https://old.example.org/index/"),
    ]
    code, out, _ = imported(root, export(*items))
    assert code == 0
    assert "  https://old.example.org/?page_id=6 -> /about/" in out
    assert "  https://old.example.org/?page_id=7 -> /about/team/" in out
    assert "  https://old.example.org/?page_id=8 -> /archives-page/" in out
    assert "its old address /archives/ is one the site uses: not redirected" in out
    built = run_cli("build", "--source", str(root))
    assert built.exit_code == 0, built.stderr
    site = root / "site"
    assert "Who." in (site / "about" / "index.html").read_text()
    assert "Us." in (site / "about" / "team" / "index.html").read_text()
    assert "Old." in (site / "archives-page" / "index.html").read_text()
    assert "2020." in (site / "2020-page" / "index.html").read_text()
    assert "I." in (site / "index-page" / "index.html").read_text()
    assert "A post" in (site / "2020" / "index.html").read_text()  # the year archive stays
    assert front(root / "content" / "pages" / "about-2.md")["draft"] is True
