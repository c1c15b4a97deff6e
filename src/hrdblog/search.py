"""The site's search: an index of each tree's posts and pages, made by Pagefind, that the
search page (`search.html`, with the theme's `search.js`) reads in the reader's browser.

Pagefind makes the index from HTML files in a folder, in one pass; it cannot add to an index
it made before. So each tree of the site (each language) has an index of its own,
`<prefix>/pagefind/`, stemmed in the tree's language: a rebuild makes again only the index of
a tree whose posts or pages changed (`incremental` keeps the others), and only the files of
it that differ are written.

Each post and page is given to Pagefind as a small document of its own: its title, its date
and its text as rendered, at its address. That is what a reader searches; the lists, term
pages and archives that repeat it are left out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from hrdblog.config import SiteConfig
from hrdblog.dates import format_date
from hrdblog.errors import HrdblogError, count
from hrdblog.lock import CACHE_DIR
from hrdblog.models import Output, Page, Post
from hrdblog.urls import output_path

logger = logging.getLogger(__name__)

#: Where each tree's search page and index are, under its prefix.
SEARCH_URL = "/search/"
BUNDLE_URL = "/pagefind/"
#: What the search page loads of Pagefind's bundle: its code, the index, and the code that
#: reads it (WebAssembly) in each language. Pagefind's own interfaces are not published:
#: the theme's search page is its own.
_PUBLISHED = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
_PUBLISHED_SUFFIXES = (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind")
#: The longest an index may take before the build gives up on Pagefind.
TIMEOUT_SECONDS = 600.0
#: What the files of an index are, in messages.
ORIGIN = "the search index"
#: The prefix of the folders, in the blog's cache, where indexes are made.
_WORK_PREFIX = "search-"


@dataclass(frozen=True)
class SearchIndex:
    """The search index of one tree of the site: what it holds and where it is published."""

    folder: str  # its folder in the site: pagefind/, or ar/pagefind/ …
    language: str  # the tree's language: how its words are stemmed
    entries: tuple[Post | Page, ...]  # the posts and pages it finds, in the order of the site
    date_format: str  # the dates its results show, as pages show them


def index_folder(prefix: str) -> str:
    """Return the folder in the site of the index of the tree whose addresses start with
    `prefix`."""
    return output_path(prefix + BUNDLE_URL).removesuffix("index.html")


def indexes_made(config: SiteConfig, indexes: tuple[SearchIndex, ...]) -> Iterator[Output]:
    """Make the search indexes with Pagefind, and return their files as outputs of the
    site; raise an error if Pagefind cannot make them."""
    if not indexes:
        return
    with _work_folder(config) as work:
        for number, index in enumerate(indexes):
            _write_documents(work / f"documents-{number}", index)
        try:
            _in_own_thread(_run_pagefind(work, indexes), TIMEOUT_SECONDS)
        except FileNotFoundError:
            raise HrdblogError(
                "the search index needs Pagefind's program, which is not installed",
                "install it with `pip install 'pagefind[bin]'`, or turn search off with "
                "`search: false` in hrdblog.yaml",
            ) from None
        except TimeoutError:
            raise HrdblogError(
                f"Pagefind did not make the search index within {TIMEOUT_SECONDS:.0f} s",
                "turn search off with `search: false` in hrdblog.yaml, and report the problem",
            ) from None
        except Exception as exc:  # what Pagefind's service says went wrong
            raise HrdblogError(
                f"Pagefind could not make the search index: {_reason(exc)}",
                "turn search off with `search: false` in hrdblog.yaml, and report the problem",
            ) from None
        entries = sum(len(index.entries) for index in indexes)
        logger.info("Indexed %s for search", count(entries, "page"))
        for number, index in enumerate(indexes):
            yield from _bundle(work / f"bundle-{number}", index.folder)


def _in_own_thread(work: Coroutine[Any, Any, None], seconds: float) -> None:
    """Run a coroutine to its end within `seconds`, in an event loop of its own thread: the
    build may be called from code that runs a loop of its own."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(asyncio.wait_for(work, seconds))
        except BaseException as exc:  # given to the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="pagefind")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


class _Stopped(Exception):
    """Pagefind's program ended before it had made the index."""


async def _run_pagefind(work: Path, indexes: tuple[SearchIndex, ...]) -> None:
    """Index each tree's documents and write its bundle, with one Pagefind process.

    Pagefind's Python API (`pagefind.service`) talks to its program through pipes and waits
    for each answer, so a program that ends or hangs would keep it waiting: the program's end
    is watched here, and whatever happens the program is stopped before this returns.
    """
    from pagefind.service import PagefindService

    logging.getLogger("pagefind").setLevel(logging.CRITICAL)  # its failures are told here
    service = PagefindService()
    await service.launch()
    process = service._backend  # the program, which the API does not watch
    try:
        making = asyncio.ensure_future(_index_each(service, work, indexes))
        ended = asyncio.ensure_future(process.wait())
        await asyncio.wait({making, ended}, return_when=asyncio.FIRST_COMPLETED)
        if not making.done():
            making.cancel()
            raise _Stopped(f"its program stopped (exit status {process.returncode})")
        ended.cancel()
        making.result()
    finally:
        service._poll_task.cancel()
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _index_each(service: Any, work: Path, indexes: tuple[SearchIndex, ...]) -> None:
    for number, index in enumerate(indexes):
        made = await service.create_index({"force_language": index.language})
        await made.add_directory(str(work / f"documents-{number}"))
        await made.write_files(str(work / f"bundle-{number}"))


def _reason(exc: BaseException) -> str:
    """Return what went wrong, as Pagefind (or its pipes) said it."""
    text = str(exc.args[0]) if exc.args else ""
    return text or type(exc).__name__


def _write_documents(folder: Path, index: SearchIndex) -> None:
    """Write each entry of an index as the document Pagefind reads, at its address."""
    for entry in index.entries:
        path = folder / output_path(entry.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document(entry, index.language, index.date_format), encoding="utf-8")


def document(entry: Post | Page, language: str, date_format: str) -> str:
    """Return the document of a post or page that Pagefind indexes: its title and text, in
    its language, with its date (shown in results, not searched)."""
    lang = entry.lang or language
    date = ""
    if entry.date is not None:
        shown = format_date(entry.date, date_format, lang, language)
        date = f'<meta data-pagefind-meta="date[content]" content="{escape(shown)}">'
    return (
        f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(entry.title)}</title>{date}</head><body>"
        f'<main data-pagefind-body lang="{escape(lang)}"><h1>{escape(entry.title)}</h1>'
        f"{Markup(entry.body)}</main></body></html>"
    )


def _bundle(folder: Path, site_folder: str) -> Iterator[Output]:
    """Return the files of a bundle Pagefind wrote that the search page loads, as outputs at
    `site_folder`, in the order of their names."""
    found: list[tuple[str, Path]] = []
    for top, folders, names in os.walk(folder):
        folders.sort()
        for name in names:
            path = Path(top, name)
            relative = path.relative_to(folder).as_posix()
            if name in _PUBLISHED or name.endswith(_PUBLISHED_SUFFIXES):
                found.append((relative, path))
    for relative, path in sorted(found):
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise HrdblogError(f"Pagefind's {relative} is not a file: the index is not published")
        yield Output(site_folder + relative, path.read_bytes(), ORIGIN)


@contextlib.contextmanager
def _work_folder(config: SiteConfig) -> Iterator[Path]:
    """Yield a new folder to make the indexes in, in the blog's cache (else, in a blog
    folder that cannot be written, the system's), and remove it afterwards: with any left by
    a build that was stopped before it could."""
    cache = config.source / CACHE_DIR
    parent: Path | None = None
    with contextlib.suppress(OSError):
        if cache.is_dir() and not cache.is_symlink():
            for name in os.listdir(cache):
                if name.startswith(_WORK_PREFIX) and (cache / name).is_dir():
                    _remove(cache / name)
            parent = cache
    try:
        work = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=parent))
    except OSError:
        work = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX))
    try:
        yield work
    finally:
        _remove(work)


def _remove(folder: Path) -> None:
    from hrdblog.publish import remove_tree

    with contextlib.suppress(OSError):
        if not folder.is_symlink():
            remove_tree(folder)
