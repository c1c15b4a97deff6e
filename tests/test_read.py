"""Reading posts: every front-matter field, typed and checked, with file:line errors."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import make_site, post

from hrdblog.config import load_config
from hrdblog.models import Post
from hrdblog.read import read_posts


def read(tmp_path: Path, files: dict[str, str], **settings: object) -> tuple[Post, ...]:
    make_site(tmp_path, files, settings)
    reading = read_posts(load_config(tmp_path))
    assert not reading.errors, [str(e) for e in reading.errors]
    return reading.posts


def errors(tmp_path: Path, files: dict[str, str | bytes], **settings: object) -> list[str]:
    make_site(tmp_path, {}, settings)
    for name, content in files.items():
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return [str(e) for e in read_posts(load_config(tmp_path)).errors]


def test_a_minimal_post(tmp_path: Path) -> None:
    (only,) = read(tmp_path, {"2017/oman.md": post("Oman: a hunger strike", "2017-11-04")})
    assert only.title == "Oman: a hunger strike"
    assert only.slug == "oman-a-hunger-strike"
    assert only.url == "/2017/11/04/oman-a-hunger-strike/"
    assert only.file == "content/2017/oman.md"
    assert only.date == datetime(2017, 11, 4, tzinfo=ZoneInfo("UTC"))
    assert only.tags == ()
    assert only.body == "<p>Some text.</p>"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2017-11-04", datetime(2017, 11, 4, 0, 0)),
        ("2017-11-04 10:30", datetime(2017, 11, 4, 10, 30)),
        ("2017-11-04T10:30:15", datetime(2017, 11, 4, 10, 30, 15)),
    ],
)
def test_dates_without_offset_are_in_the_site_time_zone(
    tmp_path: Path, written: str, expected: datetime
) -> None:
    (only,) = read(tmp_path, {"a.md": post("A", written)}, timezone="Asia/Muscat")
    assert only.date == expected.replace(tzinfo=ZoneInfo("Asia/Muscat"))


def test_a_date_with_offset_keeps_its_instant_and_the_url_uses_the_site_day(tmp_path: Path) -> None:
    (only,) = read(tmp_path, {"a.md": post("A", "2017-11-04T23:30:00-05:00")}, timezone="UTC")
    assert only.date.utcoffset() == timedelta(0)
    assert only.date == datetime(2017, 11, 5, 4, 30, tzinfo=ZoneInfo("UTC"))
    assert only.url == "/2017/11/05/a/"


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["coalition", "UN"], ("coalition", "UN")),
        ("coalition, UN,  reprisals ", ("coalition", "UN", "reprisals")),
        ("coalition", ("coalition",)),
        ([2017, "UN"], ("2017", "UN")),
        (["Coalition", "coalition"], ("Coalition",)),
        ("a, , b", ("a", "b")),
    ],
)
def test_tags_as_a_list_or_comma_separated_text(
    tmp_path: Path, tags: object, expected: tuple[str, ...]
) -> None:
    (only,) = read(tmp_path, {"a.md": post("A", "2017-01-01", tags=tags)})
    assert tuple(term.name for term in only.tags) == expected


def test_optional_fields_and_extra_keys(tmp_path: Path) -> None:
    text = post(
        "A",
        "2017-01-01",
        slug="custom-slug",
        author="Amina",
        lang="ar",
        updated="2017-02-01 09:00",
        summary="The *summary*.",
        cover="photo.jpg",
    )
    (only,) = read(tmp_path, {"a.md": text})
    assert (only.slug, only.author, only.lang) == ("custom-slug", "Amina", "ar")
    assert only.url == "/2017/01/01/custom-slug/"
    assert only.updated == datetime(2017, 2, 1, 9, 0, tzinfo=ZoneInfo("UTC"))
    assert only.summary == "The *summary*."
    assert only.excerpt == "<p>The <em>summary</em>.</p>"
    assert only.extra == {"cover": "photo.jpg"}


def test_every_taxonomy_is_read_like_tags(tmp_path: Path) -> None:
    text = post("A", "2017-01-01", tags=["UN"], categories="News", countries=["Oman", "Syria"])
    (only,) = read(tmp_path, {"a.md": text}, taxonomies={"countries": "country"})
    assert [(t.name, t.url) for t in only.terms["countries"]] == [
        ("Oman", "/country/oman/"),
        ("Syria", "/country/syria/"),
    ]
    assert [t.url for t in only.terms["categories"]] == ["/category/news/"]
    assert only.extra == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://example.org/news/1", [("example.org", "https://example.org/news/1")]),
        (
            {"name": "Front Line Defenders", "url": "https://example.org/x"},
            [("Front Line Defenders", "https://example.org/x")],
        ),
        (
            [{"name": "A", "url": "https://a.example/"}, "http://b.example/story"],
            [("A", "https://a.example/"), ("b.example", "http://b.example/story")],
        ),
    ],
)
def test_the_source_of_a_relayed_story(
    tmp_path: Path, source: object, expected: list[tuple[str, str]]
) -> None:
    (only,) = read(tmp_path, {"a.md": post("A", "2017-01-01", source=source)})
    assert [(link.name, link.url) for link in only.sources] == expected


def test_a_title_yaml_would_read_as_a_boolean_or_number_stays_text(tmp_path: Path) -> None:
    files = {
        "a.md": "---\ntitle: Yes\ndate: 2017-01-01\n---\n",
        "b.md": "---\ntitle: 1984\ndate: 2017-01-02\n---\n",
    }
    assert sorted(p.title for p in read(tmp_path, files)) == ["1984", "Yes"]


def test_drafts_and_scheduled_posts_are_read_and_marked(tmp_path: Path) -> None:
    files = {
        "a.md": post("A", "2017-01-01", draft=True),
        "b.md": post("B", "2017-01-01", draft="no"),
        "c.md": post("C", "2030-01-01"),
    }
    make_site(tmp_path, files)
    config = load_config(tmp_path, build_time=datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))
    posts = {p.title: (p.draft, p.scheduled) for p in read_posts(config).posts}
    assert posts == {"A": (True, False), "B": (False, False), "C": (False, True)}


def test_bom_and_crlf_line_ends_simply_work(tmp_path: Path) -> None:
    text = "\ufeff---\r\ntitle: Windows\r\ndate: 2017-01-01\r\n---\r\nLine one\r\n\r\nLine two\r\n"
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_bytes(text.encode("utf-8"))
    (only,) = read_posts(load_config(tmp_path)).posts
    assert only.title == "Windows"
    assert only.body == "<p>Line one</p>\n<p>Line two</p>"


def test_invisible_control_characters_are_removed(tmp_path: Path) -> None:
    (only,) = read(
        tmp_path, {"a.md": post("Bell\x07 title", "2017-01-01", "Text\x1b with escape\x7f.")}
    )
    assert only.title == "Bell title"
    assert only.body == "<p>Text with escape.</p>"


def test_unicode_slugs_keep_arabic_titles_readable(tmp_path: Path) -> None:
    (only,) = read(
        tmp_path, {"a.md": post("تحالف المدافعين", "2017-01-01", tags=["تحالف"])}, slug_unicode=True
    )
    assert only.url == "/2017/01/01/تحالف-المدافعين/"
    assert only.tags[0].url == "/tag/تحالف/"


def test_a_misspelt_key_warns_with_its_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = "---\ntitle: A\ntittle: B\ndate: 2017-01-01\ntag: x\nsumary: s\ncountry: Oman\n---\n"
    with caplog.at_level(logging.WARNING):
        read(tmp_path, {"a.md": text})
    assert caplog.messages == [
        "content/a.md:3: unknown key 'tittle', did you mean 'title'?",
        "content/a.md:5: unknown key 'tag', did you mean 'tags'?",
        "content/a.md:6: unknown key 'sumary', did you mean 'summary'?",
    ]


def test_hidden_files_and_other_extensions_are_not_posts(tmp_path: Path) -> None:
    files = {
        "a.md": post("A", "2017-01-01"),
        ".#a.md": "lock",
        "notes.txt": "x",
        ".drafts/b.md": "x",
    }
    assert [p.title for p in read(tmp_path, files)] == ["A"]


def test_a_symlink_out_of_the_content_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(post("Secret", "2017-01-01"), encoding="utf-8")
    make_site(tmp_path / "blog", {"a.md": post("A", "2017-01-01")})
    (tmp_path / "blog" / "content" / "link.md").symlink_to(outside)
    reading = read_posts(load_config(tmp_path / "blog"))
    assert [p.title for p in reading.posts] == ["A"]
    assert [str(e).split(",")[0] for e in reading.errors] == [
        f"content/link.md: a symbolic link to {outside}"
    ]


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        (
            "date: 2017-01-01",
            "content/a.md:1: 'title' is missing\n  hint: add a line like `title: Coalition formed to protect defenders` to the front matter",
        ),
        ("title: ''\ndate: 2017-01-01", "content/a.md:2: 'title' is empty"),
        ("title: [a]\ndate: 2017-01-01", "content/a.md:2: 'title' must be text, got a list"),
        (
            "title: A",
            "content/a.md:1: 'date' is missing\n  hint: add a line like `date: 2017-11-04` to the front matter",
        ),
        (
            "title: A\ndate: 2017-13-45",
            "content/a.md:3: 'date' must be a date like 2017-11-04, got '2017-13-45'\n  hint: month must be in 1..12",
        ),
        (
            "title: A\ndate: 2017-02-30",
            "content/a.md:3: 'date' must be a date like 2017-11-04, got '2017-02-30'\n  hint: day is out of range for month",
        ),
        (
            "title: A\ndate: 04/11/2017",
            "content/a.md:3: 'date' must be a date like 2017-11-04, got '04/11/2017'\n  hint: write year-month-day, with a time if you like: 2017-11-04, 2017-11-04 10:30",
        ),
        (
            "title: A\ndate: 2017",
            "content/a.md:3: 'date' must be a date like 2017-11-04, got '2017'",
        ),
        ("title: A\ndate: true", "content/a.md:3: 'date' must be a date like 2017-11-04, got true"),
        (
            "title: A\ndate: 2017-01-01\nupdated: soon",
            "content/a.md:4: 'updated' must be a date like 2017-11-04, got 'soon'",
        ),
        (
            "title: A\ndate: 2017-01-01\ntags: [[a, b]]",
            "content/a.md:4: 'tags' must be a list of names, but one of them is a list",
        ),
        (
            "title: A\ndate: 2017-01-01\ntags: {a: b}",
            "content/a.md:4: 'tags' must be a list of names, but one of them is a set of `key: value` lines",
        ),
        (
            "title: A\ndate: 2017-01-01\ntags: [ok, '!!!']",
            "content/a.md:4: the term '!!!' in 'tags' has no letters or digits to make a URL from\n  hint: rename it",
        ),
        (
            "title: A\ndate: 2017-01-01\ndraft: maybe",
            "content/a.md:4: 'draft' must be true or false, got 'maybe'\n  hint: write `draft: true`",
        ),
        (
            "title: A\ndate: 2017-01-01\nslug: ../../etc",
            "content/a.md:4: 'slug' may only hold lower-case letters, digits and hyphens, got '../../etc'\n  hint: try slug: etc",
        ),
        (
            "title: A\ndate: 2017-01-01\nslug: /abs/path",
            "content/a.md:4: 'slug' may only hold lower-case letters, digits and hyphens, got '/abs/path'\n  hint: try slug: abs-path",
        ),
        (
            "title: A\ndate: 2017-01-01\nslug: 'Oman Strike'",
            "content/a.md:4: 'slug' may only hold lower-case letters, digits and hyphens, got 'Oman Strike'\n  hint: try slug: oman-strike",
        ),
        (
            "title: '!!!'\ndate: 2017-01-01",
            "content/a.md:2: the title '!!!' has no letters or digits to make a URL from\n  hint: add a line like `slug: statement-on-reprisals`",
        ),
        (
            "title: A\ndate: 2017-01-01\nlang: Arabic",
            "content/a.md:4: 'lang' must be a language code like en or ar, got 'Arabic'",
        ),
        (
            "title: A\ndate: 2017-01-01\nsummary: [x]",
            "content/a.md:4: 'summary' must be text, got a list",
        ),
        (
            "title: A\ndate: 2017-01-01\nauthor: {name: x}",
            "content/a.md:4: 'author' must be text, got a set of `key: value` lines",
        ),
    ],
)
def test_each_bad_field_is_reported_with_its_line(
    tmp_path: Path, front_matter: str, message: str
) -> None:
    (found,) = errors(tmp_path, {"a.md": f"---\n{front_matter}\n---\nBody\n"})
    assert found.startswith(message)


def test_every_problem_of_a_file_is_reported_in_line_order(tmp_path: Path) -> None:
    found = errors(tmp_path, {"a.md": "---\ndraft: maybe\ntags: [[x]]\n---\n"})
    assert [line.split(": ")[0] for line in found] == [
        "content/a.md:1",
        "content/a.md:1",
        "content/a.md:2",
        "content/a.md:3",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"---\ntitle: Caf\xe9\ndate: 2017-01-01\n---\n",
            "content/a.md:2: the file is not UTF-8 text (byte 0xe9 cannot be read)\n  hint: save the file as UTF-8 in your editor",
        ),
        (
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            "content/a.md: this is not a text file (it contains NUL bytes)",
        ),
        (b"", "content/a.md:1: the file is empty"),
    ],
)
def test_files_that_are_not_text(tmp_path: Path, content: bytes, message: str) -> None:
    (found,) = errors(tmp_path, {"a.md": content})
    assert found.startswith(message)


def test_a_very_large_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = post("Big", "2017-01-01", body="word " * 1_000_000)
    (found,) = errors(tmp_path, {"a.md": big})
    assert found.startswith("content/a.md: the file is 4.8 MB; posts may be at most 4 MB")


def test_a_missing_content_folder(tmp_path: Path) -> None:
    from hrdblog.errors import ContentError

    with pytest.raises(ContentError, match=r"^content: there is no content folder here"):
        read_posts(load_config(tmp_path))


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"index.md": post("Home", "2017-01-01"), "2017/a.md": post("A", "2017-01-01")},
            "content/index.md: a post's folder cannot be the content folder itself",
        ),
        (
            {
                "2017/a/index.md": post("A", "2017-01-01"),
                "2017/a/notes.md": post("Notes", "2017-01-01"),
            },
            "content/2017/a/index.md: this post's folder content/2017/a/ also holds 1 other "
            "post (content/2017/a/notes.md)",
        ),
        (
            {
                "2017/a/index.md": post("A", "2017-01-01"),
                "2017/a/b/index.md": post("B", "2017-01-01"),
                "2017/a/b/c.md": post("C", "2017-01-01"),
            },
            "content/2017/a/index.md: this post's folder content/2017/a/ also holds 2 other "
            "posts (content/2017/a/b/c.md, …)",
        ),
    ],
)
def test_an_index_md_beside_other_posts_is_an_error_naming_it(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    found = errors(tmp_path, files)
    assert any(error.startswith(message) for error in found), found


def test_two_terms_of_one_post_that_would_share_a_url_are_an_error(tmp_path: Path) -> None:
    found = errors(tmp_path, {"a.md": post("A", "2017-01-01", tags=["C", "C++", "c"])})
    assert found == [
        "content/a.md:4: the tags 'C++' and 'C' would share the URL /tag/c/\n"
        "  hint: terms are told apart by their URL: rename one of them"
    ]


def test_a_post_carries_at_most_max_terms_of_each_taxonomy(tmp_path: Path) -> None:
    tags = [f"tag {n}" for n in range(5000)]
    found = errors(tmp_path, {"a.md": post("A", "2017-01-01", tags=tags)})
    assert found == [
        "content/a.md:4: 'tags' has 5000 terms; a post may have at most 100 in each taxonomy\n"
        "  hint: keep the terms readers will look for, or raise max_terms in hrdblog.yaml"
    ]
    assert (
        errors(tmp_path / "more", {"a.md": post("A", "2017-01-01", tags=tags[:150])}, max_terms=200)
        == []
    )


def test_a_source_may_be_a_name_alone(tmp_path: Path) -> None:
    (only,) = read(
        tmp_path,
        {"a.md": post("A", "2017-01-01", source=["Gulf Centre for Human Rights", {"name": "FLD"}])},
    )
    assert [(s.name, s.url) for s in only.sources] == [
        ("Gulf Centre for Human Rights", ""),
        ("FLD", ""),
    ]


@pytest.mark.parametrize(
    "date", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+05:00", "0999-12-31"]
)
def test_a_date_no_post_may_have_is_an_error(tmp_path: Path, date: str) -> None:
    (found,) = errors(tmp_path, {"a.md": f"---\ntitle: A\ndate: {date}\n---\nText.\n"})
    assert found.startswith(
        f"content/a.md:3: 'date' must be a date between 1000-01-01 and 9998-12-31, got '{date}'"
    )
