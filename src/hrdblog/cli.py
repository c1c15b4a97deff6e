"""The command line: parse options, call one function, turn HrdblogError into exit status 1."""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hrdblog import __version__
from hrdblog.progress import silent

if TYPE_CHECKING:  # the settings are loaded only when a command runs
    from hrdblog.config import SiteConfig

F = TypeVar("F", bound=Callable[..., Any])


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return message


def _setup_logging(level: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger("hrdblog")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(level)


def _level(quiet: bool, verbose: bool, default: int = logging.WARNING) -> int:
    return logging.ERROR if quiet else logging.DEBUG if verbose else default


class TerminalProgress:
    """A progress bar on stderr, for builds that take more than a moment in a terminal."""

    DELAY = 2.0  # seconds before the bar appears: short builds stay silent
    WIDTH = 30

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if time.monotonic() - self.started < self.DELAY or not total:
            return
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        sys.stderr.write(f"\r{stage:<10} [{bar}] {done}/{total}")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        """Remove the bar before the build's last line is printed."""
        if self.shown:
            sys.stderr.write("\r" + " " * (self.WIDTH + 40) + "\r")
            sys.stderr.flush()


def run(action: Callable[[], str | None], quiet: bool, debug: bool, failed: str) -> None:
    """Run a command's one action; print its result, or its errors and exit 1."""
    from hrdblog.errors import ErrorList, HrdblogError

    try:
        result = action()
    except ErrorList as exc:
        if debug:
            raise
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"error: {exc.summary()}; {failed}", err=True)
        sys.exit(1)
    except HrdblogError as exc:
        if debug:
            raise
        click.echo(str(exc), err=True)
        click.echo(f"error: {failed}", err=True)
        sys.exit(1)
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"error: hrdblog failed unexpectedly ({type(exc).__name__}: {exc}); "
            "run the command again with --debug to see where, and report it",
            err=True,
        )
        sys.exit(1)
    if result and not quiet:
        click.echo(result)


def output_options(command: F) -> F:
    """Add --quiet, --verbose and --debug to a command."""
    command = click.option("--debug", is_flag=True, help="Show the traceback of an error.")(command)
    command = click.option("-v", "--verbose", is_flag=True, help="Say more of what is done.")(
        command
    )
    command = click.option("-q", "--quiet", is_flag=True, help="Print errors only.")(command)
    return command


def blog_options(command: F) -> F:
    """Add --source and --config to a command."""
    command = click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The settings file.  [default: SOURCE/hrdblog.yaml]",
    )(command)
    command = click.option(
        "--source",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The blog's folder, holding content/, templates/ and hrdblog.yaml.",
    )(command)
    return command


def publish_options(command: F) -> F:
    """Add --drafts and --future to a command."""
    command = click.option(
        "--future", is_flag=True, help="Publish posts dated later, marked as scheduled."
    )(command)
    command = click.option("--drafts", is_flag=True, help="Publish drafts too, marked as drafts.")(
        command
    )
    return command


def _relative_to_cwd(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _shown(path: Path) -> str:
    return path.as_posix().rstrip("/") + "/"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hrdblog")
def main() -> None:
    """hrdblog: turn a folder of Markdown posts into a fast, safe, static blog."""


@main.command()
@blog_options
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site.  [default: SOURCE/site]",
)
@click.option("--force", is_flag=True, help="Replace an output folder hrdblog did not write.")
@click.option(
    "--no-cache", is_flag=True, help="Read and render everything again, ignoring .hrdblog-cache/."
)
@publish_options
@output_options
def build(
    source: Path,
    config_file: Path | None,
    output: Path | None,
    force: bool,
    no_cache: bool,
    drafts: bool,
    future: bool,
    quiet: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Build the blog into a static site."""
    _setup_logging(_level(quiet, verbose))
    progress = TerminalProgress()

    def action() -> str:
        from hrdblog.build import build as build_site
        from hrdblog.config import load_config

        config = load_config(
            source,
            config_file=config_file,
            output_dir=output,
            include_drafts=drafts,
            include_future=future,
        )
        interactive = sys.stderr.isatty() and not quiet
        try:
            shown_progress = progress if interactive else silent
            report = build_site(config, force, shown_progress, not no_cache)
            return report.summary()
        finally:
            progress.clear()

    shown = _shown(output if output is not None else source / "site")
    run(action, quiet, debug, failed=f"nothing was built, and {shown} is unchanged")


def _on_blog(
    source: Path,
    config_file: Path | None,
    quiet: bool,
    verbose: bool,
    debug: bool,
    function: Callable[[SiteConfig], str],
    failed: str,
) -> None:
    """Run a function on the blog's settings; print what it returns."""
    _setup_logging(_level(quiet, verbose))

    def action() -> str:
        from hrdblog.config import load_config

        return function(load_config(source, config_file=config_file))

    run(action, quiet, debug, failed)


@main.command()
@blog_options
@output_options
def check(source: Path, config_file: Path | None, quiet: bool, verbose: bool, debug: bool) -> None:
    """Check the content, then the built site: links, anchors, files, other sites."""
    from hrdblog.build import check as check_blog

    _on_blog(source, config_file, quiet, verbose, debug, check_blog, "the check found problems")


@main.command()
@blog_options
@output_options
def status(source: Path, config_file: Path | None, quiet: bool, verbose: bool, debug: bool) -> None:
    """List the drafts and the posts scheduled for later."""
    from hrdblog.build import status as blog_status

    _on_blog(
        source, config_file, quiet, verbose, debug, blog_status, "the posts could not all be read"
    )


@main.command()
@click.argument("server", type=click.Choice(["nginx", "apache", "netlify"]))
@blog_options
@output_options
def headers(
    server: str, source: Path, config_file: Path | None, quiet: bool, verbose: bool, debug: bool
) -> None:
    """Print the site's HTTP headers for a server: nginx, apache, or netlify (_headers)."""
    from hrdblog import headers as made

    write = {"nginx": made.nginx, "apache": made.apache, "netlify": made.netlify_file}[server]
    _on_blog(
        source,
        config_file,
        quiet,
        verbose,
        debug,
        lambda config: write(config).rstrip("\n"),
        "the headers were not made",
    )


@main.command()
@click.argument("title")
@blog_options
@click.option("--tags", default="", help="Tags, separated by commas: --tags coalition,UN")
@click.option("--lang", default="", help="The post's language, when not the site's: --lang ar")
@click.option("--slug", default=None, help="The post's file and address name.  [default: title]")
@click.option("--draft", is_flag=True, help="Mark the post as a draft.")
@click.option(
    "--page", is_flag=True, help="Make a page (About, Contact …) in content/pages/, not a post."
)
@output_options
def new(
    title: str,
    source: Path,
    config_file: Path | None,
    tags: str,
    lang: str,
    slug: str | None,
    draft: bool,
    page: bool,
    quiet: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Create a post file dated now (or with --page a page), and print its path."""
    _setup_logging(_level(quiet, verbose))

    def action() -> str:
        from datetime import datetime

        from hrdblog.config import LANGUAGE_TAG, load_config
        from hrdblog.errors import HrdblogError
        from hrdblog.scaffold import new_post

        if lang and not LANGUAGE_TAG.match(lang):
            raise HrdblogError(f"--lang must be a language code like en or ar, got {lang!r}")
        config = load_config(source, config_file=config_file)
        names = [t.strip() for t in tags.split(",") if t.strip()]
        now = datetime.now(config.tzinfo)
        path = new_post(config, title, now, names, lang, draft, slug, page)
        return _relative_to_cwd(path)

    run(action, quiet, debug, failed=f"no {'page' if page else 'post'} was created")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", default="My hrdblog", show_default=True, help="The blog's name.")
@click.option("--force", is_flag=True, help="Add the blog's files to a folder that is not empty.")
@output_options
def init(folder: Path, title: str, force: bool, quiet: bool, verbose: bool, debug: bool) -> None:
    """Start a new blog in FOLDER: settings, a first post, an About page, a templates folder."""
    _setup_logging(_level(quiet, verbose))

    def action() -> str:
        from datetime import datetime

        from hrdblog.scaffold import init as create

        written = create(folder, title, datetime.now(UTC), force)
        lines = [f"Created {path.as_posix()}" for path in written]
        lines.append(f"Next: cd {folder.as_posix()} && hrdblog serve")
        return "\n".join(lines)

    run(action, quiet, debug, failed=f"{_shown(folder)} was left as it was")


@main.command()
@blog_options
@click.option("--port", default=8000, show_default=True, help="The port to serve on.")
@click.option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    help="The address to serve on; the default lets only this computer in.",
)
@click.option(
    "--no-search",
    is_flag=True,
    help="Leave search out of the preview, for quicker rebuilds of a large blog.",
)
@publish_options
@output_options
def serve(
    source: Path,
    config_file: Path | None,
    port: int,
    bind: str,
    no_search: bool,
    drafts: bool,
    future: bool,
    quiet: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Preview the blog, rebuilding and reloading the browser on every change."""
    _setup_logging(_level(quiet, verbose))
    if not quiet:  # each rebuild's summary line
        logging.getLogger("hrdblog.serve").setLevel(logging.INFO)

    def action() -> None:
        from hrdblog.config import load_config
        from hrdblog.serve import serve as serve_blog

        config = load_config(
            source, config_file=config_file, include_drafts=drafts, include_future=future
        )
        if no_search:
            config = dataclasses.replace(config, search=False)

        def ready(address: str) -> None:
            click.echo(f"Serving {config.title} at {address} (Ctrl+C to stop)", err=True)

        serve_blog(config, bind, port, ready)

    run(action, quiet, debug, failed="the server stopped")


@main.group()
def export() -> None:
    """Write an offline copy of the site, for USB sticks and readers cut off from it."""


def _export(
    file: Path,
    source: Path,
    config_file: Path | None,
    quiet: bool,
    verbose: bool,
    debug: bool,
    write: Callable[[SiteConfig], str],
) -> None:
    _on_blog(
        source, config_file, quiet, verbose, debug, write, f"{file.as_posix()} was left as it was"
    )


@export.command(name="zip")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@blog_options
@output_options
def export_zip(
    file: Path, source: Path, config_file: Path | None, quiet: bool, verbose: bool, debug: bool
) -> None:
    """Write the site into FILE.zip, to read from disk once unzipped: open index.html."""
    from hrdblog.export import export_zip as write_zip

    _export(
        file, source, config_file, quiet, verbose, debug, lambda c: write_zip(c, file).summary()
    )


@export.command(name="zim")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@blog_options
@output_options
def export_zim(
    file: Path, source: Path, config_file: Path | None, quiet: bool, verbose: bool, debug: bool
) -> None:
    """Write the site into FILE.zim, for Kiwix; a site in several languages gets a file per
    language beside it (FILE.ar.zim …), each searchable in its language."""
    from hrdblog.zim import export_zim as write_zim

    def write(config: SiteConfig) -> str:
        return "\n".join(done.summary() for done in write_zim(config, file))

    _export(file, source, config_file, quiet, verbose, debug, write)


@main.command()
@click.option(
    "--to",
    "names",
    multiple=True,
    metavar="NAME",
    help="Deploy to this target only (again for more).  [default: all of them]",
)
@blog_options
@output_options
def deploy(
    names: tuple[str, ...],
    source: Path,
    config_file: Path | None,
    quiet: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Build the site, then publish it to the places hrdblog.yaml lists under deploy:
    folders, servers over SSH (rsync) and git branches (GitHub or Codeberg Pages)."""
    from hrdblog.deploy import deploy as deploy_site

    def report(line: str) -> None:
        if not quiet:
            click.echo(line)

    def deploy_all(config: SiteConfig) -> str:
        deploy_site(config, names, report)
        return ""  # each target's line is reported as it is done

    _on_blog(
        source,
        config_file,
        quiet,
        verbose,
        debug,
        deploy_all,
        "every target not reported deployed above was left as it was",
    )


@main.group(name="import")
def import_() -> None:
    """Bring posts over from WordPress, Jekyll or Hugo, every old link kept working."""


def _into_option(command: F) -> F:
    return click.option(
        "--into",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The blog to import into: posts go to its content/ folder.",
    )(command)


def _import(
    kind: str,
    source: Path,
    into: Path,
    quiet: bool,
    verbose: bool,
    debug: bool,
    uploads: Path | None = None,
) -> None:
    """Run an importer into the blog at `into`; print its report."""
    _setup_logging(_level(quiet, verbose))

    def action() -> str:
        from hrdblog.config import load_config
        from hrdblog.importers import import_into

        return import_into(kind, source, load_config(into), uploads)

    run(action, quiet, debug, failed="nothing was imported")


@import_.command()
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_into_option
@click.option(
    "--uploads",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A copy of the old site's wp-content/uploads folder: featured images come from it.",
)
@output_options
def wordpress(
    export: Path, into: Path, uploads: Path | None, quiet: bool, verbose: bool, debug: bool
) -> None:
    """Import a WordPress export (Tools → Export in WordPress: an .xml file)."""
    _import("wordpress", export, into, quiet, verbose, debug, uploads)


def _folder_import(kind: str, about: str) -> None:
    """Add `hrdblog import KIND FOLDER`: Jekyll and Hugo are imported the same way."""

    @import_.command(name=kind, help=about)
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @_into_option
    @output_options
    def command(folder: Path, into: Path, quiet: bool, verbose: bool, debug: bool) -> None:
        _import(kind, folder, into, quiet, verbose, debug)


_folder_import("jekyll", "Import a Jekyll site's posts (FOLDER: the site, or its _posts folder).")
_folder_import("hugo", "Import a Hugo site's posts (FOLDER: the site, or a folder of its content).")
