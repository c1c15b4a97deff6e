"""Test fixtures shared by every test module."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    """Undo the command line's logging set-up, so caplog sees hrdblog's warnings again."""
    yield
    logger = logging.getLogger("hrdblog")
    logger.handlers.clear()
    logger.propagate = True
    logger.setLevel(logging.NOTSET)
