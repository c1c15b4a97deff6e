"""The record of the last build into an output folder (`.hrdblog-cache/site-….json`).

It holds, for each published file, the key of what it showed (`PublishedFile.key`), the
SHA-256 of its bytes and its stat; for each file the build read, its stat and key
(`keys.Known`); a digest of every input, so that a build with nothing to do can tell at once;
the related posts, which depend only on dates and terms; and the report that build ended with.
It is JSON signed with the blog's seal, and every entry is checked when it is read back: a
record that is damaged, tampered with or of another version is no record, and the build does
all the work.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from hrdblog.config import SiteConfig
from hrdblog.files import Stat
from hrdblog.incremental.keys import Known
from hrdblog.incremental.sealed import read_sealed, write_sealed
from hrdblog.lock import CACHE_DIR
from hrdblog.publish import Written
from hrdblog.seal import Seal
from hrdblog.speedups.collector import collector_paused

logger = logging.getLogger(__name__)


class PublishedFile(NamedTuple):
    """A file the last build published: the key of what it showed ("" for a file published
    as it is), and the file as written."""

    key: str
    written: Written


@dataclass
class BuildRecord:
    """What the last build into an output folder made, and from what."""

    made_under: str = ""  # a digest of the settings, hrdblog and the templates it was made under
    inputs: str = ""  # a digest of everything it was made from; "" if it must not be trusted
    built_at: datetime | None = None  # the time it was built for: what was due then is out
    next_change: datetime | None = None  # when a post scheduled for later comes due
    report: dict[str, Any] = field(default_factory=dict)  # its figures and warnings
    related: dict[str, list[list[int]]] = field(default_factory=dict)
    files_read: dict[str, Known] = field(default_factory=dict)  # file → its stat and key
    published: dict[str, PublishedFile] = field(default_factory=dict)  # path in the site → file

    @staticmethod
    def path(config: SiteConfig) -> Path:
        """Return the file that records the builds into the output folder of `config`."""
        folder = hashlib.sha256(str(config.output_dir.resolve()).encode()).hexdigest()[:16]
        return config.source / CACHE_DIR / f"site-{folder}.json"

    @classmethod
    def load(cls, config: SiteConfig, seal: Seal) -> BuildRecord:
        """Return the record of the last build into the output folder of `config`, if one
        signed with the blog's seal is there and well formed; else an empty one."""
        body = read_sealed(cls.path(config), seal)
        if body is None:
            return cls()
        try:
            with collector_paused():
                return cls._checked(json.loads(body))
        except (ValueError, KeyError, TypeError):
            logger.info("the record of the last build cannot be read: doing all the work")
            return cls()

    @classmethod
    def _checked(cls, stored: dict[str, Any]) -> BuildRecord:
        """Return the record a JSON object holds; raise ValueError if anything in it is not as
        `save` writes it."""
        made_under, inputs = stored["made_under"], stored["inputs"]
        report, related = stored["report"], stored["related"]
        if not (isinstance(made_under, str) and isinstance(inputs, str) and _is_report(report)):
            raise ValueError("not a record")
        if not (isinstance(related, dict) and all(_numbers(v) for v in related.values())):
            raise ValueError("not a record of related posts")
        files_read = {
            name: Known(Stat(*_ints(e[:4])), _text(e[4]))
            for name, e in _entries(stored["files_read"], 5)
        }
        published = {
            path: PublishedFile(_text(e[0]), Written(_text(e[1]), Stat(*_ints(e[2:]))))
            for path, e in _entries(stored["published"], 6)
        }
        return cls(
            made_under,
            inputs,
            _moment(stored["built_at"]),
            _moment(stored["next_change"]),
            report,
            related,
            files_read,
            published,
        )

    def save(self, config: SiteConfig, seal: Seal) -> None:
        """Write the record; a failure only costs the next build its speed."""
        with collector_paused():
            record = {
                "made_under": self.made_under,
                "inputs": self.inputs,
                "built_at": self.built_at.isoformat() if self.built_at else None,
                "next_change": self.next_change.isoformat() if self.next_change else None,
                "report": self.report,
                "related": self.related,
                "files_read": {
                    name: [*k.stat, k.key] for name, k in sorted(self.files_read.items())
                },
                "published": {
                    path: [page.key, page.written.sha256, *page.written.stat]
                    for path, page in sorted(self.published.items())
                },
            }
            write_sealed(self.path(config), json.dumps(record), seal)


def _entries(value: Any, length: int) -> list[tuple[str, list[Any]]]:
    """Return the entries of a mapping of names to lists of `length` items; raise ValueError
    if it is anything else."""
    if not isinstance(value, dict):
        raise ValueError("not a mapping")
    found = list(value.items())
    for name, entry in found:
        if not (isinstance(name, str) and isinstance(entry, list) and len(entry) == length):
            raise ValueError(f"not an entry: {entry!r}")
    return found


def _ints(values: list[Any]) -> list[int]:
    if not all(type(n) is int for n in values):
        raise ValueError(f"not whole numbers: {values!r}")
    return values


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not a text: {value!r}")
    return value


def _numbers(value: Any) -> bool:
    """Tell whether a value is a list of lists of whole numbers, as related posts are."""
    return isinstance(value, list) and all(
        isinstance(row, list) and all(type(n) is int for n in row) for row in value
    )


def _moment(value: Any) -> datetime | None:
    """Return the time a record holds (None, or a time with its offset); raise ValueError
    if it holds anything else."""
    if value is None:
        return None
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError(f"a time without its offset: {value!r}")
    return moment


_FIGURES = ("posts", "tags", "pages", "files")


def _is_report(value: Any) -> bool:
    """Tell whether a value is a build's report as `build` gives it: its figures, whole
    numbers, and its warnings, texts."""
    if not isinstance(value, dict) or set(value) != {"figures", "warnings"}:
        return False
    figures, warnings = value["figures"], value["warnings"]
    return (
        isinstance(figures, dict)
        and set(figures) == set(_FIGURES)
        and all(type(figures[name]) is int for name in _FIGURES)
        and isinstance(warnings, list)
        and all(isinstance(warning, str) for warning in warnings)
    )
