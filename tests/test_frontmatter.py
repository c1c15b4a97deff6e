"""Front matter: splitting a post, and YAML loaded as plain data with file lines."""

from __future__ import annotations

import pytest

from hrdblog.errors import ContentError, LocatedError
from hrdblog.frontmatter import load_mapping, split


def error(line: int | None, message: str, hint: str | None = None) -> LocatedError:
    return ContentError("post.md", line, message, hint)


def test_split_gives_meta_body_and_the_line_the_body_starts_on() -> None:
    document = split("---\ntitle: Hello\ndate: 2017-11-04\n---\nFirst line\n", error)
    assert document.meta.values == {"title": "Hello", "date": "2017-11-04"}
    assert document.meta.lines == {"title": 2, "date": 3}
    assert document.body == "First line\n"
    assert document.body_line == 5


def test_dots_close_front_matter_too() -> None:
    assert split("---\ntitle: A\n...\nBody", error).body == "Body"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("title: Yes", "Yes"),
        ("title: No", "No"),
        ("title: on", "on"),
        ("title: 1984", "1984"),
        ("date: 2017-11-04", "2017-11-04"),
        ("date: 2017-11-04 10:30:00", "2017-11-04 10:30:00"),
        ("draft: true", True),
        ("draft: False", False),
        ("title: null", None),
    ],
)
def test_yaml_traps_are_avoided(yaml_text: str, expected: object) -> None:
    mapping = load_mapping(yaml_text, 2, error, "front matter")
    assert list(mapping.values.values()) == [expected]


def test_every_scalar_is_read_as_the_text_written_at_any_depth() -> None:
    text = "title: 3.10\ntags: [012, 1_000, 3.10, 1:20, .5, 0x10, 1e3]\nextra: {a: [0o7, -1]}\n"
    mapping = load_mapping(text, 2, error, "front matter")
    assert mapping.values == {
        "title": "3.10",
        "tags": ["012", "1_000", "3.10", "1:20", ".5", "0x10", "1e3"],
        "extra": {"a": ["0o7", "-1"]},
    }


def test_control_characters_and_direction_overrides_are_removed_from_every_text() -> None:
    text = 'title: "a\\0b\\ec"\ntags: ["\\u202eevil", "ok\\u2067"]\nx: {"k\\x1b": "v\\x07"}\n'
    mapping = load_mapping(text, 2, error, "front matter")
    assert mapping.values == {"title": "abc", "tags": ["evil", "ok"], "x": {"k": "v"}}


def raises(text: str) -> str:
    with pytest.raises(ContentError) as info:
        split(text, error)
    return str(info.value)


def test_no_front_matter() -> None:
    assert raises("Just text\n") == (
        "post.md:1: the file has no front matter\n"
        "  hint: start the file with a `---` line, then `title:` and `date:`, then `---`"
    )


def test_front_matter_without_the_opening_line() -> None:
    assert raises("title: A\ndate: 2017-01-01\n---\n").endswith(
        "hint: add a `---` line before the front matter and another after it"
    )


def test_unclosed_front_matter() -> None:
    assert raises("---\ntitle: A\n\nBody text\n") == (
        "post.md:1: the front matter that starts on line 1 is never closed\n"
        "  hint: did you forget the closing `---`?"
    )


def test_yaml_syntax_error_points_at_the_file_line() -> None:
    message = raises("---\ntitle: A\ndate: 2017-01-01\nsummary: Oman: a strike\n---\n")
    assert message.startswith(
        "post.md:4: YAML syntax error: mapping values are not allowed in this context"
    )
    assert "hint: a value that contains ': ' must be in quotes" in message


def test_front_matter_that_is_a_list() -> None:
    assert raises("---\n- a\n- b\n---\n").startswith(
        "post.md:2: front matter must be `key: value` lines, got a list"
    )


def test_a_key_given_twice() -> None:
    assert raises("---\ntitle: A\ndate: 2017-01-01\ntitle: B\n---\n") == (
        "post.md:4: 'title' is given twice (first on line 2)\n  hint: keep one of them"
    )


def test_object_building_tags_are_refused_before_construction() -> None:
    message = raises("---\ntitle: A\nx: !!python/object/apply:os.system [echo hi]\n---\n")
    assert message.startswith(
        "post.md:3: the YAML tag '!!python/object/apply:os.system' is not allowed"
    )


def test_aliases_are_refused_so_alias_bombs_cannot_grow() -> None:
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghijklmnop":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    message = raises(bomb + "---\n")
    assert message.startswith("post.md:3: YAML aliases (`*name`) are not allowed here")


def test_empty_file() -> None:
    assert raises("\n\n").startswith("post.md:1: the file is empty")
