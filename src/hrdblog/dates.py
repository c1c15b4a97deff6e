"""Dates as readers see them: formatted per language from CLDR data, never the machine's locale."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

import babel
import babel.dates

NAMED_FORMATS = ("short", "medium", "long", "full")
#: The dates a post may have: far enough from Python's bounds (years 1 and 9999) that no time
#: zone can carry them past one.
EARLIEST = datetime(1000, 1, 1)
LATEST = datetime(9998, 12, 31, 23, 59, 59)
RANGE = "between 1000-01-01 and 9998-12-31"


def in_range(value: datetime) -> bool:
    """Tell whether a date is one a post may have (its wall-clock time, in any zone)."""
    return EARLIEST <= value.replace(tzinfo=None) <= LATEST


_QUOTED = re.compile(r"'[^']*'")


def check_date_format(pattern: str) -> str | None:
    """Return what is wrong with a `date_format`, or None if it can be used."""
    if pattern in NAMED_FORMATS:
        return None
    if not re.search(r"[dMLy]", _QUOTED.sub("", pattern)):
        return f"{pattern!r} shows no day, month or year"
    return None


@functools.lru_cache(maxsize=65536)  # a post's date is shown on many pages
def format_date(value: datetime, pattern: str, *languages: str) -> str:
    """Format a date with a named format (short … full) or a CLDR pattern like 'd MMMM y'.

    The first of `languages` that CLDR knows is used; English if none is.
    """
    locale = _locale(languages)
    if pattern in NAMED_FORMATS:
        return babel.dates.format_date(value.date(), pattern, locale=locale)
    return babel.dates.format_datetime(value, pattern, tzinfo=value.tzinfo, locale=locale)


def format_period(kind: str, day: date, *languages: str) -> str:
    """Name the year, month or day of an archive: 2017, November 2017, November 4, 2017."""
    locale = _locale(languages)
    if kind == "day":
        return babel.dates.format_date(day, "long", locale=locale)
    skeleton = "y" if kind == "year" else "yMMMM"
    return babel.dates.format_skeleton(skeleton, day, locale=locale)


@functools.lru_cache(maxsize=256)
def _locale(languages: tuple[str, ...]) -> str:
    for language in languages:
        try:
            return str(babel.Locale.parse(language.replace("-", "_")))
        except (ValueError, babel.UnknownLocaleError):
            continue
    return "en"
