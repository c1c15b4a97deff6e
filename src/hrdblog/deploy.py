"""`hrdblog deploy`: build the site, then publish it to the targets hrdblog.yaml lists.

Three kinds of target (`DeployTarget`): a folder (a local mirror, a mounted share), a folder
on a server reached over SSH (`rsync`), and a branch of a git repository (`git`), which
GitHub and Codeberg Pages publish. Each is sent only what changed, and updated so that its
readers never see half a site: rsync puts every changed file in place at the end of the
transfer (`--delay-updates`, then `--delete-delay`), a git host publishes one commit at a
time. A target that holds files not from this site is refused, not emptied. The lock of the
blog is held from the build to the last target, so that no other build (one with drafts, say)
changes the site while it goes out. A failed target is reported and the others still go out;
the command then fails.

Nothing asks for a password: SSH runs in batch mode (keys or an agent only) and git never
prompts, so that a deploy never waits for an answer. A server whose key is not known yet is
refused by SSH itself, as it should be; the hint says how to accept it once.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hrdblog.build import build
from hrdblog.config import DeployTarget, SiteConfig
from hrdblog.errors import ErrorList, HrdblogError, OutputError, count, suggest
from hrdblog.lock import CACHE_DIR, blog_lock
from hrdblog.urls import MANIFEST

logger = logging.getLogger(__name__)

#: The cache folder of the git targets' repositories, one per target.
DEPLOY_CACHE = "deploy"
#: How long, in seconds, a connection may take to open, and a transfer may stall.
CONNECT_TIMEOUT = 30
STALL_TIMEOUT = 120
#: Who a git target's commits are by, besides the site's name: no one's own address.
COMMIT_EMAIL = "deploy@hrdblog.invalid"
_HINT_EXAMPLE = (
    "list them in hrdblog.yaml, e.g.\n"
    "  deploy:\n"
    "    - rsync: editor@example.org:/var/www/blog\n"
    "    - git: git@codeberg.org:ngo/blog.git\n"
    "      branch: pages"
)


@dataclass(frozen=True)
class Deployed:
    """What one target was sent."""

    target: DeployTarget
    sent: int  # files new or changed
    removed: int  # files no longer in the site

    def summary(self) -> str:
        """Return the line a deploy reports for the target."""
        if not self.sent and not self.removed:
            return f"Deployed to {self.target.shown}: up to date, nothing sent"
        removed = f", {self.removed} removed" if self.removed else ""
        return f"Deployed to {self.target.shown}: {count(self.sent, 'file')} sent{removed}"


def deploy(
    config: SiteConfig, names: Sequence[str] = (), report: Callable[[str], None] = logger.info
) -> list[Deployed]:
    """Build the site, then publish it to the targets named (all, if none is), each line of
    what was done given to `report`; raise the failed targets' errors together at the end."""
    targets = chosen_targets(config, names)
    errors: list[HrdblogError] = []
    done: list[Deployed] = []
    with blog_lock(config.source):
        report(build(config).summary())
        for target in targets:
            try:
                deployed = _SENDERS[target.kind](config, target)
            except HrdblogError as exc:
                errors.append(OutputError(f"{target.shown}: {exc.message}", exc.hint))
                continue
            except OSError as exc:  # in the blog's cache: the git targets' repositories
                errors.append(OutputError(f"{target.shown}: {exc}", "deploy again"))
                continue
            done.append(deployed)
            report(deployed.summary())
    if errors:
        raise ErrorList(errors)
    return done


def chosen_targets(config: SiteConfig, names: Sequence[str]) -> tuple[DeployTarget, ...]:
    """Return the targets named, or all of them; refuse a name hrdblog.yaml does not list."""
    if not config.deploy:
        raise OutputError("hrdblog.yaml lists no place to deploy to", _HINT_EXAMPLE)
    known = {target.name: target for target in config.deploy}
    for name in names:
        if name not in known:
            close = suggest(name, known)
            raise OutputError(
                f"no deploy target is named {name!r}",
                f"did you mean {close!r}?" if close else "the targets are " + ", ".join(known),
            )
    return tuple(known[name] for name in dict.fromkeys(names)) or config.deploy


# -- folders, and folders over SSH: rsync --------------------------------------------------

_ITEM = re.compile(r"^(?P<change>\S+) (?P<path>.+)$")


def _rsync(config: SiteConfig, target: DeployTarget) -> Deployed:
    program = _program("rsync")
    if target.kind == "folder":
        destination = _folder(config, target.to)
        remote: list[str] = []
    else:
        destination = target.to
        shell = shlex.split(os.environ.get("RSYNC_RSH") or "ssh")
        remote = ["--rsh", shlex.join([*shell, *_ssh_options(target.port)])]
    options = [
        "--recursive",
        "--links",
        "--times",
        "--perms",
        "--chmod=D755,F644",  # readable by the web server, whatever the folder's own mode
        "--checksum",  # a rebuilt file that did not change is not sent
        "--delete-delay",
        "--delay-updates",
        f"--timeout={STALL_TIMEOUT}",
        "--out-format=%i %n",
        *remote,
        "--",
        str(config.output_dir.resolve()) + "/",
        destination.rstrip("/") + "/",
    ]
    planned = _items(_run([program, "--dry-run", *options], "rsync"))
    new_list = any(path == MANIFEST and change.endswith("+++++++++") for change, path in planned)
    foreign = [path for change, path in planned if change == "*deleting"]
    if new_list and foreign:
        shown = ", ".join(sorted(foreign)[:3]) + (", …" if len(foreign) > 3 else "")
        raise OutputError(
            f"the folder holds {count(len(foreign), 'file')} not from this site ({shown}), "
            "which deploying would remove",
            "deploy into an empty folder, or into one a deploy of this site made",
        )
    items = _items(_run([program, *options], "rsync"))
    sent = sum(1 for change, _ in items if change[:2] in ("<f", ">f"))
    removed = sum(1 for change, path in items if change == "*deleting" and not path.endswith("/"))
    return Deployed(target, sent, removed)


def _folder(config: SiteConfig, to: str) -> str:
    """Return the folder a folder target names, from the blog's folder; refuse one that a
    build reads or writes, or that holds them."""
    folder = (config.source / Path(to).expanduser()).resolve()
    guarded = (*config.input_dirs, config.output_dir, config.source / CACHE_DIR)
    for kept in guarded:
        shown = config.display_path(kept).rstrip("/") + "/"
        kept = kept.resolve()
        if folder.is_relative_to(kept):
            raise OutputError(
                f"{to} is inside {shown}, which builds read or write",
                "deploy to a folder outside the blog's",
            )
        if kept.is_relative_to(folder):
            raise OutputError(
                f"{to} holds {shown}, which deploying there would remove",
                "deploy to a folder outside the blog's",
            )
    return str(folder)


def _items(output: str) -> list[tuple[str, str]]:
    return [
        (match["change"], match["path"].strip())
        for match in map(_ITEM.match, output.splitlines())
        if match is not None
    ]


def _ssh_options(port: int = 0) -> list[str]:
    options = [
        "-o",
        "BatchMode=yes",  # never a password prompt: keys or an agent
        "-o",
        f"ConnectTimeout={CONNECT_TIMEOUT}",
        "-o",
        "ServerAliveInterval=15",
        "-o",
        "ServerAliveCountMax=4",
    ]
    return [*options, "-p", str(port)] if port else options


# -- git branches --------------------------------------------------------------------------


#: The settings of a git target's repository in the cache, written before every use: what
#: the cache held before tells git nothing (no program to run, no other place to look).
_CACHE_SETTINGS = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n"


class _UnusableCache(OutputError):
    """A git command failed once the repository was reached: the cache's repository may be
    damaged, or the branch may have changed meanwhile; either is worth one more try."""


def _git(config: SiteConfig, target: DeployTarget) -> Deployed:
    repository = config.source / CACHE_DIR / DEPLOY_CACHE / f"{target.name}.git"
    try:
        return _send_branch(config, target, repository)
    except _UnusableCache:
        # The cache is only a copy of the branch as last deployed: it is made anew, and the
        # branch fetched again, once.
        shutil.rmtree(repository, ignore_errors=True)
        return _send_branch(config, target, repository)


def _send_branch(config: SiteConfig, target: DeployTarget, repository: Path) -> Deployed:
    """Commit the site to the target's branch, on top of what the branch holds, and push it."""
    program = _program("git")
    url = _repository(config, target.to)
    ref = f"refs/heads/{target.branch}"
    environment = _git_environment(config)

    def git(*arguments: str, stdin: str | None = None, remote: bool = False) -> str:
        # remote: the command that first reaches the repository; its failure is not the cache's.
        command = [
            program,
            "-c",
            "core.autocrlf=false",
            "-c",
            "core.safecrlf=false",
            "-c",
            "protocol.ext.allow=never",
            "-c",
            "http.lowSpeedLimit=1",
            "-c",
            f"http.lowSpeedTime={STALL_TIMEOUT}",
            "-c",
            f"core.hooksPath={os.devnull}",  # none of this machine's hooks
            f"--git-dir={repository}",
            *arguments,
        ]
        try:
            return _run(command, "git", environment, stdin).strip()
        except OutputError as exc:
            if remote:
                raise
            raise _UnusableCache(exc.message, exc.hint) from None

    for folder in (repository.parent, repository):
        if folder.is_symlink() or folder.is_file():
            folder.unlink()  # the cache's repository is in the cache, not where a link leads
    if repository.is_dir():
        try:
            (repository / "config").unlink(missing_ok=True)
            (repository / "config").write_text(_CACHE_SETTINGS, encoding="utf-8")
            usable = git("rev-parse", "--is-bare-repository") == "true"
        except (OSError, _UnusableCache):
            usable = False
        if not usable:
            shutil.rmtree(repository)
    if not repository.is_dir():
        repository.parent.mkdir(parents=True, exist_ok=True)
        _run([program, "init", "--quiet", "--bare", str(repository)], "git", environment)
        (repository / "config").write_text(_CACHE_SETTINGS, encoding="utf-8")
    listed = git("ls-remote", "--", url, ref, remote=True)
    parent = listed.split()[0] if listed else ""
    if parent:
        fetch = ("fetch", "--quiet", "--depth=1", "--no-tags", "--", url, f"+{ref}:{ref}")
        git(*fetch)
        if git("rev-parse", f"{ref}^{{commit}}") != parent:
            raise OutputError(f"the branch {target.branch} could not be fetched", "deploy again")
    with tempfile.TemporaryDirectory(dir=repository) as work:
        environment["GIT_INDEX_FILE"] = str(Path(work) / "index")  # its own, for this tree
        if parent:
            git("read-tree", parent)
            if not git("ls-files", "--", MANIFEST):
                raise OutputError(
                    f"the branch {target.branch} holds files that are not a site hrdblog "
                    "deployed; deploying would replace them",
                    "name a branch of its own for the site, e.g. branch: pages",
                )
        site = str(config.output_dir.resolve())
        git(f"--work-tree={site}", "add", "--all", "--force", "--", ".")
        if not (config.output_dir / ".nojekyll").exists():
            # GitHub Pages runs Jekyll on a branch without it, which leaves out _headers,
            # .well-known/ and every file whose name starts with _ or a dot.
            empty = git("hash-object", "-w", "--stdin", stdin="")
            git("update-index", "--add", "--cacheinfo", f"100644,{empty},.nojekyll")
        tree = git("write-tree")
        del environment["GIT_INDEX_FILE"]
    if parent and git("rev-parse", f"{parent}^{{tree}}") == tree:
        return Deployed(target, 0, 0)
    message = f"Publish {config.title}\n\nBuilt and deployed by hrdblog.\n"
    commit = git(
        "commit-tree", "--no-gpg-sign", tree, *(["-p", parent] if parent else []), stdin=message
    )
    changes = (
        git("diff-tree", "-r", "--no-commit-id", "--name-status", parent, commit)
        if parent
        else "\n".join(f"A\t{path}" for path in git("ls-tree", "-r", "--name-only", tree).split())
    )
    statuses = [line.split("\t", 1)[0] for line in changes.splitlines() if line]
    git("push", "--quiet", "--", url, f"{commit}:{ref}")
    git("update-ref", ref, commit)
    removed = statuses.count("D")
    return Deployed(target, len(statuses) - removed, removed)


def _repository(config: SiteConfig, to: str) -> str:
    """Return a git target's address, a repository on this machine named from the blog's
    folder."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", to) or re.match(r"^[^/]+:", to):
        return to
    return str((config.source / Path(to).expanduser()).resolve())


_GIT_PLACES = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_NAMESPACE",
    }
)


def _git_environment(config: SiteConfig) -> dict[str, str]:
    shell = shlex.split(os.environ.get("GIT_SSH_COMMAND") or "ssh")
    who = config.author or config.title
    # Where git looks for a repository comes from the command line alone.
    inherited = {name: value for name, value in os.environ.items() if name not in _GIT_PLACES}
    return {
        **inherited,
        "GIT_TERMINAL_PROMPT": "0",  # no user name or password asked: a token or a key
        "GIT_SSH_COMMAND": shlex.join([*shell, *_ssh_options()]),
        "GIT_AUTHOR_NAME": who,
        "GIT_AUTHOR_EMAIL": COMMIT_EMAIL,
        "GIT_COMMITTER_NAME": who,
        "GIT_COMMITTER_EMAIL": COMMIT_EMAIL,
        "LC_ALL": "C",  # its messages as the hints below expect them
    }


# -- running the programs ------------------------------------------------------------------

_SENDERS: Mapping[str, Callable[[SiteConfig, DeployTarget], Deployed]] = {
    "folder": _rsync,
    "rsync": _rsync,
    "git": _git,
}

_INSTALL = {
    "rsync": "install rsync (Debian and Ubuntu: apt install rsync; macOS has it)",
    "git": "install git (Debian and Ubuntu: apt install git; https://git-scm.com/)",
}


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise OutputError(f"deploying there needs {name}, which is not installed", _INSTALL[name])
    return found


def _run(
    command: list[str],
    name: str,
    environment: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> str:
    """Run a program; return what it printed, or raise what went wrong, in its words."""
    logger.debug("%s", shlex.join(command))
    try:
        done = subprocess.run(
            command,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            errors="replace",
            env=dict(environment or os.environ),
            check=False,
        )
    except OSError as exc:
        raise OutputError(f"{name} could not be run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        said = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        said = [line for line in said if not line.startswith("rsync error:")] or said
        reason = "; ".join(said[-3:]) or f"it ended with status {done.returncode}"
        raise OutputError(f"{name} failed: {reason}", _hint(name, done.returncode, done.stderr))
    return done.stdout


def _hint(name: str, status: int, said: str) -> str:
    if "Host key verification failed" in said:
        return (
            "the server's key is not known on this machine yet: connect once with ssh, "
            "check the key it shows, and answer yes"
        )
    if "Permission denied" in said or "Authentication failed" in said:
        return "the server refused the key: add your public SSH key to it, or load it (ssh-add)"
    if "non-fast-forward" in said or "fetch first" in said or "rejected" in said:
        return "the branch changed while deploying: deploy again"
    if "mkdir" in said and "No such file or directory" in said:
        return "make the folder that is to hold it first, or name one that exists"
    if (name == "rsync" and status == 255) or "Could not resolve" in said or "timed out" in said:
        return "check the address and the port, and that this machine reaches the server"
    return "check the target's address in hrdblog.yaml, then deploy again"
