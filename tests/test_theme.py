"""The theme: the site's templates over the default ones, and what they name of the site."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_site

from hrdblog.config import load_config
from hrdblog.errors import HrdblogError, ThemeError
from hrdblog.theme import Theme


def theme(root: Path, files: dict[str, str]) -> Theme:
    make_site(root, {}, {}, files)
    return Theme(load_config(root))


def test_a_site_template_replaces_the_default_and_can_extend_it(tmp_path: Path) -> None:
    found = theme(
        tmp_path,
        {
            "templates/footer.html": "ours",
            "templates/note.html": '{% extends "default/robots.txt" %}',
        },
    )
    assert found.render("footer.html", {}) == "ours"
    assert found.render("note.html", {"sitemaps": ()}).startswith("User-agent: *\nAllow: /\n")


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("{{ site.post_count }} and {{ site['recent_posts'] }}", {"post_count", "recent_posts"}),
        ("{% for t in site.terms.tags %}{{ t.name }}{% endfor %}", {"terms"}),
        ("{{ site.listing_url }} {{ site_header }} {{ website.posts }}", set()),
        (
            "{% set s = site %}{{ s.posts }}",
            {"posts", "recent_posts", "post_count", "terms", "archives"},
        ),
        ("{{ site[name] }}", {"posts", "recent_posts", "post_count", "terms", "archives"}),
    ],
)
def test_the_site_wide_lists_named_are_read_from_every_template(
    tmp_path: Path, source: str, named: set[str]
) -> None:
    # In a file of any name: a template may include any file.
    assert theme(tmp_path, {"templates/parts/any.name": source}).named()["site"] == named


@pytest.mark.parametrize(
    ("source", "tag", "archive"),
    [
        ("{{ tag.name }} {{ archive.date }}", set(), set()),
        ("{{ tag.count }} {{ archive['count'] }}", {"count"}, {"count"}),
        ("{{ m.show(tag) }}", {"count"}, set()),
        ("{% set a = archive %}{{ a.url }}", set(), {"count"}),
        ("{{ tag | attr('count') }}", {"count"}, set()),
        # A loop's variable and a macro's argument are their own, not the page's ...
        ("{% for tag in terms %}{{ tag.count }}{% endfor %}", set(), set()),
        ("{% for tag in terms if tag.count %}{{ tag }}{% endfor %}", set(), set()),
        ("{% macro show(archive) %}{{ archive.count }}{% endmacro %}", set(), set()),
        ("{% for k, tag in pairs %}{{ tag }}{% endfor %}", set(), set()),
        # ... but not outside them.
        ("{% for tag in tag.count %}{% endfor %}", {"count"}, set()),
        ("{% for t in x %}{% else %}{{ tag.count }}{% endfor %}", {"count"}, set()),
        ("{% macro show(a=archive) %}{% endmacro %}", set(), {"count"}),
        ("{% for tag in terms %}{% endfor %}{{ tag.count }}", {"count"}, set()),
        # A block sees the page's variables wherever it sits: a child's block, scoped or
        # not, is shown in its parent's place.
        (
            "{% for tag in [0] %}{% block n %}{{ tag.count }}{% endblock %}{% endfor %}",
            {"count"},
            set(),
        ),
        (
            "{% macro m(archive) %}{% block b %}{{ archive.count }}{% endblock %}{% endmacro %}",
            set(),
            {"count"},
        ),
        (
            "{% for tag in x %}{% block s scoped %}{{ tag.count }}{% endblock %}{% endfor %}",
            {"count"},
            set(),
        ),
        (
            "{% macro m(tag) %}{% block b scoped %}{{ tag.count }}{% endblock %}{% endmacro %}",
            {"count"},
            set(),
        ),
        # Next to an operator or a mark of Jinja's.
        ("{{-tag.count}}", {"count"}, set()),
        ("{{ 100/archive.count }}", set(), {"count"}),
        ("{% set t = tag-%}{{ t.count }}", {"count"}, set()),
        ("{{ 'x'~archive }}", set(), {"count"}),
        # Words that are not the variables.
        (
            '<a rel="tag" href="/tag/">{{ post.tag }} {{ tags }} {{ archives.count }}</a>',
            set(),
            set(),
        ),
    ],
)
def test_a_term_s_and_an_archive_s_counts_are_named_where_a_template_reads_them(
    tmp_path: Path, source: str, tag: set[str], archive: set[str]
) -> None:
    named = theme(tmp_path, {"templates/parts/any.name": source}).named()
    # The default theme's term pages show their number of posts: `tag.count` is always named.
    assert (named["tag"], named["archive"]) == (tag | {"count"}, archive)


def test_a_template_that_does_not_parse_names_nothing_and_fails_when_rendered(
    tmp_path: Path,
) -> None:
    found = theme(tmp_path, {"templates/footer.html": "{{ site.posts "})
    assert found.named()["site"] == frozenset()
    with pytest.raises(ThemeError, match=r"templates/footer\.html:1: template syntax error"):
        found.render("footer.html", {})


def test_an_unknown_setting_is_named_with_the_closest_one(tmp_path: Path) -> None:
    found = theme(tmp_path, {"templates/x.html": "{{ config.titel }}"})
    with pytest.raises(ThemeError, match=r"config has no setting 'titel', did you mean 'title'\?"):
        found.render("x.html", {})


def test_a_link_out_of_the_templates_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.html").write_text("secret")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "footer.html").symlink_to(tmp_path / "secret.html")
    make_site(tmp_path, {}, {})
    with pytest.raises(
        HrdblogError, match=r"templates/footer\.html: a symbolic link to .*, outside templates"
    ):
        Theme(load_config(tmp_path))


def test_a_hidden_template_is_left_out_as_every_hidden_file_is(tmp_path: Path) -> None:
    found = theme(
        tmp_path,
        {"templates/footer.html": '{% include ".part.html" %}', "templates/.part.html": "x"},
    )
    with pytest.raises(
        ThemeError, match=r"'\.part\.html' is a hidden file, which hrdblog leaves out"
    ):
        found.render("footer.html", {})
    assert ".part.html" not in found.env.list_templates()
