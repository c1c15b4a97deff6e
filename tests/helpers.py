"""Helpers shared by the tests: write fixture sites, build them, read what readers would see."""

from __future__ import annotations

import importlib.util
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest
import yaml
from click.testing import CliRunner, Result

from hrdblog.build import build
from hrdblog.cli import main
from hrdblog.config import load_config
from hrdblog.sitecheck import check_site

REPO = Path(__file__).resolve().parent.parent
_SHARED = REPO.parent / "shared"


def need(available: object, reason: str) -> None:
    """Skip the test when a tool is missing here; in CI (CI=true), fail it instead."""
    if not available:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must install it: see .ci/run)")
        pytest.skip(reason)


def shared(*parts: str) -> Path:
    """Return a file or folder of the shared corpora (`../shared/corpora/…`), read-only.

    Where `../shared` is not beside the repository (a fresh clone), the test is skipped, saying
    why; in CI, which has it, the test fails instead. Every test that reads the corpora goes
    through here, so none can forget the skip.
    """
    path = _SHARED.joinpath("corpora", *parts)
    need(path.exists(), f"{path} is not here: the shared corpora sit beside the repository")
    return path


def post(title: str, date: str, body: str = "Some text.", **fields: object) -> str:
    """Return the text of a post file with this front matter and body."""
    meta = {"title": title, "date": date, **fields}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write files given as {relative path: text or bytes} under `root`."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_site(
    root: Path,
    posts: dict[str, str],
    settings: dict[str, object] | None = None,
    files: dict[str, str | bytes] | None = None,
) -> Path:
    """Write a blog folder: posts under content/, hrdblog.yaml from `settings`, other files."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    write_files(root, {f"content/{name}": text for name, text in posts.items()})
    if settings is not None:
        write_files(root, {"hrdblog.yaml": yaml.safe_dump(settings, allow_unicode=True)})
    write_files(root, files or {})
    return root


def build_site(root: Path) -> Path:
    """Build the blog in `root` through the Python API and return its output folder."""
    config = load_config(root)
    build(config)
    return config.output_dir


def synthetic_blog(folder: Path, posts: int, seed: int = 1) -> Path:
    """Write a generated blog of `posts` posts (benchmarks/generate.py) into `folder`."""
    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate", module)
    spec.loader.exec_module(module)
    return module.write_hrdblog(folder, posts, seed)  # type: ignore[no-any-return]


def run_cli(*args: str) -> Result:
    """Run the hrdblog command line with these arguments."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


_PARSER = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)


def parse_html(path: Path) -> ET.Element:
    """Parse a page as a browser would, failing on any HTML parse error."""
    return _PARSER.parse(path.read_bytes())  # type: ignore[no-any-return]


def page(site: Path, url: str) -> ET.Element:
    """Parse the page published at a site url like /tag/coalition/."""
    return parse_html(site / url.lstrip("/") / "index.html" if url.endswith("/") else site / url)


def text(element: ET.Element | None) -> str:
    """Return an element's text content with whitespace collapsed."""
    assert element is not None
    return " ".join("".join(element.itertext()).split())


def site_files(site: Path) -> dict[str, bytes]:
    """Return every file of a built site as {relative path: bytes}."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def by_class(element: ET.Element, name: str) -> list[ET.Element]:
    """Return the elements under `element` whose class attribute holds `name`."""
    return [e for e in element.iter() if name in (e.get("class") or "").split()]


def broken_links(site: Path, base_url: str = "") -> list[str]:
    """Return every problem `hrdblog check` finds in a built site: links, anchors, files,
    titles, languages, requests to other sites."""
    return [str(problem) for problem in check_site(site, base_url)]


def markdown_documents(first: list[str]) -> list[str]:
    """Return `first`, then every post of the example blog and of the 273-post corpus."""
    found = list(first)
    for folder in (REPO / "content", shared("guardianproject", "posts")):
        found += [
            p.read_text(encoding="utf-8-sig") for p in sorted(folder.rglob("*.md")) if p.is_file()
        ]
    assert len(found) > 250
    return found
