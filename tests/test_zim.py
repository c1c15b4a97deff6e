"""Offline copies for Kiwix: `hrdblog export zim` writes a ZIM file per language, each holding
the whole site with every link working, and a full-text index of its own language's pages
that finds a word in another form of it. Read back with libzim itself, as Kiwix reads them."""

from __future__ import annotations

import io
import os
import posixpath
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import pytest
from helpers import make_site, post, run_cli
from PIL import Image

from hrdblog.zim import read_page, shortened, unaccented

libzim_reader = pytest.importorskip("libzim.reader")
libzim_search = pytest.importorskip("libzim.search")
libzim_suggestion = pytest.importorskip("libzim.suggestion")

BASE = "https://defenders.example.org/"
POSTS = {
    "oman.md": post(
        "Coalition formed in Oman",
        "2017-11-04",
        "Eleven groups met in Muscat and signed the statement.",
        tags=["coalition"],
        translation_key="oman",
    ),
    "mexico.md": post("Journalist killed in Culiacán", "2017-05-17", "A vigil was held."),
    "oman.ar.md": post(
        "تحالف جديد في عُمان",
        "2017-11-04",
        "اجتمعت الشبكات المحلية في مسقط ووقعت البيان.",
        translation_key="oman",
    ),
    "pages/about.md": "---\ntitle: About us\n---\nWho we are.\n",
}
SETTINGS = {
    "base_url": BASE,
    "title": "Defenders",
    "description": "News of human rights defenders, the coalitions that protect them "
    "and the campaigns they run.",
    "author": "The editors",
    "languages": ["en", "ar"],
    "slug_unicode": True,
    "translations": {"ar": {"site_title": "المدافعون"}},
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example of two languages exported, by the command a user types."""
    root = tmp_path_factory.mktemp("zim")
    blog = make_site(root / "blog", POSTS, SETTINGS)
    result = subprocess.run(
        [sys.executable, "-m", "hrdblog", "export", "zim", "copy.zim", "--source", "blog"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1512000000"},
    )
    assert result.returncode == 0, result.stderr
    # Only what the command says of itself: libzim's progress lines are kept out.
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Wrote copy.zim", "Wrote copy.ar.zim"]
    assert blog.is_dir()
    return root


def archive(root: Path, name: str) -> object:
    return libzim_reader.Archive(str(root / name))


def found(zim: object, words: str) -> list[str]:
    search = libzim_search.Searcher(zim).search(libzim_search.Query().set_query(words))
    return list(search.getResults(0, 20))


def built(root: Path) -> dict[str, bytes]:
    site = root / "blog" / ".hrdblog-cache" / "export-zim-site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_each_file_holds_the_whole_site_with_its_language_home_first(exported: Path) -> None:
    files = built(exported)
    assert "_headers" in files  # for web servers: left out of the ZIM file
    assert not any(path.startswith(("search/", "pagefind/")) for path in files)
    for name, home, language, title in [
        ("copy.zim", "index.html", "eng", "Defenders"),
        ("copy.ar.zim", "ar/index.html", "ara", "المدافعون"),
    ]:
        zim = archive(exported, name)
        # Every file of the site but the headers and the build's own record of it.
        expected = set(files) - {"_headers", ".hrdblog-manifest"}
        assert zim.entry_count == len(expected)
        assert all(zim.has_entry_by_path(path) for path in expected)
        assert zim.main_entry.get_item().path == home
        page = "2017/11/04/coalition-formed-in-oman/index.html"
        item = zim.get_entry_by_path(page).get_item()
        assert bytes(item.content) == files[page]
        assert item.mimetype == "text/html"
        assert zim.get_entry_by_path("SHA256SUMS").get_item().mimetype == "text/plain"
        assert bytes(zim.get_metadata("Language")).decode() == language
        assert bytes(zim.get_metadata("Title")).decode() == title
        assert bytes(zim.get_metadata("Date")).decode() == "2017-11-30"
        assert bytes(zim.get_metadata("Creator")).decode() == "The editors"
        assert bytes(zim.get_metadata("Source")).decode() == BASE
        assert zim.has_illustration(48)
        picture = Image.open(io.BytesIO(bytes(zim.get_illustration_item(48).content)))
        assert (picture.format, picture.size) == ("PNG", (48, 48))
    english = archive(exported, "copy.zim")
    # The description is cut after a word within openZIM's 80 characters; the whole is kept.
    description = bytes(english.get_metadata("Description")).decode()
    assert (
        description == "News of human rights defenders, the coalitions that protect them and the…"
    )
    assert bytes(english.get_metadata("LongDescription")).decode() == SETTINGS["description"]


def test_every_link_inside_a_file_names_an_entry_of_it(exported: Path) -> None:
    zim = archive(exported, "copy.ar.zim")
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    followed = 0
    for path, data in built(exported).items():
        if not path.endswith(".html") or path.endswith("404.html"):  # its links are absolute
            continue
        for element in parser.parse(data).iter():
            addresses = [element.get("href"), element.get("src")]
            srcset = (element.get("srcset") or "").split(",")
            addresses += [part.split()[0] for part in srcset if part.strip()]
            for address in addresses:
                if not address or urlsplit(address).scheme or address.startswith(("#", "//")):
                    continue
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(path), unquote(urlsplit(address).path))
                )
                assert zim.has_entry_by_path(target), (path, address)
                followed += 1
    assert followed > 100
    # The language switcher of an English post leads to its Arabic translation, in each file.
    english = archive(exported, "copy.zim")
    page = bytes(
        english.get_entry_by_path("2017/11/04/coalition-formed-in-oman/index.html")
        .get_item()
        .content
    ).decode()
    assert 'hreflang="ar"' in page


def test_each_file_searches_its_own_language_in_every_form_of_a_word(exported: Path) -> None:
    english, arabic = archive(exported, "copy.zim"), archive(exported, "copy.ar.zim")
    oman = "2017/11/04/coalition-formed-in-oman/index.html"
    arabic_oman = "ar/2017/11/04/تحالف-جديد-في-عُمان/index.html"
    assert oman in found(english, "coalition")
    assert oman in found(english, "coalitions")  # stemmed in English
    assert "2017/05/17/journalist-killed-in-culiacán/index.html" in found(english, "Culiacan")
    assert found(english, "الشبكات") == []  # the Arabic pages are in the Arabic file's index
    assert arabic_oman in found(arabic, "الشبكات")
    assert arabic_oman in found(arabic, "الشبكة")  # the same word in the singular
    assert arabic_oman in found(arabic, "شبكة")  # and without its article
    assert arabic_oman in found(arabic, "عمان")  # and without its short vowel
    assert found(arabic, "coalition") == []
    suggested = libzim_suggestion.SuggestionSearcher(arabic).suggest("تحالف")
    assert arabic_oman in list(suggested.getResults(0, 10))


def test_a_failed_export_leaves_the_files_there_before(exported: Path) -> None:
    blog = exported / "blog"
    before = (exported / "copy.zim").read_bytes()
    broken = blog / "content" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\nText.\n")
    try:
        result = run_cli("export", "zim", str(exported / "copy.zim"), "--source", str(blog))
    finally:
        broken.unlink()
    assert result.exit_code == 1
    assert "content/broken.md:3: YAML syntax error" in result.stderr
    assert f"{(exported / 'copy.zim').as_posix()} was left as it was" in result.stderr
    assert (exported / "copy.zim").read_bytes() == before
    assert [p.name for p in exported.iterdir() if p.name.startswith(".hrdblog-zim")] == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("blog/site/copy.zim", "blog/site/copy.zim is inside site, which builds read or replace"),
        ("copy.zip", "copy.zip does not end in .zim"),
    ],
)
def test_a_file_is_not_written_where_it_cannot_stay(
    tmp_path: Path, target: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_site(tmp_path / "blog", POSTS, SETTINGS)
    monkeypatch.chdir(tmp_path)
    result = run_cli("export", "zim", target, "--source", "blog")
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    assert not Path(target).exists()


def test_a_page_gives_the_index_its_heading_and_the_words_of_its_main_part() -> None:
    page = read_page(
        '<html lang="en"><head><title>Oman – Defenders</title></head><body>'
        "<nav>Home Archives</nav><main><h1>Coalition <em>formed</em></h1><p>Eleven "
        "groups.</p><script>var x;</script></main><footer>Feed</footer></body></html>"
    )
    assert (page.title, page.text, page.indexed) == (
        "Coalition formed",
        "Coalition formed Eleven groups.",
        True,
    )
    hidden = read_page(
        '<html><head><meta name="robots" content="noindex"><title>Not found</title></head>'
        "<body><main><h1>Not found</h1></main></body></html>"
    )
    assert (hidden.title, hidden.indexed) == ("Not found", False)
    assert read_page("<html><head><title>Home</title></head><body></body></html>").title == "Home"


def test_text_is_indexed_as_libzim_reads_queries() -> None:
    assert unaccented("Culiacán ÉTÉ") == "culiacan ete"
    assert unaccented("عُمان") == "عمان"
    assert shortened("Defenders Dispatch", 30) == "Defenders Dispatch"
    assert shortened("News of human rights defenders, the coalitions", 40) == (
        "News of human rights defenders, the…"
    )
