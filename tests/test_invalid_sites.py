"""Bad input: each site under tests/sites/invalid/ fails with exactly its expected.txt.

The build must exit with status 1, print every problem as `path:line: what is wrong` with a
hint, and leave the previous site exactly as it was. Refresh an expected.txt after a
deliberate change of wording with: HRDBLOG_REFRESH=1 pytest tests/test_invalid_sites.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import REPO, run_cli, site_files

from hrdblog.urls import MANIFEST

CASES = sorted(p for p in (REPO / "tests" / "sites" / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_site_fails_with_its_exact_messages_and_the_site_is_unchanged(
    case: Path, tmp_path: Path
) -> None:
    output = tmp_path / "site"
    output.mkdir()
    (output / MANIFEST).write_text("an earlier build\n")
    (output / "index.html").write_text("<!DOCTYPE html><title>Earlier</title>\n")
    before = site_files(output)

    result = run_cli("build", "--source", str(case), "--output", str(output))

    messages = result.stderr.replace(str(output), "OUTPUT")
    expected_file = case / "expected.txt"
    if os.environ.get("HRDBLOG_REFRESH"):
        expected_file.write_text(messages, encoding="utf-8")
    assert messages == expected_file.read_text(encoding="utf-8")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in messages
    assert site_files(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no half-written folder left


def test_every_case_has_its_expected_messages() -> None:
    assert len(CASES) >= 20
    assert all((case / "expected.txt").is_file() for case in CASES)
