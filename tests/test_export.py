"""Offline copies: `hrdblog export zip` writes the site as it reads from disk, every link
naming a file of the archive, the same archive for the same input, and nothing where a
build would remove it. (Opening the unzipped copy in a browser is in test_browser.py.)"""

from __future__ import annotations

import hashlib
import posixpath
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from helpers import make_site, parse_html, post, run_cli, site_files

BASE = "https://defenders.example.org/"
POSTS = {
    "oman.md": post("Coalition formed in Oman", "2017-11-04", "Text.", tags=["coalition"]),
    "geneva.md": post("Report to the Council", "2017-09-20", "The report."),
    "pages/about.md": "---\ntitle: About us\n---\nWho we are.\n",
}


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    return make_site(tmp_path / "blog", POSTS, {"base_url": BASE, "title": "Defenders"})


def exported(blog: Path, name: str = "copy.zip") -> Path:
    result = run_cli("export", "zip", str(blog.parent / name), "--source", str(blog))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {blog.parent / name}: ")
    return blog.parent / name


def test_every_link_of_the_copy_names_a_file_in_it(blog: Path, tmp_path: Path) -> None:
    archive = exported(blog)
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        assert all(name.startswith("copy/") for name in names)  # unzipped into one folder
        opened.extractall(tmp_path / "unzipped")
    copy = tmp_path / "unzipped" / "copy"
    assert (copy / "index.html").is_file() and (copy / "SHA256SUMS").is_file()
    checked = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=copy)
    assert checked.returncode == 0
    followed = 0
    for page in copy.rglob("*.html"):
        if page.name == "404.html":  # a host shows it at any address: its links are absolute
            continue
        for element in parse_html(page).iter():
            for attribute in ("href", "src"):
                address = element.get(attribute)
                if not address or urlsplit(address).scheme or address.startswith(("#", "//")):
                    continue
                path = unquote(urlsplit(address).path)
                if not path:
                    continue
                target = Path(posixpath.normpath(page.parent / path))
                assert target.is_file(), (page.relative_to(copy), address)
                followed += 1
    assert followed > 100
    home = (copy / "index.html").read_text()
    assert 'href="2017/11/04/coalition-formed-in-oman/index.html"' in home


def test_the_same_blog_gives_the_same_archive_and_the_site_is_left_as_it_was(blog: Path) -> None:
    run_cli("build", "--source", str(blog))
    before = site_files(blog / "site")
    first = hashlib.sha256(exported(blog).read_bytes()).hexdigest()
    again = hashlib.sha256(exported(blog).read_bytes()).hexdigest()
    assert first == again
    assert site_files(blog / "site") == before
    assert [p.name for p in blog.parent.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "blog/content/copy.zip",
            "blog/content/copy.zip is inside content, which builds read or replace",
        ),
        ("blog/site/copy.zip", "blog/site/copy.zip is inside site, which builds read or replace"),
        ("copy.tar", "copy.tar does not end in .zip"),
        ("no/such/folder/copy.zip", "the folder no/such/folder does not exist"),
    ],
)
def test_a_copy_is_not_written_where_it_cannot_stay(
    blog: Path, target: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(blog.parent)
    result = run_cli("export", "zip", target, "--source", "blog")
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    assert not Path(target).exists()


def test_a_failed_export_leaves_the_copy_there_before(blog: Path) -> None:
    archive = exported(blog)
    before = archive.read_bytes()
    (blog / "content" / "broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n")
    result = run_cli("export", "zip", str(archive), "--source", str(blog))
    assert result.exit_code == 1
    assert "content/broken.md:3: YAML syntax error" in result.stderr
    assert f"error: 1 error in 1 file; {archive.as_posix()} was left as it was" in result.stderr
    assert archive.read_bytes() == before
