"""A site in several languages: which pages of its trees are translations of each other, and
the links each page gives to the others (`views.Translation`).

Pages are translations of each other when they show the same thing in their languages:
posts and pages of one translation key (`statement.ar.md` beside `statement.md`, or the same
`translation_key:`), the home pages, each taxonomy's indexes, the pages of a term and of its
names in the other languages (`term_translations`; a term of the same address name in two
trees is one term), the archives of one year, month or day, and the archive listings. A page
links every language of the site: its translation where there is one, that language's home
page where there is none. The links of a group are the same from each of its pages, so each
translation links back to every other.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from hrdblog.config import SiteConfig, locale
from hrdblog.errors import ContentError, HrdblogError, raise_all, suggest
from hrdblog.models import Page, Post, Site
from hrdblog.texts import primary
from hrdblog.urls import slugify
from hrdblog.views import (
    ArchiveListingView,
    ArchiveView,
    HomeView,
    MirrorsView,
    PageView,
    PostView,
    SearchView,
    TermIndexView,
    TermView,
    Translation,
)

logger = logging.getLogger(__name__)

#: A page to link: its view, its url (None for the not-found page) and the number of its tree.
Linked = tuple[Any, str | None, int]


def link_translations(config: SiteConfig, trees: Sequence[Site], pages: list[Linked]) -> list[Any]:
    """Return the views of the pages, each page's with its translations; raise an error for
    each post or page that is a second translation of one story into one language, and warn
    of each translation_key no other post or page has."""
    twins = _twins(config)
    keys_of = _story_keys([_entry(view) for view, _, _ in pages])
    groups: dict[Hashable, dict[int, str]] = {}
    errors: list[HrdblogError] = []
    files: dict[tuple[Hashable, int], Post | Page] = {}
    keys = []
    for view, url, tree in pages:
        key = _key(view, tree, twins, keys_of) if hasattr(view, "translations") else None
        keys.append(key)
        if key is None or url is None:
            continue
        group = groups.setdefault(key, {})
        entry = _entry(view)
        if tree not in group:
            group[tree] = url
            if entry is not None:
                files[(key, tree)] = entry
        elif entry is not None:
            errors.append(_twice(config, trees[tree], entry, files[(key, tree)]))
        else:  # a second page of the key in a tree (a term and its translated name): alone
            keys[-1] = None
    raise_all(errors)
    _unused_term_translations(config, trees[0])
    for (key, _), entry in sorted(files.items(), key=lambda item: item[1].file):
        if len(groups[key]) == 1 and "translation_key" in entry.lines:
            logger.warning(
                "%s:%d: translation_key '%s' is that of no other post or page: give its "
                "original and each of its translations this same line",
                entry.file,
                entry.lines["translation_key"],
                entry.translation_key,
            )
    homes = [tree.prefix + "/" for tree in trees]
    linked = []
    for (view, url, tree), key in zip(pages, keys, strict=True):
        if not hasattr(view, "translations"):
            linked.append(view)
            continue
        group = groups.get(key, {}) if key is not None and url is not None else {}
        if group and group.get(tree) != url:
            group = {}
        shown = tuple(
            Translation(
                other.language,
                _name(other.language),
                group.get(number, url if number == tree and url else homes[number]),
                number in group,
                number == tree,
            )
            for number, other in enumerate(trees)
        )
        linked.append(dataclasses.replace(view, translations=shown))
    return linked


def _unused_term_translations(config: SiteConfig, default: Site) -> None:
    """Warn of each term of `term_translations` that no post of the default language has: a
    misspelling, most likely."""
    for terms in default.taxonomies:
        used = {tag.slug: tag.name for tag in terms.tags}
        for term in config.term_translations.get(terms.taxonomy.name, {}):
            slug = slugify(term, config.slug_unicode)
            if slug not in used:
                close = suggest(slug, used)
                logger.warning(
                    "%s: term_translations: no post of the default language has the %s %r%s",
                    config.display_path(config.config_file or config.source),
                    terms.taxonomy.name,
                    term,
                    f"; did you mean {used[close]!r}?" if close else "",
                )


def _story_keys(entries: Iterable[Post | Page | None]) -> dict[str, str]:
    """Return the key of the story of each post and page, by its translation key as read.

    A translation named after its original (`statement.ar.md`) is read with the original's
    file as its key: the story's key is then the original's own `translation_key`, where it
    has one, so the two conventions can be mixed."""
    own = {entry.file: entry.translation_key for entry in entries if entry is not None}
    return {key: own.get(key, key) for key in own.values()}


def _twice(config: SiteConfig, tree: Site, entry: Post | Page, first: Post | Page) -> HrdblogError:
    """Return the error of a second translation of one story into a tree's language."""
    hint = "give one of them another translation_key, or another language"
    unlisted = next(
        (
            shown.lang
            for shown in (entry, first)
            if shown.lang and primary(config.tree_of(shown.lang)) != primary(shown.lang)
        ),
        None,
    )
    if unlisted:  # lang: fr on a site of English and Arabic: published in the default tree
        hint = (
            f"{unlisted} is not one of the site's languages, so its post is published in the "
            f"{_english_name(tree.language)} tree: add {unlisted} to languages"
        )
    line = entry.lines.get("translation_key", entry.lines.get("lang", entry.lines.get("title")))
    return ContentError(
        entry.file,
        line,
        f"this and {first.file} are both the {_english_name(tree.language)} translation of "
        f"{first.translation_key}",
        hint,
    )


def hreflang(translations: Sequence[Translation]) -> tuple[tuple[str, str], ...]:
    """Return the (hreflang, url) of each translation of a page that has one (its own
    included), the default language's as x-default too; nothing for a page without."""
    twins = [t for t in translations if t.twin]
    if len(twins) < 2:
        return ()
    found = [(t.lang, t.url) for t in twins]
    if translations[0].twin:
        found.append(("x-default", translations[0].url))
    return tuple(found)


def _entry(view: Any) -> Post | Page | None:
    """Return the post or page a view shows, if it shows one."""
    if isinstance(view, PostView):
        return view.post
    if isinstance(view, PageView):
        return view.page
    return None


def _key(
    view: Any, tree: int, twins: dict[tuple[str, int, str], str], stories: dict[str, str]
) -> Hashable | None:
    """Return what a page shares with its translations, or None if it has none."""
    if isinstance(view, PostView):
        return ("post", stories.get(view.post.translation_key, view.post.translation_key))
    if isinstance(view, PageView):
        return ("page", stories.get(view.page.translation_key, view.page.translation_key))
    if isinstance(view, HomeView) and view.page.number == 1:
        return ("home",)
    if isinstance(view, TermIndexView):
        return ("index", view.taxonomy.name)
    if isinstance(view, TermView) and view.page.number == 1:
        name = view.taxonomy.name
        return ("term", name, twins.get((name, tree, view.tag.slug), view.tag.slug))
    if isinstance(view, ArchiveView) and view.page.number == 1:
        return ("archive", view.archive.kind, view.archive.date)
    if isinstance(view, ArchiveListingView):
        return ("listing",)
    if isinstance(view, SearchView):
        return ("search",)
    if isinstance(view, MirrorsView):
        return ("mirrors",)
    return None


def _twins(config: SiteConfig) -> dict[tuple[str, int, str], str]:
    """Return the address name of each term's name in the default language, by taxonomy,
    tree and its address name in that tree (`term_translations`)."""
    unicode = config.slug_unicode
    found = {}
    for taxonomy, terms in config.term_translations.items():
        for term, names in terms.items():
            for language, name in names.items():
                tree = config.trees.index(config.tree_of(language))
                found[(taxonomy, tree, slugify(name, unicode))] = slugify(term, unicode)
    return found


def _english_name(language: str) -> str:
    """Return a language's name in English, for messages: Arabic, French."""
    known = locale(language)
    return str(known.get_display_name("en")) if known is not None else language


@functools.cache
def _name(language: str) -> str:
    """Return a language's name in itself, as a reader of it would look for it: العربية,
    Français."""
    known = locale(language)
    name = known.get_display_name(known) if known is not None else None
    return (name[:1].upper() + name[1:]) if name else language
