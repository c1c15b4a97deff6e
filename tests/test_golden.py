"""The golden site: every page of tests/sites/golden, built, equals the copy in expected/.

After a deliberate change to the theme or the output, refresh the copy and review its diff:
HRDBLOG_REFRESH=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from helpers import REPO, site_files

from hrdblog.build import build
from hrdblog.config import load_config

GOLDEN = REPO / "tests" / "sites" / "golden"
EXPECTED = GOLDEN / "expected"
#: The golden site in two languages, English and Arabic: pages, a menu, translations.
LANGUAGES = REPO / "tests" / "sites" / "golden-languages"


def pages(files: dict[str, bytes]) -> dict[str, str]:
    """Return pages, feeds, sitemap and robots.txt as text.

    The copied stylesheet and the manifest (which holds its hash) are tested elsewhere.
    """
    return {
        path: content.decode("utf-8")
        for path, content in files.items()
        if path.endswith((".html", ".xml", ".txt"))
    }


def built_as_expected(source: Path, output: Path) -> dict[str, str]:
    """Build a golden site; compare each of its pages with the copy in its expected/ (or,
    with HRDBLOG_REFRESH set, make that copy); return the pages."""
    expected = source / "expected"
    build(load_config(source, output_dir=output), use_cache=False)
    built = pages(site_files(output))
    if os.environ.get("HRDBLOG_REFRESH"):
        shutil.rmtree(expected, ignore_errors=True)
        for path, content in built.items():
            (expected / path).parent.mkdir(parents=True, exist_ok=True)
            (expected / path).write_text(content, encoding="utf-8")
    assert built == pages(site_files(expected))
    return built


def test_the_golden_site_is_built_exactly_as_expected(tmp_path: Path) -> None:
    built = built_as_expected(GOLDEN, tmp_path / "site")
    # 32 pages and the search page, 1 redirect; the feeds of the site, of 6 tags and 1
    # country; sitemap, robots.txt
    assert len(built) == 33 + 1 + 1 + 6 + 1 + 2


def test_the_golden_site_in_two_languages_is_built_exactly_as_expected(tmp_path: Path) -> None:
    built = built_as_expected(LANGUAGES, tmp_path / "site")
    assert sorted(path for path in built if path.startswith("ar/") and "/" not in path[3:]) == [
        "ar/404.html",
        "ar/feed.xml",
        "ar/index.html",
        "ar/sitemap.xml",
    ]
    # English: 20 pages and the search page, 3 feeds; Arabic: 14 and its search page, 3
    # feeds; a sitemap each, robots.txt
    assert len(built) == 21 + 3 + 15 + 3 + 2 + 1
