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

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hrdblog.errors import ConfigError, HrdblogError, raise_all, suggest
from hrdblog.texts import primary
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
    auto_dir: bool = False  # a title of no known language, laid out by its own letters

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


class _Reported(MenuProblem):
    """An entry whose problems are noted already."""

    def __init__(self) -> None:
        super().__init__(0, "")


def _closest(word: str, known: Iterable[str]) -> str | None:
    """Return the known word that `word` most likely misspells, by a looser measure than
    other messages': the words of a menu entry are short (tga for tag)."""
    return suggest(word, known, cutoff=0.6)


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
    languages: tuple[str, ...] = (),
) -> tuple[MenuItem, ...]:
    """Check the `menu` setting, given at `line` with the lines of what is in it, its titles
    in the site's `languages` where it lists them; return its entries, or raise MenuProblems
    naming each one that is wrong."""
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
    reading = _Reading(within, by_key, languages, problems)
    items = _items(value, ("menu",), reading, top=True)
    if problems:
        raise MenuProblems(problems)
    return items


@dataclass(frozen=True)
class _Reading:
    """What reading the entries of the setting needs, and where its problems go."""

    within: Mapping[tuple[str | int, ...], int]  # the line of each value in the setting
    by_key: Mapping[str, str]  # a taxonomy by its name or its path → its name
    languages: tuple[str, ...]  # the site's, which titles may be given in; () for one
    problems: list[MenuProblem]


def _items(
    values: list[Any], path: tuple[str | int, ...], reading: _Reading, top: bool
) -> tuple[MenuItem, ...]:
    """Return the entries of a list that can be used; add a problem for each other one."""
    found = []
    for index, value in enumerate(values):
        try:
            found.append(_item(value, (*path, index), reading, top))
        except _Reported:
            pass
        except MenuProblem as problem:
            reading.problems.append(problem)
    return tuple(found)


def _item(value: Any, path: tuple[str | int, ...], reading: _Reading, top: bool) -> MenuItem:
    within, by_key = reading.within, reading.by_key
    line = within.get(path, 1)
    known = ", ".join([*(f"{k}:" for k in TARGETS if k not in _SIMPLE), *_SIMPLE])
    hint = f"an entry is one of {known}, or a taxonomy with a term like `tag: coalition`"
    if isinstance(value, str) and value.strip() in _SIMPLE:
        return MenuItem(value.strip(), "", line)
    if not isinstance(value, dict):
        written = str(value).strip()
        key, colon, rest = written.partition(":")
        close = _closest(written, _SIMPLE)
        if colon and rest and not rest.startswith(" ") and key in (*TARGETS, *by_key):
            hint = f"put a space after the colon: `{key}: {rest}`"
        elif close:
            hint = f"did you mean '{close}'?"
        raise MenuProblem(line, f"the menu entry {value!r} is not one hrdblog knows", hint)
    targets = [key for key in value if key in TARGETS or key in by_key]
    others = sorted(set(value) - set(targets) - {"title", "entries"}, key=str)
    for other in others:  # each one named, with what it may be a misspelling of
        close = _closest(str(other), {*TARGETS, *by_key, "title", "entries"})
        reading.problems.append(
            MenuProblem(
                within.get((*path, str(other)), line),
                f"the menu entry has an unknown key {other!r}"
                + (f": did you mean '{close}'?" if close else ""),
                f"{hint}; besides, it may have a title and entries",
            )
        )
    if others:  # its sub-entries are checked all the same
        if top and isinstance(value.get("entries"), list):
            _items(value["entries"], (*path, "entries"), reading, top=False)
        raise _Reported()
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
    titles = _titles(value.get("title"), within.get((*path, "title"), line), reading.languages)
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
        entries = _items(listed, (*path, "entries"), reading, top=False)
    if key in TARGETS:
        return MenuItem(key, target, line, "", titles, entries, key)
    return MenuItem("term", target, line, by_key[key], titles, entries, key)


def _titles(value: Any, line: int, languages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, str) and value.strip():
        return (("", value.strip()),)
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items())
    ):
        unknown = sorted(set(value) - set(languages))
        if languages and unknown:
            raise MenuProblem(
                line,
                f"a menu entry's title is given in {unknown[0]!r}, which is not one of the "
                "site's languages",
                f"the site's languages are {', '.join(languages)}",
            )
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
    texts: Mapping[str, str],
    exists: Callable[[str], bool],
    trees: Sequence[Site] = (),
) -> tuple[MenuEntry, ...]:
    """Return the menu as the pages of `site` show it (on a site of several languages, of
    one of its `trees`, the default language's first): each entry leading to the page, term
    or index of that tree's language where there is one, else to the default language's, or
    any language's; `exists` tells of a site url whether the site publishes it exactly so.
    Raise an error for every entry that leads nowhere. An entry of a draft page is left out."""
    config = site.config
    language = site.language or config.language
    settings_file = config.display_path(config.config_file or config.source)
    order = [site, *(tree for tree in trees if tree is not site)]  # where to look, in turn
    # A title given for every language may be in any: on a site of several, laid out by its
    # own letters.
    several = bool(config.languages)

    def error(line: int, message: str, hint: str) -> HrdblogError:
        return ConfigError(settings_file, line, message, hint)

    items = config.menu or default_menu(terms.taxonomy for terms in site.taxonomies if terms.tags)
    pages, drafts = _pages_by_name(order, config)
    problems: list[HrdblogError] = []

    def entry(item: MenuItem) -> MenuEntry | None:
        given = item.title(language)
        lang = ""
        auto_dir = several and bool(given) and language not in dict(item.titles)
        children = tuple(e for e in map(entry, item.entries) if e is not None)
        if item.kind == "home":
            title, url = texts["home"], site.prefix + "/"
        elif item.kind == "archives":
            title, url = texts["archives"], listing_url
        elif item.kind == "page":
            name = item.target.strip("/").removesuffix(".md")
            name = name.removeprefix(config.display_path(config.pages_dir) + "/")
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
                close = _closest(name, pages)
                problems.append(
                    error(
                        item.line,
                        f"the menu entry '{item.written()}' names no page of the site"
                        + (f": did you mean 'page: {close}'?" if close else ""),
                        "name a page by its file under content/pages/, without .md: "
                        "page: about/team for content/pages/about/team.md",
                    )
                )
                return None
            title, url = page.title, page.url
            if not given and page not in site.pages:  # a page of another language's
                lang = page.lang or config.language
        elif item.kind in ("index", "term"):
            name = item.taxonomy or item.target
            if not any(name in (t.name, t.path) for t in config.taxonomies):
                names = ", ".join(t.name for t in config.taxonomies)
                problems.append(
                    error(
                        item.line,
                        f"the menu entry '{item.written()}' names {name!r}, which is not a "
                        f"taxonomy of the site ({names})",
                        "declare it under taxonomies in hrdblog.yaml, or name one of those",
                    )
                )
                return None
            slugs = None
            if item.kind == "term":
                translated = config.term_translations.get(name, {}).get(item.target, {})
                written = {translated.get(language, item.target), item.target}
                slugs = {slugify(w, config.slug_unicode) for w in written}
            found = _taxonomy(order, name, slugs) or _taxonomy(order, name)
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
            home = next(tree for tree in order if found in tree.taxonomies)
            tag = next((t for t in found.tags if slugs and t.slug in slugs), None)
            if item.kind == "index":
                title, url = texts[f"{found.taxonomy.name}_title"], found.taxonomy.url
            elif tag is not None:
                title, url = tag.name, tag.url
                if not given and home is not site:  # a term of another language's
                    lang = home.language or config.language
            else:
                spelled = {t.slug: t.name for t in found.tags}
                close = _closest(slugify(item.target, config.slug_unicode), spelled)
                problems.append(
                    error(
                        item.line,
                        f"the menu entry '{item.written()}' names a term no published post has"
                        + (f": did you mean '{item.key}: {spelled[close]}'?" if close else ""),
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
                        "check the address: it is the path of a page, like /2017/ or /about/, "
                        "in the same upper and lower case",
                    )
                )
                return None
        return MenuEntry(given or title, url, children, lang, auto_dir and not lang)

    menu = tuple(e for e in map(entry, items) if e is not None)
    raise_all(problems)
    return menu


def _pages_by_name(trees: list[Site], config: SiteConfig) -> tuple[dict[str, Page], set[str]]:
    """Return the pages a menu entry may name, by name, the first tree's over the others';
    and the names of the draft pages. A page is named by its file (and by that of its
    original) before its address: `page: about` is content/pages/about.md wherever it is."""
    pages: dict[str, Page] = {}
    drafts: set[str] = set()
    for by_file in (True, False):
        for tree in trees:
            for page in (*tree.pages, *tree.drafts):
                for name in _page_names(page, tree, config, by_file):
                    if name in pages or name in drafts:
                        continue
                    if page in tree.drafts:
                        drafts.add(name)
                    else:
                        pages[name] = page
    return pages, drafts


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


def _page_names(page: Page, tree: Site, config: SiteConfig, by_file: bool) -> list[str]:
    """Return the names a menu entry may give a page by: with `by_file`, its file under
    content/pages/ without .md (and without its language: `about.ar.md` is about) and the
    file of the page it is a translation of; else its address, without its tree's (/ar/about/
    is about)."""
    if not by_file:
        return [page.url.strip("/"), page.url.removeprefix(tree.prefix).strip("/")]
    pages = config.display_path(config.pages_dir) + "/"
    names = []
    for file in (page.file, page.translation_key):
        name = file.removeprefix(pages).removesuffix(".md")
        code = name.rpartition(".")[2]
        if code and page.lang and primary(code) == primary(page.lang):
            name = name.rpartition(".")[0]
        names.append(name.removesuffix("/index"))
    return [name for name in dict.fromkeys(names) if name]


def published_at(url: str, paths: set[str]) -> bool:
    """Tell whether a site url is one of the output paths, as a page or a file, exactly."""
    return output_path(url) in paths
