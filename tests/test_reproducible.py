"""Reproducible output: the same input gives the same bytes, wherever and whenever it is built."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from helpers import REPO, make_site, post, site_files


def copy_example(folder: Path) -> Path:
    for part in ("content", "templates", "static"):
        shutil.copytree(REPO / part, folder / part)
    shutil.copy(REPO / "hrdblog.yaml", folder / "hrdblog.yaml")
    return folder


def build_in_subprocess(root: Path, **env: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "hrdblog", "build", "-q", "--source", str(root)],
        check=True,
        env={**os.environ, **env},
    )


def test_two_builds_in_other_folders_times_and_locales_are_byte_identical(tmp_path: Path) -> None:
    first = copy_example(tmp_path / "one")
    second = copy_example(tmp_path / "a" / "much" / "deeper" / "folder")
    build_in_subprocess(first, TZ="UTC", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    build_in_subprocess(
        second,
        TZ="Pacific/Auckland",
        LANG="ar_EG.UTF-8",
        LC_ALL="ar_EG.UTF-8",
        PYTHONHASHSEED="12345",
    )
    one, other = site_files(first / "site"), site_files(second / "site")
    assert len(one) > 100
    assert one.keys() == other.keys()
    assert [path for path in one if one[path] != other[path]] == []
    for content in one.values():
        assert str(tmp_path).encode() not in content  # no path of the build machine leaks


def test_source_date_epoch_decides_what_is_scheduled(tmp_path: Path) -> None:
    root = make_site(
        tmp_path, {"later.md": post("Later", "2030-06-01"), "now.md": post("Now", "2017-01-01")}
    )

    def epoch(year: int) -> str:
        return str(int(datetime(year, 1, 1, tzinfo=UTC).timestamp()))

    build_in_subprocess(root, SOURCE_DATE_EPOCH=epoch(2029))
    assert not (root / "site" / "2030").exists()
    build_in_subprocess(root, SOURCE_DATE_EPOCH=epoch(2031))
    assert (root / "site" / "2030" / "06" / "01" / "later" / "index.html").is_file()


def test_a_mirror_can_check_itself_against_the_manifest(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "blog")
    build_in_subprocess(root)
    sha256sum = shutil.which("sha256sum")
    assert sha256sum
    site = root / "site"
    assert (
        subprocess.run([sha256sum, "--quiet", "-c", ".hrdblog-manifest"], cwd=site).returncode == 0
    )
    (site / "index.html").write_text("tampered")
    done = subprocess.run(
        [sha256sum, "--quiet", "-c", ".hrdblog-manifest"], cwd=site, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "index.html: FAILED" in done.stdout
