"""The command line: parse options, call one function, turn HrdblogError into exit status 1."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from hrdblog import __version__

F = TypeVar("F", bound=Callable[..., Any])


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return message


def _setup_logging(quiet: bool, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger("hrdblog")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.WARNING)


def output_options(command: F) -> F:
    """Add --quiet, --verbose and --debug to a command."""
    command = click.option("--debug", is_flag=True, help="Show the traceback of an error.")(command)
    command = click.option("-v", "--verbose", is_flag=True, help="Say more of what is done.")(
        command
    )
    command = click.option("-q", "--quiet", is_flag=True, help="Print errors only.")(command)
    return command


def run(
    action: Callable[[], str | None], quiet: bool, verbose: bool, debug: bool, failed: str
) -> None:
    """Run a command's one action; print its result, or its errors and exit 1."""
    from hrdblog.errors import ErrorList, HrdblogError

    _setup_logging(quiet, verbose)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hrdblog")
def main() -> None:
    """hrdblog: turn a folder of Markdown posts into a fast, safe, static blog."""


@main.command()
@click.option(
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The blog's folder, holding content/, templates/ and hrdblog.yaml.",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site.  [default: SOURCE/site]",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The settings file.  [default: SOURCE/hrdblog.yaml]",
)
@click.option("--force", is_flag=True, help="Replace an output folder hrdblog did not write.")
@output_options
def build(
    source: Path,
    output: Path | None,
    config_file: Path | None,
    force: bool,
    quiet: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Build the blog into a static site."""

    def action() -> str:
        from hrdblog.build import build as build_site
        from hrdblog.config import load_config

        config = load_config(source, config_file=config_file, output_dir=output)
        return build_site(config, force=force).summary()

    shown = (output if output is not None else source / "site").as_posix().rstrip("/") + "/"
    run(action, quiet, verbose, debug, failed=f"nothing was built, and {shown} is unchanged")
