"""Rebuilds: a build that uses what the last one made gives exactly the bytes of a clean build,
whatever changed."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import build_site, make_site, post, site_files
from test_media import jpeg_with_location

from hrdblog.build import build
from hrdblog.config import load_config
from hrdblog.errors import HrdblogError
from hrdblog.incremental.keys import fingerprint
from hrdblog.lock import CACHE_DIR
from hrdblog.seal import Seal


def blog(tmp_path: Path) -> Path:
    posts = {
        f"2017/p{i:02}.md": post(
            f"Post {i}",
            f"2017-03-{i + 1:02} 10:00",
            f"Body {i}.\n\n<!--more-->\n\nMore {i}.",
            tags=["a", f"t{i % 3}"],
            tittle="x",
        )
        for i in range(12)
    }
    posts["2017/folder/index.md"] = post(
        "In a folder", "2017-04-01", "![Vigil](vigil.jpg)", tags=["a"]
    )
    posts["pages/about.md"] = "---\ntitle: About\n---\nWho we are.\n"
    posts["pages/contact/index.md"] = "---\ntitle: Contact\n---\n![Office](office.jpg)\n"
    root = make_site(tmp_path, posts, {"base_url": "https://example.org/"})
    (root / "content" / "pages" / "contact" / "office.jpg").write_bytes(jpeg_with_location((8, 8)))
    (root / "content" / "2017" / "folder" / "vigil.jpg").write_bytes(jpeg_with_location((40, 20)))
    return root


def same_as_clean(root: Path, tmp_path: Path) -> None:
    """Rebuild with the cache, build from scratch elsewhere, and compare every byte."""
    build(load_config(root))
    clean = tmp_path / "clean"
    build(load_config(root, output_dir=clean), use_cache=False)
    assert site_files(root / "site") == site_files(clean)


def edit(root: Path) -> None:
    (root / "content" / "2017" / "p03.md").write_text(
        post("Post 3", "2017-03-04 10:00", "An edited body.", tags=["a", "t0"])
    )


def add(root: Path) -> None:
    (root / "content" / "2017" / "new.md").write_text(
        post("A new post", "2017-05-01", "New.", tags=["a", "fresh"])
    )


def delete(root: Path) -> None:
    (root / "content" / "2017" / "p07.md").unlink()


def retag(root: Path) -> None:
    (root / "content" / "2017" / "p01.md").write_text(
        post("Post 1", "2017-03-02 10:00", "Body 1.", tags=["renamed"])
    )


def redate(root: Path) -> None:
    (root / "content" / "2017" / "p02.md").write_text(
        post("Post 2", "2016-12-31 23:00", "Body 2.", tags=["a", "t2"])
    )


def edit_page(root: Path) -> None:
    (root / "content" / "pages" / "about.md").write_text(
        "---\ntitle: About us\nupdated: 2018-01-01\n---\nWho we are now.\n"
    )


def add_page(root: Path) -> None:
    (root / "content" / "pages" / "about" / "team.md").parent.mkdir()
    (root / "content" / "pages" / "about" / "team.md").write_text("---\ntitle: Team\n---\nUs.\n")


def post_to_page(root: Path) -> None:
    """The same bytes, moved: a post becomes a page."""
    (root / "content" / "2017" / "p05.md").rename(root / "content" / "pages" / "p05.md")


def page_image(root: Path) -> None:
    office = root / "content" / "pages" / "contact" / "office.jpg"
    office.write_bytes(jpeg_with_location((16, 4)))


def template(root: Path) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "footer.html").write_text(
        '<footer class="site-footer"><p>A new footer</p></footer>\n'
    )


def setting(root: Path) -> None:
    (root / "hrdblog.yaml").write_text(
        "base_url: https://example.org/\nexcerpt_words: 3\npermalink: /{year}/{slug}/\n"
    )


def image(root: Path) -> None:
    (root / "content" / "2017" / "folder" / "vigil.jpg").write_bytes(jpeg_with_location((60, 30)))


CHANGES = [
    edit,
    add,
    delete,
    retag,
    redate,
    edit_page,
    add_page,
    post_to_page,
    page_image,
    template,
    setting,
    image,
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_rebuild_after_a_change_equals_a_clean_build(
    tmp_path: Path, change: Callable[[Path], None]
) -> None:
    root = blog(tmp_path)
    build(load_config(root))
    change(root)
    same_as_clean(root, tmp_path)


def test_every_change_in_turn(tmp_path: Path) -> None:
    root = blog(tmp_path)
    build(load_config(root))
    for change in CHANGES:
        change(root)
        same_as_clean(root, tmp_path / change.__name__)


def test_a_rebuild_reads_nothing_again_and_still_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = blog(tmp_path)
    build(load_config(root))
    import hrdblog.read

    def no_reading(*args: object) -> None:
        raise AssertionError("a post was read again")

    monkeypatch.setattr(hrdblog.read, "read_post", no_reading)
    with caplog.at_level(logging.WARNING):
        build(load_config(root))
    assert "content/2017/p00.md:7: unknown key 'tittle', did you mean 'title'?" in caplog.messages


@pytest.mark.parametrize("failing", ["made", "moved into place"])
def test_a_record_that_cannot_be_saved_is_named_and_the_next_build_is_still_right(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """The disk is full as the build records what it did: the site is published all the
    same, the warning says what that costs, no half-saved file is left, and the record left
    from before is not misread."""
    import tempfile

    root = blog(tmp_path)
    build(load_config(root))
    edit(root)
    cache = root / CACHE_DIR
    before = {p.name for p in cache.rglob("*")}
    real_replace = os.replace

    def full(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(28, "No space left on device")

    def full_cache(source: str, target: str) -> None:
        if Path(target).is_relative_to(cache):
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    if failing == "made":
        monkeypatch.setattr(tempfile, "mkstemp", full)
    else:
        monkeypatch.setattr(os, "replace", full_cache)
    with caplog.at_level(logging.WARNING):
        build(load_config(root))
    monkeypatch.undo()
    assert any(
        "could not be saved (" in m and "the next build may do again what this one did" in m
        for m in caplog.messages
    ), caplog.messages
    assert (
        "An edited body."
        in (root / "site" / "2017" / "03" / "04" / "post-3" / "index.html").read_text()
    )
    assert [p.name for p in cache.rglob(".*") if p.name not in before] == []  # no part left
    redate(root)
    same_as_clean(root, tmp_path)


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "tampered", "checksum recomputed", "other version"]
)
def test_a_damaged_or_tampered_cache_is_never_trusted(tmp_path: Path, damage: str) -> None:
    root = blog(tmp_path)
    build(load_config(root))
    cached = sorted((root / CACHE_DIR / "posts").iterdir())
    assert len(cached) == 1  # one pack of the 13 posts read in one go
    for cache in cached:
        text = cache.read_text()
        header, body = text.split("\n", 1)
        if damage == "garbage":
            cache.write_bytes(b"\x00\xff not json")
        elif damage == "truncated":
            cache.write_text(text[: len(text) // 2])
        elif damage in {"tampered", "checksum recomputed"}:
            entries = json.loads(body)
            assert len(entries) == 15  # the 13 posts and the 2 pages
            for entry in entries.values():
                entry["body"] = "<script>alert(1)</script>"
            tampered = json.dumps(entries)
            if damage == "checksum recomputed":  # as whoever can write the cache can do
                stored = json.loads(header)
                stored["checksum"] = hashlib.sha256(tampered.encode()).hexdigest()
                header = json.dumps(stored)
            cache.write_text(header + "\n" + tampered)
        else:  # signed with this blog's key, for other settings or another hrdblog
            cache.write_bytes(Seal.of_blog(root).wrap(body.encode(), "0" * 64))
    (root / "content" / "2017" / "p03.md").write_text(post("Edited", "2017-03-04"))
    same_as_clean(root, tmp_path)
    assert b"alert(1)" not in b"".join(site_files(root / "site").values())


def test_a_damaged_record_of_the_site_is_never_trusted(tmp_path: Path) -> None:
    root = blog(tmp_path)
    build(load_config(root))
    (record,) = (root / CACHE_DIR).glob("site-*.json")
    header, body = record.read_text().split("\n", 1)
    stored = json.loads(body)
    page = root / "site" / "index.html"
    page.write_text("changed on the server")
    # The record now vouches for the changed page: only its signature tells it is not to be
    # trusted, whatever checksum its header holds.
    stat = page.stat()
    stored["published"]["index.html"][2:] = [
        stat.st_size,
        stat.st_mtime_ns,
        stat.st_ctime_ns,
        stat.st_ino,
    ]
    body = json.dumps(stored)
    header = json.dumps({"checksum": hashlib.sha256(body.encode()).hexdigest()})
    record.write_text(header + "\n" + body)
    same_as_clean(root, tmp_path)


def test_a_cache_signed_with_another_key_is_never_trusted(tmp_path: Path) -> None:
    """A cache folder copied from elsewhere (a CI cache restored from another branch …)."""
    root = blog(tmp_path)
    build(load_config(root))
    pack = next((root / CACHE_DIR / "posts").iterdir())
    entries = json.loads(pack.read_text().split("\n", 1)[1])
    for entry in entries.values():
        entry["body"] = "<script>alert(1)</script>"
    someone_else = Seal(b"0" * 64)
    pack.write_bytes(
        someone_else.wrap(json.dumps(entries).encode(), fingerprint(load_config(root)))
    )
    (root / "content" / "2017" / "p03.md").write_text(post("Edited", "2017-03-04"))
    same_as_clean(root, tmp_path)
    assert b"alert(1)" not in b"".join(site_files(root / "site").values())


def test_unchanged_pages_are_taken_from_the_last_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = blog(tmp_path)
    build(load_config(root))
    edit(root)
    with caplog.at_level(logging.INFO):
        build(load_config(root))
    rendered = next(m for m in caplog.messages if m.startswith("Rendered"))
    reused = int(rendered.split(", ")[1].split()[0])
    assert reused > 10  # e.g. the other posts' pages and the tag pages that do not list it
    same_as_clean(root, tmp_path)


def test_a_published_page_changed_by_hand_is_rendered_again(tmp_path: Path) -> None:
    root = blog(tmp_path)
    build(load_config(root))
    page = root / "site" / "2017" / "03" / "05" / "post-4" / "index.html"
    page.write_text(page.read_text().replace("Body 4.", "Body altered on the server."))
    same_as_clean(root, tmp_path)


def test_reading_and_rendering_in_processes_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hrdblog.read
    import hrdblog.render

    root = blog(tmp_path)
    build(load_config(root, output_dir=tmp_path / "one"), use_cache=False)
    monkeypatch.setattr(hrdblog.render, "PARALLEL_PAGES", 1)  # fork even for this small site
    monkeypatch.setattr(hrdblog.read, "PARALLEL_FROM", 1)
    build(load_config(root, output_dir=tmp_path / "many"), use_cache=False)
    assert site_files(tmp_path / "one") == site_files(tmp_path / "many")
    build(load_config(root))  # the record of pages rendered by workers
    edit(root)
    build(load_config(root))
    same_as_clean(root, tmp_path / "clean")


def test_files_changed_by_hand_in_the_site_are_put_right(tmp_path: Path) -> None:
    root = blog(tmp_path)
    site = build_site(root)
    (site / "stray.html").write_text("added on the server")
    (site / "2017" / "03" / "05" / "post-4" / "index.html").unlink()
    (site / "tag" / "t1" / "index.html").write_text("changed on the server")
    same_as_clean(root, tmp_path)


def inodes(site: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in site.rglob("*")
        if p.is_file()
    }


def test_a_rebuild_after_an_edit_rewrites_only_the_files_that_change(tmp_path: Path) -> None:
    root = blog(tmp_path)
    site = build_site(root)
    folder, files, before = site.stat().st_ino, site_files(site), inodes(site)
    edit(root)
    build_site(root)
    assert site.stat().st_ino == folder  # updated in place, not replaced
    after = site_files(site)
    differ = {path for path in after if files.get(path) != after[path]}
    rewritten = {path for path, node in inodes(site).items() if before.get(path) != node}
    assert rewritten == differ
    assert {
        "2017/03/04/post-3/index.html",
        "index.html",
        "tag/t0/index.html",
        "feed.xml",
        ".hrdblog-manifest",
    } <= differ
    assert "2017/03/05/post-4/index.html" not in differ  # shows post 3's title only: unchanged
    assert len(differ) < len(after) / 4
    same_as_clean(root, tmp_path)


def test_a_build_with_nothing_to_do_changes_nothing(tmp_path: Path) -> None:
    root = blog(tmp_path)
    site = build_site(root)
    before = inodes(site)
    report = build(load_config(root))
    assert report.unchanged
    assert (report.posts, report.pages) == (13, len([p for p in before if p.endswith(".html")]))
    assert inodes(site) == before


def test_a_post_whose_time_comes_is_published_though_no_file_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = blog(tmp_path)
    (root / "content" / "2017" / "later.md").write_text(post("Later", "2030-01-01 09:00"))
    page = root / "site" / "2030" / "01" / "01" / "later" / "index.html"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1893484800))  # 2030-01-01 08:00 UTC
    build_site(root)
    assert not page.exists()
    assert build(load_config(root)).unchanged
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1893484800 + 7200))
    report = build(load_config(root))
    assert not report.unchanged
    assert page.is_file()
    same_as_clean(root, tmp_path)


def test_a_failed_build_keeps_the_posts_it_could_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = blog(tmp_path)
    bad = root / "content" / "2017" / "bad.md"
    bad.write_text("---\ntitle: Bad\n---\nNo date.\n")
    with pytest.raises(HrdblogError, match=r"bad\.md"):
        build(load_config(root))
    bad.write_text(post("Mended", "2017-06-01"))
    import hrdblog.read

    read = []
    real = hrdblog.read.read_post
    monkeypatch.setattr(
        hrdblog.read, "read_post", lambda path, *rest: read.append(path.name) or real(path, *rest)
    )
    build(load_config(root))
    assert read == ["bad.md"]
    same_as_clean(root, tmp_path)


def test_fields_json_cannot_keep_are_read_again_not_cached_wrong(tmp_path: Path) -> None:
    """A front-matter field hrdblog does not use may be anything YAML gives: a template may
    show it, so a post whose fields JSON would change is never taken from the cache."""
    root = blog(tmp_path)
    (root / "content" / "2017" / "odd.md").write_text(
        "---\ntitle: Odd\ndate: 2017-05-05\nnumbers:\n  true: one\n  false: two\n---\nText.\n"
    )
    (root / "templates").mkdir()
    (root / "templates" / "footer.html").write_text(
        '<footer class="site-footer">{{ post.extra.get("numbers", "") if post is defined else "" }}'
        "</footer>\n"
    )
    build(load_config(root))
    assert (
        "{True: &#39;one&#39;, False: &#39;two&#39;}"
        in (root / "site" / "2017" / "05" / "05" / "odd" / "index.html").read_text()
    )
    edit(root)
    same_as_clean(root, tmp_path)


def cached_posts(root: Path) -> tuple[int, dict[str, dict[str, object]]]:
    """Return the number of packs of remembered posts, and the posts they hold by key."""
    packs = sorted((root / CACHE_DIR / "posts").iterdir())
    entries = {}
    for pack in packs:
        entries.update(json.loads(pack.read_text().split("\n", 1)[1]))
    return len(packs), entries


def test_the_post_cache_keeps_this_builds_posts_and_no_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hrdblog.read

    monkeypatch.setattr(hrdblog.read, "PARALLEL_FROM", 1)  # read in processes: a pack a batch
    root = blog(tmp_path)
    build(load_config(root))
    files, entries = cached_posts(root)
    assert (files, len(entries)) == (1, 15)  # the small packs of the workers, merged
    for number in range(4):
        (root / "content" / "2017" / "p03.md").write_text(
            post("Post 3", "2017-03-04 10:00", f"Edited {number} times.", tags=["a"])
        )
        build(load_config(root))
        files, entries = cached_posts(root)
        assert (files, len(entries)) == (1, 15)  # the stale versions are gone
        assert sum(f"Edited {number} times." in str(e["body"]) for e in entries.values()) == 1
    delete(root)
    build(load_config(root))
    files, entries = cached_posts(root)
    assert (files, len(entries)) == (1, 14)
    same_as_clean(root, tmp_path)


def record(root: Path) -> dict[str, object]:
    (found,) = (root / CACHE_DIR).glob("site-*.json")
    stored: dict[str, object] = json.loads(found.read_text().split("\n", 1)[1])
    return stored


def test_post_files_unchanged_since_the_last_build_are_not_read_to_be_keyed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hrdblog.incremental.keys
    import hrdblog.read

    monkeypatch.setattr(hrdblog.incremental.keys, "RECENT_NS", -(10**10))  # every file is old
    root = blog(tmp_path)
    build(load_config(root))
    read: list[str] = []
    real = hrdblog.read.read_file
    for module in (hrdblog.read, hrdblog.incremental.keys):
        monkeypatch.setattr(
            module, "read_file", lambda path, *args: read.append(path.name) or real(path, *args)
        )
    target = root / "content" / "2017" / "p03.md"
    before = target.stat()
    target.write_text(target.read_text().replace("Body 3.", "Bodx 3."))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same size and time
    build(load_config(root))
    # Only the edited file is read (its change time moved), to be keyed and then parsed.
    assert set(read) == {"p03.md"}
    monkeypatch.undo()
    same_as_clean(root, tmp_path)
    page = root / "site" / "2017" / "03" / "04" / "post-3" / "index.html"
    assert "Bodx 3." in page.read_text()


def test_a_file_changed_just_before_a_build_is_read_again_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its next change could come within the same tick of the clock and leave its times."""
    import hrdblog.incremental.keys

    monkeypatch.setattr(hrdblog.incremental.keys, "RECENT_NS", 10**12)  # "just before": 1000 s
    root = blog(tmp_path)
    build(load_config(root))
    assert record(root)["files_read"] == {}
    monkeypatch.setattr(hrdblog.incremental.keys, "RECENT_NS", -(10**10))
    (root / "content" / "2017" / "p03.md").write_text(post("Post 3", "2017-03-04 10:00", "New."))
    build(load_config(root))
    assert len(record(root)["files_read"]) == 17  # the 13 posts, the 2 pages, a photo of each kind


def test_files_written_just_before_a_build_are_read_once_by_a_build_with_nothing_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blog imported or copied, then built at once: the next build, with nothing to do,
    reads those files again and remembers them, and the builds after it read nothing."""
    import hrdblog.incremental.keys

    monkeypatch.setattr(hrdblog.incremental.keys, "RECENT_NS", 10**12)  # "just before": 1000 s
    root = blog(tmp_path)
    build(load_config(root))
    assert record(root)["files_read"] == {}
    monkeypatch.setattr(hrdblog.incremental.keys, "RECENT_NS", -(10**10))
    read: list[str] = []
    real = hrdblog.incremental.keys.read_file
    monkeypatch.setattr(
        hrdblog.incremental.keys,
        "read_file",
        lambda path, *args: read.append(path.name) or real(path, *args),
    )
    site = root / "site"
    before = inodes(site)
    assert build(load_config(root)).unchanged
    assert len(read) == 17  # the 13 posts, the 2 pages, a photo of each kind
    assert len(record(root)["files_read"]) == 17
    read.clear()
    assert build(load_config(root)).unchanged
    assert read == []
    assert inodes(site) == before
    monkeypatch.undo()
    same_as_clean(root, tmp_path)


def test_a_post_edited_and_undone_during_a_build_is_shown_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a post is cached under is the key of the very bytes its page was made from."""
    import hrdblog.incremental

    root = blog(tmp_path)
    build(load_config(root))
    target = root / "content" / "2017" / "p03.md"
    saved = target.read_text().replace("Body 3.", "The text as saved.")
    target.write_text(saved)
    real = hrdblog.incremental.input_keys

    def keyed_then_edited(*args: object) -> object:
        found = real(*args)  # type: ignore[arg-type]
        target.write_text(saved.replace("The text as saved.", "An edit, soon undone."))
        return found

    monkeypatch.setattr(hrdblog.incremental, "input_keys", keyed_then_edited)
    build(load_config(root))  # keyed as saved, then read as edited
    monkeypatch.undo()
    target.write_text(saved)  # the edit undone
    same_as_clean(root, tmp_path)
    page = (root / "site" / "2017" / "03" / "04" / "post-3" / "index.html").read_text()
    assert "The text as saved." in page and "soon undone" not in page


@pytest.mark.parametrize(
    "name", ["static/note.txt", "content/2017/folder/notes.txt", "templates/footer.html"]
)
def test_a_file_edited_and_undone_during_a_build_is_published_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    import hrdblog.incremental

    root = blog(tmp_path)
    target = root / name
    target.parent.mkdir(exist_ok=True)
    target.write_text("As saved.")
    real = hrdblog.incremental.input_keys

    def keyed_then_edited(*args: object) -> object:
        found = real(*args)  # type: ignore[arg-type]
        target.write_text("An edit, soon undone.")
        return found

    monkeypatch.setattr(hrdblog.incremental, "input_keys", keyed_then_edited)
    build(load_config(root))  # keyed as saved, then published as edited
    monkeypatch.undo()
    target.write_text("As saved.")  # the edit undone
    same_as_clean(root, tmp_path)


#: Footers that show the whole site on every page, each as a theme might write it.
WHOLE_SITE_FOOTERS = {
    "count and cloud": "<p>{{ site.post_count }} posts</p>"
    '{% for tag in site.terms.tags %}<a href="{{ url(tag.url) }}">{{ tag.name }} ({{ tag.count }})</a>'
    "{% endfor %}",
    "recent posts": '{% for p in site.recent_posts %}<a href="{{ url(p.url) }}">{{ p.title }}</a>'
    "{% endfor %}",
    "one term's count": "{% for tag in site['terms']['tags'] if tag.slug == 'a' %}"
    "<p>{{ tag.count }} on a</p>{% endfor %}",
    "archives": "{% for y in site.archives %}{{ y.year.date.year }}: {{ y.year.count }}"
    "{% for m in y.months %} {{ m.count }}{% endfor %}{% endfor %}",
    "every post": "{{ site.posts | length }} {{ (site.posts | last).title }}",
    "site passed on": "{% set s = site %}{{ s.posts | length }} {{ s.post_count }}",
}


def whole_site_footer(root: Path, shows: str) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "footer.html").write_text(
        f'<footer class="site-footer">{WHOLE_SITE_FOOTERS[shows]}</footer>\n'
    )


@pytest.mark.parametrize("shows", WHOLE_SITE_FOOTERS)
@pytest.mark.parametrize("change", [edit, add, delete, retag, redate, image])
def test_a_rebuild_of_a_site_whose_templates_show_the_whole_site_equals_a_clean_build(
    tmp_path: Path, change: Callable[[Path], None], shows: str
) -> None:
    root = blog(tmp_path)
    whole_site_footer(root, shows)
    build(load_config(root))
    change(root)
    same_as_clean(root, tmp_path)


def test_a_rebuild_that_renders_most_pages_again_holds_few_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A footer shows the post count: a post added renders every page again. Pages wait in
    memory for an update in place only while they are few; then they are written as they come.
    """
    import hrdblog.build
    import hrdblog.publish

    root = blog(tmp_path)
    whole_site_footer(root, "count and cloud")
    build(load_config(root))
    add(root)
    rendered, written, held = [0], [0], [0]
    real_render, real_put = hrdblog.build.render, hrdblog.publish._NewSite.put

    def render(*args: Any) -> Iterator[Any]:
        for output in real_render(*args):
            rendered[0] += 1
            yield output

    def put(self: Any, path: str, content: bytes) -> None:
        written[0] += 1
        held[0] = max(held[0], rendered[0] - written[0])
        real_put(self, path, content)

    monkeypatch.setattr(hrdblog.build, "render", render)
    monkeypatch.setattr(hrdblog.publish._NewSite, "put", put)
    monkeypatch.setattr(hrdblog.publish, "WRITING_AHEAD", 1)
    build(load_config(root))
    files = len(site_files(root / "site"))
    assert rendered[0] > files / 2  # most pages rendered again
    most = hrdblog.publish.IN_PLACE_SHARE * files + 1 + hrdblog.publish.WRITERS
    assert 0 < held[0] <= most, (held[0], files)
    monkeypatch.undo()
    same_as_clean(root, tmp_path)


def test_a_site_template_showing_the_whole_site_is_never_served_stale(tmp_path: Path) -> None:
    """A footer that counts the posts and shows a tag cloud changes on every page with a post."""
    root = blog(tmp_path)
    whole_site_footer(root, "count and cloud")
    build(load_config(root))
    (root / "content" / "2017" / "seventh.md").write_text(
        post("One more", "2017-06-01", "Text.", tags=["brand-new"])
    )
    same_as_clean(root, tmp_path)
    old_page = (root / "site" / "2017" / "03" / "01" / "post-0" / "index.html").read_text()
    assert "14 posts" in old_page and "brand-new (1)" in old_page


def test_a_site_whose_templates_show_nothing_of_the_whole_site_renders_only_what_changed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = blog(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "footer.html").write_text('<footer class="site-footer">Ours</footer>\n')
    build(load_config(root))
    (root / "content" / "2017" / "seventh.md").write_text(post("One more", "2017-06-01", "Text."))
    caplog.set_level(logging.INFO, logger="hrdblog")
    build(load_config(root))
    rendered = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("Rendered"))
    # The new post's page, its neighbour's, the home page, its archives, the archive
    # listing, the not-found page (which lists the newest posts) and the feed show it; the
    # pages of the twelve other posts, of the tags and the two pages of their own, the
    # search page and robots.txt, do not. The search index is made again (its 25 files),
    # and _headers, which is made from the settings alone, is given again.
    assert rendered == "Rendered 83 files, 43 kept unchanged from the last build", rendered
    same_as_clean(root, tmp_path)


def add_oldest(root: Path) -> None:
    """A post older than every other: it joins the last page of its tag and of its year."""
    (root / "content" / "2017" / "oldest.md").write_text(
        post("The oldest", "2017-03-01 09:00", "Old.", tags=["a"])
    )


#: Term and archive pages that show how many posts they list, each as a theme might write it.
COUNTED_PAGES = {
    "tag.html": "{% extends 'base.html' %}{% block content %}<p>{{ tag.count }} posts</p>"
    "{% endblock %}",
    "archive.html": "{% extends 'base.html' %}{% block content %}"
    "<p>{{ archive['count'] }} posts</p>{% endblock %}",
}


@pytest.mark.parametrize("name", COUNTED_PAGES)
def test_a_rebuild_of_a_site_whose_term_or_archive_pages_show_their_count_equals_a_clean_build(
    tmp_path: Path, name: str
) -> None:
    root = blog(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / name).write_text(COUNTED_PAGES[name])
    build(load_config(root))
    add_oldest(root)
    same_as_clean(root, tmp_path)
    first = root / "site" / ("tag/a" if name == "tag.html" else "2017") / "index.html"
    assert "14 posts" in first.read_text()


def test_a_post_joining_the_last_page_of_its_lists_leaves_their_first_pages_as_they_were(
    tmp_path: Path,
) -> None:
    """The default theme shows no count on archive pages: an archive's page is made again
    only where its list changed. A term page shows its term's count, which changes on each."""
    root = blog(tmp_path)
    build(load_config(root))
    first_pages = [
        root / "site" / "2017" / "index.html",
        root / "site" / "2017" / "03" / "index.html",
    ]
    before = [page.stat().st_mtime_ns for page in first_pages]
    add_oldest(root)
    same_as_clean(root, tmp_path)
    assert [page.stat().st_mtime_ns for page in first_pages] == before
    assert "14 posts" in (root / "site" / "tag" / "a" / "index.html").read_text()
    last_page = root / "site" / "tag" / "a" / "page" / "2" / "index.html"
    assert "The oldest" in last_page.read_text()


def test_a_template_reading_what_the_site_does_not_show_is_an_error_naming_it(
    tmp_path: Path,
) -> None:
    root = blog(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "footer.html").write_text("<footer>\n{{ site.tags | length }}</footer>\n")
    with pytest.raises(HrdblogError) as caught:
        build(load_config(root))
    message = str(caught.value)
    assert "templates/footer.html:2: site has no 'tags'" in message
    assert "site.terms" in message and "site.post_count" in message


def test_every_file_of_hrdblog_but_its_bytecode_is_in_the_signature_of_its_cache(
    tmp_path: Path,
) -> None:
    from hrdblog.incremental.keys import folder_signature

    package = tmp_path / "hrdblog"
    (package / "themes" / "static").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    script = package / "themes" / "static" / "search.js"
    script.write_text("one();\n")
    (package / "build.py").write_text("x = 1\n")
    before = folder_signature(package)
    (package / "__pycache__" / "build.cpython-311.pyc").write_bytes(b"bytecode")
    assert folder_signature(package) == before
    script.write_text("two();\n")  # a theme file of any kind, a script as much as a template
    assert folder_signature(package) != before


def test_the_cache_is_of_the_libraries_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    from hrdblog.incremental.keys import libraries

    names = {entry.split()[0] for entry in libraries()}
    assert {"markdown", "jinja2", "markupsafe", "python-slugify", "text-unidecode", "nh3"} <= names
    assert {"babel", "pillow", "cmarkgfm", "pyyaml"} <= names
    real = importlib.metadata.version
    libraries.cache_clear()
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: "0.0" if name == "nh3" else real(name)
    )
    try:
        assert "nh3 0.0" in libraries()
    finally:
        monkeypatch.undo()
        libraries.cache_clear()


def test_a_rebuild_after_a_speedup_is_left_out_equals_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library updated to a version its speed-ups are not checked on: the plain way."""
    import importlib.metadata

    from hrdblog.incremental.keys import libraries

    root = blog(tmp_path)
    build(load_config(root))
    fast = site_files(root / "site")
    real = importlib.metadata.version
    libraries.cache_clear()
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: "9.0" if name == "markdown" else real(name)
    )
    try:
        edit(root)
        same_as_clean(root, tmp_path)
        edited = site_files(root / "site")
    finally:
        monkeypatch.undo()
        libraries.cache_clear()
    build(load_config(root), use_cache=False)  # the same edit, with the speed-ups
    assert site_files(root / "site") == edited != fast


def add_to_folder(root: Path) -> None:
    (root / "content" / "2017" / "folder" / "report.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")


#: Site templates that read what a page shows in unusual ways, and a change each must show.
UNUSUAL_TEMPLATES: dict[str, tuple[dict[str, str], Callable[[Path], None]]] = {
    "a post's files listed": (
        {
            "post.html": '{% extends "default/post.html" %}{% block content %}{{ super() }}'
            "<ul>{% for r in post.resources %}<li>{{ r }}</li>{% endfor %}</ul>{% endblock %}"
        },
        add_to_folder,
    ),
    "a list page that sets what entries read": (
        {
            "tag.html": '{% set taxonomies = taxonomies | rejectattr("name", "equalto", '
            'taxonomy.name) | list %}{% extends "default/tag.html" %}'
        },
        edit,
    ),
    "site named right after a dash": (
        {"footer.html": "<footer>{{-site.post_count}} posts</footer>\n"},
        add,
    ),
    "site named in an included file of any name": (
        {
            "footer.html": '<footer>{% include "count.inc" %}</footer>\n',
            "count.inc": "{{ site.post_count }} posts",
        },
        add,
    ),
}


@pytest.mark.parametrize("case", UNUSUAL_TEMPLATES)
def test_a_rebuild_with_templates_reading_what_pages_show_in_unusual_ways_equals_a_clean_build(
    tmp_path: Path, case: str
) -> None:
    templates, change = UNUSUAL_TEMPLATES[case]
    root = blog(tmp_path)
    (root / "templates").mkdir()
    for name, text in templates.items():
        (root / "templates" / name).write_text(text)
    build(load_config(root))
    before = site_files(root / "site")
    change(root)
    same_as_clean(root, tmp_path)
    assert site_files(root / "site") != before


@pytest.mark.parametrize(
    ("template", "text", "message"),
    [
        ("footer.html", "<footer>{{ config.now().year }}</footer>", "config has no setting 'now'"),
        ("footer.html", "<footer>{{ config.output_dir }}</footer>", "no setting 'output_dir'"),
        (
            "sitemap.xml",
            "{% for page in pages %}{{ page.url }} {{ page.origin }}{% endfor %}",
            "no attribute 'origin'",
        ),
        ("footer.html", "<footer>{{ [1, 2] | random }}</footer>", "No filter named 'random'"),
    ],
)
def test_a_template_reading_what_no_key_covers_is_an_error_naming_it(
    tmp_path: Path, template: str, text: str, message: str
) -> None:
    root = blog(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / template).write_text(text)
    with pytest.raises(HrdblogError) as caught:
        build(load_config(root))
    assert f"templates/{template}:1" in str(caught.value)
    assert message in str(caught.value)


def test_a_build_for_an_earlier_time_takes_back_what_was_not_due_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = blog(tmp_path)
    (root / "content" / "2017" / "later.md").write_text(post("Later", "2017-09-01"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1514764800")  # 2018-01-01
    build(load_config(root))
    assert (root / "site" / "2017" / "09" / "01" / "later").is_dir()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1498867200")  # 2017-07-01: not due yet
    same_as_clean(root, tmp_path)
    assert not (root / "site" / "2017" / "09" / "01" / "later").exists()
