"""Publishing is atomic: a build that fails, however it fails, leaves the site as it was."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import build_site, make_site, post, run_cli, site_files, synthetic_blog

from hrdblog.build import build
from hrdblog.config import load_config
from hrdblog.errors import OutputError
from hrdblog.write import MANIFEST, recover


def test_a_build_killed_while_writing_leaves_the_site_exactly_as_it_was(tmp_path: Path) -> None:
    root = synthetic_blog(tmp_path / "blog", posts=1000)
    assert run_cli("build", "--source", str(root)).exit_code == 0
    before = site_files(root / "site")
    (root / "content" / "2020" / "late.md").write_text(post("A late addition", "2020-01-01"))
    # Without the caches, so that the build is long enough to be caught writing.
    build = subprocess.Popen(
        [sys.executable, "-m", "hrdblog", "build", "--no-cache", "--source", str(root)]
    )
    deadline = time.monotonic() + 60
    fresh: list[Path] = []
    while time.monotonic() < deadline and build.poll() is None:
        fresh = [p for p in root.glob(".site.new-*") if any(p.iterdir())]
        if fresh:
            break
        time.sleep(0.01)
    assert fresh, "the build ended before it could be killed"
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    assert build.returncode == -signal.SIGKILL
    assert site_files(root / "site") == before
    again = run_cli("build", "--source", str(root))
    assert again.exit_code == 0
    assert not list(root.glob(".site.*"))  # the half-written folder is gone
    assert (root / "site" / "2020" / "01" / "01" / "a-late-addition" / "index.html").is_file()


def test_a_site_moved_aside_by_a_killed_build_is_put_back(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    site = build_site(root)
    before = site_files(site)
    site.rename(root / ".site.old-abcd1234")  # killed between its two renames
    (root / ".site.new-wxyz9876").mkdir()
    recover(site)
    assert site_files(site) == before
    assert sorted(p.name for p in root.iterdir()) == [".hrdblog-cache", "content", "site"]


def test_recovery_leaves_folders_it_did_not_make(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name in (".site.new-mine", ".site.old-notes-of-mine", "site.old-abcd1234"):
        (tmp_path / name).mkdir()
    recover(site)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.new-mine",
        ".site.old-notes-of-mine",
        "site",
        "site.old-abcd1234",
    ]


@pytest.mark.parametrize("cache", [True, False], ids=["rebuild", "from scratch"])
def test_a_full_disk_leaves_the_site_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: bool
) -> None:
    """Rebuilding, the site is written after rendering; from scratch, page by page meanwhile."""
    root = make_site(
        tmp_path, {f"p{i}.md": post(f"Post {i}", f"2017-01-{i + 1:02}") for i in range(5)}
    )
    site = build_site(root)
    before = site_files(site)
    (root / "content" / "new.md").write_text(post("New", "2017-02-01"))
    written = 0
    real = Path.write_bytes

    def write_bytes(self: Path, data: bytes) -> int:
        nonlocal written
        written += 1
        if written > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    with pytest.raises(
        OutputError, match=r"cannot write the site to .*: \[Errno 28\] No space left on device"
    ):
        build(load_config(root), use_cache=cache)
    monkeypatch.undo()
    assert site_files(site) == before
    assert sorted(p.name for p in root.iterdir()) == [".hrdblog-cache", "content", "site"]


def test_a_template_error_leaves_the_site_as_it_was(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    site = build_site(root)
    before = site_files(site)
    (root / "templates").mkdir()
    (root / "templates" / "footer.html").write_text("{{ broken( }}")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert site_files(site) == before


def test_the_swap_is_one_step(tmp_path: Path) -> None:
    """While builds follow one another, the site folder is always there and always whole."""
    root = make_site(
        tmp_path, {f"p{i}.md": post(f"Post {i}", f"2017-01-{i + 1:02}") for i in range(20)}
    )
    build_site(root)
    builder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom hrdblog.cli import main\nfor _ in range(5):\n"
            "    try:\n        main(['build', '-q', '--no-cache', '--source', sys.argv[1]])\n"
            "    except SystemExit:\n        pass\n",
            str(root),
        ]
    )
    seen = 0
    while builder.poll() is None:
        assert (root / "site" / MANIFEST).is_file()
        assert (root / "site" / "index.html").is_file()
        seen += 1
    assert builder.returncode == 0
    assert seen > 10


def test_pages_updated_in_place_are_always_whole(tmp_path: Path) -> None:
    """While rebuilds after edits follow one another, every page is a whole page."""
    root = make_site(
        tmp_path, {f"p{i}.md": post(f"Post {i}", f"2017-01-{i + 1:02}") for i in range(20)}
    )
    site = build_site(root)
    first = root / "content" / "p19.md"
    builder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom pathlib import Path\nfrom hrdblog.cli import main\n"
            "for i in range(8):\n"
            "    Path(sys.argv[2]).write_text(Path(sys.argv[2]).read_text() + f'Edit {i}.\\n')\n"
            "    try:\n        main(['build', '-q', '--source', sys.argv[1]])\n"
            "    except SystemExit:\n        pass\n",
            str(root),
            str(first),
        ]
    )
    folder = site.stat().st_ino
    seen = 0
    while builder.poll() is None:
        for page in (site / "index.html", site / "2017" / "01" / "20" / "post-19" / "index.html"):
            assert page.read_bytes().endswith(b"</html>\n")
        seen += 1
    assert builder.returncode == 0
    assert seen > 10
    assert site.stat().st_ino == folder  # every rebuild was an update in place
    assert b"Edit 7." in (site / "index.html").read_bytes()


def edited_blog(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """Build a blog of 20 posts, then edit one post: return the blog, its site, the site."""
    root = make_site(
        tmp_path, {f"p{i}.md": post(f"Post {i}", f"2017-01-{i + 1:02}") for i in range(20)}
    )
    site = build_site(root)
    before = site_files(site)
    (root / "content" / "p19.md").write_text(post("Post 19, edited", "2017-01-20"))
    return root, site, before


def fail_third_move(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """Make the third file moved into the site fail with `error`."""
    moved = 0
    real = os.replace

    def replace(source: str | Path, destination: str | Path) -> None:
        nonlocal moved
        moved += 1
        if moved == 3:
            raise error
        real(source, destination)

    monkeypatch.setattr(os, "replace", replace)


def test_an_update_in_place_killed_while_moving_files_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hrdblog.write

    root, site, before = edited_blog(tmp_path)
    fail_third_move(monkeypatch, KeyboardInterrupt())  # stands for the kill: nothing after runs
    monkeypatch.setattr(hrdblog.write, "_roll_back", lambda work, target: None)
    with pytest.raises(KeyboardInterrupt):
        build_site(root)
    monkeypatch.undo()
    assert site_files(site) != before  # two files were moved in when it was killed
    assert len(list(root.glob(".site.apply-*"))) == 1
    recover(site)
    assert site_files(site) == before
    assert sorted(p.name for p in root.iterdir()) == [".hrdblog-cache", "content", "site"]
    build_site(root)
    assert b"Post 19, edited" in (site / "index.html").read_bytes()


def test_an_update_in_place_that_fails_is_undone_and_the_site_written_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, site, _ = edited_blog(tmp_path)
    fail_third_move(monkeypatch, OSError(errno.EACCES, os.strerror(errno.EACCES)))
    folder = site.stat().st_ino
    build_site(root)
    monkeypatch.undo()
    assert site.stat().st_ino != folder  # written anew and swapped in
    clean = tmp_path / "clean"
    build(load_config(root, output_dir=clean), use_cache=False)
    assert site_files(site) == site_files(clean)
