"""The author's commands: init, new, status, check, and builds with drafts and scheduled posts."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import make_site, page, post, run_cli, site_files, text

from hrdblog.cli import TerminalProgress

BASE = "https://example.org/"


# init


def test_init_makes_a_blog_that_builds_at_once(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path / "blog"), "--title", "Oman: Defenders")
    assert result.exit_code == 0
    blog = tmp_path / "blog"
    year = datetime.now().year
    assert sorted(p.relative_to(blog).as_posix() for p in blog.rglob("*") if p.is_file()) == [
        ".gitignore",
        f"content/{year}/welcome.md",
        "content/pages/about.md",
        "hrdblog.yaml",
        "templates/README.md",
    ]
    assert result.stdout.splitlines()[-1] == f"Next: cd {blog.as_posix()} && hrdblog serve"
    settings = (blog / "hrdblog.yaml").read_text()
    assert 'title: "Oman: Defenders"' in settings
    from hrdblog.config import SETTINGS

    # Every setting is there, explained, to be turned on by removing its #.
    assert sorted(s for s in SETTINGS if not re.search(rf"^#? ?{s}:", settings, re.M)) == []
    built = run_cli("build", "--source", str(blog))
    assert built.exit_code == 0, built.stderr
    assert text(page(blog / "site", "/").find(".//h2")) == "Welcome to your blog"
    assert text(page(blog / "site", "/about/").find(".//h1")) == "About"


def test_init_refuses_a_folder_that_is_not_empty_unless_told(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "hrdblog.yaml").write_text("title: Mine\n")
    refused = run_cli("init", str(tmp_path))
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        f"{tmp_path} is not empty\n  hint: choose a new or empty folder"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hrdblog.yaml", "notes.txt"]
    forced = run_cli("init", str(tmp_path), "--force")
    assert forced.exit_code == 0
    assert (tmp_path / "hrdblog.yaml").read_text() == "title: Mine\n"  # never replaced
    assert (tmp_path / "templates" / "README.md").is_file()


# new


def test_new_creates_a_post_dated_now_in_the_site_time_zone(tmp_path: Path) -> None:
    root = make_site(tmp_path, {}, {"timezone": "Asia/Muscat"})
    before = datetime.now(ZoneInfo("Asia/Muscat")).replace(second=0, microsecond=0)
    result = run_cli(
        "new",
        "Oman: a hunger strike",
        "--source",
        str(root),
        "--tags",
        "detention, Oman",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.stderr
    path = root / "content" / f"{before.year}" / "oman-a-hunger-strike.md"
    assert result.stdout == f"{path.as_posix()}\n"
    written = path.read_text()
    date = re.search(r"^date: (.*)$", written, re.M).group(1)
    assert before <= datetime.fromisoformat(date).replace(tzinfo=ZoneInfo("Asia/Muscat"))
    assert "title: 'Oman: a hunger strike'" in written
    assert "tags: [detention, Oman]" in written
    assert run_cli("build", "--source", str(root)).exit_code == 0


def test_new_page_creates_a_page_without_a_date_at_the_address_of_its_name(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path, {}, {"base_url": BASE})
    result = run_cli("new", "--page", "Reaching us safely", "--source", str(root), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    path = root / "content" / "pages" / "reaching-us-safely.md"
    assert result.stdout == f"{path.as_posix()}\n"
    assert (
        path.read_text() == "---\ntitle: Reaching us safely\nlang: en\n---\nWrite your page here.\n"
    )
    assert run_cli("build", "--source", str(root)).exit_code == 0
    assert text(page(root / "site", "/reaching-us-safely/").find(".//h1")) == "Reaching us safely"
    again = run_cli("new", "--page", "Reaching us safely", "--source", str(root))
    assert again.exit_code == 1
    assert again.stderr == (
        "content/pages/reaching-us-safely.md already exists\n"
        "  hint: choose another title, or name the file with --slug\n"
        "error: no page was created\n"
    )
    tagged = run_cli("new", "--page", "Donate", "--tags", "money", "--source", str(root))
    assert tagged.exit_code == 1
    assert tagged.stderr.startswith("a page has no tags: it is in no list of posts\n")
    assert not (root / "content" / "pages" / "donate.md").exists()


def test_new_page_refuses_the_site_s_own_addresses_and_starts_translations(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path, {}, {"languages": ["en", "ar"]})
    for title in ("Archives", "Tag", "ar", "2020", "index"):
        refused = run_cli("new", "--page", title, "--source", str(root))
        assert refused.exit_code == 1, title
        assert "is one the site uses for its own pages" in refused.stderr
    assert run_cli("new", "--page", "Contact", "--source", str(root)).exit_code == 0
    translated = run_cli("new", "--page", "Contact", "--lang", "ar", "--source", str(root))
    assert translated.exit_code == 0, translated.stderr
    assert translated.stdout.endswith("content/pages/contact.ar.md\n")
    assert run_cli("build", "--source", str(root)).exit_code == 0
    assert (root / "site" / "ar" / "contact" / "index.html").is_file()


def test_new_never_overwrites_a_file(tmp_path: Path) -> None:
    root = make_site(tmp_path, {})
    assert run_cli("new", "Statement", "--source", str(root)).exit_code == 0
    path = next((root / "content").rglob("statement.md"))
    path.write_text("my words")
    again = run_cli("new", "Statement", "--source", str(root))
    assert again.exit_code == 1
    assert again.stderr.startswith(f"content/{path.parent.name}/statement.md already exists")
    assert path.read_text() == "my words"
    other = run_cli("new", "Statement", "--slug", "statement-2", "--draft", "--source", str(root))
    assert other.exit_code == 0
    assert "draft: true" in (path.parent / "statement-2.md").read_text()


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        (
            "../../../x",
            "--slug may only hold lower-case letters, digits and hyphens, got '../../../x'\n  hint: try --slug x",
        ),
        (
            "/tmp/elsewhere",
            "--slug may only hold lower-case letters, digits and hyphens, got '/tmp/elsewhere'",
        ),
        (
            "a/b",
            "--slug may only hold lower-case letters, digits and hyphens, got 'a/b'\n  hint: try --slug a-b",
        ),
        (
            "UPPER case",
            "--slug may only hold lower-case letters, digits and hyphens, got 'UPPER case'\n  hint: try --slug upper-case",
        ),
        ("con", "--slug may not be 'con', a device name on Windows"),
    ],
)
def test_new_refuses_a_slug_the_build_would_refuse_before_writing(
    tmp_path: Path, slug: str, message: str
) -> None:
    root = make_site(tmp_path / "blog", {})
    before = tree(tmp_path)
    result = run_cli("new", "A title", "--slug", slug, "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr
    assert tree(tmp_path) == before
    assert not Path("/tmp/elsewhere.md").exists()


def test_new_writes_front_matter_an_author_can_add_to_and_pins_the_address(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path, {})
    result = run_cli("new", "Coalition formed", "--source", str(root))
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip())
    written = path.read_text()
    assert written.startswith("---\ntitle: Coalition formed\ndate: ")
    assert "\nslug: coalition-formed\n---\n" in written
    # The author corrects the headline and adds a line the way README shows.
    written = written.replace("title: Coalition formed", 'title: "Oman: coalition formed"')
    path.write_text(
        written.replace(
            "slug: coalition-formed\n", "slug: coalition-formed\ntags: [coalition, Oman]\n"
        )
    )
    assert run_cli("build", "--source", str(root)).exit_code == 0
    (page_file,) = (root / "site").glob("*/*/*/coalition-formed/index.html")
    assert "Oman: coalition formed" in page_file.read_text()


def test_new_refuses_what_the_build_would_refuse_in_its_tags(tmp_path: Path) -> None:
    root = make_site(tmp_path, {})
    result = run_cli("new", "A title", "--tags", "C,C++", "--source", str(root))
    assert result.exit_code == 1
    assert "the tags 'C++' and 'C' would share the URL /tag/c/" in result.stderr
    assert not list((root / "content").rglob("*.md"))


@pytest.mark.parametrize("title", ["Defenders\nNews", "Defenders\u2028News", "Defenders\rNews"])
def test_init_refuses_a_title_of_several_lines(tmp_path: Path, title: str) -> None:
    result = run_cli("init", str(tmp_path / "blog"), "--title", title)
    assert result.exit_code == 1
    assert result.stderr.startswith("--title must be one line, but it holds a line break")
    assert not (tmp_path / "blog").exists()


def test_init_writes_a_long_title_whole(tmp_path: Path) -> None:
    title = "The Gulf Centre for Human Rights and its partners: " + "defenders " * 20
    assert run_cli("init", str(tmp_path / "blog"), "--title", title).exit_code == 0
    built = run_cli("build", "--source", str(tmp_path / "blog"))
    assert built.exit_code == 0, built.stderr
    home = (tmp_path / "blog" / "site" / "index.html").read_text()
    assert f"<title>{title.strip()}</title>" in home


def test_new_checks_the_language(tmp_path: Path) -> None:
    result = run_cli("new", "A title", "--lang", "Arabic", "--source", str(make_site(tmp_path, {})))
    assert result.exit_code == 1
    assert result.stderr.startswith("--lang must be a language code like en or ar, got 'Arabic'")


# drafts and scheduled posts


def pending_blog(tmp_path: Path) -> Path:
    return make_site(
        tmp_path,
        {
            "published.md": post("Published", "2017-01-01", tags=["t"]),
            "draft.md": post("A draft", "2017-01-02", tags=["t"], draft=True),
            "later.md": post("Scheduled statement", "2099-06-01 09:00", tags=["t"]),
        },
        {"base_url": BASE},
    )


def test_drafts_and_scheduled_posts_are_left_out_of_everything(tmp_path: Path) -> None:
    root = pending_blog(tmp_path)
    assert run_cli("build", "--source", str(root)).exit_code == 0
    files = site_files(root / "site")
    for path, content in files.items():
        assert b"A draft" not in content, path
        assert b"Scheduled statement" not in content, path
    assert not any(p.startswith("2099") for p in files)


def test_drafts_and_scheduled_posts_are_published_and_marked_when_asked(tmp_path: Path) -> None:
    root = pending_blog(tmp_path)
    assert run_cli("build", "--drafts", "--future", "--source", str(root)).exit_code == 0
    site = root / "site"
    assert (
        text(page(site, "/2017/01/02/a-draft/").find(".//strong[@class='entry-status']")) == "Draft"
    )
    scheduled = page(site, "/2099/06/01/scheduled-statement/")
    assert text(scheduled.find(".//strong[@class='entry-status']")) == "Scheduled"
    assert [text(h) for h in page(site, "/tag/t/").findall(".//h2")] == [
        "Scheduled statement",
        "A draft",
        "Published",
    ]


def test_status_lists_drafts_and_scheduled_posts_with_their_dates(tmp_path: Path) -> None:
    root = pending_blog(tmp_path)
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "donate.md").write_text("---\ntitle: Give\ndraft: true\n---\n")
    result = run_cli("status", "--source", str(root))
    assert result.exit_code == 0
    assert result.stdout == (
        "2 drafts, published when `draft: true` is removed:\n"
        "  content/draft.md  A draft\n"
        "  content/pages/donate.md  Give\n"
        "1 post scheduled, each published by the first build after its date:\n"
        "  2099-06-01 09:00  content/later.md  Scheduled statement\n"
    )
    calm = run_cli(
        "status", "--source", str(make_site(tmp_path / "calm", {"a.md": post("A", "2017-01-01")}))
    )
    assert calm.stdout == "No drafts, nothing scheduled: every post is published.\n"


# check


def test_check_validates_content_without_writing_anything(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"a.md": post("A", "2017-01-01"), "b.md": "---\ntitle: B\n---\n"},
        {"base_url": BASE},
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "content/b.md:1: 'date' is missing"
    assert result.stderr.splitlines()[-1] == "error: 1 error in 1 file; the check found problems"
    assert not (root / "site").exists()
    (root / "content" / "b.md").unlink()
    fine = run_cli("check", "--source", str(root))
    assert fine.exit_code == 0
    assert fine.stdout == (
        "The content is sound: 1 post would be published.\n"
        "site/ is not built yet: build it, then check again to test its links.\n"
    )
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "about.md").write_text("---\ntitle: About\n---\n")
    with_page = run_cli("check", "--source", str(root))
    assert with_page.stdout.startswith("The content is sound: 1 post and 1 page would be ")


def test_check_finds_broken_links_missing_files_and_requests_to_other_sites(tmp_path: Path) -> None:
    body = (
        "See [the report](https://reports.example/1), "
        "[a missing page](../../../../no/such/page/), [an anchor](#nowhere)."
    )
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01", body)}, {"base_url": BASE})
    assert run_cli("build", "--source", str(root)).exit_code == 0
    # What a build refuses in posts, a template or a hand on the server may still put there.
    page_file = root / "site" / "2017" / "01" / "01" / "a" / "index.html"
    loads = (
        '<img src="https://cdn.example.net/chart.png" alt="">'
        '<iframe src="https://video.example.org/embed/1" title="video"></iframe>'
        '<svg><use href="https://icons.example/sprite.svg#x"></use></svg>'
        "<div style=\"background: image-set('https://img.example/a.png' 1x)\"></div>"
        '<meta http-equiv="refresh" content="5; url=https://elsewhere.example/">'
        '<a href="/x" ping="https://track.example/p">x</a>'
    )
    page_file.write_text(page_file.read_text().replace("</main>", loads + "</main>"))
    (root / "site" / "other.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title>'
        '<base href="https://evil.example/"></head><body></body></html>'
    )
    css = root / "site" / "static" / "style.css"
    css.write_text(css.read_text() + '@import "https://fonts.example.com/font.css";\n')
    (root / "site" / "static" / "icon.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="https://tracker.example/pixel.png"/></svg>'
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    problems = result.stderr.splitlines()
    page_name = "site/2017/01/01/a/index.html"
    for address, origin in (
        ("https://cdn.example.net/chart.png", "https://cdn.example.net"),
        ("https://video.example.org/embed/1", "https://video.example.org"),
        ("https://icons.example/sprite.svg#x", "https://icons.example"),
        ("https://img.example/a.png", "https://img.example"),
        ("https://elsewhere.example/", "https://elsewhere.example"),
        ("https://track.example/p", "https://track.example"),
    ):
        assert (
            f"{page_name}: {address}: loads from another site ({origin}); publish the file "
            "with the site, or allow the site in allowed_origins"
        ) in problems, address
    assert any(p.startswith("site/other.html: https://evil.example/: loads") for p in problems)
    assert any(
        p.startswith("site/static/icon.svg: https://tracker.example/pixel.png: loads")
        for p in problems
    )
    assert f"{page_name}: ../../../../no/such/page/: does not exist" in problems
    assert f"{page_name}: #nowhere: 2017/01/01/a/index.html has no #nowhere" in problems
    assert any(
        p.startswith("site/static/style.css: https://fonts.example.com/font.css: loads")
        for p in problems
    )
    assert not any("reports.example" in p for p in problems)  # a link the reader follows by choice


@pytest.mark.parametrize(
    "body",
    [
        "![a chart](https://cdn.example.net/chart.png)",
        '<base href="https://cdn.example.net/">',
        '<meta http-equiv="refresh" content="0; url=https://cdn.example.net/">',
        '<svg><use href="https://cdn.example.net/sprite.svg#i"></use></svg>',
        "<p style=\"background: image-set('https://cdn.example.net/a.png' 1x)\">x</p>",
        '<video poster="//cdn.example.net/p.jpg"></video>',
        '<a href="/x" ping="https://cdn.example.net/ping">x</a>',
        "![a chart](/\\cdn.example.net/chart.png)",
        '<img src="\\\\cdn.example.net/b.png" alt="">',
        '<img src="/&#9;/cdn.example.net/a.png" alt="">',
        '<style>@import"//cdn.example.net/x.css";</style>',
        '<p style="background:u\\72l(//cdn.example.net/x)">x</p>',
        '<link rel="prerender" href="https://cdn.example.net/">',
        '<img src="https:cdn.example.net/a.png" alt="">',
    ],
)
def test_build_refuses_a_post_that_loads_from_another_site(tmp_path: Path, body: str) -> None:
    root = make_site(
        tmp_path, {"a.md": post("A", "2017-01-01", "First line.\n\n" + body)}, {"base_url": BASE}
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    # A style attribute or element is also warned of (the site's policy blocks it).
    errors = [
        line for line in result.stderr.splitlines() if not line.startswith(("warning:", "  "))
    ]
    first = errors[0]
    assert first.startswith("content/a.md:7: loads ") and "(https://cdn.example.net)" in first
    assert "hint: put the file in the post's own folder and use its name, or list " in result.stderr
    assert not (root / "site").exists()


def test_allowed_origins_permit_a_site_to_load_from_them(tmp_path: Path) -> None:
    body = '<iframe src="https://video.example.org/embed/1" title="video"></iframe>'
    root = make_site(
        tmp_path,
        {"a.md": post("A", "2017-01-01", body)},
        {"base_url": BASE, "allowed_origins": ["https://video.example.org"]},
    )
    assert run_cli("build", "--source", str(root)).exit_code == 0
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "site/: 8 pages checked; every link, anchor and file resolves, and nothing loads from another site."
    )


def test_check_wants_a_title_and_a_language_on_every_page(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")}, {"base_url": BASE})
    assert run_cli("build", "--source", str(root)).exit_code == 0
    (root / "site" / "extra.html").write_text(
        "<!DOCTYPE html><html><head></head><body></body></html>"
    )
    problems = run_cli("check", "--source", str(root)).stderr.splitlines()
    assert "site/extra.html: the page has no title" in problems
    assert "site/extra.html: the page does not say its language (<html lang>)" in problems


# progress


def test_a_long_build_draws_a_progress_bar_and_clears_it(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    progress = TerminalProgress()
    progress.started -= TerminalProgress.DELAY  # as if the build had run for a while
    progress("rendering", 15, 60)
    assert stream.getvalue() == "\rrendering  [#######-----------------------] 15/60"
    progress.clear()
    assert stream.getvalue().endswith("\r")


def test_a_short_build_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    progress = TerminalProgress()
    progress("reading", 1, 2)
    progress.clear()
    assert stream.getvalue() == ""


def test_no_progress_is_drawn_when_stderr_is_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TerminalProgress, "DELAY", 0.0)
    root = make_site(
        tmp_path, {f"p{i}.md": post(f"P{i}", "2017-01-01") for i in range(5)}, {"base_url": BASE}
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0
    assert "[#" not in result.stderr and "\r" not in result.stderr


def test_what_a_build_keeps_stays_out_of_git_whatever_the_blog_s_gitignore(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01", draft=True)})
    (root / ".gitignore").write_text("/site/\n")  # as blogs made before the key had it
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert run_cli("build", "--source", str(root)).exit_code == 0
    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".hrdblog-key" not in status and ".hrdblog-cache" not in status, status
    assert "content/a.md" in status


def test_a_build_never_keeps_its_cache_or_key_through_a_link_out_of_the_blog(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".hrdblog-key").symlink_to(outside, target_is_directory=True)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert list(outside.iterdir()) == []  # no key, no .gitignore written there
    (root / ".hrdblog-key").unlink()
    shutil.rmtree(root / ".hrdblog-cache")
    (root / ".hrdblog-cache").symlink_to(outside, target_is_directory=True)
    before = site_files(root / "site")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert ".hrdblog-cache is a link" in result.output and "remove the link" in result.output
    assert "Traceback" not in result.output
    assert list(outside.iterdir()) == []
    assert site_files(root / "site") == before


def test_init_never_writes_through_a_link(tmp_path: Path) -> None:
    blog = tmp_path / "blog"
    blog.mkdir()
    (blog / "hrdblog.yaml").symlink_to(tmp_path / "elsewhere.yaml")  # leads nowhere yet
    assert run_cli("init", str(blog), "--force").exit_code == 0
    assert not (tmp_path / "elsewhere.yaml").exists()
    assert (
        blog / ".gitignore"
    ).read_text() == "/site/\n/.site.*/\n/.hrdblog-cache/\n/.hrdblog-key/\n"
