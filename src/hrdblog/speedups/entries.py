"""A post's entry on list pages, made once a build instead of once for each list page.

A list page shows ten entries, and every post is shown on several list pages (the home page,
its tags', its year's, month's and day's): the entry is the same on all of them but for where
its links lead from. `Entries` renders the default theme's `entry(post)` macro once for each
post and language at a page that is no page (`ANY_PAGE`), where each link comes out as a mark
(`\\x00N\\x00`) instead of an address; the HTML is kept as a format string with `{N}` in the
mark's place, and each page that shows the entry fills in its own links.

Contract: `Entries.html(context, post)` gives exactly what `entry(post)` renders on the page
being rendered, or None where it cannot vouch for that, and then the template calls the macro
itself: on a page served at any address (404.html); on a page other than the default theme's
list pages (`ENTRY_PAGES`: a site's `post.html` may call the macro too); or when the entry
macro or a list page that calls it is the site's own (a site's template may set what the
entry reads, as `{% set taxonomies = … %}`, or show what differs from page to page). The
theme tells it which page it renders (`rendering`). tests/test_speedups.py builds a blog with
and without it and compares every byte.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

#: The page an entry is rendered at when it is made once for every list page: its links are
#: marked, to be pointed from each page that shows it.
ANY_PAGE = "\x00any page\x00"
_MARK = re.compile("\x00(\\d+)\x00")

#: The templates of the list pages, whose entries are made once.
ENTRY_PAGES = ("index.html", "tag.html", "archive.html")
#: Those templates, and those of the macro that makes the entries and of the layout.
ENTRY_TEMPLATES = ("macros.html", "base.html", *ENTRY_PAGES)

#: A link marked in an entry: its target, and how its address is escaped once pointed.
_Link = tuple[str, Callable[[str], Any]]


class Entries:
    """The list-page entries of a build's posts, each made once with its links marked."""

    def __init__(
        self,
        env: jinja2.Environment,
        theme_folder: Path,
        hrefs: Callable[[str], Callable[[str], str]],
    ) -> None:
        """`theme_folder` holds the default theme's templates; `hrefs(page_url)` gives the
        function that makes a site url's href from that page."""
        self.env = env
        self.theme_folder = theme_folder
        self.hrefs = hrefs
        self.made: dict[tuple[str, str], tuple[str, list[_Link]]] = {}
        self.modules: dict[str, Any] = {}
        self.links: list[_Link] = []
        self._usable: bool | None = None
        self._page: str | None = None  # the template of the page being rendered

    @contextlib.contextmanager
    def rendering(self, template: str) -> Iterator[None]:
        """Say, for the time of the block, which page template is being rendered."""
        self._page = template
        try:
            yield
        finally:
            self._page = None

    def html(self, context: Any, post: Any) -> Markup | None:
        """Return the entry of a post on the page being rendered, or None (see the contract)."""
        if self._page not in ENTRY_PAGES or context["page_url"] is None:
            return None
        if not self._default_entries():
            return None
        key = (post.file, context["lang"])
        if key not in self.made:
            module: Any = self.modules.get(context["lang"])
            if module is None:
                template = self.env.get_template("macros.html")
                module = template.make_module({**context.get_all(), "page_url": ANY_PAGE})
                self.modules[context["lang"]] = module
            self.made[key] = self._record(lambda: str(module.entry(post)))
        html, links = self.made[key]
        if not links:
            return Markup(html)
        href = self.hrefs(context["page_url"])
        return Markup(html.format(*[str(escaped(href(target))) for target, escaped in links]))

    def mark(self, target: str, escaper: Callable[[str], Any]) -> str:
        """Return a mark for a link to `target`, escaped with `escaper` once it is pointed."""
        self.links.append((target, escaper))
        return f"\x00{len(self.links) - 1}\x00"

    def _default_entries(self) -> bool:
        """Tell whether the entry macro and the list pages that call it are the default
        theme's."""
        if self._usable is None:
            loader = self.env.loader
            assert loader is not None
            self._usable = all(
                Path(loader.get_source(self.env, name)[1] or "").parent == self.theme_folder
                for name in ENTRY_TEMPLATES
            )
        return self._usable

    def _record(self, make: Callable[[], str]) -> tuple[str, list[_Link]]:
        """Make an entry; return its HTML and the links marked in it. With links, the HTML is
        a format string: link N goes in its `{N}`."""
        self.links = []
        html_text = make()
        links, self.links = self.links, []
        if links:
            braces = html_text.replace("{", "{{").replace("}", "}}")
            html_text = _MARK.sub(r"{\1}", braces)
        return html_text, links
