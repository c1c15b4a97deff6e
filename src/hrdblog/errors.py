"""The one family of errors hrdblog raises for problems a user can fix."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from typing import Any


class HrdblogError(Exception):
    """A problem the user can fix; its text is written for them, not for a programmer."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def location(self) -> str:
        """Return the `path:line: ` prefix of the message, or nothing."""
        return ""

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries when posts are read in parallel.
        return (self.__class__, (self.message, self.hint))

    def __str__(self) -> str:
        text = f"{self.location()}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class LocatedError(HrdblogError):
    """An error at a place in a file: `path:line: message`."""

    def __init__(self, path: str, line: int | None, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.path = path
        self.line = line

    def location(self) -> str:
        return f"{self.path}:{self.line}: " if self.line else f"{self.path}: "

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (self.path, self.line, self.message, self.hint))


class ConfigError(LocatedError):
    """A setting in hrdblog.yaml (or given on the command line) is wrong."""


class ContentError(LocatedError):
    """A post cannot be read: bad front matter, a bad field, a clash with another post."""


class ThemeError(HrdblogError):
    """A template cannot be loaded or rendered."""


class OutputError(HrdblogError):
    """The output cannot be written where it was asked to go."""


class ErrorList(HrdblogError):
    """Several errors found in one run, reported together."""

    def __init__(self, errors: Iterable[HrdblogError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (self.errors,))

    def summary(self) -> str:
        """Return one line counting the errors and the files they are in."""
        files = {e.path for e in self.errors if isinstance(e, LocatedError)}
        errors = count(len(self.errors), "error")
        return f"{errors} in {count(len(files), 'file')}" if files else errors


def suggest(word: str, known: Iterable[str], cutoff: float = 0.75) -> str | None:
    """Return the known word that `word` most likely misspells, if one is close, for a
    message's "did you mean"."""
    matches = difflib.get_close_matches(word, sorted(known), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def count(number: int, noun: str, plural: str | None = None) -> str:
    """Return `1 error`, `2 errors`: a number with its noun (its `plural`, if not noun + s)."""
    return f"{number} {noun}" if number == 1 else f"{number} {plural or noun + 's'}"


def raise_all(errors: list[HrdblogError]) -> None:
    """Raise the errors found in a stage together, if there are any."""
    if errors:
        raise ErrorList(errors)


class Warnings(logging.Handler):
    """A logging handler that keeps the text of each warning logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
