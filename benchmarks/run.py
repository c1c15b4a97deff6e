"""Measure hrdblog on a generated blog: cold build, rebuilds, peak memory.

    python benchmarks/run.py --posts 10000 [--runs 3]

Each figure is the median of several runs, and is also given as a ratio to the cold build
measured in the same run, so figures from different machines compare.
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from generate import write_hrdblog


def timed_build(root: Path, *options: str) -> tuple[float, float]:
    """Build in a child process; return the seconds it took and its peak memory in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "hrdblog", "build", "-q", "--source", str(root), *options],
        check=True,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: meaningful when it grows.
    return seconds, max(peak, before) / 1024


def measure(posts: int, runs: int, engine: str) -> dict[str, tuple[float, float]]:
    figures: dict[str, list[tuple[float, float]]] = {
        "cold": [],
        "no change": [],
        "one post edited": [],
        "one post added": [],
    }
    for run in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            root = write_hrdblog(Path(folder) / "blog", posts, seed=1)
            settings = root / "hrdblog.yaml"
            settings.write_text(settings.read_text() + f"markdown_engine: {engine}\n")
            figures["cold"].append(timed_build(root))
            figures["no change"].append(timed_build(root))
            edited = next((root / "content").rglob("*.md"))
            edited.write_text(
                edited.read_text().replace("\n---\n", "\n---\nAn edited first line.\n\n", 1)
            )
            figures["one post edited"].append(timed_build(root))
            added = root / "content" / "2020" / f"added-{run}.md"
            added.parent.mkdir(exist_ok=True)
            added.write_text(
                "---\ntitle: Added\ndate: 2020-01-01\ntags: [coalition]\n---\nA new post.\n"
            )
            figures["one post added"].append(timed_build(root))
            shutil.rmtree(root / "site", ignore_errors=True)
    return {
        name: (statistics.median(s for s, _ in values), max(m for _, m in values))
        for name, values in figures.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", choices=["markdown", "cmark"], default="markdown")
    arguments = parser.parse_args()
    results = measure(arguments.posts, arguments.runs, arguments.engine)
    cold = results["cold"][0]
    print(
        f"hrdblog ({arguments.engine}), {arguments.posts} posts, "
        f"median of {arguments.runs} runs, {date.today()}, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print("| figure | seconds | ratio to cold | peak memory (MB) |")
    print("|---|---|---|---|")
    for name, (seconds, memory) in results.items():
        print(f"| {name} | {seconds:.2f} | {seconds / cold:.2f} | {memory:.0f} |")


if __name__ == "__main__":
    main()
