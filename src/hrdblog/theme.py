"""The Jinja2 environment: the site's `templates/` over the packaged default theme."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from hrdblog.config import SiteConfig, text_direction
from hrdblog.dates import format_date
from hrdblog.errors import ThemeError
from hrdblog.urls import relative

DEFAULT_THEME = Path(__file__).parent / "themes" / "default"


def environment(config: SiteConfig) -> jinja2.Environment:
    """Return the template environment of a site.

    A template in the site's `templates/` replaces the default theme's template of the same
    name; it can also extend it as `default/<name>`.
    """
    default = jinja2.FileSystemLoader(DEFAULT_THEME / "templates")
    loaders: list[jinja2.BaseLoader] = []
    if config.templates_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(config.templates_dir))
    loaders += [jinja2.PrefixLoader({"default": default}), default]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    @jinja2.pass_context
    def url(context: Any, target: str) -> str:
        """Return the relative href from the page being rendered to a site url."""
        return relative(context["page_url"], target, config.index_html_links)

    @jinja2.pass_context
    def date_filter(context: Any, value: datetime) -> str:
        """Format a date in the language of the page, as `date_format` asks."""
        return format_date(value, config.date_format, context["lang"], config.language)

    env.globals.update(url=url, config=config, texts=config.texts, tag_index_url="/tag/")
    env.filters.update(
        date=date_filter,
        isodate=lambda value: value.isoformat(),
        direction=text_direction,
    )
    return env


class Theme:
    """The templates of a site, ready to render pages."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.env = environment(config)

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render one template; a template's mistake becomes a ThemeError naming file and line."""
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            where = f"{self._shown(exc.filename or exc.name or name)}:{exc.lineno}: "
            raise ThemeError(f"{where}template syntax error: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise ThemeError(
                f"template {exc.name!r} was not found",
                "a template in templates/ may only include or extend templates that exist",
            ) from None
        except jinja2.UndefinedError as exc:
            raise ThemeError(
                f"{self._where(exc) or name}: {exc}",
                "check the spelling; README lists what templates can use",
            ) from None
        except (TypeError, ValueError) as exc:
            raise ThemeError(f"{self._where(exc) or name}: {exc}") from None

    def _shown(self, filename: str) -> str:
        return self.config.display_path(Path(filename))

    def _where(self, exc: BaseException) -> str | None:
        """Return `file:line` of the innermost template frame in a rendering traceback."""
        found = None
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith(".html"):
                found = f"{self._shown(filename)}:{tb.tb_lineno}"
            tb = tb.tb_next
        return found
