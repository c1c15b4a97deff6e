"""Publishing is atomic: a build that fails, however it fails, leaves the site as it was."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import build_site, make_site, post, run_cli, site_files, synthetic_blog

from hrdblog.build import build, work_folders
from hrdblog.config import load_config
from hrdblog.errors import HrdblogError, OutputError
from hrdblog.files import Stat
from hrdblog.models import Output
from hrdblog.publish import (
    NotInPlace,
    Publication,
    WorkFolders,
    Written,
    recover,
    remove_tree,
    survey,
    update,
    write,
)
from hrdblog.seal import Seal
from hrdblog.urls import MANIFEST, MANIFESTS


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


def work_of(root: Path) -> WorkFolders:
    """Return the work folders of the builds of the blog in `root` into its site/."""
    return work_folders(load_config(root), Seal.of_blog(root))


def test_a_site_moved_aside_by_a_killed_build_is_put_back(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    site = build_site(root)
    before = site_files(site)
    work = work_of(root)
    site.rename(work.name("old"))  # killed between its two renames
    work.make("new")
    recover(work_of(root))
    assert site_files(site) == before
    assert sorted(p.name for p in root.iterdir()) == [
        ".hrdblog-cache",
        ".hrdblog-key",
        "content",
        "site",
    ]


def test_recovery_leaves_folders_it_did_not_make(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    site = build_site(root)
    names = [".site.new-mine", ".site.old-notes-of-mine", "site.old-abcd1234"]
    names += [".site.new-abcd1234", ".site.old-abcd1234", ".site.apply-abcd1234"]
    for name in names:
        (root / name).mkdir()
    shutil.rmtree(site)
    recover(work_of(root))
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [*names, ".hrdblog-cache", ".hrdblog-key", "content"]
    )
    assert caplog.text.count("left alone: no build of this blog made this folder") == 3


def test_a_planted_journal_deletes_and_writes_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A work folder with a journal naming paths out of the site, as a build would find it."""
    root = make_site(tmp_path / "blog", {"2017/post-0001.md": post("A", "2017-01-01")})
    build_site(root)
    outside = tmp_path / "outside.txt"
    outside.write_text("Someone else's file.")
    planted = root / ".site.apply-abcd1234"
    planted.mkdir()
    (planted / "n0").write_text("Written by whoever planted the folder.")
    journal = [
        ["../content/2017/post-0001.md", None, None],
        ["../../outside.txt", "n0", None],
        [str(outside), "n0", None],
    ]
    (planted / "journal.json").write_text(json.dumps(journal))
    before = site_files(root)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.stderr
    assert "left alone: no build of this blog made this folder" in result.stderr
    assert (root / "content" / "2017" / "post-0001.md").is_file()
    assert outside.read_text() == "Someone else's file."
    assert {path: data for path, data in site_files(root).items() if "site/" not in path} == {
        path: data for path, data in before.items() if "site/" not in path
    }


def test_a_journal_of_this_blog_naming_paths_out_of_the_site_is_not_followed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Even in a folder a build of this blog made, a journal is checked before it is used."""
    root = make_site(tmp_path / "blog", {"2017/post-0001.md": post("A", "2017-01-01")})
    build_site(root)
    work = work_of(root)
    folder = work.make("apply")
    (folder / "n0").write_text("x")
    for journal in (
        json.dumps([["../content/2017/post-0001.md", None, None]]).encode(),  # unsigned
        work.seal.wrap(json.dumps([["../content/2017/post-0001.md", None, None]]).encode()),
    ):
        (folder / "journal.json").write_bytes(journal)
        recover(work_of(root))
        assert (root / "content" / "2017" / "post-0001.md").is_file()
        assert folder.is_dir()
    assert "left alone: its journal is not signed by this blog's builds" in caplog.text


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
    import hrdblog.publish

    class FullDisk:
        """The system as publishing sees it, with a disk that is full after three files."""

        written = 0

        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        def write(self, fd: int, data: bytes) -> int:
            self.written += 1
            if self.written > 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return os.write(fd, data)

    monkeypatch.setattr(hrdblog.publish, "os", FullDisk())
    with pytest.raises(
        OutputError, match=r"cannot write the site to .*: \[Errno 28\] No space left on device"
    ):
        build(load_config(root), use_cache=cache)
    monkeypatch.undo()
    assert site_files(site) == before
    assert sorted(p.name for p in root.iterdir()) == [
        ".hrdblog-cache",
        ".hrdblog-key",
        "content",
        "site",
    ]


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


@pytest.mark.skipif(os.name == "nt", reason="Windows has no such file modes")
@pytest.mark.parametrize("umask", [0o022, 0o002, 0o027])
def test_published_files_have_the_modes_the_user_s_umask_gives(tmp_path: Path, umask: int) -> None:
    """As any program writes them: a web server run as another user reads the site where the
    user's umask lets it, whether the site was written anew or updated in place."""
    previous = os.umask(umask)
    try:
        root, site, _ = edited_blog(tmp_path)
        modes = {}
        for written in ("anew", "in place"):
            if written == "in place":
                inode = site.stat().st_ino
                build_site(root)
                assert site.stat().st_ino == inode
            for path in site.rglob("*"):
                modes[path.is_dir(), stat.S_IMODE(path.stat().st_mode)] = path
            assert set(modes) == {(False, 0o666 & ~umask), (True, 0o777 & ~umask)}, modes
            assert stat.S_IMODE(site.stat().st_mode) == 0o755
    finally:
        os.umask(previous)


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
    import hrdblog.publish

    root, site, before = edited_blog(tmp_path)
    fail_third_move(monkeypatch, KeyboardInterrupt())  # stands for the kill: nothing after runs
    monkeypatch.setattr(hrdblog.publish, "_roll_back", lambda *args: None)
    with pytest.raises(KeyboardInterrupt):
        build_site(root)
    monkeypatch.undo()
    assert site_files(site) != before  # two files were moved in when it was killed
    assert len(list(root.glob(".site.apply-*"))) == 1
    recover(work_of(root))
    assert site_files(site) == before
    assert sorted(p.name for p in root.iterdir()) == [
        ".hrdblog-cache",
        ".hrdblog-key",
        "content",
        "site",
    ]
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


def test_a_build_waits_for_another_then_says_it_is_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl

    import hrdblog.lock

    monkeypatch.setattr(hrdblog.lock, "WAIT_SECONDS", 0.5)
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    site = build_site(root)
    before = site_files(site)
    (root / "content" / "b.md").write_text(post("B", "2017-01-02"))
    with (root / ".hrdblog-cache" / "lock").open("w") as held:  # as a running build holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run_cli("build", "--source", str(root))
        imported = run_cli("import", "jekyll", str(tmp_path / "content"), "--into", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "another hrdblog command is building, importing or deploying this blog"
    )
    assert "Traceback" not in result.stderr
    assert site_files(site) == before
    assert imported.exit_code == 1
    assert imported.stderr.startswith("another hrdblog command is building, importing")
    assert run_cli("build", "--source", str(root)).exit_code == 0  # once it has ended


def test_two_builds_at_once_leave_a_whole_site(tmp_path: Path) -> None:
    root = synthetic_blog(tmp_path / "blog", posts=300)
    assert run_cli("build", "--source", str(root)).exit_code == 0
    (root / "content" / "2020" / "late.md").write_text(post("A late addition", "2020-01-01"))
    command = [sys.executable, "-m", "hrdblog", "build", "--no-cache", "--source", str(root)]
    builds = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [build.communicate(timeout=120)[1] for build in builds]
    codes = [build.returncode for build in builds]
    assert 0 in codes, errors
    for code, stderr in zip(codes, errors, strict=True):
        assert code == 0 or "another hrdblog command is building" in stderr, stderr
    site = root / "site"
    listed = (site / MANIFEST).read_text().splitlines()
    assert len(listed) > 1000
    for line in listed:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((site / name).read_bytes()).hexdigest() == digest, name
    assert not list(root.glob(".site.*"))


def test_a_read_only_site_is_replaced_and_every_message_says_so(tmp_path: Path) -> None:
    from test_folders import build as build_process

    root, site, _ = edited_blog(tmp_path)
    site.chmod(0o555)  # its files cannot be replaced, nor removed
    try:
        result = build_process(root)
    finally:
        for folder in (site, *root.glob(".site.*")):
            folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built 20 posts")
    assert "the new site is in place, but the previous one could not be removed" in result.stderr
    assert "unchanged" not in result.stderr + result.stdout
    assert b"Post 19, edited" in (site / "index.html").read_bytes()
    again = run_cli("build", "--source", str(root))  # removes what was left
    assert again.exit_code == 0
    assert not list(root.glob(".site.*"))


def test_a_site_that_cannot_be_replaced_is_left_as_it_was_and_the_message_says_so(
    tmp_path: Path,
) -> None:
    from test_folders import build as build_process

    root, site, before = edited_blog(tmp_path)
    root.chmod(0o555)  # nothing can be made beside the site
    (root / ".hrdblog-cache").chmod(0o777)
    try:
        result = build_process(root)
    finally:
        root.chmod(0o755)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].endswith(f"nothing was built, and {site}/ is unchanged")
    assert "Traceback" not in result.stderr
    assert site_files(site) == before


def test_a_link_put_in_the_site_is_never_written_through(tmp_path: Path) -> None:
    root, site, _ = edited_blog(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_text("Someone else's page.")
    day = site / "2017" / "01" / "20"
    shutil.rmtree(day)
    day.symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.stderr
    assert (elsewhere / "index.html").read_text() == "Someone else's page."
    assert sorted(p.name for p in elsewhere.iterdir()) == ["index.html"]
    assert not day.is_symlink()
    assert b"Post 19, edited" in (day / "post-19-edited" / "index.html").read_bytes()


def test_a_file_at_the_output_path_is_not_replaced(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    (root / "site").write_text("my notes")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"the output folder {root / 'site'} is a file")
    assert (root / "site").read_text() == "my notes"


def test_a_published_page_changed_in_place_keeping_its_size_and_time_is_rendered_again(
    tmp_path: Path,
) -> None:
    root, site, _ = edited_blog(tmp_path)
    build_site(root)
    page = site / "index.html"
    before, stat = page.read_bytes(), page.stat()
    page.write_bytes(before.replace(b"Post", b"DEFA", 1))
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run_cli("build", "--source", str(root)).exit_code == 0
    assert page.read_bytes() == before


# The publishing module on its own: publish.write and publish.update, given outputs.


def published_site(tmp_path: Path) -> tuple[Path, WorkFolders, dict[str, bytes]]:
    """Return a site written by `write` of fifteen files, its work folders and its files."""
    site = tmp_path / "site"
    work = WorkFolders(site, tmp_path / "work.json", Seal(b"k" * 32))
    outputs = [Output(f"{name}.html", name.encode() * 3, name) for name in ("a", "b", "c")]
    outputs += [Output(f"deep/{n}.txt", b"x", n) for n in "defghijklmno"]
    write(outputs, site, work)
    return site, work, site_files(site)


def left_beside(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site"))


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../outside.html", r"the page z cannot be published as '\.\./outside\.html'"),
        ("a.html", r"the page z would be written to a\.html, as would the page a"),
        (MANIFEST, r"the page z cannot be published as '\.hrdblog-manifest'"),
    ],
)
def test_write_refuses_a_path_before_writing_anything_there(
    tmp_path: Path, path: str, message: str
) -> None:
    site, work, before = published_site(tmp_path)
    outputs = [Output("a.html", b"new a", "the page a"), Output(path, b"z", "the page z")]
    with pytest.raises(HrdblogError, match=message):
        write(outputs, site, work)
    assert site_files(site) == before
    assert not (tmp_path / "outside.html").exists()
    assert left_beside(tmp_path) == []


def test_write_links_the_kept_files_in_and_lists_every_file_in_the_manifest(
    tmp_path: Path,
) -> None:
    site, work, before = published_site(tmp_path)
    inode = (site / "b.html").stat().st_ino
    sha = hashlib.sha256(before["b.html"]).hexdigest()
    publication = write([Output("a.html", b"new a", "a")], site, work, {"b.html": sha})
    listing = f"{hashlib.sha256(b'new a').hexdigest()}  a.html\n{sha}  b.html\n".encode()
    # The list is also published as SHA256SUMS, which every host serves.
    assert site_files(site) == {
        "a.html": b"new a",
        "b.html": before["b.html"],
        MANIFEST: listing,
        "SHA256SUMS": listing,
    }
    assert (site / "b.html").stat().st_ino == inode  # linked, not copied
    assert publication.checksums["b.html"] == sha and set(publication.stats) == {
        "a.html",
        "b.html",
        MANIFEST,
        "SHA256SUMS",
    }


def test_write_writes_many_files_each_whole(tmp_path: Path) -> None:
    """More files than wait for the threads that write them, in folders many share."""
    site, work, _ = published_site(tmp_path)
    outputs = [
        Output(f"{n % 7}/{n}/index.html", f"page {n} ".encode() * n, str(n)) for n in range(500)
    ]
    write(outputs, site, work)
    files = site_files(site)
    assert {path: files[path] for path in files if path not in MANIFESTS} == {
        output.path: output.content for output in outputs
    }
    assert [t.name for t in threading.enumerate() if t.name.startswith("hrdblog-write")] == []


@pytest.mark.parametrize("failing", ["a file", "a page"])
def test_a_write_that_fails_midway_stops_writing_and_leaves_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """The disk fills at the 150th file, or the 150th page cannot be rendered: the failure is
    the build's, no file is written after it, and nothing is left but the site as it was."""
    import hrdblog.publish

    site, work, before = published_site(tmp_path)
    real = hrdblog.publish._NewSite.put
    written = []

    def put(self: object, path: str, content: bytes) -> None:
        if failing == "a file" and path == "149.html":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(self, path, content)  # type: ignore[arg-type]
        written.append(path)

    def outputs() -> Iterator[Output]:
        for n in range(1000):
            if failing == "a page" and n == 149:
                raise ValueError("the page cannot be rendered")
            yield Output(f"{n}.html", b"x" * 1000, str(n))

    monkeypatch.setattr(hrdblog.publish._NewSite, "put", put)
    with pytest.raises(OutputError if failing == "a file" else ValueError):
        write(outputs(), site, work)
    done = len(written)
    time.sleep(0.2)
    # No writing goes on after the failure, and none begins beyond the files already handed
    # to the writers.
    assert len(written) == done <= 149 + hrdblog.publish.WRITING_AHEAD + hrdblog.publish.WRITERS
    assert [t.name for t in threading.enumerate() if t.name.startswith("hrdblog-write")] == []
    assert site_files(site) == before
    assert left_beside(tmp_path) == []


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="no signals to a thread here")
def test_ctrl_c_pressed_again_while_the_writers_finish_leaves_nothing_beside_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first Ctrl-C stops the pages, the second comes while the writers finish theirs:
    the build still stops only once no file is being written, and the new folder goes."""
    import hrdblog.publish

    site, work, before = published_site(tmp_path)
    real_put = hrdblog.publish._NewSite.put
    writing = []  # the files being written
    at_the_end = []

    def slow_put(self: object, path: str, content: bytes) -> None:
        writing.append(path)
        time.sleep(1.0 if path == "d0/0.html" else 0.01)  # one writer busy, the other not
        real_put(self, path, content)  # type: ignore[arg-type]
        writing.remove(path)

    def press_again() -> None:
        time.sleep(0.1)  # the build waits for its writers by now
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    def outputs() -> Iterator[Output]:
        for n in range(20):
            yield Output(f"d{n}/{n}.html", b"x" * 1000, str(n))
        threading.Thread(target=press_again).start()
        raise KeyboardInterrupt  # the first Ctrl-C

    def discard(self: object) -> None:
        at_the_end.append(list(writing))
        real_discard(self)

    real_discard = hrdblog.publish._NewSite.discard
    monkeypatch.setattr(hrdblog.publish._NewSite, "put", slow_put)
    monkeypatch.setattr(hrdblog.publish._NewSite, "discard", discard)
    with pytest.raises(KeyboardInterrupt):
        write(outputs(), site, work)
    assert at_the_end == [[]]  # no file was being written as the new folder went
    time.sleep(1.1)
    assert writing == []
    assert site_files(site) == before
    assert left_beside(tmp_path) == []


def test_update_changes_only_what_differs_and_deletes_what_is_gone(tmp_path: Path) -> None:
    site, work, before = published_site(tmp_path)
    published = {
        path: Written(hashlib.sha256(data).hexdigest(), Stat.of((site / path).stat()))
        for path, data in before.items()
    }
    kept = {p: w.sha256 for p, w in published.items() if p.startswith("deep/") and p != MANIFEST}
    inodes = {path: (site / path).stat().st_ino for path in before}
    outputs = [Output("a.html", b"aaa", "a"), Output("b.html", b"changed", "b")]
    publication = update(outputs, site, work, kept, published, survey(site))
    assert isinstance(publication, Publication)
    files = site_files(site)
    assert files["b.html"] == b"changed" and "c.html" not in files
    assert set(publication.stats) == {"b.html", *MANIFESTS}
    assert all((site / p).stat().st_ino == inodes[p] for p in ("a.html", *kept))
    assert files[MANIFEST].decode().count("\n") == len(files) - 2
    assert files["SHA256SUMS"] == files[MANIFEST]
    assert left_beside(tmp_path) == []


def test_update_declines_when_more_than_a_quarter_of_the_site_changes(tmp_path: Path) -> None:
    site, work, before = published_site(tmp_path)
    published = {
        path: Written(hashlib.sha256(data).hexdigest(), Stat.of((site / path).stat()))
        for path, data in before.items()
    }
    outputs = [Output("a.html", b"aaa", "a")]  # as it was: all else changes or goes
    outputs += [Output(f"{name}.html", b"new", name) for name in ("b", "c")]
    declined = update(outputs, site, work, {}, published, survey(site))
    assert isinstance(declined, NotInPlace)
    assert [o.path for o in declined.outputs] == ["b.html", "c.html"]
    assert declined.kept == {"a.html": published["a.html"].sha256}
    assert site_files(site) == before
    assert left_beside(tmp_path) == []


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="this system cannot fork"
)
def test_the_pages_of_a_new_site_are_rendered_by_forked_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The threads that write a new site's files start after the renderer has started its
    workers: forking is decided where no other thread runs."""
    import hrdblog.pool
    import hrdblog.render

    root = synthetic_blog(tmp_path / "blog", posts=40)
    monkeypatch.setattr(hrdblog.render, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(hrdblog.pool, "workers", lambda: 2)
    real = hrdblog.pool.can_fork
    answers = []
    monkeypatch.setattr(hrdblog.pool, "can_fork", lambda: answers.append(real()) or answers[-1])
    build(load_config(root), use_cache=False)
    assert answers == [True]


def test_a_build_that_fails_while_writing_leaves_no_worker_and_the_blog_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages rendered in forked workers while the write stage fails: the workers stop with
    the build, and the lock they inherited goes with them."""
    import multiprocessing

    import hrdblog.publish
    import hrdblog.render

    root = synthetic_blog(tmp_path / "blog", posts=40)
    monkeypatch.setattr(hrdblog.render, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(hrdblog.render, "RENDER_CHUNK", 2)
    real = hrdblog.publish._NewSite.put
    written = []

    def put(self: object, path: str, content: bytes) -> None:
        written.append(path)
        if len(written) == 30:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, path, content)  # type: ignore[arg-type]

    monkeypatch.setattr(hrdblog.publish._NewSite, "put", put)
    with pytest.raises(HrdblogError, match="No space left on device") as raised:
        build(load_config(root))
    assert raised.value is not None  # the error still held, as a caller may hold it
    assert multiprocessing.active_children() == []
    monkeypatch.undo()
    assert build(load_config(root)).posts == 40  # the blog is not locked


def test_a_file_put_in_the_site_by_hand_is_named_once_when_it_goes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The update in place cannot put a folder where the file is, and the site is written
    anew: the file is still named once."""
    root, site, _ = edited_blog(tmp_path)
    (site / "2017" / "01" / "21").write_text("put here by hand")
    (root / "content" / "p19.md").write_text(post("Post 19, moved", "2017-01-21"))
    with caplog.at_level(logging.WARNING):
        build_site(root)
    named = [m for m in caplog.messages if "2017/01/21: removed" in m]
    assert len(named) == 1, caplog.messages
    assert (site / "2017" / "01" / "21" / "post-19-moved" / "index.html").is_file()


def test_folders_nested_deeper_than_python_recurses_are_replaced(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01")})
    site = build_site(root)
    folder = os.fspath(site)
    for _ in range(1200):  # one at a time: Path.mkdir(parents=True) recurses too
        folder = os.path.join(folder, "d")
        os.mkdir(folder)
    Path(folder, "deep.txt").write_text("deep")
    try:
        for use_cache in (True, False):
            build(load_config(root), use_cache=use_cache)
            assert sorted(p.name for p in root.iterdir()) == [
                ".hrdblog-cache",
                ".hrdblog-key",
                "content",
                "site",
            ]
        assert not (site / "d").exists()
    finally:  # pytest's own removal of old temporary folders recurses
        for left in [site / "d", *root.glob(".site.*/d")]:
            if left.exists():
                remove_tree(left)


@pytest.mark.parametrize("folder", ["static", "root"])
def test_a_file_removed_from_static_or_root_goes_without_being_called_put_there_by_hand(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, folder: str
) -> None:
    """A build published it: the next one removes it, in place, and says nothing of hands."""
    root = make_site(
        tmp_path, {f"p{i}.md": post(f"Post {i}", f"2017-01-{i + 1:02}") for i in range(9)}
    )
    (root / folder).mkdir()
    (root / folder / "notice.txt").write_text("A notice.")
    site = build_site(root)
    published = site / ("static/notice.txt" if folder == "static" else "notice.txt")
    assert published.is_file()
    inode = site.stat().st_ino
    (root / folder / "notice.txt").unlink()
    with caplog.at_level(logging.WARNING):
        build_site(root)
    assert not published.exists() and site.stat().st_ino == inode
    assert not [m for m in caplog.messages if "by hand" in m], caplog.messages


def test_an_empty_folder_made_in_the_site_by_hand_is_named_and_removed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Even by a build with nothing else to do: the site is then what a clean build makes."""
    root = make_site(
        tmp_path, {f"p{i}.md": post(f"Post {i}", f"2017-01-{i + 1:02}") for i in range(5)}
    )
    site = build_site(root)
    (site / "emptied" / "inner").mkdir(parents=True)
    with caplog.at_level(logging.WARNING):
        build_site(root)
    assert not (site / "emptied").exists()
    assert [m for m in caplog.messages if "an empty folder" in m] == [
        f"{site.as_posix()}/emptied/inner/: removed: an empty folder, which no build makes"
    ]
    clean = tmp_path / "clean"
    build(load_config(root, output_dir=clean), use_cache=False)
    assert site_files(site) == site_files(clean)
