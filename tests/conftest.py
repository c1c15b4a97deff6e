"""Test fixtures shared by every test module."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import REPO, synthetic_blog
from hypothesis import settings

from hrdblog.build import build
from hrdblog.config import load_config

# In CI the property tests run the same examples every time, so a run is never red by the luck
# of the draw; on developers' machines they keep exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    """Undo the command line's logging set-up, so caplog sees hrdblog's warnings again."""
    yield
    logger = logging.getLogger("hrdblog")
    logger.handlers.clear()
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example blog of the repository, built."""
    output = tmp_path_factory.mktemp("example") / "site"
    build(load_config(REPO, output_dir=output), use_cache=False)  # nothing written in the repo
    return output


@pytest.fixture(scope="session")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated blog of 300 posts (about a thousand pages), built."""
    root = synthetic_blog(tmp_path_factory.mktemp("large") / "blog", posts=300)
    build(load_config(root))
    return root / "site"
