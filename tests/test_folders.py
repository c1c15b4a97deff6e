"""What a build finds on disk, in every folder it reads: links out of the folder, named pipes,
link loops, folders nested without end, files it may not read, names no address can hold.

Each is refused with a message naming the file, exit status 1 and no traceback; nothing is
published from outside the blog, no build waits for ever, and the site is left as it was.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_site, post, run_cli, site_files

SECRET = "Names of the sources, never to be published"


def blog(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """Return a blog with a post in a folder of its own, built once, and its site's files."""
    root = make_site(
        tmp_path / "blog",
        {
            "2017/a.md": post("A", "2017-01-01"),
            "2017/vigil/index.md": post("Vigil", "2017-01-02", "[the appeal](appeal.txt)"),
        },
        files={"content/2017/vigil/appeal.txt": "The appeal.", "static/note.txt": "Note."},
    )
    assert run_cli("build", "--source", str(root)).exit_code == 0
    return root, site_files(root / "site")


def build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Build in a process of its own, which must end within a minute (a named pipe read
    would make it wait for ever), and which obeys file permissions even as root."""
    return subprocess.run(
        [sys.executable, "-m", "hrdblog", "build", "--source", str(root), *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=without_override,
        check=False,
    )


def refused(result: subprocess.CompletedProcess[str], *messages: str) -> None:
    assert result.returncode == 1, result.stderr
    for message in messages:
        assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.mark.parametrize(
    "link",
    [
        "content/2017/vigil/notes.txt",  # a post's folder
        "static/notes.txt",
        "content/2017/notes.md",
        "templates/footer.html",
    ],
)
def test_a_link_that_leads_out_of_its_folder_is_refused(
    tmp_path: Path, secret: Path, link: str
) -> None:
    root, before = blog(tmp_path)
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(secret)
    result = build(root)
    refused(result, f"{link}: a symbolic link to {secret}, outside ")
    assert site_files(root / "site") == before
    assert SECRET not in result.stderr


def test_a_link_to_a_file_inside_its_folder_is_followed(tmp_path: Path) -> None:
    root, _ = blog(tmp_path)
    (root / "static" / "same-note.txt").symlink_to(root / "static" / "note.txt")
    assert build(root).returncode == 0
    assert (root / "site" / "static" / "same-note.txt").read_text() == "Note."


@pytest.mark.parametrize(
    "link", ["content/2017/vigil/all", "static/everything", "content/2017/more"]
)
def test_a_link_to_a_folder_is_refused(tmp_path: Path, link: str) -> None:
    root, before = blog(tmp_path)
    (root / link).symlink_to(tmp_path, target_is_directory=True)
    refused(build(root), f"{link}: a symbolic link to {tmp_path}, outside ")
    (root / link).unlink()
    (root / link).symlink_to((root / link).parent, target_is_directory=True)  # a loop, too
    refused(build(root), f"{link}: a symbolic link to a folder")
    assert site_files(root / "site") == before


@pytest.mark.parametrize("place", ["content/2017", "content/2017/vigil", "static"])
def test_a_link_that_loops_is_refused(tmp_path: Path, place: str) -> None:
    root, before = blog(tmp_path)
    (root / place / "loop.md").symlink_to(root / place / "loop.md")
    refused(build(root), f"{place}/loop.md: a symbolic link that leads back to itself (a loop)")
    assert site_files(root / "site") == before


@pytest.mark.parametrize(
    "pipe", ["content/2017/vigil/pipe.jpg", "static/pipe.css", "content/2017/pipe.md"]
)
def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path, pipe: str) -> None:
    root, before = blog(tmp_path)
    os.mkfifo(root / pipe)
    refused(build(root), f"{pipe}: this is a named pipe, not a file")
    assert site_files(root / "site") == before


def test_settings_that_are_a_named_pipe_are_refused_without_waiting(tmp_path: Path) -> None:
    root, before = blog(tmp_path)
    os.mkfifo(root / "hrdblog.yaml")
    refused(build(root), "hrdblog.yaml: this is a named pipe, not a file")
    assert site_files(root / "site") == before


@pytest.mark.parametrize("depth", [40, 1100])
def test_folders_nested_without_end_are_refused(tmp_path: Path, depth: int) -> None:
    root, before = blog(tmp_path)
    folder = root / "content"
    os.chdir(folder)  # the path of a folder 1,100 deep is longer than the system takes
    try:
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        Path("deep.md").write_text(post("Deep", "2017-01-03"))
    finally:
        os.chdir(tmp_path)
    deepest = "content/" + "d/" * 32 + "d"
    try:
        refused(build(root), f"{deepest}: folders are nested more than 32 deep here")
        assert site_files(root / "site") == before
    finally:
        remove_nested(folder / "d", depth)


def remove_nested(top: Path, depth: int) -> None:
    """Remove a chain of folders too deep for shutil.rmtree, from the bottom up."""
    os.chdir(top)
    for _ in range(depth - 1):
        os.chdir("d")
    Path("deep.md").unlink()
    for _ in range(depth - 1):
        os.chdir("..")
        os.rmdir("d")
    os.chdir(top.parent)
    top.rmdir()


@pytest.mark.parametrize(
    "name",
    [
        "content/2017/vigil/two\nlines.txt",
        "static/back\\slash.txt",
        "static/bell\a.txt",
    ],
)
def test_a_name_no_address_can_hold_is_refused_by_build_and_check(
    tmp_path: Path, name: str
) -> None:
    root, before = blog(tmp_path)
    (root / name).write_text("x")
    shown = name.rsplit("/", 1)[1]
    refused(build(root), f"the name {shown!r} holds a control character or a backslash")
    assert site_files(root / "site") == before
    checked = run_cli("check", "--source", str(root))
    assert checked.exit_code == 1
    assert f"the name {shown!r} holds a control character or a backslash" in checked.stderr


def without_override() -> None:
    """Leave the build process, if it runs as root, the permissions of files to obey: root
    reads every file unless it gives up the two capabilities that let it (Linux)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP: gone at the exec


@pytest.mark.parametrize(
    "unreadable", ["content/2017/a.md", "content/2017/vigil/appeal.txt", "static/note.txt"]
)
def test_a_file_that_cannot_be_read_is_an_error_naming_it(tmp_path: Path, unreadable: str) -> None:
    root, before = blog(tmp_path)
    (root / unreadable).chmod(0)
    result = build(root)
    refused(result, f"{unreadable}: cannot be read: Permission denied")
    assert site_files(root / "site") == before


def test_a_folder_that_cannot_be_read_is_an_error_naming_it(tmp_path: Path) -> None:
    root, before = blog(tmp_path)
    (root / "content" / "2017" / "vigil").chmod(0)
    result = build(root)
    (root / "content" / "2017" / "vigil").chmod(0o755)
    refused(result, "content/2017/vigil: cannot be read: Permission denied")
    assert site_files(root / "site") == before


@pytest.mark.parametrize("folder", ["static", "root", "templates", "content"])
def test_a_folder_of_the_blog_that_is_a_link_out_of_it_is_refused(
    tmp_path: Path, secret: Path, folder: str
) -> None:
    root, before = blog(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(secret, outside / "id_rsa")
    if (root / folder).exists():
        shutil.move(root / folder, tmp_path / "moved")
    (root / folder).symlink_to(outside, target_is_directory=True)
    result = build(root)
    if folder == "content":  # a blog whose posts are all elsewhere: nothing to publish
        refused(result, f"{folder}: a symbolic link to {outside}, outside ")
    else:
        refused(result, f"{folder}: a symbolic link to {outside}, outside ")
    assert SECRET not in result.stderr
    assert site_files(root / "site") == before


def test_a_folder_where_a_file_belongs_is_an_error_naming_it(tmp_path: Path) -> None:
    root, before = blog(tmp_path)
    (root / "hrdblog.yaml").mkdir()
    refused(build(root), "hrdblog.yaml: this is a folder, not a file")
    assert site_files(root / "site") == before


def test_a_site_whose_manifest_is_a_folder_is_replaced_when_told(tmp_path: Path) -> None:
    root, _ = blog(tmp_path)
    (root / "site" / ".hrdblog-manifest").unlink()
    (root / "site" / ".hrdblog-manifest").mkdir()
    refused(build(root), "holds files that hrdblog did not write")
    forced = build(root, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (root / "site" / ".hrdblog-manifest").is_file()
