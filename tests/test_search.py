"""Search: each tree's search page, its index made by Pagefind during the build, the form in
the header, `search: false`, rebuilds that index only what changed, and Pagefind's failures
said plainly. (What a reader finds, typed into the page, is in test_browser.py.)"""

from __future__ import annotations

import gzip
import json
import stat
from datetime import UTC
from pathlib import Path

import pytest
from helpers import build_site, by_class, make_site, page, post, run_cli, site_files

from hrdblog import search
from hrdblog.build import build
from hrdblog.config import load_config
from hrdblog.models import Post

BASE = "https://defenders.example.org/"
POSTS = {
    "oman.md": post(
        "Coalition formed in Oman",
        "2020-01-02",
        "Defenders <em>detained</em> in Muscat; the coalition signed a statement.",
        tags=["coalition"],
    ),
    "geneva.md": post("Report to the Council", "2019-05-01", "The report names states."),
}
ARABIC = {
    "oman-ar.md": post(
        "تحالف لحماية المدافعين في عمان",
        "2020-01-03",
        "اعتقلت السلطات المدافعين عن حقوق الإنسان.",
        lang="ar",
    ),
}


def fragments(site: Path, folder: str = "pagefind") -> dict[str, dict[str, object]]:
    """Return what the index of a tree holds for each page it finds: url → its record."""
    found = {}
    for path in sorted((site / folder / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data.removeprefix(b"pagefind_dcd"))
        found[record["url"]] = record
    return found


def test_a_post_is_given_to_pagefind_with_its_title_date_and_text() -> None:
    from datetime import datetime

    from markupsafe import Markup

    entry = Post(
        file="content/x.md",
        title='Tom & "Jerry" <b>',
        date=datetime(2020, 1, 2, tzinfo=UTC),
        slug="x",
        url="/2020/01/02/x/",
        body=Markup("<p>Held in <em>Muscat</em>.</p>"),
        excerpt=Markup(""),
        has_more=False,
        more_text=None,
        terms={},
    )
    document = search.document(entry, "en", "long")
    assert '<html lang="en">' in document
    assert "<h1>Tom &amp; &#34;Jerry&#34; &lt;b&gt;</h1>" in document
    assert '<meta data-pagefind-meta="date[content]" content="January 2, 2020">' in document
    assert "<p>Held in <em>Muscat</em>.</p>" in document


def test_each_tree_has_a_search_page_and_an_index_of_its_posts_and_pages(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {**POSTS, **ARABIC, "pages/about.md": "---\ntitle: About us\n---\nWho we are."},
        {"base_url": BASE, "languages": ["en", "ar"]},
    )
    site = build_site(root)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_bytes())
    assert list(entry["languages"]) == ["en"]
    assert entry["languages"]["en"]["page_count"] == 3  # two posts and the About page
    arabic = json.loads((site / "ar" / "pagefind" / "pagefind-entry.json").read_bytes())
    assert list(arabic["languages"]) == ["ar"]
    assert arabic["languages"]["ar"]["page_count"] == 1
    records = fragments(site)
    assert set(records) == {
        "/2020/01/02/coalition-formed-in-oman/",
        "/2019/05/01/report-to-the-council/",
        "/about/",
    }
    oman = records["/2020/01/02/coalition-formed-in-oman/"]
    assert oman["meta"] == {"title": "Coalition formed in Oman", "date": "January 2, 2020"}
    assert "Defenders detained in Muscat; the coalition signed a statement." in oman["content"]
    (arabic_url,) = fragments(site, "ar/pagefind")
    assert arabic_url.startswith("/ar/2020/01/03/")
    # What the search page loads of the bundle: not Pagefind's own interfaces.
    names = {p.relative_to(site / "pagefind").as_posix() for p in (site / "pagefind").rglob("*")}
    assert {"pagefind.js", "pagefind-worker.js", "wasm.en.pagefind"} <= names
    assert not {n for n in names if "-ui" in n or "highlight" in n or "playground" in n}

    search_page = page(site, "/search/")
    form = search_page.find(".//main//form")
    assert form is not None and form.get("action") == "./" and form.get("role") == "search"
    assert search_page.find(".//main//input[@name='q']") is not None
    results = search_page.find(".//*[@id='search-results']")
    assert results is not None and results.get("data-bundle") == "../pagefind/pagefind.js"
    scripts = [s.get("src") for s in search_page.iter("script")]
    assert scripts == ["../static/search.js"]
    # Without its script, the page says so and leads to the archives and term indexes.
    note = search_page.find(".//*[@id='search-needs-script']")
    assert note is not None and "JavaScript" in "".join(note.itertext())
    links = [a.get("href") for a in search_page.findall(".//*[@id='search-elsewhere']//a")]
    assert links == ["../archives/", "../tag/"]
    assert page(site, "/ar/search/").find(".//*[@id='search-results']").get("data-bundle") == (
        "../pagefind/pagefind.js"
    )


def test_every_other_page_has_the_header_s_search_form_and_no_search_code(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, POSTS, {"base_url": BASE}))
    for path, content in site_files(site).items():
        if not path.endswith(".html") or path.startswith("search/"):
            continue
        assert b"search.js" not in content and b"pagefind" not in content, path
    post_page = page(site, "/2020/01/02/coalition-formed-in-oman/")
    (form,) = by_class(post_page, "site-search")
    assert form.tag == "form" and form.get("action") == "../../../../search/"
    assert form.get("role") == "search" and form.find(".//input[@name='q']") is not None
    label = form.find(".//label")
    assert label is not None and "".join(label.itertext()) == "Search this site"
    assert by_class(page(site, "/search/"), "site-search") == []  # its own form instead
    assert b"Disallow" not in (site / "robots.txt").read_bytes()
    assert b"/search/" not in (site / "sitemap.xml").read_bytes()


def test_search_false_publishes_no_search(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, POSTS, {"base_url": BASE, "search": False}))
    assert not (site / "search").exists() and not (site / "pagefind").exists()
    assert by_class(page(site, "/"), "site-search") == []


def test_links_to_the_search_page_name_index_html_where_the_site_says_so(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, POSTS, {"index_html_links": True}))
    (form,) = by_class(page(site, "/"), "site-search")
    assert form.get("action") == "search/index.html"
    results = page(site, "/search/").find(".//*[@id='search-results']")
    assert results is not None and results.get("data-index-file") == "index.html"


def test_the_index_is_the_same_for_the_same_posts(tmp_path: Path) -> None:
    first = build_site(make_site(tmp_path / "one", {**POSTS, **ARABIC}, {"base_url": BASE}))
    second = build_site(make_site(tmp_path / "two", {**POSTS, **ARABIC}, {"base_url": BASE}))
    made = {k: v for k, v in site_files(first).items() if k.startswith("pagefind/")}
    assert made and made == {
        k: v for k, v in site_files(second).items() if k.startswith("pagefind/")
    }


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record the folders of the indexes each build makes."""
    made: list[list[str]] = []
    real = search.indexes_made

    def counting(config: object, indexes: tuple[search.SearchIndex, ...]) -> object:
        made.append([index.folder for index in indexes])
        return real(config, indexes)  # type: ignore[arg-type]

    monkeypatch.setattr("hrdblog.render.indexes_made", counting)
    return made


def test_a_rebuild_indexes_only_the_trees_whose_posts_changed(
    tmp_path: Path, indexed: list[list[str]]
) -> None:
    root = make_site(tmp_path, {**POSTS, **ARABIC}, {"base_url": BASE, "languages": ["en", "ar"]})
    config = load_config(root)
    build(config)
    assert indexed == [["pagefind/", "ar/pagefind/"]]
    before = site_files(config.output_dir)

    build(config)  # nothing changed
    assert indexed == [["pagefind/", "ar/pagefind/"]]

    (root / "templates").mkdir()
    (root / "templates" / "footer.html").write_text("<footer>Our footer</footer>\n")
    build(config)  # every page again, but no post: no index
    assert len(indexed) == 1

    (root / "content" / "geneva.md").write_text(
        post("Report to the Council", "2019-05-01", "The report names seven states.")
    )
    build(config)
    assert indexed[1:] == [["pagefind/"]]
    after = site_files(config.output_dir)
    assert after["ar/pagefind/pagefind-entry.json"] == before["ar/pagefind/pagefind-entry.json"]
    assert "seven" in json.dumps(fragments(config.output_dir), ensure_ascii=False)
    stale = {k for k in before if k.startswith("pagefind/fragment/")} - set(after)
    assert len(stale) == 1  # the edited post's old record is gone from the site


def test_an_index_whose_file_was_changed_on_disk_is_made_again(
    tmp_path: Path, indexed: list[list[str]]
) -> None:
    root = make_site(tmp_path, POSTS, {"base_url": BASE})
    config = load_config(root)
    build(config)
    entry = config.output_dir / "pagefind" / "pagefind-entry.json"
    original = entry.read_bytes()
    entry.write_bytes(b"{}")
    build(config)
    assert len(indexed) == 2 and entry.read_bytes() == original


def test_a_build_without_pagefind_s_program_says_how_to_get_it_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(tmp_path, POSTS, {"base_url": BASE, "search": False})
    build_site(root)
    (root / "hrdblog.yaml").write_text(f"base_url: {BASE}\n")
    before = site_files(root / "site")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-program"))
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "the search index needs Pagefind's program, which is not installed" in result.output
    assert "pip install 'pagefind[bin]'" in result.output and "search: false" in result.output
    assert "Traceback" not in result.output
    assert site_files(root / "site") == before
    assert not [p for p in (root / ".hrdblog-cache").iterdir() if p.name.startswith("search-")]


def _program(tmp_path: Path, script: str) -> str:
    program = tmp_path / "pagefind"
    program.write_text("#!/bin/sh\n" + script + "\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return str(program)


@pytest.mark.parametrize(
    ("script", "seconds", "said"),
    [
        ("exit 3", 60.0, "Pagefind could not make the search index: its program stopped"),
        ("exec sleep 60", 1.0, "Pagefind did not make the search index within 1 s"),
    ],
    ids=["stops", "hangs"],
)
def test_a_pagefind_that_stops_or_hangs_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, seconds: float, said: str
) -> None:
    root = make_site(tmp_path, POSTS, {"base_url": BASE})
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", _program(tmp_path, script))
    monkeypatch.setattr(search, "TIMEOUT_SECONDS", seconds)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert said in result.output
    assert not (root / "site").exists()


def test_check_makes_no_index(tmp_path: Path, indexed: list[list[str]]) -> None:
    root = make_site(tmp_path, POSTS, {"base_url": BASE})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert indexed == [] and not (root / "site").exists()
    assert not [p for p in root.rglob("*") if p.name.startswith("search-")]
