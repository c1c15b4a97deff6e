"""Site settings: the frozen SiteConfig and load_config, which reads and checks hrdblog.yaml."""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import Locale, UnknownLocaleError, get_global

from hrdblog import colors
from hrdblog.dates import check_date_format
from hrdblog.errors import (
    ConfigError,
    ContentError,
    HrdblogError,
    LocatedError,
    raise_all,
    suggest,
)
from hrdblog.files import display_path, read_file
from hrdblog.frontmatter import load_mapping
from hrdblog.markup import check_extensions, cmark_available
from hrdblog.menus import MenuItem, MenuProblems, parse_menu
from hrdblog.texts import ENGLISH, TAXONOMY_TEXTS, language_texts, placeholder_problem, primary
from hrdblog.urls import alias_allowed, check_permalink, slugify

logger = logging.getLogger(__name__)

CONFIG_FILE = "hrdblog.yaml"
#: Hidden files of `root/` that are published all the same: hosts read them.
ROOT_HIDDEN = (".well-known", ".htaccess", ".nojekyll")
MAX_SETTINGS_BYTES = 1024 * 1024

DEFAULT_EXTENSIONS = ("footnotes", "tables", "fenced_code", "toc", "smarty")

#: The front-matter fields of a featured image, of a post or a page.
IMAGE_FIELDS = ("image", "image_alt", "image_caption", "image_credit")
#: The front-matter fields of a post; a taxonomy may not take one of these names.
POST_FIELDS = frozenset(
    {
        "title",
        "date",
        "summary",
        "slug",
        "draft",
        "author",
        "lang",
        "updated",
        "source",
        "aliases",
        "translation_key",
        *IMAGE_FIELDS,
    }
)
#: The front-matter fields of a page (`content/pages/`).
PAGE_FIELDS = frozenset(
    {
        "title",
        "date",
        "summary",
        "slug",
        "url",
        "draft",
        "author",
        "lang",
        "updated",
        "aliases",
        "translation_key",
        *IMAGE_FIELDS,
    }
)
#: First URL segments the site itself uses; a taxonomy may not take one of these paths.
RESERVED_PATHS = frozenset({"page", "static", "archives", "feed.xml", "sitemap.xml", "404.html"})

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
#: The scripts written right to left (ISO 15924 codes, as Unicode's Script data lists them).
RTL_SCRIPTS = frozenset(
    "Adlm Arab Armi Avst Chrs Cprt Elym Hatr Hebr Hung Khar Lydi Mand Mani Mend Merc Mero "
    "Narb Nbat Nkoo Orkh Ougr Palm Phli Phlp Phnx Prti Rohg Samr Sarb Sogd Sogo Syrc Thaa "
    "Yezi".split()
)
FEED_CONTENT = ("full", "excerpt")


@functools.cache
def locale(code: str) -> Locale | None:
    """Return the Unicode CLDR's data of a language by its code (ar, fr, zh-Hant), or None
    for a code it does not know."""
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def known_language(code: str) -> bool:
    """Tell whether a code is that of a language the Unicode CLDR knows (ar, fr, zh-Hant)."""
    return locale(code) is not None


@functools.cache
def text_direction(language: str) -> str:
    """Return `rtl` for a language tag written right to left, else `ltr`.

    The direction is the script's: the tag's own script subtag (ku-Arab, sd-Deva), else the
    script the language is most likely written in, from the Unicode CLDR (ku: Latin, so
    Kurmanji is laid out left to right; ckb, Sorani: Arabic, right to left).
    """
    parts = language.replace("_", "-").split("-")
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script is None:
        likely = get_global("likely_subtags").get(parts[0].lower(), "")
        script = next((p for p in likely.split("_")[1:] if len(p) == 4), None)
    return "rtl" if script in RTL_SCRIPTS else "ltr"


@dataclass(frozen=True)
class Taxonomy:
    """A kind of term posts carry: its front-matter key and the first segment of its URLs
    (after the language's, in a tree of another language than the default: /ar/tag/…)."""

    name: str  # tags, categories, countries …
    path: str  # tag, category, country …
    prefix: str = ""  # the tree's: "" or /ar …

    @property
    def url(self) -> str:
        """Return the url of the taxonomy's index of terms."""
        return f"{self.prefix}/{self.path}/"

    def term_url(self, slug: str) -> str:
        """Return the url of a term's page: /tag/coalition/, /ar/tag/تحالف/ …"""
        return f"{self.url}{slug}/"


DEFAULT_TAXONOMIES = (Taxonomy("tags", "tag"), Taxonomy("categories", "category"))


@dataclass(frozen=True)
class Mirror:
    """Another address where the whole site is published: a mirror, for readers whose way
    to the site is blocked."""

    url: str
    name: str = ""  # who keeps it, or where it is, as the mirrors page shows it


@dataclass(frozen=True)
class DeployTarget:
    """A place `hrdblog deploy` publishes the built site to."""

    name: str  # what `hrdblog deploy --to` and its messages call it
    kind: str  # folder, rsync (over SSH) or git (a branch)
    to: str  # the folder, [user@]host:folder, or the repository's address
    port: int = 0  # rsync's SSH port; 0: SSH's own default
    branch: str = "pages"  # git's: the branch the site is committed to

    @property
    def shown(self) -> str:
        """Return the target as messages name it: `server (editor@example.org:/var/www)`."""
        where = f"{self.to} {self.branch}" if self.kind == "git" else self.to
        return f"{self.name} ({where})"


#: What each kind of deploy target takes besides its name.
DEPLOY_KINDS = {"folder": (), "rsync": ("port",), "git": ("branch",)}


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
    markdown_engine: str = "markdown"
    markdown_extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    markdown_extension_configs: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    taxonomies: tuple[Taxonomy, ...] = DEFAULT_TAXONOMIES
    feed_items: int = 20
    feed_content: str = "full"
    related_posts: int = 5
    max_terms: int = 100  # terms of one taxonomy on one post: every term page lists them all
    keep_image_metadata: bool = False
    # The widths, in pixels, each photo a page shows is published in (`images`).
    image_widths: tuple[int, ...] = (480, 960, 1600)
    # The weight, in kB, above which `hrdblog check` names a page.
    page_budget: int = 150
    # The default theme's look: a logo and an icon (files in static/), an accent colour, the
    # taxonomy whose first term stands above each title in lists, and compact date archives.
    logo: str = ""
    favicon: str = ""
    stylesheet: str = ""  # a file in static/, loaded after the theme's stylesheet
    accent_color: str = ""
    kicker: str = ""
    compact_archives: bool = False
    # Full-text search: each tree's search page and index (`search`).
    search: bool = True
    # The site's address as a Tor onion service: every page names its own there.
    onion_url: str = ""
    # Other addresses of the whole site, listed on its mirrors page with the onion address.
    mirrors: tuple[Mirror, ...] = ()
    # Where `hrdblog deploy` publishes the site; no part of what a build writes.
    deploy: tuple[DeployTarget, ...] = ()
    sanitize: bool = False
    allowed_origins: tuple[str, ...] = ()
    # Old addresses of the site sent on to new ones (an imported blog's term pages): old → new.
    redirects: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    menu: tuple[MenuItem, ...] = ()  # none: the default menu (`menus.default_menu`)
    # The site's languages, the first its default (`language`): a tree of pages each.
    languages: tuple[str, ...] = ()
    # Each term's name in the other languages: taxonomy → term → language → name.
    term_translations: Mapping[str, Mapping[str, Mapping[str, str]]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    texts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    translations: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # Derived from the four settings above by load_config: every language's complete texts.
    all_texts: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: language_texts("en", {}, {}, {})
    )
    # Given by the command line, not hrdblog.yaml: what this build publishes, and when it runs.
    include_drafts: bool = False
    include_future: bool = False
    build_time: datetime | None = None  # None: SOURCE_DATE_EPOCH, else the clock

    @property
    def pages_dir(self) -> Path:
        """Return the folder of the pages: About, Contact … (`content/pages/`)."""
        return self.content_dir / "pages"

    @property
    def static_dir(self) -> Path:
        """Return the folder of files published under /static/."""
        return self.source / "static"

    @property
    def root_dir(self) -> Path:
        """Return the folder of files published at the root of the site (CNAME, .well-known/)."""
        return self.source / "root"

    @property
    def input_dirs(self) -> tuple[Path, ...]:
        """Return the folders a build reads besides its settings."""
        return (self.content_dir, self.templates_dir, self.static_dir, self.root_dir)

    @property
    def tzinfo(self) -> ZoneInfo:
        """Return the site's time zone, in which dates without an offset are read."""
        return ZoneInfo(self.timezone)

    def now(self) -> datetime:
        """Return the moment the build runs, which decides what is scheduled for later."""
        if self.build_time is not None:
            return self.build_time
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.isdigit():
            return datetime.fromtimestamp(int(epoch), self.tzinfo)
        return datetime.now(self.tzinfo)

    @property
    def trees(self) -> tuple[str, ...]:
        """Return the language of each tree of pages, the default's first: one for a site
        in one language."""
        return self.languages or (self.language,)

    def tree_of(self, language: str) -> str:
        """Return the tree a post or page in a language is published in: its own language's,
        or, for a language the site does not list, the default's."""
        wanted = primary(language)
        return next((tree for tree in self.languages if primary(tree) == wanted), self.language)

    def prefix(self, language: str) -> str:
        """Return what the addresses of a tree start with: "" for the default language's
        tree (at /), `/ar` for the Arabic one …"""
        tree = self.tree_of(language)
        return "" if tree == self.language else f"/{primary(tree)}"

    def site_paths(self) -> frozenset[str]:
        """Return the first parts of the addresses the site itself uses (/archives/, /tag/,
        /ar/ …), which a page of its own cannot take."""
        return frozenset(
            {
                "index",
                *RESERVED_PATHS,
                "robots.txt",
                *(("search", "pagefind") if self.search else ()),
                *(("mirrors",) if self.onion_url or self.mirrors else ()),
                "SHA256SUMS",
                "_headers",
                *(taxonomy.path for taxonomy in self.taxonomies),
                *(self.prefix(language).strip("/") for language in self.languages[1:]),
            }
        )

    def site_text(self, language: str, key: str) -> str:
        """Return the site's title (`title`) or description in a language: as `translations`
        gives it there (`site_title`, `site_description`), else as the settings give it."""
        given: str = getattr(self, key)
        if primary(language) == primary(self.language):
            return given
        return self.translations.get(primary(language), {}).get(f"site_{key}", given)

    def texts_for(self, language: str) -> Mapping[str, str]:
        """Return the interface texts of a language; English where the site has none for it."""
        return self.all_texts.get(primary(language)) or self.all_texts["en"]

    def display_path(self, path: Path) -> str:
        """Return a path as messages show it: relative to the blog's folder where possible."""
        return display_path(path, self.source)

    def __reduce__(self) -> tuple[Any, ...]:
        # Read-only mappings cannot be pickled; worker processes need the config.
        return (_restore, ({f.name: _thaw(getattr(self, f.name)) for f in fields(self)},))


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    return value


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    return value


def _restore(values: dict[str, Any]) -> SiteConfig:
    return SiteConfig(**{name: _freeze(value) for name, value in values.items()})


PATHS = frozenset({"source", "content_dir", "templates_dir", "output_dir", "config_file"})
RUNTIME = frozenset({"all_texts", "include_drafts", "include_future", "build_time"})
SETTINGS = frozenset(f.name for f in fields(SiteConfig) if f.name not in PATHS | RUNTIME)
#: The settings that shape what a build writes: all but those of other commands.
BUILD_SETTINGS = SETTINGS - {"deploy"}


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
    if not config_file.exists():
        if explicit:
            raise ConfigError(str(config_file), None, "the configuration file does not exist")
        return _complete(SiteConfig(**paths, **overrides), {})
    shown = display_path(config_file, source)
    try:
        data = read_file(config_file, shown, MAX_SETTINGS_BYTES, "settings files").data
    except ContentError as exc:
        raise ConfigError(shown, None, exc.message, exc.hint) from None
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise ConfigError(shown, None, f"cannot be read: {exc}", "save it as UTF-8 text") from None

    def error(line: int | None, message: str, hint: str | None = None) -> LocatedError:
        return ConfigError(shown, line, message, hint)

    mapping = load_mapping(text, 1, error, "hrdblog.yaml", within=True)
    settings: dict[str, Any] = {}
    errors: list[HrdblogError] = []
    taxonomy_texts: dict[str, str] = {}
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
            if key == "taxonomies":
                settings[key] = _taxonomies(value, taxonomy_texts)
            elif key not in _CHECKED_AFTER:
                settings[key] = _CHECKS[key](value)
        except _Invalid as exc:
            errors.append(ConfigError(shown, line, f"'{key}' {exc.args[0]}", exc.hint))
    known = known_texts(settings.get("taxonomies", DEFAULT_TAXONOMIES))
    for key, check in (("texts", _texts), ("translations", _translations)):
        if key in mapping.values:
            try:
                settings[key] = check(mapping.values[key], known)
            except _Invalid as exc:
                errors.append(
                    ConfigError(shown, mapping.lines[key], f"'{key}' {exc.args[0]}", exc.hint)
                )
    if "languages" in settings:
        languages = settings["languages"]
        if "language" in settings and settings["language"] != languages[0]:
            errors.append(
                ConfigError(
                    shown,
                    mapping.lines["language"],
                    f"'language' is {settings['language']}, but 'languages' starts with "
                    f"{languages[0]}: the site's default language is the first of its languages",
                    "give the default language first in languages, and leave out language",
                )
            )
        settings["language"] = languages[0]
        if len(languages) == 1:  # one language: a site of one language, as `language` makes
            del settings["languages"]
    if "term_translations" in mapping.values and "languages" in settings:
        checked, problems = _term_translations(
            mapping.values["term_translations"],
            settings.get("taxonomies", DEFAULT_TAXONOMIES),
            settings["languages"],
            lambda path: (
                mapping.within.get(("term_translations", *path))
                or mapping.lines["term_translations"]
            ),
        )
        settings["term_translations"] = checked
        errors += [
            ConfigError(shown, line, f"'term_translations' {message}", hint)
            for line, message, hint in problems
        ]
    elif "term_translations" in mapping.values and "languages" not in mapping.values:
        errors.append(
            ConfigError(
                shown,
                mapping.lines["term_translations"],
                "'term_translations' needs the site's languages: set languages first",
                "e.g. languages: [en, ar]",
            )
        )
    if "menu" in mapping.values:
        try:
            settings["menu"] = parse_menu(
                mapping.values["menu"],
                mapping.lines["menu"],
                mapping.within,
                settings.get("taxonomies", DEFAULT_TAXONOMIES),
                settings.get("languages", ()),
            )
        except MenuProblems as exc:
            errors += [ConfigError(shown, p.line, str(p), p.hint) for p in exc.problems]
    if "kicker" in mapping.values:
        taxonomies = settings.get("taxonomies", DEFAULT_TAXONOMIES)
        try:
            settings["kicker"] = _kicker(mapping.values["kicker"], taxonomies)
        except _Invalid as exc:
            errors.append(
                ConfigError(shown, mapping.lines["kicker"], f"'kicker' {exc.args[0]}", exc.hint)
            )
    for key in ("logo", "favicon", "stylesheet"):
        name = settings.get(key)
        kinds = _STATIC_KINDS[key]
        if name and Path(name).suffix.lower() not in kinds:
            errors.append(
                ConfigError(
                    shown,
                    mapping.lines[key],
                    f"'{key}' names static/{name}, which is no {_STATIC_NOUNS[key]}",
                    f"name a file ending in {', '.join(sorted(kinds))}",
                )
            )
        elif name and not (source / "static" / name).is_file():
            errors.append(
                ConfigError(
                    shown,
                    mapping.lines[key],
                    f"'{key}' names static/{name}, which is not there",
                    f"put the file in the folder static/ beside {shown}, or correct its name",
                )
            )
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
    onion, base = settings.get("onion_url", ""), settings.get("base_url", "")
    if onion and base and urlsplit(onion).path != urlsplit(base).path:
        errors.append(
            ConfigError(
                shown,
                mapping.lines["onion_url"],
                f"'onion_url' must end with the path of base_url ({urlsplit(base).path}), "
                f"got {onion!r}",
                "the onion service serves the site at the same path, so that each page's "
                "address there is the onion's name and the page's path",
            )
        )
    raise_all(sorted(errors, key=lambda error: getattr(error, "line", None) or 0))
    settings.update(overrides)
    return _complete(SiteConfig(**paths, config_file=config_file, **settings), taxonomy_texts)


#: What the files the look's settings name may be, by their names' endings.
_STATIC_KINDS = {
    "logo": frozenset({".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif"}),
    "favicon": frozenset({".ico", ".svg", ".png", ".gif"}),
    "stylesheet": frozenset({".css"}),
}
_STATIC_NOUNS = {"logo": "image", "favicon": "icon", "stylesheet": "stylesheet"}

#: The settings checked once the others are known: the taxonomies and the languages.
_CHECKED_AFTER = frozenset({"texts", "translations", "menu", "term_translations", "kicker"})


def _complete(config: SiteConfig, taxonomy_texts: Mapping[str, str]) -> SiteConfig:
    """Return the config with the complete texts of every language it can show."""
    defaults = {
        f"{t.name}_{kind}": _default_taxonomy_text(t.name, kind)
        for t in config.taxonomies
        if f"{t.name}_title" not in ENGLISH
        for kind in TAXONOMY_TEXTS
    }
    all_texts = language_texts(
        config.language, config.texts, config.translations, {**defaults, **taxonomy_texts}
    )
    return replace(config, all_texts=all_texts)


def _default_taxonomy_text(name: str, kind: str) -> str:
    title = name.replace("_", " ").capitalize()
    return {"title": title, "heading": f"{title}: %s", "label": f"{title}:"}[kind]


def known_texts(taxonomies: tuple[Taxonomy, ...]) -> dict[str, str]:
    """Return every text key a site can set, with its English default."""
    known = dict(ENGLISH)
    for taxonomy in taxonomies:
        for kind in TAXONOMY_TEXTS:
            key = f"{taxonomy.name}_{kind}"
            known.setdefault(key, _default_taxonomy_text(taxonomy.name, kind))
    return known


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


def _number(value: Any) -> int | None:
    """Return the whole number a setting gives, written in digits (YAML gives its text)."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _count(value: Any) -> int:
    number = _number(value)
    if number is None or number < 1:
        raise _Invalid(f"must be a whole number above 0, got {value!r}")
    return number


def _count_or_zero(value: Any) -> int:
    number = _number(value)
    if number is None:
        raise _Invalid(f"must be a whole number, 0 or more, got {value!r}")
    return number


def _base_url(value: Any) -> str:
    url = _text(value).strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url) or not parts.hostname:
        raise _Invalid(f"must be a web address like https://example.org/, got {url!r}")
    if parts.query or parts.fragment or "?" in url or "#" in url or "@" in parts.netloc:
        raise _Invalid(
            f"must be the address of the site, without ?, # or a user name, got {url!r}",
            "like https://example.org/ or https://example.org/news/",
        )
    return url.rstrip("/") + "/"


#: A v3 onion service's name: 56 letters and digits of base32, then .onion.
_ONION = re.compile(r"^[a-z2-7]{56}\.onion$")


def _onion_url(value: Any) -> str:
    url = _base_url(value)
    if not url:
        return ""
    host = urlsplit(url).hostname or ""
    if not host.endswith(".onion"):
        raise _Invalid(
            f"must be the site's address on Tor, ending in .onion, got {url!r}",
            "like http://" + "x" * 8 + "….onion/, as the onion service's hostname file gives it",
        )
    if not _ONION.match(host):
        raise _Invalid(
            f"{host!r} is not the name of an onion service of today's Tor (56 letters and "
            "digits, then .onion)",
            "copy the name from the onion service's hostname file",
        )
    return url


def _mirrors(value: Any) -> tuple[Mirror, ...]:
    hint = "e.g. mirrors: [https://mirror.example.net/, {url: https://…, name: Kept by …}]"
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, dict):
            unknown = sorted(set(map(str, item)) - {"url", "name"})
            if unknown or "url" not in item:
                raise _Invalid(f"has an entry {item!r}: an entry has a url and a name", hint)
            url, name = item["url"], _text(item.get("name", "")).strip()
        else:
            url, name = item, ""
        try:
            address = _base_url(url)
        except _Invalid as exc:
            raise _Invalid(f"has {url!r}, which is not a web address", hint) from exc
        if not address:
            raise _Invalid("has an empty entry", hint)
        found.append(Mirror(address, " ".join(name.split())))
    return tuple(found)


_DEPLOY_HINT = (
    "e.g. deploy: [{folder: /srv/www/blog}, {rsync: editor@example.org:/var/www/blog}, "
    "{git: git@codeberg.org:ngo/blog.git, branch: pages}]"
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_TARGET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
#: [user@]host:folder, as rsync and scp write an address over SSH.
_SSH_ADDRESS = re.compile(
    r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*@)?"  # the user
    r"(?P<host>[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])"  # a name, or [an IPv6 address]
    r":(?P<folder>.+)$"
)


def _deploy(value: Any) -> tuple[DeployTarget, ...]:
    items = value if isinstance(value, list) else [value]
    found: list[DeployTarget] = []
    for item in items:
        kinds = [kind for kind in DEPLOY_KINDS if isinstance(item, dict) and kind in item]
        if len(kinds) != 1:
            raise _Invalid(
                "has an entry that is not one place: each entry starts with folder:, rsync: "
                "or git:, and gives one of them",
                _DEPLOY_HINT,
            )
        kind = kinds[0]
        allowed = {kind, "name", *DEPLOY_KINDS[kind]}
        unknown = sorted(set(map(str, item)) - allowed)
        if unknown:
            raise _Invalid(
                f"has {unknown[0]!r} in its {kind} entry, which takes only "
                + ", ".join(sorted(allowed - {kind})),
                _DEPLOY_HINT,
            )
        to = _deploy_text(item, kind, "")
        name = _deploy_text(item, "name", kind)
        if not _TARGET_NAME.match(name):
            raise _Invalid(f"has the name {name!r}: a name is a word of letters and digits")
        if any(target.name == name for target in found):
            raise _Invalid(
                f"has two targets named {name!r}",
                "give each its own name: {rsync: …, name: server}",
            )
        _check_destination(kind, to)
        port = 0
        if "port" in item:
            number = _number(item["port"])
            if number is None or not 0 < number < 65536:
                raise _Invalid(f"has the port {item['port']}: a port is a number up to 65535")
            port = number
        branch = _deploy_text(item, "branch", "pages")
        problem = _branch_problem(branch)
        if problem:
            raise _Invalid(f"has the branch {branch!r}, {problem}", "like pages or gh-pages")
        found.append(DeployTarget(name, kind, to, port, branch))
    return tuple(found)


def _deploy_text(item: Mapping[str, Any], key: str, default: str) -> str:
    value = item.get(key, default)
    if value is None:
        raise _Invalid(f"has {key}: with nothing after it", _DEPLOY_HINT)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid(f"has {key}: {value!r}, where it takes a line of text", _DEPLOY_HINT)
    return str(value).strip()


def _branch_problem(branch: str) -> str | None:
    """Return what keeps `branch` from being a branch's name, as `git check-ref-format
    --branch` has it, or None."""
    parts = branch.split("/")
    if branch.startswith("-") or branch in ("HEAD", "@") or branch.startswith("refs/"):
        return "which git takes for something other than a branch"
    if re.search(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{", branch) or not all(parts):
        return "which is not a branch name (no spaces, .., ~^:?*[ or empty parts)"
    if any(part.startswith(".") or part.endswith(".lock") for part in parts):
        return "which is not a branch name (a part may not start with . or end in .lock)"
    if branch.endswith(".") or len(branch) > 200:
        return "which is not a branch name"
    return None


def _check_destination(kind: str, to: str) -> None:
    """Refuse a deploy destination that is empty, could be taken for an option, or goes
    another way than its kind says (an rsync daemon, a program run by git)."""
    if not to:
        raise _Invalid(f"has an empty {kind} entry", _DEPLOY_HINT)
    if to.startswith("-") or _CONTROL.search(to):
        raise _Invalid(f"has {to!r}, which is not a place to deploy to", _DEPLOY_HINT)
    if kind == "rsync":
        address = _SSH_ADDRESS.match(to)
        if address is None or "://" in to or address["folder"].startswith(":"):
            raise _Invalid(
                f"has {to!r}, which is not an address over SSH",
                "write it as user@host:folder, as for scp: editor@example.org:/var/www/blog",
            )
        if re.search(r"[*?\[]", address["folder"]):
            raise _Invalid(
                f"has {to!r}, whose folder has a wildcard (* ? or [) the server would expand",
                "name one folder, without * ? or [",
            )
        if len(address["host"]) == 1:
            raise _Invalid(
                f"has {to!r}, which is a folder of this computer, not an address over SSH",
                f"write folder: {to}",
            )
    if kind == "git" and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*::", to):
        raise _Invalid(
            f"has {to!r}, which names a program for git to run, not a repository",
            "give the repository's address: https://…, ssh://… or git@host:owner/name.git",
        )


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


def _origins(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    origins = []
    for item in items:
        match = (
            re.match(r"^(https?://[^/\s?#]+)/?$", str(item).strip())
            if isinstance(item, str)
            else None
        )
        if not match:
            raise _Invalid(
                f"must be a list of origins like https://video.example.org, got {item!r}",
                "an origin is a scheme and a host, without a path",
            )
        origins.append(match.group(1).lower())
    return tuple(origins)


def _widths(value: Any) -> tuple[int, ...]:
    hint = "e.g. image_widths: [480, 960, 1600]"
    items = value if isinstance(value, list) else [value]
    widths = []
    for item in items:
        width = _number(item)
        if width is None or not 100 <= width <= 4000:
            raise _Invalid(
                f"must be a list of widths in pixels, each from 100 to 4000, got {item}", hint
            )
        widths.append(width)
    if not widths:
        raise _Invalid("must be a list of widths in pixels, got none", hint)
    return tuple(sorted(set(widths)))


def _static_name(value: Any) -> str:
    name = _text(value).strip().replace("\\", "/").removeprefix("/").removeprefix("static/")
    parts = name.split("/")
    if (
        not name
        or any(part in ("", ".", "..") or part.startswith(".") for part in parts)
        or re.search(r"[\s?#%]", name)
    ):
        raise _Invalid(
            f"must name a file in the folder static/, got {value!r}",
            "write its name inside static/, like logo.svg or css/site.css, without spaces, "
            "?, # or %",
        )
    return name


def _accent(value: Any) -> str:
    if value is None:  # accent_color: #0b5563, unquoted: YAML reads a comment
        raise _Invalid(
            "is empty: YAML reads what follows # as a comment",
            "put the colour in quotes: accent_color: '#0b5563'",
        )
    color = _text(value).strip()
    rgb = colors.parse(color)
    if rgb is None:
        raise _Invalid(
            f"must be a colour written #rrggbb, got {value!r}",
            "e.g. accent_color: '#8f1d1d' (quoted: YAML reads what follows # as a comment)",
        )
    return colors.written(rgb)


def _kicker(value: Any, taxonomies: tuple[Taxonomy, ...]) -> str:
    name = _text(value).strip()
    known = [taxonomy.name for taxonomy in taxonomies]
    if name not in known:
        close = suggest(name, known)
        raise _Invalid(
            f"names no taxonomy of the site: {name!r}",
            f"did you mean {close}?" if close else f"name one of {', '.join(known)}",
        )
    return name


def _languages(value: Any) -> tuple[str, ...]:
    hint = "write them as a list, the default first: languages: [en, ar]"
    if isinstance(value, str) and "," in value:
        raise _Invalid(f"must be a list of language codes, got {value!r}", hint)
    if not isinstance(value, list | str):
        raise _Invalid(f"must be a list of language codes, got {value!r}", hint)
    items = value if isinstance(value, list) else [value]
    languages = [_language(item) for item in items]
    if not languages:
        raise _Invalid("must list the site's languages, the default first", hint)
    unknown = next((code for code in languages if not known_language(code)), None)
    if unknown is not None:
        raise _Invalid(
            f"names {unknown!r}, which is no language the Unicode CLDR knows",
            "use the code of a language, like ar, fa, fr or es (ISO 639)",
        )
    if len({primary(language) for language in languages}) != len(languages):
        raise _Invalid(
            f"names a language twice: {languages!r}",
            "list each language once; two variants of one language (pt-BR, pt-PT) would "
            "share its folder (/pt/)",
        )
    return tuple(languages)


def _term_translations(
    value: Any,
    taxonomies: tuple[Taxonomy, ...],
    languages: tuple[str, ...],
    line_of: Callable[[tuple[str, ...]], int],
) -> tuple[Mapping[str, Mapping[str, Mapping[str, str]]], list[tuple[int, str, str | None]]]:
    """Check `term_translations`; return what can be used and each problem, with its line."""
    hint = "e.g. term_translations: {tags: {coalition: {ar: تحالف}}}"
    problems: list[tuple[int, str, str | None]] = []
    if not isinstance(value, dict):
        problems.append((line_of(()), "must map each taxonomy to its terms' names", hint))
        return MappingProxyType({}), problems
    by_key = {t.name: t.name for t in taxonomies} | {t.path: t.name for t in taxonomies}
    others = languages[1:]
    found: dict[str, Mapping[str, Mapping[str, str]]] = {}
    for key, terms in value.items():
        taxonomy = by_key.get(str(key))
        if taxonomy is None:
            close = suggest(str(key), {t.name for t in taxonomies})
            problems.append(
                (
                    line_of((str(key),)),
                    f"names {key!r}, which is not a taxonomy of the site"
                    + (f": did you mean {close!r}?" if close else ""),
                    hint,
                )
            )
            continue
        if not isinstance(terms, dict):
            problems.append(
                (line_of((str(key),)), f"{key}: must map each term to its names by language", hint)
            )
            continue
        by_term: dict[str, Mapping[str, str]] = {}
        taken: dict[tuple[str, str], str] = {}  # (language, the name's address name) → term
        for term, spelled in terms.items():
            where = line_of((str(key), str(term)))
            if not isinstance(spelled, dict) or not all(
                isinstance(name, str) and slugify(name, True) for name in spelled.values()
            ):
                problems.append(
                    (where, f"{key}: {term}: must map languages to names with letters", hint)
                )
                continue
            names: dict[str, str] = {}
            for language, name in spelled.items():
                tree = next((t for t in others if primary(t) == primary(str(language))), None)
                if tree is None:
                    problems.append(
                        (
                            line_of((str(key), str(term), str(language))),
                            f"{key}: {term}: names the language {language!r}, which is not "
                            "one of the site's other languages",
                            f"the site's languages are {', '.join(languages)}",
                        )
                    )
                    continue
                name = " ".join(name.split())
                twin = taken.setdefault((tree, slugify(name, True)), str(term))
                if twin != str(term):
                    problems.append(
                        (
                            line_of((str(key), str(term), str(language))),
                            f"{key}: {term} and {twin} would both be {name!r} in {language}",
                            "a term has one name in each language: give each its own",
                        )
                    )
                    continue
                names[tree] = name
            by_term[str(term)] = MappingProxyType(names)
        found[taxonomy] = MappingProxyType(by_term)
    return MappingProxyType(found), problems


def _redirects(value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise _Invalid(
            "must map old addresses to new ones", "e.g. /tag/alignment-2/: /tag/alignment/"
        )
    found: dict[str, str] = {}
    for old, new in value.items():
        if not isinstance(old, str) or not alias_allowed(old):
            raise _Invalid(
                f"has {old!r}, which is not an address on this site like /tag/old-name/",
                "an old address starts with / and has no ?, # or ..",
            )
        target = new.strip() if isinstance(new, str) else ""
        if not alias_allowed(target):
            raise _Invalid(
                f"sends {old!r} to {new!r}, which is not an address on this site",
                "a redirect leads to a page of this site, like /tag/new-name/: a page that sent "
                "readers on to another site would tell it who they are",
            )
        found[old if old.endswith((".html", "/")) else old + "/"] = target
    return MappingProxyType(found)


def _feed_content(value: Any) -> str:
    if value not in FEED_CONTENT:
        raise _Invalid(f"must be full or excerpt, got {value!r}")
    return str(value)


def _engine(value: Any) -> str:
    if value not in ("markdown", "cmark"):
        raise _Invalid(f"must be markdown or cmark, got {value!r}")
    if value == "cmark" and not cmark_available():
        raise _Invalid(
            "cmark needs cmarkgfm, which is not installed",
            'install it with: pip install "hrdblog[fast]"',
        )
    return str(value)


def _extensions(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid("must be a list of Markdown extension names", "e.g. [footnotes, tables]")
    return tuple(value)


def _extension_configs(value: Any) -> Mapping[str, Mapping[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise _Invalid("must map extension names to their settings", "e.g. toc: {permalink: true}")
    return MappingProxyType(
        {str(k): MappingProxyType({n: _typed(v) for n, v in c.items()}) for k, c in value.items()}
    )


def _typed(value: Any) -> Any:
    """Return an extension's setting as the extension's Python code expects it: a text that
    is a number written in digits (`baselevel: 2`) becomes that number."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}", value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{0,9}\.[0-9]{1,9}", value):
        return float(value)
    return value


_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PATH = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _taxonomies(value: Any, texts: dict[str, str]) -> tuple[Taxonomy, ...]:
    """Check `taxonomies`: the defaults, changed, removed (`false`) or added to."""
    if not isinstance(value, dict):
        raise _Invalid(
            "must map each taxonomy to its settings",
            "e.g. countries: {path: country, heading: Posts about %s}",
        )
    declared = {t.name: t for t in DEFAULT_TAXONOMIES}
    for name, spec in value.items():
        name = str(name)
        if not _NAME.match(name) or name in POST_FIELDS | PAGE_FIELDS:
            raise _Invalid(
                f"cannot use the name {name!r}",
                "a taxonomy's name is a front-matter key in lower case, not one of "
                + ", ".join(sorted(POST_FIELDS | PAGE_FIELDS)),
            )
        if spec is False or spec is None:
            declared.pop(name, None)
            continue
        if isinstance(spec, str):
            spec = {"path": spec}
        if not isinstance(spec, dict):
            raise _Invalid(f"{name}: must be a path or `{{path: …, title: …}}`, got {spec!r}")
        unknown = set(spec) - {"path", *TAXONOMY_TEXTS}
        if unknown:
            raise _Invalid(
                f"{name}: unknown key {sorted(unknown)[0]!r}",
                "a taxonomy has a path, and may have a title, a heading and a label",
            )
        path = str(spec.get("path", declared[name].path if name in declared else name))
        if not _PATH.match(path) or path in RESERVED_PATHS or path.isdigit():
            raise _Invalid(
                f"{name}: cannot use the path {path!r}",
                "use lower-case letters, digits and hyphens, not a number, nor "
                + ", ".join(sorted(RESERVED_PATHS)),
            )
        declared[name] = Taxonomy(name, path)
        for kind in TAXONOMY_TEXTS:
            if kind in spec:
                key = f"{name}_{kind}"
                text = _text(spec[kind])
                problem = placeholder_problem(key, text, known_texts((Taxonomy(name, path),))[key])
                if problem:
                    raise _Invalid(f"{name}: {problem}")
                texts[key] = text
    paths = [t.path for t in declared.values()]
    if len(set(paths)) != len(paths):
        raise _Invalid("gives two taxonomies the same path", "each taxonomy needs its own path")
    return tuple(declared.values())


def _texts(value: Any, known: Mapping[str, str]) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise _Invalid("must be `name: text` lines, one per interface text")
    texts: dict[str, str] = {}
    for key, text in value.items():
        if key not in known:
            close = suggest(str(key), set(known))
            raise _Invalid(
                f"has an unknown text {key!r}",
                f"did you mean {close!r}?" if close else "README lists the texts",
            )
        text = _text(text)
        problem = placeholder_problem(key, text, known[key])
        if problem:
            raise _Invalid(problem)
        texts[key] = text
    return MappingProxyType(texts)


#: What `translations` may give of the site itself in a language, besides interface texts:
#: its `title` and `description` there.
SITE_TEXTS = {"site_title": "", "site_description": ""}


def _translations(value: Any, known: Mapping[str, str]) -> Mapping[str, Mapping[str, str]]:
    known = {**known, **SITE_TEXTS}
    if not isinstance(value, dict):
        raise _Invalid(
            "must map language codes to their texts", "e.g. fr: {read_more: Lire la suite »}"
        )
    result = {}
    for language, texts in value.items():
        language = str(language)
        if not LANGUAGE_TAG.match(language):
            raise _Invalid(f"has {language!r}, which is not a language code like fr or ar")
        try:
            result[primary(language)] = _texts(texts, known)
        except _Invalid as exc:
            raise _Invalid(f"{language}: {exc.args[0]}", exc.hint) from None
    return MappingProxyType(result)


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
    "markdown_engine": _engine,
    "markdown_extensions": _extensions,
    "markdown_extension_configs": _extension_configs,
    "feed_items": _count,
    "feed_content": _feed_content,
    "related_posts": _count_or_zero,
    "max_terms": _count,
    "keep_image_metadata": _bool,
    "image_widths": _widths,
    "page_budget": _count,
    "logo": _static_name,
    "favicon": _static_name,
    "stylesheet": _static_name,
    "accent_color": _accent,
    "compact_archives": _bool,
    "search": _bool,
    "onion_url": _onion_url,
    "mirrors": _mirrors,
    "deploy": _deploy,
    "sanitize": _bool,
    "allowed_origins": _origins,
    "redirects": _redirects,
    "languages": _languages,
}
assert set(_CHECKS) | {"taxonomies"} | _CHECKED_AFTER == SETTINGS, "every setting has a check"
