"""The code is kept to the house rules (ruff, mypy --strict), and README names real tests."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "src", "tests", "benchmarks", "docs"],
        ["ruff", "format", "--check", "src", "tests", "benchmarks", "docs"],
        ["mypy"],  # strict, on src/, as pyproject.toml sets it
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_code_quality(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_test_the_guarantees_name_exists() -> None:
    """README's Guarantees say which tests prove each promise: each must be there."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Guarantees") : readme.index("## Development")]
    named = 0
    current: Path | None = None
    for match in re.finditer(r"`(tests/[\w/]+\.py)(?:::(\w+))?`|`::(\w+)`", section):
        if match.group(1):
            current = REPO / match.group(1)
            assert current.is_file(), match.group(1)
        name = match.group(2) or match.group(3)
        if name:
            assert current is not None
            assert f"def {name}(" in current.read_text(encoding="utf-8"), (current.name, name)
            named += 1
    assert named > 20
