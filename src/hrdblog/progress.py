"""How a long build tells how far it has come: one type for every stage that reports."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Told how far a long build has come: the stage, and how much of it is done."""

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report that `done` of `total` items of `stage` are done."""


def silent(stage: str, done: int, total: int) -> None:
    """Report nothing."""
