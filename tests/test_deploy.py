"""`hrdblog deploy`: the site goes to a folder, to a real SSH server started here on
127.0.0.1, and to a git branch of a repository on this machine; only what changed is sent,
a folder or branch holding other files is refused, a failed target leaves the others
deployed and the command failing. Nothing leaves the machine."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import make_site, need, post, run_cli, site_files

from hrdblog.config import DeployTarget

POSTS = {
    "oman.md": post("Coalition formed in Oman", "2017-11-04", "Text.", tags=["coalition"]),
    "geneva.md": post("Report to the Council", "2017-09-20", "The report."),
    "pages/about.md": "---\ntitle: About us\n---\nWho we are.\n",
}
SETTINGS = {"base_url": "https://defenders.example.org/", "title": "Defenders"}
SSHD = Path("/usr/sbin/sshd")


def blog_with(tmp_path: Path, deploy: object) -> Path:
    return make_site(tmp_path / "blog", POSTS, {**SETTINGS, "deploy": deploy})


def deployed(blog: Path, *names: str, code: int = 0) -> str:
    args = [arg for name in names for arg in ("--to", name)]
    result = run_cli("deploy", "--source", str(blog), *args)
    assert result.exit_code == code, result.output
    return result.output


def tree(folder: Path) -> dict[str, bytes]:
    return {path: data for path, data in site_files(folder).items() if ".~tmp~" not in path}


def changes(before: dict[str, bytes], after: dict[str, bytes]) -> str:
    """Return what a deploy says it sent, going from one site to the other."""
    sent = sum(1 for path, data in after.items() if before.get(path) != data)
    removed = len(set(before) - set(after))
    return f"{sent} files sent" + (f", {removed} removed" if removed else "")


def need_rsync() -> None:
    need(shutil.which("rsync"), "rsync is not installed (Debian: apt install rsync)")


# -- settings ------------------------------------------------------------------------------


def test_targets_are_read_from_the_settings(tmp_path: Path) -> None:
    from hrdblog.config import load_config

    blog = blog_with(
        tmp_path,
        [
            {"folder": "../mirror"},
            {"rsync": "editor@example.org:/var/www/blog", "port": 2222, "name": "server"},
            {"git": "git@codeberg.org:ngo/blog.git"},
        ],
    )
    assert load_config(blog).deploy == (
        DeployTarget("folder", "folder", "../mirror"),
        DeployTarget("server", "rsync", "editor@example.org:/var/www/blog", port=2222),
        DeployTarget("git", "git", "git@codeberg.org:ngo/blog.git", branch="pages"),
    )


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ({"rsync": "example.org::module"}, "has 'example.org::module', which is not an address"),
        ({"rsync": "rsync://example.org/x"}, "which is not an address over SSH"),
        ({"rsync": "https://example.org/x"}, "which is not an address over SSH"),
        ({"rsync": "/var/www"}, "which is not an address over SSH"),
        ({"rsync": "a@-Fevil.conf:/x"}, "which is not an address over SSH"),
        ({"rsync": "C:/Users/x"}, "which is a folder of this computer, not an address over SSH"),
        ({"rsync": "host:/www/*"}, "whose folder has a wildcard (* ? or [) the server would"),
        ({"folder": "-rf"}, "has '-rf', which is not a place to deploy to"),
        ({"folder": None}, "has folder: with nothing after it"),
        ({"git": "ext::sh -c touch% x"}, "names a program for git to run, not a repository"),
        ({"folder": "/srv", "port": 22}, "has 'port' in its folder entry, which takes only name"),
        ({"rsync": "h1:/x", "port": 70000}, "has the port 70000: a port is a number up to 65535"),
        ({"git": "x.git", "branch": "a..b"}, "has the branch 'a..b', which is not a branch name"),
        ({"git": "x.git", "branch": "pages.lock"}, "a part may not start with . or end in .lock"),
        ({"git": "x.git", "branch": "refs/heads/x"}, "which git takes for something other than"),
        ({"git": "x.git", "branch": "HEAD"}, "which git takes for something other than a branch"),
        ({"folder": "a", "git": "b"}, "has an entry that is not one place: each entry starts"),
        ("/srv/www", "has an entry that is not one place: each entry starts with folder:"),
        ([{"folder": "a"}, {"folder": "b"}], "has two targets named 'folder'"),
    ],
)
def test_a_wrong_target_is_named_with_its_line(tmp_path: Path, entry: object, said: str) -> None:
    blog = blog_with(tmp_path, entry)
    lines = yaml.safe_dump({**SETTINGS, "deploy": entry}).splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("deploy:"))
    result = run_cli("build", "--source", str(blog))
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"hrdblog.yaml:{line}: 'deploy' ") and said in first, first
    assert not (blog / "site").exists()


def test_changing_the_targets_rebuilds_nothing(tmp_path: Path) -> None:
    blog = blog_with(tmp_path, {"folder": "../one"})
    run_cli("build", "--source", str(blog))
    (blog / "hrdblog.yaml").write_text(
        yaml.safe_dump({**SETTINGS, "deploy": {"folder": "../two"}}), encoding="utf-8"
    )
    assert run_cli("build", "--source", str(blog)).output.startswith("Nothing changed")


def test_without_targets_the_error_says_how_to_list_them(tmp_path: Path) -> None:
    blog = make_site(tmp_path / "blog", POSTS, SETTINGS)
    output = deployed(blog, code=1)
    assert output.startswith("hrdblog.yaml lists no place to deploy to\n  hint: list them")
    assert "    - rsync: editor@example.org:/var/www/blog\n" in output


def test_an_unknown_target_name_is_refused_with_the_close_one(tmp_path: Path) -> None:
    blog = blog_with(tmp_path, [{"folder": "../mirror", "name": "mirror"}])
    output = deployed(blog, "miror", code=1)
    assert output.startswith("no deploy target is named 'miror'\n  hint: did you mean 'mirror'?")
    assert not (tmp_path / "mirror").exists()


# -- folders -------------------------------------------------------------------------------


def test_a_folder_gets_the_site_then_only_what_changed(tmp_path: Path) -> None:
    need_rsync()
    blog = blog_with(tmp_path, {"folder": "../mirror"})
    mirror = tmp_path / "mirror"
    first = deployed(blog)
    site = tree(blog / "site")
    assert f"Deployed to folder (../mirror): {len(site)} files sent\n" in first
    assert tree(mirror) == site
    assert (mirror / "SHA256SUMS").is_file()

    assert deployed(blog).endswith("Deployed to folder (../mirror): up to date, nothing sent\n")
    about = (mirror / "about" / "index.html").stat()
    (blog / "content" / "geneva.md").unlink()
    output = deployed(blog)
    assert f"Deployed to folder (../mirror): {changes(site, tree(blog / 'site'))}\n" in output
    assert "removed" in output
    assert tree(mirror) == tree(blog / "site")
    # What did not change was not sent: the same file, untouched.
    assert (mirror / "about" / "index.html").stat().st_ino == about.st_ino
    assert (mirror / "about" / "index.html").stat().st_mtime_ns == about.st_mtime_ns


def test_a_folder_holding_other_files_is_refused_and_kept(tmp_path: Path) -> None:
    need_rsync()
    blog = blog_with(tmp_path, {"folder": "../documents", "name": "usb"})
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "testimony.odt").write_bytes(b"the only copy")
    (documents / "index.html").write_bytes(b"<h1>A page written by hand</h1>")
    output = deployed(blog, code=1)
    assert (
        "usb (../documents): the folder is not empty, and no deploy of this site filled it: "
        "it holds 2 files or folders (index.html, testimony.odt), which deploying would "
        "replace or remove\n  hint: deploy into an empty folder, or a new one inside it" in output
    )
    assert (documents / "testimony.odt").read_bytes() == b"the only copy"
    assert (documents / "index.html").read_bytes() == b"<h1>A page written by hand</h1>"
    assert sorted(path.name for path in documents.iterdir()) == ["index.html", "testimony.odt"]


def test_files_added_to_a_deployed_folder_are_never_removed(tmp_path: Path) -> None:
    need_rsync()
    blog = blog_with(tmp_path, {"folder": "../mirror"})
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    mirror.chmod(0o2770)  # a folder shared by a group: its own mode stays as it is
    deployed(blog)
    (mirror / "notes.txt").write_text("the editor's notes")
    (mirror / ".well-known" / "acme-challenge").mkdir(parents=True)
    (mirror / ".well-known" / "acme-challenge" / "token").write_text("renewal")
    (blog / "content" / "geneva.md").unlink()
    output = deployed(blog, code=1)
    assert (
        "folder (../mirror): the folder holds 2 files or folders (.well-known/acme-challenge/"
        "token, notes.txt), which no deploy of this site put there and deploying would remove\n"
        "  hint: move them out of the folder, or into the blog's root/ folder" in output
    )
    assert (mirror / "notes.txt").read_text() == "the editor's notes"
    (mirror / "notes.txt").unlink()
    shutil.rmtree(mirror / ".well-known")
    assert "removed" in deployed(blog)  # the pages of the post taken out, and only they
    assert tree(mirror) == tree(blog / "site")
    assert oct(mirror.stat().st_mode & 0o7777) == "0o2770"


def test_a_folder_of_the_blog_is_refused(tmp_path: Path) -> None:
    blog = blog_with(tmp_path, [{"folder": "content/copy", "name": "inside"}, {"folder": ".."}])
    output = deployed(blog, code=1)
    assert "inside (content/copy): content/copy is inside content/, which builds read" in output
    assert "folder (..): .. holds content/, which deploying there would remove\n" in output
    assert not (blog / "content" / "copy").exists()


def test_a_failed_target_leaves_the_others_deployed_and_fails(tmp_path: Path) -> None:
    need_rsync()
    blog = blog_with(
        tmp_path,
        [
            {"folder": "../no/such/folder", "name": "broken"},
            {"folder": "../mirror", "name": "mirror"},
        ],
    )
    result = run_cli("deploy", "--source", str(blog))
    assert result.exit_code == 1
    assert "Deployed to mirror (../mirror): " in result.stdout
    assert result.stderr.startswith("broken (../no/such/folder): rsync failed: ")
    assert "hint: make the folder that is to hold it first" in result.stderr
    assert result.stderr.endswith(
        "error: 1 error; every target not reported deployed above was left as it was\n"
    )
    assert tree(tmp_path / "mirror") == tree(blog / "site")


def test_a_build_that_fails_sends_nothing(tmp_path: Path) -> None:
    blog = blog_with(tmp_path, {"folder": "../mirror"})
    (blog / "content" / "bad.md").write_text("---\ntitle: x\ndate: 2017-13-45\n---\n")
    result = run_cli("deploy", "--source", str(blog))
    assert result.exit_code == 1
    assert "content/bad.md:3: " in result.stderr
    assert not (tmp_path / "mirror").exists()


def test_drafts_a_preview_built_never_go_out(tmp_path: Path) -> None:
    need_rsync()
    blog = blog_with(tmp_path, {"folder": "../mirror"})
    (blog / "content" / "secret.md").write_text(post("Witness list", "2017-10-01", draft=True))
    run_cli("build", "--drafts", "--source", str(blog))
    assert any("witness" in path for path in tree(blog / "site"))
    deployed(blog)
    assert not any("witness" in path for path in tree(tmp_path / "mirror"))


# -- rsync over SSH, to a server started here ----------------------------------------------


@dataclass(frozen=True)
class Server:
    """An SSH server on 127.0.0.1 that lets this user in with `key`."""

    port: int
    key: Path
    known_hosts: Path

    def ssh(self, known_hosts: Path | None = None) -> str:
        """Return the SSH command that reaches it, as RSYNC_RSH and GIT_SSH_COMMAND give it."""
        known = known_hosts or self.known_hosts
        return (
            f"ssh -F /dev/null -i {self.key} -o IdentitiesOnly=yes "
            f"-o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need(SSHD.exists() and shutil.which("ssh-keygen"), "sshd is not installed (openssh-server)")
    need_rsync()
    need(Path("/run/sshd").is_dir(), "sshd needs the folder /run/sshd (mkdir /run/sshd)")
    folder = tmp_path_factory.mktemp("sshd")
    for name in ("host", "user"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True
        )
    (folder / "authorized_keys").write_bytes((folder / "user.pub").read_bytes())
    port = _free_port()
    host_key = (folder / "host.pub").read_text().split()
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    (folder / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {folder / 'host'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
        f"AllowUsers {getpass.getuser()}\nStrictModes no\nUsePAM no\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PermitRootLogin prohibit-password\n"
    )
    with open(folder / "sshd.log", "wb") as log:
        process = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(folder / "sshd_config")],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"sshd did not start: {(folder / 'sshd.log').read_text()}")
                    time.sleep(0.1)
            yield Server(port, folder / "user", folder / "known_hosts")
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_rsync_over_ssh_sends_the_site_then_only_what_changed(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSYNC_RSH", server.ssh())
    www = tmp_path / "www"
    address = f"{getpass.getuser()}@127.0.0.1:{www}"
    blog = blog_with(tmp_path, {"rsync": address, "port": server.port, "name": "server"})
    output = deployed(blog)
    site = tree(blog / "site")
    assert f"Deployed to server ({address}): {len(site)} files sent\n" in output
    assert tree(www) == site
    assert oct((www / "index.html").stat().st_mode & 0o777) == "0o644"
    about = (www / "about" / "index.html").stat()

    (blog / "content" / "oman.md").write_text(
        post("Coalition formed in Oman", "2017-11-04", "Text, corrected.", tags=["coalition"])
    )
    output = deployed(blog)
    assert f"Deployed to server ({address}): {changes(site, tree(blog / 'site'))}\n" in output
    assert (www / "about" / "index.html").stat().st_ino == about.st_ino  # not sent again
    assert tree(www) == tree(blog / "site")


def test_an_unknown_server_key_is_refused(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "known_hosts").write_text("")
    monkeypatch.setenv("RSYNC_RSH", server.ssh(tmp_path / "known_hosts"))
    www = tmp_path / "www"
    blog = blog_with(
        tmp_path, {"rsync": f"{getpass.getuser()}@127.0.0.1:{www}", "port": server.port}
    )
    result = run_cli("deploy", "--source", str(blog))
    assert result.exit_code == 1
    assert "rsync failed: " in result.stderr
    assert "Host key verification failed" in result.stderr
    assert "hint: the server's key is not known on this computer yet: connect once" in result.stderr
    assert not www.exists()


def test_a_server_that_refuses_the_key_fails_without_asking(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")])
    other = Server(server.port, tmp_path / "k", server.known_hosts)
    monkeypatch.setenv("RSYNC_RSH", other.ssh())
    blog = blog_with(
        tmp_path, {"rsync": f"{getpass.getuser()}@127.0.0.1:{tmp_path}/w", "port": server.port}
    )
    result = subprocess.run(
        ["hrdblog", "deploy", "--source", str(blog)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        env=os.environ,
    )
    assert result.returncode == 1
    assert "Permission denied" in result.stderr
    assert "hint: the server refused the key" in result.stderr


# -- git branches --------------------------------------------------------------------------


def git(repository: Path, *arguments: str) -> str:
    command = ["git", f"--git-dir={repository}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def bare(path: Path) -> Path:
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


def test_a_git_branch_gets_one_commit_of_the_site_each_time_it_changed(tmp_path: Path) -> None:
    repository = bare(tmp_path / "pages.git")
    blog = blog_with(tmp_path, {"git": "../pages.git", "name": "codeberg"})
    output = deployed(blog)
    site = tree(blog / "site")
    assert f"Deployed to codeberg (../pages.git pages): {len(site) + 1} files sent\n" in output
    files = git(repository, "ls-tree", "-r", "--name-only", "pages").split()
    assert sorted(files) == sorted([*site, ".nojekyll"])  # Jekyll would hide _headers
    assert git(repository, "show", "pages:about/index.html").encode() == site["about/index.html"]
    who = git(repository, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "pages").strip()
    assert who == "Defenders <deploy@hrdblog.invalid>|Defenders <deploy@hrdblog.invalid>"

    first = git(repository, "rev-parse", "pages").strip()
    assert deployed(blog).endswith("up to date, nothing sent\n")
    assert git(repository, "rev-parse", "pages").strip() == first

    (blog / "content" / "geneva.md").unlink()
    output = deployed(blog)
    gone = set(site) - set(tree(blog / "site"))
    assert f", {len(gone)} removed\n" in output
    assert git(repository, "rev-parse", "pages~1").strip() == first
    files = git(repository, "ls-tree", "-r", "--name-only", "pages").split()
    assert sorted(files) == sorted([*tree(blog / "site"), ".nojekyll"])


def test_a_branch_holding_other_files_is_refused(tmp_path: Path) -> None:
    repository = bare(tmp_path / "project.git")
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "--quiet", str(repository), str(work)], check=True)
    (work / "thesis.md").write_text("Years of work.\n")
    for command in (
        ["add", "thesis.md"],
        ["-c", "user.name=A", "-c", "user.email=a@b", "commit", "--quiet", "-m", "x"],
        ["push", "--quiet", "origin", "HEAD:refs/heads/main"],
    ):
        subprocess.run(["git", "-C", str(work), *command], check=True)
    before = git(repository, "rev-parse", "main")
    blog = blog_with(tmp_path, {"git": "../project.git", "branch": "main"})
    output = deployed(blog, code=1)
    assert "git (../project.git main): the branch main holds files that are not a site" in output
    assert "hint: name a branch of its own for the site, e.g. branch: pages" in output
    assert git(repository, "rev-parse", "main") == before


def test_a_git_branch_over_ssh(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_SSH_COMMAND", server.ssh())
    repository = bare(tmp_path / "pages.git")
    url = f"ssh://{getpass.getuser()}@127.0.0.1:{server.port}{repository}"
    blog = blog_with(tmp_path, {"git": url, "branch": "gh-pages"})
    assert "Deployed to git (" in deployed(blog)
    files = git(repository, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert "index.html" in files and ".hrdblog-manifest" in files


def test_the_cache_of_a_branch_is_never_trusted(tmp_path: Path) -> None:
    repository = bare(tmp_path / "pages.git")
    blog = blog_with(tmp_path, {"git": "../pages.git"})
    deployed(blog)
    cache = blog / ".hrdblog-cache" / "deploy" / "git.git"
    # Settings that would have git run a program, and a damaged store of objects.
    (cache / "config").write_text(
        f"[core]\n\tbare = true\n\tfsmonitor = touch {tmp_path / 'ran'}\n"
        f"\tsshCommand = touch {tmp_path / 'ran'}\n"
    )
    for packed in (cache / "objects").rglob("*"):
        if packed.is_file():
            packed.write_bytes(b"damaged")
    (blog / "content" / "geneva.md").unlink()
    assert ", " in deployed(blog).splitlines()[-1]  # sent, and removed
    assert not (tmp_path / "ran").exists()
    files = git(repository, "ls-tree", "-r", "--name-only", "pages").split()
    assert sorted(files) == sorted([*tree(blog / "site"), ".nojekyll"])
    git(repository, "fsck", "--strict")

    shutil.rmtree(cache)
    cache.write_text("not a repository")
    assert deployed(blog).endswith("up to date, nothing sent\n")


def test_a_branch_keeps_what_the_site_publishes_and_refuses_what_it_does_not(
    tmp_path: Path,
) -> None:
    repository = bare(tmp_path / "pages.git")
    blog = blog_with(tmp_path, {"git": "../pages.git"})
    deployed(blog)
    # A host's settings page commits a CNAME to the branch.
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", "-b", "pages", str(repository), str(work)], check=True)
    (work / "CNAME").write_text("defenders.example.org\n")
    for command in (
        ["add", "CNAME"],
        ["-c", "user.name=A", "-c", "user.email=a@b", "commit", "-q", "-m", "Custom domain"],
        ["push", "-q", "origin", "pages"],
    ):
        subprocess.run(["git", "-C", str(work), *command], check=True)
    output = deployed(blog, code=1)
    assert (
        "git (../pages.git pages): the branch pages holds 1 file or folder (CNAME), which no "
        "deploy of this site put there and deploying would remove\n  hint: put them in the "
        "blog's root/ folder" in output
    )
    (blog / "root").mkdir()
    (blog / "root" / "CNAME").write_text("defenders.example.org\n")
    assert "Deployed to git (../pages.git pages): " in deployed(blog)
    assert git(repository, "show", "pages:CNAME") == "defenders.example.org\n"


def test_a_branch_gets_the_whole_site_whatever_folder_deploy_runs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = bare(tmp_path / "pages.git")
    blog = blog_with(tmp_path, {"git": str(repository)})
    run_cli("build", "--source", str(blog))
    monkeypatch.chdir(blog / "site" / "about")
    deployed(blog)
    files = git(repository, "ls-tree", "-r", "--name-only", "pages").split()
    assert sorted(files) == sorted([*tree(blog / "site"), ".nojekyll"])


def test_a_target_that_cannot_be_used_leaves_the_others_deployed(tmp_path: Path) -> None:
    need_rsync()
    blog = blog_with(
        tmp_path,
        [
            {"folder": "~no-such-user-here/blog", "name": "nowhere"},
            {"git": "~no-such-user-here/blog.git", "name": "nogit"},
            {"folder": "../mirror", "name": "mirror"},
        ],
    )
    result = run_cli("deploy", "--source", str(blog))
    assert result.exit_code == 1
    assert "Deployed to mirror (../mirror): " in result.stdout
    assert result.stderr.startswith(
        "nowhere (~no-such-user-here/blog): ~no-such-user-here/blog names the home folder of "
        "no user of this computer\n"
    )
    assert "\nnogit (~no-such-user-here/blog.git pages): ~no-such-user-here/" in result.stderr
    assert result.stderr.endswith(
        "error: 2 errors; every target not reported deployed above was left as it was\n"
    )


def test_the_author_s_own_ssh_command_for_git_is_kept(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shell syntax, as git runs it: a variable, quotes.
    monkeypatch.setenv("DEPLOY_KEY", str(server.key))
    monkeypatch.setenv("GIT_SSH_COMMAND", server.ssh().replace(str(server.key), '"$DEPLOY_KEY"'))
    repository = bare(tmp_path / "pages.git")
    url = f"ssh://{getpass.getuser()}@127.0.0.1:{server.port}{repository}"
    blog = blog_with(tmp_path, {"git": url})
    assert "Deployed to git (" in deployed(blog)


def test_nothing_asks_for_a_passphrase_even_through_a_jump_host(
    tmp_path: Path, server: Server
) -> None:
    need(shutil.which("script"), "script (util-linux) is not installed")
    locked = tmp_path / "locked"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "a passphrase", "-f", str(locked)])
    authorized = server.key.parent / "authorized_keys"
    authorized.write_text(authorized.read_text() + (tmp_path / "locked.pub").read_text())
    common = f"HostName 127.0.0.1\n  Port {server.port}\n  User {getpass.getuser()}\n"
    common += f"  UserKnownHostsFile {server.known_hosts}\n  IdentitiesOnly yes\n"
    (tmp_path / "ssh_config").write_text(
        f"Host jump\n  {common}  IdentityFile {locked}\n"
        f"Host target\n  {common}  IdentityFile {server.key}\n  ProxyJump jump\n"
    )
    blog = blog_with(tmp_path, {"rsync": f"target:{tmp_path / 'www'}"})
    command = f"hrdblog deploy --source {blog}"
    environment = {**os.environ, "RSYNC_RSH": f"ssh -F {tmp_path / 'ssh_config'}"}
    started = time.monotonic()
    # In a terminal of its own, where a passphrase could be asked for, and waited for.
    result = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=environment,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout
    assert "passphrase" not in result.stdout.lower()
    assert "rsync failed: " in result.stdout
    assert time.monotonic() - started < 100
    assert not (tmp_path / "www").exists()
