"""The command line: options, output, exit codes, help."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import make_site, post, run_cli

from hrdblog import __version__
from hrdblog.cli import main
from hrdblog.errors import ErrorList


def blog(tmp_path: Path) -> Path:
    return make_site(
        tmp_path / "blog",
        {
            "a.md": post("A", "2017-01-01", tags=["coalition"]),
            "b.md": post("B", "2017-01-02", tittle="x"),
        },
    )


def test_version() -> None:
    result = run_cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"hrdblog, version {__version__}\n")


def test_python_dash_m_runs_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hrdblog", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout == f"hrdblog, version {__version__}\n"


@pytest.mark.parametrize("name", sorted(main.commands))  # type: ignore[attr-defined]
def test_every_command_has_help(name: str) -> None:
    command = main.commands[name]  # type: ignore[attr-defined]
    assert isinstance(command, click.Command)
    assert command.help
    result = run_cli(name, "--help")
    assert result.exit_code == 0
    assert f"Usage: main {name}" in result.stdout or f"Usage: hrdblog {name}" in result.stdout
    for option in command.params:
        assert isinstance(option, click.Argument) or option.help, f"{name} {option.name}"  # type: ignore[attr-defined]


def test_build_ends_with_one_summary_line_and_warns_on_stderr(tmp_path: Path) -> None:
    root = blog(tmp_path)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0
    # home, 2 posts, a tag page, the tag index, 2 day, 1 month and 1 year archives,
    # the archive listing, 404.html
    assert re.fullmatch(r"Built 2 posts, 1 tag, 12 pages in \d+\.\d\d s\n", result.stdout)
    assert result.stderr == (
        "warning: content/b.md:4: unknown key 'tittle', did you mean 'title'?\n"
        "warning: feeds and sitemap.xml were not written: they need the site's address; "
        "set base_url in hrdblog.yaml\n"
    )
    assert (root / "site" / "index.html").is_file()


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    result = run_cli("build", "--quiet", "--source", str(blog(tmp_path)))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_verbose_says_what_is_done(tmp_path: Path) -> None:
    root = blog(tmp_path)
    (root / "content" / "draft.md").write_text(post("Draft", "2017-01-03", draft=True))
    result = run_cli("build", "--verbose", "--source", str(root))
    assert result.exit_code == 0
    assert "content/draft.md: a draft, left out\n" in result.stderr
    assert "Read 2 posts with 1 tag\n" in result.stderr
    assert "Indexed 2 pages for search\n" in result.stderr
    assert "Rendered 26 files, 0 kept unchanged from the last build\n" in result.stderr
    again = run_cli("build", "--verbose", "--source", str(root))
    assert "Nothing changed since the last build\n" in again.stderr
    assert re.fullmatch(
        r"Nothing changed since the last build \(2 posts, 12 pages\); checked in \d+\.\d\d s\n",
        again.stdout,
    )


def test_output_and_config_options(tmp_path: Path) -> None:
    root = blog(tmp_path)
    (tmp_path / "other.yaml").write_text("title: Other title\n")
    result = run_cli(
        "build",
        "--source",
        str(root),
        "--output",
        str(tmp_path / "public"),
        "--config",
        str(tmp_path / "other.yaml"),
    )
    assert result.exit_code == 0
    assert "<title>Other title</title>" in (tmp_path / "public" / "index.html").read_text()
    assert not (root / "site").exists()


def test_usage_errors_exit_with_2(tmp_path: Path) -> None:
    assert run_cli("build", "--no-such-option").exit_code == 2
    assert run_cli("no-such-command").exit_code == 2
    (tmp_path / "a.md").write_text("x")
    result = run_cli("build", "--source", str(tmp_path / "a.md"))
    assert result.exit_code == 2
    assert "is a file" in result.stderr


def test_content_errors_exit_with_1_and_no_traceback(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": "---\ntitle: A\n---\n"})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "content/a.md:1: 'date' is missing"
    assert result.stderr.splitlines()[-1] == (
        f"error: 1 error in 1 file; nothing was built, and {root.as_posix()}/site/ is unchanged"
    )


def test_debug_lets_the_traceback_through(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": "---\ntitle: A\n---\n"})
    result = CliRunner().invoke(main, ["build", "--debug", "--source", str(root)])
    assert isinstance(result.exception, ErrorList)


def test_an_unexpected_failure_is_one_line_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("hrdblog.build.render", broken)
    result = run_cli("build", "--source", str(blog(tmp_path)))
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "error: hrdblog failed unexpectedly (RuntimeError: disk on fire); "
        "run the command again with --debug to see where, and report it\n"
    )
    assert "Traceback" not in result.stderr
