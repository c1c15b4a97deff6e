"""URL rules: slugs, tag identity, permalinks, output paths and relative links."""

from __future__ import annotations

import posixpath
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrdblog.urls import (
    check_permalink,
    output_path,
    page_url,
    post_url,
    relative,
    relpath,
    slugify,
    term_key,
)


@pytest.mark.parametrize(
    ("text", "unicode", "expected"),
    [
        ("Coalition formed to protect defenders", False, "coalition-formed-to-protect-defenders"),
        ("Oman: hunger strike!", False, "oman-hunger-strike"),
        ("Défenseurs des droits", False, "defenseurs-des-droits"),
        ("تحالف المدافعين", True, "تحالف-المدافعين"),
        ("Défenseurs des droits", True, "défenseurs-des-droits"),
        ("لماذا نعمل معًا", True, "لماذا-نعمل-معًا"),  # vowel marks stay inside their word
        ("हिन्दी समाचार", True, "हिन्दी-समाचार"),
        ("../../etc/passwd", False, "etc-passwd"),
        ("✊", False, ""),
    ],
)
def test_slugify(text: str, unicode: bool, expected: str) -> None:
    assert slugify(text, unicode) == expected


def test_ascii_slugs_transliterate_other_scripts() -> None:
    assert slugify("تحالف", unicode=False).isascii()
    assert slugify("تحالف", unicode=False) != ""


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80
    assert not slug.endswith("-")
    assert set(slug.split("-")) == {"word"}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Coalition", "coalition"),
        ("human rights", "Human-Rights"),
        ("\uff35\uff2e", "UN"),
        ("a  b", "a_b"),
    ],
)
def test_spellings_of_one_tag_share_a_key(a: str, b: str) -> None:
    assert term_key(a) == term_key(b)


def test_different_tags_have_different_keys_even_with_one_slug() -> None:
    assert slugify("C++") == slugify("C")
    assert term_key("C++") != term_key("C")


def test_post_url_uses_the_permalink_pattern() -> None:
    date = datetime(2017, 3, 4, 10, 30)
    assert post_url("/{year}/{month}/{day}/{slug}/", date, "oman") == "/2017/03/04/oman/"
    assert post_url("/news/{slug}/", date, "oman") == "/news/oman/"


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("/{year}/{slug}/", None),
        ("/{year}/{month}/", "it must contain {slug}, or every post would get the same URL"),
        ("/{yeer}/{slug}/", "it uses {yeer}, but only {day}, {month}, {slug}, {year} are known"),
        ("{slug}", "it must start and end with '/'"),
        ("/../{slug}/", "it must not contain '//', '/./' or '/../'"),
        ("/{slug/", "it is not a valid pattern (expected '}' before end of string)"),
        ("/{year}/{slug:x}/", "its fields are written without a format, like {slug}, not {slug:x}"),
        (
            "/{year:>12}/{slug}/",
            "its fields are written without a format, like {year}, not {year:>12}",
        ),
        ("/{year!r}/{slug}/", "its fields are written without a format, like {year}, not {year!r}"),
        (
            "/%2e%2e/{slug}/",
            "it holds '%'; between its fields it may hold letters, digits, -, _, . and /",
        ),
        (
            "/{slug}?p=/",
            "it holds '?'; between its fields it may hold letters, digits, -, _, . and /",
        ),
        (
            "/{slug}/#top/",
            "it holds '#'; between its fields it may hold letters, digits, -, _, . and /",
        ),
        (
            "/a b/{slug}/",
            "it holds ' '; between its fields it may hold letters, digits, -, _, . and /",
        ),
        (
            "/a\\b/{slug}/",
            "it holds '\\\\'; between its fields it may hold letters, digits, -, _, . and /",
        ),
        ("/actualités/{slug}.html/", None),
    ],
)
def test_check_permalink(pattern: str, problem: str | None) -> None:
    assert check_permalink(pattern) == problem


def test_page_urls_and_output_paths() -> None:
    assert page_url("/tag/coalition/", 1) == "/tag/coalition/"
    assert page_url("/tag/coalition/", 3) == "/tag/coalition/page/3/"
    assert page_url("/", 2) == "/page/2/"
    assert output_path("/") == "index.html"
    assert output_path("/tag/coalition/page/2/") == "tag/coalition/page/2/index.html"
    assert output_path("/static/style.css") == "static/style.css"


@pytest.mark.parametrize(
    ("source", "target", "href", "file_href"),
    [
        ("/", "/", "./", "index.html"),
        ("/", "/tag/coalition/", "tag/coalition/", "tag/coalition/index.html"),
        ("/tag/coalition/", "/", "../../", "../../index.html"),
        ("/tag/coalition/", "/tag/", "../", "../index.html"),
        ("/tag/coalition/", "/tag/coalition/", "./", "index.html"),
        ("/tag/coalition/page/2/", "/tag/coalition/", "../../", "../../index.html"),
        ("/2017/11/04/x/", "/static/style.css", "../../../../static/style.css", None),
        ("/2017/11/04/x/", "/2017/11/04/x/#more", "./#more", "index.html#more"),
        ("/", "/2017/11/04/x/#more", "2017/11/04/x/#more", "2017/11/04/x/index.html#more"),
    ],
)
def test_relative_links(source: str, target: str, href: str, file_href: str | None) -> None:
    assert relative(source, target) == href
    assert relative(source, target, index_html=True) == (file_href or href)


_SEGMENT = st.sampled_from(
    ["", ".", "..", "a", "b", "2017", "page", "index.html", "é", ".well-known"]
)


@given(st.lists(_SEGMENT, max_size=5), st.lists(_SEGMENT, max_size=5), st.booleans(), st.booleans())
def test_relpath_is_posixpaths_for_any_two_urls(
    start: list[str], path: list[str], start_slash: bool, path_slash: bool
) -> None:
    a = "/" + "/".join(start) + ("/" if start_slash else "")
    b = "/" + "/".join(path) + ("/" if path_slash else "")
    assert relpath(b, a) == posixpath.relpath(b, a)
