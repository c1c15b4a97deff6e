"""Site settings: the frozen SiteConfig and load_config, which reads and checks hrdblog.yaml."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hrdblog.dates import check_date_format
from hrdblog.errors import ConfigError, HrdblogError, LocatedError, raise_all
from hrdblog.frontmatter import load_mapping
from hrdblog.markup import check_extensions
from hrdblog.urls import check_permalink

logger = logging.getLogger(__name__)

CONFIG_FILE = "hrdblog.yaml"

DEFAULT_EXTENSIONS = ("footnotes", "tables", "fenced_code", "toc", "smarty")

#: The interface texts of the default theme, in English. `%s` stands for the variable part.
DEFAULT_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        "posts_tagged": "Posts Tagged ‘%s’",
        "read_more": "Read the rest of this entry »",
        "older_entries": "« Older Entries",
        "newer_entries": "Newer Entries »",
        "page_number": "Page %s",
        "posts_navigation": "More posts",
        "tag_index": "Tags",
        "tagged": "Tags:",
        "by_author": "by %s",
        "skip_link": "Skip to content",
        "site_navigation": "Site",
        "home": "Home",
        "no_posts": "Nothing has been published yet.",
        "powered_by": "Published with hrdblog",
    }
)

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"}
)


def text_direction(language: str) -> str:
    """Return `rtl` for a right-to-left language tag, else `ltr`."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True)
class SiteConfig:
    """Everything that shapes a build: where to read and write, and the site's settings."""

    source: Path
    content_dir: Path
    templates_dir: Path
    output_dir: Path
    config_file: Path | None = None
    title: str = "My hrdblog"
    description: str = ""
    author: str = ""
    base_url: str = ""
    language: str = "en"
    timezone: str = "UTC"
    posts_per_page: int = 10
    excerpt_words: int = 55
    permalink: str = "/{year}/{month}/{day}/{slug}/"
    slug_unicode: bool = False
    index_html_links: bool = False
    date_format: str = "long"
    markdown_extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    markdown_extension_configs: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    texts: Mapping[str, str] = field(default_factory=lambda: DEFAULT_TEXTS)

    @property
    def tzinfo(self) -> ZoneInfo:
        """Return the site's time zone, in which dates without an offset are read."""
        return ZoneInfo(self.timezone)

    @property
    def direction(self) -> str:
        """Return the text direction of the site's language."""
        return text_direction(self.language)

    def display_path(self, path: Path) -> str:
        """Return a path as messages show it: relative to the blog's folder where possible."""
        return display_path(path, self.source)


def display_path(path: Path, source: Path) -> str:
    """Return `path` relative to the blog folder `source` where it is inside it."""
    try:
        return path.relative_to(source).as_posix()
    except ValueError:
        return path.as_posix()


SETTINGS = frozenset(
    f.name
    for f in fields(SiteConfig)
    if f.name not in {"source", "content_dir", "templates_dir", "output_dir", "config_file"}
)


def suggest(word: str, known: frozenset[str] | set[str]) -> str | None:
    """Return the known word that `word` most likely misspells, if one is close."""
    matches = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.75)
    return matches[0] if matches else None


def load_config(
    source: Path,
    config_file: Path | None = None,
    output_dir: Path | None = None,
    **overrides: Any,
) -> SiteConfig:
    """Read `hrdblog.yaml` (if present) from the blog folder `source` and check every setting."""
    source = source.resolve()
    explicit = config_file is not None
    config_file = (config_file or source / CONFIG_FILE).resolve()
    paths: dict[str, Any] = {
        "source": source,
        "content_dir": source / "content",
        "templates_dir": source / "templates",
        "output_dir": (output_dir or source / "site").resolve(),
    }
    if not config_file.is_file():
        if explicit:
            raise ConfigError(str(config_file), None, "the configuration file does not exist")
        return SiteConfig(**paths, **overrides)
    shown = display_path(config_file, source)
    try:
        text = config_file.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, None, f"cannot be read: {exc}", "save it as UTF-8 text") from None

    def error(line: int | None, message: str, hint: str | None = None) -> LocatedError:
        return ConfigError(shown, line, message, hint)

    mapping = load_mapping(text, 1, error, "hrdblog.yaml")
    settings: dict[str, Any] = {}
    errors: list[HrdblogError] = []
    for key, value in mapping.values.items():
        line = mapping.lines[key]
        if key not in SETTINGS:
            close = suggest(key, SETTINGS)
            logger.warning(
                "%s:%d: unknown setting '%s'%s",
                shown,
                line,
                key,
                f", did you mean '{close}'?" if close else " (ignored)",
            )
            continue
        try:
            settings[key] = _CHECKS[key](value)
        except _Invalid as exc:
            errors.append(ConfigError(shown, line, f"'{key}' {exc.args[0]}", exc.hint))
    if "markdown_extensions" in settings or "markdown_extension_configs" in settings:
        problem = check_extensions(
            settings.get("markdown_extensions", DEFAULT_EXTENSIONS),
            settings.get("markdown_extension_configs", {}),
        )
        if problem:
            key = next(
                k for k in ("markdown_extensions", "markdown_extension_configs") if k in settings
            )
            errors.append(
                ConfigError(
                    shown,
                    mapping.lines[key],
                    f"'{key}' cannot be used: {problem}",
                    "name extensions as Python-Markdown knows them, e.g. footnotes, tables",
                )
            )
    raise_all(errors)
    settings.update(overrides)
    return SiteConfig(**paths, config_file=config_file, **settings)


class _Invalid(ValueError):
    """A setting's value is wrong; the message completes "'key' …"."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid(f"must be text, got {value!r}")
    return str(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, got {value!r}")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Invalid(f"must be a whole number above 0, got {value!r}")
    return value


def _base_url(value: Any) -> str:
    url = _text(value).strip()
    if url and not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        raise _Invalid(f"must be a web address like https://example.org/, got {url!r}")
    return url.rstrip("/") + "/" if url else ""


def _language(value: Any) -> str:
    language = _text(value)
    if not LANGUAGE_TAG.match(language):
        raise _Invalid(f"must be a language code like en or ar, got {language!r}")
    return language


def _timezone(value: Any) -> str:
    name = _text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Invalid(
            f"must be a time zone like UTC or Asia/Muscat, got {name!r}",
            "the names are those of the IANA time zone database",
        ) from None
    return name


def _permalink(value: Any) -> str:
    pattern = _text(value)
    problem = check_permalink(pattern)
    if problem:
        raise _Invalid(
            f"{pattern!r} cannot be used: {problem}", "the default is /{year}/{month}/{day}/{slug}/"
        )
    return pattern


def _date_format(value: Any) -> str:
    pattern = _text(value)
    problem = check_date_format(pattern)
    if problem:
        raise _Invalid(
            f"is not a date format: {problem}",
            "use short, medium, long or full, or a pattern like 'd MMMM y'",
        )
    return pattern


def _extensions(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid("must be a list of Markdown extension names", "e.g. [footnotes, tables]")
    return tuple(value)


def _extension_configs(value: Any) -> Mapping[str, Mapping[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise _Invalid("must map extension names to their settings", "e.g. toc: {permalink: true}")
    return MappingProxyType({str(k): MappingProxyType(v) for k, v in value.items()})


def _texts(value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise _Invalid("must be `name: text` lines, one per interface text")
    texts = dict(DEFAULT_TEXTS)
    for key, text in value.items():
        if key not in DEFAULT_TEXTS:
            close = suggest(str(key), set(DEFAULT_TEXTS))
            raise _Invalid(
                f"has an unknown text {key!r}",
                f"did you mean {close!r}?" if close else "known: " + ", ".join(DEFAULT_TEXTS),
            )
        text = _text(text)
        if text.count("%s") != DEFAULT_TEXTS[key].count("%s") or "%" in text.replace("%s", ""):
            raise _Invalid(
                f"text {key!r} must contain %s exactly where the default "
                f"{DEFAULT_TEXTS[key]!r} does, and no other %",
            )
        texts[key] = text
    return MappingProxyType(texts)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "title": _text,
    "description": _text,
    "author": _text,
    "base_url": _base_url,
    "language": _language,
    "timezone": _timezone,
    "posts_per_page": _count,
    "excerpt_words": _count,
    "permalink": _permalink,
    "slug_unicode": _bool,
    "index_html_links": _bool,
    "date_format": _date_format,
    "markdown_extensions": _extensions,
    "markdown_extension_configs": _extension_configs,
    "texts": _texts,
}
assert set(_CHECKS) == SETTINGS, "every setting has a check"
