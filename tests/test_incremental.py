"""The incremental layer on its own: its record read back only when well formed, and its
wrappers giving what the plain steps give."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from helpers import make_site, post

from hrdblog.build import FromScratch, build
from hrdblog.collect import related_posts
from hrdblog.config import load_config
from hrdblog.files import Stat
from hrdblog.incremental import Incremental
from hrdblog.incremental.keys import Known
from hrdblog.incremental.record import BuildRecord, PublishedFile
from hrdblog.incremental.sealed import read_sealed, write_sealed
from hrdblog.plan import plan
from hrdblog.publish import Written
from hrdblog.read import read_posts
from hrdblog.seal import Seal
from hrdblog.theme import Theme

POSTS = {
    f"p{i}.md": post(f"Post {i}", f"2017-03-{i + 1:02}", f"Body {i}.", tags=["a", f"t{i % 2}"])
    for i in range(6)
}


def blog(root: Path) -> Path:
    return make_site(root, POSTS, {"base_url": "https://example.org/"})


def test_a_record_reads_back_as_it_was_saved(tmp_path: Path) -> None:
    config = load_config(blog(tmp_path))
    seal = Seal.of_blog(config.source)
    record = BuildRecord(
        "under",
        "inputs",
        datetime.fromisoformat("2029-01-01T00:00:00+01:00"),
        datetime.fromisoformat("2030-01-01T00:00:00+00:00"),
        {"figures": {"posts": 1, "tags": 2, "pages": 3, "files": 4}, "warnings": ["w"]},
        {"x": [[1], [0]]},
        {"content/p1.md": Known(Stat(1, 2, 3, 4), "key")},
        {"index.html": PublishedFile("page key", Written("sha", Stat(5, 6, 7, 8)))},
    )
    record.save(config, seal)
    assert BuildRecord.load(config, seal) == record


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("published", {"index.html": ["key", "sha", 1, 2, 3, "four"]}),
        ("published", {"index.html": ["key", "sha", 1, 2, 3]}),
        ("published", {"index.html": ["key", None, 1, 2, 3, 4]}),
        ("files_read", {"content/p1.md": [1, 2, 3, 4, 5]}),
        ("files_read", []),
        ("related", {"x": [[0, "1"]]}),
        ("made_under", 3),
        ("next_change", "tomorrow"),
        ("next_change", "2030-01-01T00:00:00"),  # without its offset
        ("built_at", "2017-01-01"),
        ("report", {}),
        ("report", {"figures": {"posts": 1}, "warnings": []}),
        ("report", {"figures": {"posts": 1, "tags": 1, "pages": 1, "files": 1}, "warnings": 3}),
    ],
)
def test_a_record_with_one_entry_not_as_saved_is_no_record(
    tmp_path: Path, field: str, value: object
) -> None:
    """Signed with the blog's seal, so written by this blog's builds, and still checked."""
    config = load_config(blog(tmp_path))
    seal = Seal.of_blog(config.source)
    build(config)
    body = read_sealed(BuildRecord.path(config), seal)
    assert body is not None
    stored = json.loads(body)
    assert BuildRecord.load(config, seal).published  # as saved: a record
    stored[field] = value
    write_sealed(BuildRecord.path(config), json.dumps(stored), seal)
    assert BuildRecord.load(config, seal) == BuildRecord()


def test_the_related_posts_of_the_last_build_are_taken_only_when_they_fit(
    tmp_path: Path,
) -> None:
    config = load_config(blog(tmp_path))
    steps = Incremental(config, Seal.of_blog(config.source))
    keys = [[("tags", "a"), ("tags", f"t{i % 2}")] for i in range(6)]
    found = steps.related(keys, 3)
    assert found == related_posts(keys, 3)
    assert steps.related(keys, 3) is found  # remembered
    (signature,) = steps.related_now
    for wrong in ([[9]] * 6, [[1]] * 5):  # a number that is no post's; a row short
        later = Incremental(config, Seal.of_blog(config.source))
        later.related_to = {signature: wrong}
        assert later.related(keys, 3) == found


def test_the_remembering_reader_gives_what_the_plain_reader_gives(tmp_path: Path) -> None:
    config = load_config(blog(tmp_path))
    build(config)
    (tmp_path / "content" / "p2.md").write_text(post("Edited", "2017-03-03", "New body."))
    steps = Incremental(config, Seal.of_blog(config.source))
    now = config.now()
    remembered = read_posts(config, reader=steps.reader(now))
    plain = read_posts(config, reader=FromScratch(config).reader(now))
    assert remembered == plain
    assert "New body." in next(p.body for p in remembered.posts if p.file == "content/p2.md")


def test_a_page_is_kept_only_while_it_shows_the_same_and_its_file_is_as_written(
    tmp_path: Path,
) -> None:
    config = load_config(blog(tmp_path))
    build(config)
    seal = Seal.of_blog(config.source)

    def to_render() -> list[str]:
        steps = Incremental(config, seal)
        reading = read_posts(config, reader=steps.reader(config.now()))
        from hrdblog.collect import collect

        site = collect(config, reading.posts, steps.related)
        return [p.path for p in steps.to_render(plan(site, Theme(config).named())).pages]

    assert to_render() == []  # nothing changed: every page kept
    page = config.output_dir / "tag" / "t1" / "index.html"
    page.write_bytes(page.read_bytes())  # the same bytes, but not the file as written
    assert to_render() == ["tag/t1/index.html"]
    (tmp_path / "content" / "p5.md").write_text(post("Post 5", "2017-03-06", "Changed."))
    changed = to_render()
    assert "2017/03/06/post-5/index.html" in changed and "tag/t0/index.html" not in changed


def test_remembered_posts_are_in_the_site_s_time_zone_as_read_ones_are(tmp_path: Path) -> None:
    """The zone with its name and rules ("Central European Time"), not only an offset."""
    make_site(tmp_path, POSTS, {"timezone": "Europe/Paris"})
    config = load_config(tmp_path)
    build(config)
    steps = Incremental(config, Seal.of_blog(config.source))
    (post_read,) = [p for p in read_posts(config).posts if p.file == "content/p1.md"]
    (remembered,) = [
        p
        for p in read_posts(config, reader=steps.reader(config.now())).posts
        if p.file == "content/p1.md"
    ]
    assert remembered.date.tzinfo == post_read.date.tzinfo == config.tzinfo
    assert remembered == post_read
