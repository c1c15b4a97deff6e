"""Unit tests of what text may hold once read (hrdblog.characters)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_site, post, run_cli

from hrdblog.characters import clean_field, clean_name, clean_text


@pytest.mark.parametrize("plane", range(17))
def test_the_noncharacters_of_every_plane_are_removed(plane: int) -> None:
    last_two = chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF)
    assert clean_text(f"a{last_two}b\ufdd0\ufdefc") == "abc"


def test_characters_that_are_text_stay() -> None:
    kept = "tab\there\nخبر\u200f \U0002fffd \U0010fffd 👩\u200d⚖️ \u00e9"
    assert clean_text(kept) == kept


def test_lone_surrogates_and_controls_are_removed() -> None:
    assert clean_text("a\ud800b\udfffc\x00d\x1be\x7ff\x85g") == "abcdefg"


def test_a_field_loses_direction_overrides_and_a_name_its_edges() -> None:
    assert clean_field("\u202eevil\u202c") == "evil"
    assert clean_name("\u200b  Ahmed \n  Mansoor\ufeff ") == "Ahmed Mansoor"


def test_a_post_with_noncharacters_of_any_plane_builds_pages_without_them(
    tmp_path: Path,
) -> None:
    body = "Statement\U0002fffe signed\U0000ffff by\U0010ffff eleven groups."
    root = make_site(tmp_path, {"a.md": post("Coalition\U0003fffe", "2017-01-01", body=body)})
    assert run_cli("build", "--source", str(root)).exit_code == 0
    page = (root / "site" / "2017" / "01" / "01" / "coalition" / "index.html").read_text()
    assert "Statement signed by eleven groups." in page
    assert not any(ord(c) & 0xFFFE == 0xFFFE for c in page)
