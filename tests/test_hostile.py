"""Hostile and broken input that cannot live in tests/sites/invalid: generated or linked files,
and input that must simply work. Each failing build leaves the previous site as it was."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import build_site, make_site, page, post, run_cli, site_files, text

ATOM = "{http://www.w3.org/2005/Atom}"

SEARCH_SCRIPT = '<script src="../static/search.js" defer></script>'


def earlier_site(root: Path) -> dict[str, bytes]:
    """Build the blog once, as a site already published, and return its files."""
    assert run_cli("build", "--source", str(root)).exit_code == 0
    return site_files(root / "site")


def test_a_very_large_file_is_refused_at_once_and_the_site_is_unchanged(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    before = earlier_site(root)
    with (root / "content" / "huge.md").open("w") as file:
        file.write("---\ntitle: Huge\ndate: 2017-01-01\n---\n")
        file.write("word " * 2_000_000)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "content/huge.md: the file is 9.5 MB; posts may be at most 4 MB"
    )
    assert site_files(root / "site") == before


def test_a_symlink_out_of_content_is_refused(tmp_path: Path) -> None:
    """tests/test_folders.py tries links in every folder a build reads."""
    (tmp_path / "private.md").write_text(post("Private notes", "2017-01-01", "Names of sources."))
    root = make_site(tmp_path / "blog", {"a.md": post("A", "2017-01-01")})
    before = earlier_site(root)
    (root / "content" / "notes.md").symlink_to(tmp_path / "private.md")
    (root / "content" / "folder").symlink_to(tmp_path, target_is_directory=True)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"content/folder: a symbolic link to {tmp_path}, outside content: links may only lead "
        "to files inside the folder they are in"
    )
    assert f"content/notes.md: a symbolic link to {tmp_path / 'private.md'}" in result.stderr
    assert site_files(root / "site") == before


def test_a_bom_and_crlf_line_ends_simply_work(tmp_path: Path) -> None:
    root = make_site(tmp_path, {})
    text_with_bom = "\ufeff---\r\ntitle: Written on Windows\r\ndate: 2017-01-01\r\ntags: [coalition]\r\n---\r\nFirst.\r\n\r\n<!--more-->\r\n\r\nSecond.\r\n"
    (root / "content" / "windows.md").write_bytes(text_with_bom.encode("utf-8"))
    site = build_site(root)
    entry = page(site, "/tag/coalition/").find(".//article")
    assert text(entry.find("h2")) == "Written on Windows"
    assert text(entry.find(".//div[@class='entry-summary']")) == "First."


@pytest.mark.parametrize(
    "hostile",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</title><script>x</script>"],
)
def test_titles_and_tags_with_markup_are_escaped_everywhere(tmp_path: Path, hostile: str) -> None:
    # Title, tags and author are text. The body and the summary are Markdown, whose raw HTML
    # is the author's own unless `sanitize: true` (tests/test_sanitize.py).
    text_fields = post(
        f"Title {hostile}", "2017-01-01", "Body.", tags=[f"tag {hostile}"], author=hostile
    )
    site = build_site(
        make_site(tmp_path, {"a.md": text_fields}, {"base_url": "https://example.org/"})
    )
    for path, content in site_files(site).items():
        if path.endswith((".html", ".xml", ".txt")):
            # The search page's own script, from the site's own files, is the one it has.
            document = content.decode().replace(SEARCH_SCRIPT, "", 1)
            assert "<script" not in document and "<img src=x" not in document, path
        if path.endswith(".xml"):  # and the HTML that feeds carry, once unescaped
            for element in ET.fromstring(content).iter():
                if element.tag in {f"{ATOM}content", f"{ATOM}summary"}:
                    assert "<script" not in (element.text or ""), path
    (post_file,) = (site / "2017" / "01" / "01").glob("*/index.html")
    post_page = page(site, "/" + post_file.parent.relative_to(site).as_posix() + "/")
    assert text(post_page.find(".//main//h1")) == f"Title {hostile}"
    assert post_page.find(".//meta[@property='og:title']").get("content") == f"Title {hostile}"
    assert text(post_page.find(".//span[@class='entry-author']")) == f"by {hostile}"


def test_an_index_md_at_the_top_of_content_publishes_nothing_around_it(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"index.md": post("Home", "2017-01-01"), "2017/a.md": post("A", "2017-01-01")},
        files={"content/notes/transcript.txt": "The raw transcript, with names."},
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "content/index.md: a post's folder cannot be the content folder itself"
    )
    assert not (root / "site").exists()


def test_control_characters_and_direction_overrides_never_reach_a_page(tmp_path: Path) -> None:
    text = (
        '---\ntitle: "Statement\\0 on\\e reprisals\\u202e"\ndate: 2017-01-01\n'
        'tags: ["\\u202ecoalition", "detention\\u2066"]\nauthor: "A\\x07B"\n'
        'source: {name: "Gulf\\u202d Centre"}\n---\nText.\n'
    )
    root = make_site(tmp_path, {"a.md": text}, {"base_url": "https://example.org/"})
    site = build_site(root)
    files = site_files(site)
    # The search index's records (gzip-compressed), read as Pagefind's script reads them.
    records = [gzip.decompress(v) for k, v in files.items() if k.endswith(".pf_fragment")]
    assert records
    text_files = [v for k, v in files.items() if not k.startswith("pagefind/")]
    published = b"".join(text_files + records).decode()
    for character in "\0\x1b\x07\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert character not in published, repr(character)
    assert "<title>Statement on reprisals – My hrdblog</title>" in published
    assert (site / "tag" / "coalition" / "index.html").is_file()
    assert "via Gulf Centre" in published
