"""The site's menu: the `menu` setting as written (`MenuItem`, checked when the settings are
read) and as pages show it (`MenuEntry`, resolved once the site is collected, every entry
leading to a page the site has).

An entry is a page (`page: about`), a term (`tag: coalition`, by its taxonomy's name or path),
a taxonomy's index (`index: countries`), the home page (`home`), the archive listing
(`archives`), or an address (`url: /2017/` or `url: https://…`); it may have a title (a text,
or one per language), and a top-level entry may have one level of sub-entries (`entries`).
Without the setting, the menu is the home page, each taxonomy's index and the archives.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hrdblog.errors import ConfigError, HrdblogError, raise_all
from hrdblog.urls import alias_allowed, output_path, slugify

if TYPE_CHECKING:
    from hrdblog.config import SiteConfig, Taxonomy
    from hrdblog.models import Page, Site, TaxonomyTerms

logger = logging.getLogger(__name__)

#: The kinds of entries, by the key that names their target; a term's key is its taxonomy's.
TARGETS = ("page", "url", "index", "home", "archives")
_SIMPLE = ("home", "archives")  # entries that may be written as a word alone
_ADDRESS = re.compile(r"^(?:https?://[^\s/?#]+[^\s]*|mailto:[^\s]+)$")


@dataclass(frozen=True)
class MenuItem:
    """An entry of the `menu` setting as written."""

    kind: str  # page, term, index, home, archives or url
    target: str  # the page, the term, the taxonomy or the address named; "" for home, archives
    line: int  # of hrdblog.yaml, for messages
    taxonomy: str = ""  # a term's taxonomy
    titles: tuple[tuple[str, str], ...] = ()  # (language, title); "" for every language
    entries: tuple[MenuItem, ...] = ()
    key: str = ""  # the key that names its target, as written: tag, tags, page …

    def written(self) -> str:
        """Return the entry as messages name it: `page: about`."""
        if self.kind in _SIMPLE:
            return self.kind
        return f"{self.key or self.kind}: {self.target}"

    def title(self, language: str) -> str | None:
        """Return the title given for a language, if any."""
        titles = dict(self.titles)
        return titles.get(language, titles.get(""))


@dataclass(frozen=True)
class MenuEntry:
    """An entry of the menu as pages show it: its title, where it leads, its sub-entries."""

    title: str
    url: str  # a site url (/about/), or an address on another site
    entries: tuple[MenuEntry, ...] = ()
    lang: str = ""  # the language of its title, where it is not the page's: a page not translated

    @property
    def external(self) -> bool:
        """Tell whether the entry leads to another site (or a mail address)."""
        return not self.url.startswith("/")


class MenuProblem(ValueError):
    """A menu entry that cannot be used; the message names it, at its line."""

    def __init__(self, line: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.hint = hint


class MenuProblems(ValueError):
    """Every menu entry that cannot be used."""

    def __init__(self, problems: list[MenuProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def parse_menu(
    value: Any,
    line: int,
    within: Mapping[tuple[str | int, ...], int],
    taxonomies: Iterable[Taxonomy],
) -> tuple[MenuItem, ...]:
    """Check the `menu` setting, given at `line` with the lines of what is in it; return its
    entries, or raise MenuProblems naming each one that is wrong."""
    by_key = {}
    for taxonomy in taxonomies:
        by_key[taxonomy.name] = taxonomy.name
        by_key[taxonomy.path] = taxonomy.name
    if not isinstance(value, list):
        raise MenuProblems(
            [
                MenuProblem(
                    line,
                    "'menu' must be a list of entries",
                    "e.g. menu: [home, {page: about}, archives]",
                )
            ]
        )
    problems: list[MenuProblem] = []
    items = _items(value, ("menu",), within, by_key, problems, top=True)
    if problems:
        raise MenuProblems(problems)
    return items


def _items(
    values: list[Any],
    path: tuple[str | int, ...],
    within: Mapping[tuple[str | int, ...], int],
    by_key: Mapping[str, str],
    problems: list[MenuProblem],
    top: bool,
) -> tuple[MenuItem, ...]:
    """Return the entries of a list that can be used; add a problem for each other one."""
    found = []
    for index, value in enumerate(values):
        try:
            found.append(_item(value, (*path, index), within, by_key, problems, top))
        except MenuProblem as problem:
            problems.append(problem)
    return tuple(found)


def _item(
    value: Any,
    path: tuple[str | int, ...],
    within: Mapping[tuple[str | int, ...], int],
    by_key: Mapping[str, str],
    problems: list[MenuProblem],
    top: bool,
) -> MenuItem:
    line = within.get(path, 1)
    known = ", ".join([*(f"{k}:" for k in TARGETS if k not in _SIMPLE), *_SIMPLE])
    hint = f"an entry is one of {known}, or a taxonomy with a term like `tag: coalition`"
    if isinstance(value, str) and value.strip() in _SIMPLE:
        return MenuItem(value.strip(), "", line)
    if not isinstance(value, dict):
        raise MenuProblem(line, f"the menu entry {value!r} is not one hrdblog knows", hint)
    targets = [key for key in value if key in TARGETS or key in by_key]
    others = sorted(set(value) - set(targets) - {"title", "entries"})
    if others:
        raise MenuProblem(
            within.get((*path, others[0]), line),
            f"the menu entry has an unknown key {others[0]!r}",
            f"{hint}; besides, it may have a title and entries",
        )
    if len(targets) != 1:
        raise MenuProblem(
            line,
            "a menu entry names one place"
            + (f", this one names {len(targets)}" if targets else ", this one none"),
            hint,
        )
    key = targets[0]
    target = value[key]
    if key in _SIMPLE:
        if target is not True:
            raise MenuProblem(line, f"'{key}' in a menu entry is written `{key}: true`")
        target = ""
    elif not isinstance(target, str) or not target.strip():
        raise MenuProblem(line, f"'{key}' in a menu entry must be a name, got {target!r}", hint)
    target = target.strip()
    on_site = target.startswith("/") and alias_allowed(target.split("#", 1)[0])
    if key == "url" and not (on_site or _ADDRESS.match(target)):
        raise MenuProblem(
            line,
            f"the menu entry's url {target!r} is not an address",
            "an address on this site starts with / (/2017/), one on another starts with https://",
        )
    titles = _titles(value.get("title"), within.get((*path, "title"), line))
    if key == "url" and _ADDRESS.match(target) and not titles:
        raise MenuProblem(line, f"the menu entry for {target} needs a title", "add `title: …`")
    entries: tuple[MenuItem, ...] = ()
    if "entries" in value:
        listed = value["entries"]
        if not top:
            raise MenuProblem(
                within.get((*path, "entries"), line),
                "a menu's sub-entries cannot have sub-entries of their own",
                "the menu has one level of sub-entries: move these up a level",
            )
        if not isinstance(listed, list):
            raise MenuProblem(within.get((*path, "entries"), line), "'entries' must be a list")
        entries = _items(listed, (*path, "entries"), within, by_key, problems, top=False)
    if key in TARGETS:
        return MenuItem(key, target, line, "", titles, entries, key)
    return MenuItem("term", target, line, by_key[key], titles, entries, key)


def _titles(value: Any, line: int) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, str) and value.strip():
        return (("", value.strip()),)
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items())
    ):
        return tuple(sorted((k, v.strip()) for k, v in value.items()))
    raise MenuProblem(
        line,
        f"a menu entry's title must be a text, or a text per language, got {value!r}",
        "e.g. title: About us, or title: {en: About us, ar: من نحن}",
    )


def default_menu(taxonomies: Iterable[Taxonomy]) -> tuple[MenuItem, ...]:
    """Return the menu of a site without the setting: home, each taxonomy's index, archives."""
    return (
        MenuItem("home", "", 0),
        *(MenuItem("index", taxonomy.name, 0) for taxonomy in taxonomies),
        MenuItem("archives", "", 0),
    )


def resolve(
    site: Site,
    listing_url: str,
    language: str,
    texts: Mapping[str, str],
    exists: Callable[[str], bool],
    default: Site | None = None,
) -> tuple[MenuEntry, ...]:
    """Return the menu as pages show it in a language, each entry leading to a page of the
    site, or of the tree of that language (`site`) on a site of several: the page, term or
    index in that language where it has one, else the default language's (`default`);
    `exists` tells of a site url whether the site publishes it. Raise an error for every
    entry that leads nowhere. An entry of a draft page is left out."""
    config = site.config
    settings_file = config.display_path(config.config_file or config.source)

    def error(line: int, message: str, hint: str) -> HrdblogError:
        return ConfigError(settings_file, line, message, hint)

    items = config.menu or default_menu(terms.taxonomy for terms in site.taxonomies if terms.tags)
    trees = [site] if default is None or default is site else [site, default]
    pages: dict[str, Page] = {}
    drafts = set()
    for tree in reversed(trees):  # the tree's own pages over the default language's
        for page in (*tree.pages, *tree.drafts):
            for key in _page_names(page, tree, config):
                if page in tree.drafts:
                    drafts.add(key)
                else:
                    pages[key] = page
                    drafts.discard(key)
    problems: list[HrdblogError] = []

    def entry(item: MenuItem) -> MenuEntry | None:
        given = item.title(language)
        lang = ""
        if item.kind == "home":
            title, url = texts["home"], site.prefix + "/"
        elif item.kind == "archives":
            title, url = texts["archives"], listing_url
        elif item.kind == "page":
            name = item.target.strip("/").removesuffix(".md")
            page = pages.get(name)
            if page is None and name in drafts:
                logger.info(
                    "%s:%d: the menu entry '%s' is left out: its page is a draft",
                    settings_file,
                    item.line,
                    item.written(),
                )
                return None
            if page is None:
                close = difflib.get_close_matches(name, sorted(pages), n=1, cutoff=0.75)
                problems.append(
                    error(
                        item.line,
                        f"the menu entry '{item.written()}' names no page of the site"
                        + (f": did you mean 'page: {close[0]}'?" if close else ""),
                        "name a page by its file under content/pages/, without .md: "
                        "page: about/team for content/pages/about/team.md",
                    )
                )
                return None
            title, url = page.title, page.url
            if not given and default is not None and page not in site.pages:
                lang = page.lang or config.language  # the default language's page, untranslated
        elif item.kind in ("index", "term"):
            name = item.taxonomy or item.target
            slugs = None
            if item.kind == "term":
                translated = config.term_translations.get(name, {}).get(item.target, {})
                written = {translated.get(site.language, item.target), item.target}
                slugs = {slugify(w, config.slug_unicode) for w in written}
            found = _taxonomy(trees, name, slugs) or _taxonomy(trees, name)
            if found is None:
                problems.append(
                    error(
                        item.line,
                        f"the menu entry '{item.written()}' leads nowhere: no published post "
                        f"has {name}",
                        "remove the entry, or publish a post with one",
                    )
                )
                return None
            tag = next((t for t in found.tags if slugs and t.slug in slugs), None)
            if item.kind == "index":
                title, url = texts[f"{found.taxonomy.name}_title"], found.taxonomy.url
            elif tag is not None:
                title, url = tag.name, tag.url
            else:
                names = {t.slug: t.name for t in found.tags}
                slug = slugify(item.target, config.slug_unicode)
                close = difflib.get_close_matches(slug, sorted(names), n=1, cutoff=0.75)
                problems.append(
                    error(
                        item.line,
                        f"the menu entry '{item.written()}' names a term no published post has"
                        + (f": did you mean '{item.key}: {names[close[0]]}'?" if close else ""),
                        f"check its spelling; the {found.taxonomy.name} index, "
                        f"{found.taxonomy.url}, lists them",
                    )
                )
                return None
        else:
            title, url = item.target, item.target
            if item.target.startswith("/") and not exists(item.target.split("#", 1)[0]):
                problems.append(
                    error(
                        item.line,
                        f"the menu entry '{item.written()}' leads to no page of the site",
                        "check the address: it is the path of a page, like /2017/ or /about/",
                    )
                )
                return None
        children = tuple(e for e in map(entry, item.entries) if e is not None)
        return MenuEntry(given or title, url, children, lang)

    menu = tuple(e for e in map(entry, items) if e is not None)
    raise_all(problems)
    return menu


def _taxonomy(trees: list[Site], name: str, slugs: set[str] | None = None) -> TaxonomyTerms | None:
    """Return the first tree's taxonomy of this name (or path) that has terms, and, given
    `slugs`, a term of one of them; None if no tree has one."""
    for tree in trees:
        for terms in tree.taxonomies:
            if (
                name in (terms.taxonomy.name, terms.taxonomy.path)
                and terms.tags
                and (slugs is None or any(tag.slug in slugs for tag in terms.tags))
            ):
                return terms
    return None


def _page_names(page: Page, tree: Site, config: SiteConfig) -> list[str]:
    """Return the names a menu entry may give a page by: its file under content/pages/
    without .md (and without its language, `about.ar.md` is about), its address without
    its tree's (/ar/about/ is about), and the file of the page it is a translation of."""
    pages = config.display_path(config.pages_dir) + "/"
    names = []
    for file in (page.file, page.translation_key):
        name = file.removeprefix(pages).removesuffix(".md")
        if tree.language and name.endswith(f".{tree.language}"):
            name = name.removesuffix(f".{tree.language}")
        names.append(name.removesuffix("/index"))
    names += [page.url.strip("/"), page.url.removeprefix(tree.prefix).strip("/")]
    return [name for name in dict.fromkeys(names) if name]


def published_at(url: str, paths: set[str]) -> bool:
    """Tell whether a site url is one of the output paths, as a page or a file."""
    return output_path(url).casefold() in paths
