"""The Jinja2 environment: the site's `templates/` over the packaged default theme."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import jinja2
from markupsafe import Markup, escape

from hrdblog.config import SiteConfig, locale, text_direction
from hrdblog.dates import format_date, format_period
from hrdblog.errors import HrdblogError, ThemeError, raise_all, suggest
from hrdblog.files import is_hidden, walk
from hrdblog.images import (
    CONTENT_SIZES,
    as_address,
    own_format,
    picture,
    variant_name,
    variant_widths,
    widest_size,
)
from hrdblog.markup import rewrite_links
from hrdblog.models import ShownImage
from hrdblog.speedups.entries import ANY_PAGE, Entries
from hrdblog.translations import hreflang
from hrdblog.urls import Hrefs, absolute, archive_url, as_read
from hrdblog.views import ON_DEMAND, SITE_WIDE, TEMPLATE_SETTINGS, Settings

DEFAULT_THEME = Path(__file__).parent / "themes" / "default"


#: A word of ON_DEMAND where a template may use it as a variable: not in `tags`, `post.tag`,
#: `rel="tag"` or `site-header`; but in `{{-site.posts}}`, `100/tag.count` and `{{ tag-}}`.
#: (A quote beside a variable is a syntax error; `site-1` fails when rendered.) It only
#: spares parsing a template that cannot name one: it may match more, never less.
_VARIABLE_WORD = re.compile(rf"(?<![\w.\"'])(?:{'|'.join(ON_DEMAND)})(?![\w\"']|-(?![%}}]))")


def _names_read(node: jinja2.nodes.Node, own: frozenset[str], named: dict[str, set[str]]) -> None:
    """Add to `named` the attributes read of each variable in it under `node`, and "" where
    one is used otherwise (passed on whole, or read with a computed name). `own` holds the
    names a loop or a macro around `node` binds, which are not the page's variables."""
    nodes = jinja2.nodes
    if isinstance(node, nodes.Getattr | nodes.Getitem):
        inner = node.node
        if isinstance(inner, nodes.Name) and inner.name in named and inner.name not in own:
            if isinstance(node, nodes.Getattr):
                named[inner.name].add(node.attr)
                return
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                named[inner.name].add(arg.value)
            else:
                named[inner.name].add("")
                _names_read(arg, own, named)
            return
    elif isinstance(node, nodes.Name):
        if node.ctx == "load" and node.name in named and node.name not in own:
            named[node.name].add("")
        return
    elif isinstance(node, nodes.For):  # its target is its body's own, and its condition's
        _names_read(node.iter, own, named)
        targets = [node.target, *node.target.find_all(nodes.Name)]  # one name, or a tuple
        bound = own | {n.name for n in targets if isinstance(n, nodes.Name)}
        for child in (*node.body, *([node.test] if node.test else [])):
            _names_read(child, bound, named)
        for child in node.else_:
            _names_read(child, own, named)
        return
    elif isinstance(node, nodes.Block):  # it sees the page's variables, not those of a loop
        for child in node.body:  # or macro around it: a child's block is shown in its parent's
            _names_read(child, frozenset(), named)  # place, scoped or not
        return
    elif isinstance(node, nodes.Macro | nodes.CallBlock):  # its arguments are its body's own
        if isinstance(node, nodes.CallBlock):
            _names_read(node.call, own, named)
        for default in node.defaults:
            _names_read(default, own, named)
        bound = own | {arg.name for arg in node.args}
        for child in node.body:
            _names_read(child, bound, named)
        return
    for child in node.iter_child_nodes():
        _names_read(child, own, named)


def environment(config: SiteConfig) -> jinja2.Environment:
    """Return the template environment of a site.

    A template in the site's `templates/` replaces the default theme's template of the same
    name; it can also extend it as `default/<name>`. Each post's entry on list pages is made
    once and kept for every list page that shows it (`speedups.entries`).
    """
    default = jinja2.FileSystemLoader(DEFAULT_THEME / "templates")
    loaders: list[jinja2.BaseLoader] = []
    # Jinja reads templates by name, following links: the folder is checked as every other.
    raise_all(list(walk(config.templates_dir, config.source).errors))
    if config.templates_dir.is_dir():
        loaders.append(
            _VisibleLoader(config.templates_dir, config.display_path(config.templates_dir))
        )
    loaders += [jinja2.PrefixLoader({"default": default}), default]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment a build: its templates do not change meanwhile
    )

    entries = Entries(env, DEFAULT_THEME / "templates", lambda page_url: hrefs(page_url))

    @jinja2.pass_context
    def url(context: Any, target: str) -> str:
        """Return the href from the page being rendered to a site url.

        Pages link relatively; a page served at any address (404.html) links absolutely:
        to the permalink when `base_url` is set, else from the root of the domain.
        """
        return link(context["page_url"], target, escape)

    def link(page_url: str | None, target: str, escaper: Any) -> str:
        """Return the href from the page at `page_url` to a site url: from the root of the
        domain for a page served at any address (None), a mark for an entry made once for
        every list page (pointed from each, then escaped with `escaper`), else relative."""
        if page_url is None:
            return from_root(target)
        if page_url is ANY_PAGE:
            return entries.mark(target, escaper)
        return hrefs(page_url)(target)

    def hrefs(page_url: str) -> Hrefs:
        """Return the hrefs from the page being rendered (pages are rendered one at a time)."""
        if last[0].from_url != page_url:
            last[0] = Hrefs(page_url, config.index_html_links)
        return last[0]

    last = [Hrefs("/", config.index_html_links)]

    def from_root(target: str) -> str:
        """Return the address of a site url from the root of the domain, for pages served at
        any address (404.html): under the path of `base_url`, never at another origin."""
        return urlsplit(config.base_url).path.rstrip("/") + target

    def permalink(target: str) -> str:
        """Return the absolute address of a site url; needs `base_url`."""
        return absolute(config.base_url, target)

    @jinja2.pass_context
    def date_filter(context: Any, value: datetime, language: str | None = None) -> str:
        """Format a date as `date_format` asks, in a language (the page's by default)."""
        return format_date(value, config.date_format, language or context["lang"], config.language)

    @jinja2.pass_context
    def period_filter(context: Any, value: date, kind: str, language: str | None = None) -> str:
        """Name an archive's year, month or day in a language (the page's by default)."""
        return format_period(kind, value, language or context["lang"], config.language)

    @jinja2.pass_context
    def archive_url_in(
        context: Any, year: int, month: int | None = None, day: int | None = None
    ) -> str:
        """Return the url of a date archive in the tree of the page being rendered (on a site
        of several languages, /ar/2017/ on an Arabic page)."""
        site = context.get("site")
        return (site.prefix if site is not None else "") + archive_url(year, month, day)

    def fill(text: str, *values: Any) -> Markup:
        """Put values in the `%s` places of an interface text; values may be markup."""
        return Markup(escape(text) % tuple(escape(value) for value in values))

    @jinja2.pass_context
    def rebase(context: Any, html: Markup, from_url: str) -> Markup:
        """Make the relative links of HTML written for the page at `from_url` (an excerpt on
        a list page) lead to the same places from the page being rendered."""
        page_url = context["page_url"]

        def change(address: str) -> str | None:
            # A browser reads an address without the spaces and control characters around it.
            address = as_read(address)
            if not address or re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|[/\\])", address):
                return None  # another site, or the root of the domain: the same from anywhere
            joined = urljoin(f"http://site{from_url}", address)
            if not joined.startswith("http://site/"):
                return None  # not an address of this site after all
            return link(page_url, joined.removeprefix("http://site"), _escape_attribute)

        return rewrite_links(html, change)

    def photo_address(entry: Any, image: ShownImage, widest: bool = False) -> str:
        """Return the site address of a photo a post or page shows, or of its widest variant
        in its own format (the one other sites' previews take)."""
        if image.at.startswith("/static/"):
            path = image.at
        else:
            folder = entry.url if entry.url.endswith("/") else posixpath.dirname(entry.url) + "/"
            path = folder + image.at
        shown = variant_widths(image.width, config.image_widths)
        if widest and shown:
            folder, _, name = path.rpartition("/")
            path = f"{folder}/{variant_name(name, shown[-1], own_format(name))}"
        return as_address(path)

    @jinja2.pass_context
    def photo(
        context: Any,
        entry: Any,
        image: ShownImage,
        alt: str = "",
        sizes: str = CONTENT_SIZES,
        eager: bool = False,
    ) -> Markup:
        """Return a photo of a post or page as a `<picture>` of its variants, linked from the
        page being rendered; loaded at once and first if `eager` (the photo at the top of a
        page), else as the reader scrolls to it."""
        address = photo_address(entry, image)
        loading = ' fetchpriority="high"' if eager else ' loading="lazy" decoding="async"'
        tag = f'<img src="{html.escape(address)}" alt="{html.escape(alt)}"{loading}>'
        shown = picture(tag, address, (image.width, image.height), config.image_widths, sizes)
        page_url = context["page_url"]
        return rewrite_links(shown, lambda target: link(page_url, target, _escape_attribute))

    def photo_size(image: ShownImage) -> tuple[int, int]:
        """Return the width and height of a photo's widest variant in its own format."""
        return widest_size(image.width, image.height, config.image_widths)

    @jinja2.pass_context
    def lang_attributes(context: Any, post: Any) -> Markup:
        """Return ` lang="…" dir="…"` for a post in another language than the page's."""
        if post.lang and post.lang != context["lang"]:
            return Markup(' lang="{}" dir="{}"').format(post.lang, text_direction(post.lang))
        return Markup("")

    def auto_dir(post: Any) -> Markup:
        """Return ` dir="auto"` for a post without a language: its text sets its direction."""
        return Markup("") if post.lang else Markup(' dir="auto"')

    @jinja2.pass_context
    def count_text(context: Any, number: int, key: str, language: str | None = None) -> str:
        """Return the interface text `key` for a number of things, in the plural form the
        language gives that number (`post_count_one`, else `post_count_other`)."""
        language = language or context["lang"]
        texts = config.texts_for(language)
        known = locale(language)
        form = known.plural_form(number) if known is not None else "other"
        return (texts.get(f"{key}_{form}") or texts[f"{key}_other"]) % number

    def bdi(value: Any) -> Markup:
        """Isolate a name whose direction may differ from the text around it."""
        return Markup("<bdi>{}</bdi>").format(value)

    @jinja2.pass_context
    def entry_html(context: Any, post: Any) -> Markup | None:
        """Return the list-page entry of a post, made once a build and its links then pointed
        from each page; None where it cannot be: the page template shows `entry(post)`."""
        return entries.html(context, post)

    env.globals.update(
        url=url,
        entry_html=entry_html,
        permalink=permalink,
        archive_url=archive_url_in,
        hreflang=hreflang,
        fill=fill,
        count_text=count_text,
        photo=photo,
        photo_address=photo_address,
        photo_size=photo_size,
        config=Settings(config),
        texts_for=config.texts_for,
        lang_attributes=lang_attributes,
        auto_dir=auto_dir,
    )
    # A page is the same for the same input: no random choices, no filler text.
    del env.globals["lipsum"]
    del env.filters["random"]
    env.filters.update(
        date=date_filter,
        period=period_filter,
        isodate=lambda value: value.isoformat(),
        # An address with its non-ASCII characters percent-encoded, as sitemaps want.
        uri=lambda value: quote(value, safe=":/?#[]@!$&'()*+,;=%"),
        direction=text_direction,
        bdi=bdi,
        rebase=rebase,
    )
    env.extend(entries=entries)  # the theme tells it which page it renders
    return env


_NOT_ON_SITE = re.compile(r"'hrdblog\.views\.SiteView object' has no attribute '([^']*)'")
_NOT_A_SETTING = re.compile(r"'hrdblog\.views\.Settings object' has no attribute '([^']*)'")


class _VisibleLoader(jinja2.FileSystemLoader):
    """The site's templates as hrdblog reads every folder (`files.walk`): hidden files and
    folders, whose names start with a dot, are left out, so that what a page is made from
    is what a build keys and checks."""

    def __init__(self, folder: Path, shown: str) -> None:
        super().__init__(folder)
        self.shown = shown  # the folder, as messages name it

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if _hidden(template):
            raise jinja2.TemplateNotFound(template)
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            raise ThemeError(
                f"{self.shown}/{template}:{line}: the template is not UTF-8 text",
                "save it as UTF-8 (in most editors: Save with encoding, UTF-8)",
            ) from None

    def list_templates(self) -> list[str]:
        return [name for name in super().list_templates() if not _hidden(name)]


def _hidden(name: str) -> bool:
    """Tell whether a template's name has a part starting with a dot."""
    return any(is_hidden(part) for part in name.replace("\\", "/").split("/"))


def _escape_attribute(address: str) -> str:
    """Escape an address as rewrite_links does."""
    return html.escape(address, quote=True)


class Theme:
    """The templates of a site, ready to render pages."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.env = environment(config)
        self.entries: Entries = self.env.entries  # type: ignore[attr-defined]

    def named(self) -> dict[str, frozenset[str]]:
        """Return what the templates name of each variable's values made on demand
        (`views.ON_DEMAND`): the site-wide lists, `tag.count`, `archive.count`.

        A template names one as `site.post_count` or `site["post_count"]`; one that uses a
        variable in any other way (`{% set s = site %}`, `{{ m.show(tag) }}`) may read any of
        its values, and gets them all. A loop's variable or a macro's argument of the same
        name (`{% for tag in terms %}`) is not the page's. Every template the theme can load
        is read, whatever its name: a template includes any file.
        """
        named: dict[str, set[str]] = {variable: set() for variable in ON_DEMAND}
        loader = self.env.loader
        assert loader is not None
        for name in self.env.list_templates():
            try:
                source = loader.get_source(self.env, name)[0]
                if not _VARIABLE_WORD.search(source):
                    continue  # none of the variables appears: nothing to parse
                tree = self.env.parse(source)
            except (OSError, UnicodeDecodeError, jinja2.TemplateError):
                continue  # rendering reports it, naming the file and line
            _names_read(tree, frozenset(), named)
        return {
            variable: values if "" in named[variable] else values & named[variable]
            for variable, values in ON_DEMAND.items()
        }

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render one template; a template's mistake becomes a ThemeError naming file and line."""
        try:
            with self.entries.rendering(name):
                return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            where = f"{self._shown(exc.filename or exc.name or name)}:{exc.lineno}: "
            raise ThemeError(f"{where}template syntax error: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            if isinstance(exc.name, str) and _hidden(exc.name):
                raise ThemeError(
                    f"template {exc.name!r} is a hidden file, which hrdblog leaves out",
                    "rename it without the dot its name starts with",
                ) from None
            raise ThemeError(
                f"template {exc.name!r} was not found",
                "a template in templates/ may only include or extend templates that exist",
            ) from None
        except jinja2.UndefinedError as exc:
            setting = _NOT_A_SETTING.search(str(exc))
            if setting:
                guess = suggest(setting[1], TEMPLATE_SETTINGS)
                meant = f", did you mean {guess!r}?" if guess else ""
                raise ThemeError(
                    f"{self._where(exc) or name}: config has no setting {setting[1]!r}{meant}",
                    "config holds the settings of hrdblog.yaml (README lists them), and nothing "
                    "of the moment the site was built or of the folders of this computer",
                ) from None
            missing = _NOT_ON_SITE.search(str(exc))
            if missing:
                shown = ", ".join(
                    f"site.{field}"
                    for field in (
                        "menu",
                        "taxonomies",
                        "listing_url",
                        "language",
                        "prefix",
                        *SITE_WIDE,
                    )
                )
                raise ThemeError(
                    f"{self._where(exc) or name}: site has no {missing[1]!r}",
                    f"what every page may show of the whole site is {shown}; "
                    "a page's own variables are listed in README (Templates)",
                ) from None
            raise ThemeError(
                f"{self._where(exc) or name}: {exc}",
                "check the spelling; README lists what templates can use",
            ) from None
        except RecursionError as exc:
            raise ThemeError(
                f"{self._where(exc) or name}: the template calls itself without end",
                "a macro, an include or an extends that leads back to itself needs a way out",
            ) from None
        except HrdblogError:
            raise
        except Exception as exc:  # a template is the site's own code: whatever it raises
            kind = type(exc).__name__
            raise ThemeError(
                f"{self._where(exc) or name}: {kind}: {exc}",
                "fix the expression on this line of the template",
            ) from None

    def _shown(self, filename: str) -> str:
        return self.config.display_path(Path(filename))

    def _where(self, exc: BaseException) -> str | None:
        """Return `file:line` of the innermost template frame in a rendering traceback."""
        found = None
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith((".html", ".xml", ".txt")):
                found = f"{self._shown(filename)}:{tb.tb_lineno}"
            tb = tb.tb_next
        return found
