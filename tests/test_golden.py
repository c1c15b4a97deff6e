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


def pages(files: dict[str, bytes]) -> dict[str, str]:
    """Return pages, feeds, sitemap and robots.txt as text.

    The copied stylesheet and the manifest (which holds its hash) are tested elsewhere.
    """
    return {
        path: content.decode("utf-8")
        for path, content in files.items()
        if path.endswith((".html", ".xml", ".txt"))
    }


def test_the_golden_site_is_built_exactly_as_expected(tmp_path: Path) -> None:
    build(load_config(GOLDEN, output_dir=tmp_path / "site"), use_cache=False)
    built = pages(site_files(tmp_path / "site"))
    if os.environ.get("HRDBLOG_REFRESH"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for path, content in built.items():
            (EXPECTED / path).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / path).write_text(content, encoding="utf-8")
    assert built == pages(site_files(EXPECTED))
    # 32 pages, 1 redirect; the feeds of the site, of 6 tags and 1 country; sitemap, robots.txt
    assert len(built) == 32 + 1 + 1 + 6 + 1 + 2
