"""`hrdblog deploy`: build the site, then publish it to the targets hrdblog.yaml lists.

Three kinds of target (`DeployTarget`): a folder (a local mirror, a mounted share), a folder
on a server reached over SSH (`rsync`), and a branch of a git repository (`git`), which
GitHub and Codeberg Pages publish. Each is sent only what changed, and updated so that its
readers never see half a site: rsync puts every changed file in place at the end of the
transfer (`--delay-updates`, then `--delete-delay`), a git host publishes one commit at a
time. Nothing is replaced or removed that a deploy of the site did not put there: a folder
must be empty or hold the list of a site deployed there (its `.hrdblog-manifest`), and only the
files that list names may go; a branch likewise. The lock of the blog is held from the build
to the last target, so that no other build (one with drafts, say) changes the site while it
goes out. A failed target is reported and the others still go out; the command then fails.

Nothing asks for a password: rsync, ssh and git run without a terminal, SSH in batch mode
(keys or an agent only) and git with no prompt, so that a deploy never waits for an answer.
A server whose key is not known yet is refused by SSH itself, as it should be; the hint says
how to accept it once.
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
from typing import Any

from hrdblog.build import build
from hrdblog.config import DeployTarget, SiteConfig
from hrdblog.errors import ErrorList, HrdblogError, OutputError, count, suggest
from hrdblog.lock import CACHE_DIR, blog_lock
from hrdblog.urls import MANIFEST, MANIFESTS

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

#: A line of rsync's --itemize-changes (`%i %n`): what changes (`>f+++++++++`, a new file;
#: `*deleting`), then the path.
_ITEM = re.compile(r"^(?P<change>[<>ch.][fdLDS][.+?a-zA-Z]{9}|\*deleting) +(?P<path>.+)$")
_LISTED = re.compile(r"^[0-9a-f]{64}  (.+)$")


def _rsync(config: SiteConfig, target: DeployTarget) -> Deployed:
    program = _program("rsync")
    if target.kind == "folder":
        destination = _folder(config, target.to) + "/"
        shell: list[str] = []
    else:
        destination = target.to.rstrip("/") + "/"
        given = os.environ.get("RSYNC_RSH") or "ssh"
        shell = ["--rsh", f"{given} {shlex.join(_ssh_options(target.port))}"]
    common = [
        "--recursive",
        "--links",
        "--times",
        # New files as the site has them, readable by a web server; the folder's own mode,
        # and that of the files already there, as they are.
        "--chmod=D755,F644",
        "--8-bit-output",
        f"--timeout={STALL_TIMEOUT}",
        "--out-format=%i %n",
        *shell,
    ]
    listed = _deployed_here(program, common, destination, config.source / CACHE_DIR)
    options = [
        *common,
        "--checksum",  # a rebuilt file that did not change is not sent
        "--delete-delay",
        "--delay-updates",
        "--",
        str(config.output_dir.resolve()) + "/",
        destination,
    ]
    _refuse_foreign(_items(_run([program, "--dry-run", *options], "rsync")), listed)
    items = _items(_run([program, *options], "rsync"))
    sent = sum(1 for change, _ in items if change[:2] in ("<f", ">f"))
    removed = sum(1 for change, path in items if change == "*deleting" and not path.endswith("/"))
    return Deployed(target, sent, removed)


def _deployed_here(
    program: str, common: list[str], destination: str, cache: Path
) -> frozenset[str] | None:
    """Return the files the site deployed in the destination listed (its `.hrdblog-manifest`),
    or None where there is no such list, or not one hrdblog wrote."""
    with tempfile.TemporaryDirectory(dir=cache, prefix="deploy-") as work:
        copy = Path(work) / MANIFEST
        try:
            _run([program, *common, "--", destination + MANIFEST, str(copy)], "rsync")
        except OutputError as exc:
            if "No such file or directory" in exc.message:
                return None
            raise
        try:
            lines = copy.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
    paths = [_LISTED.match(line) for line in lines]
    if not all(paths):
        return None
    return frozenset(match[1] for match in paths if match) | frozenset(MANIFESTS)


def _refuse_foreign(planned: list[tuple[str, str]], listed: frozenset[str] | None) -> None:
    """Refuse to send the site where it would replace or remove files it did not put there:
    a folder no deploy of this site filled must be empty; from one that one did, only the
    files its list names may go."""
    if listed is None:
        there = [path for change, path in planned if path != "./" and "+++++++++" not in change]
        if there:
            raise OutputError(
                f"the folder is not empty, and no deploy of this site filled it: it holds "
                f"{_some(there)}, which deploying would replace or remove",
                "deploy into an empty folder, or a new one inside it (…/blog)",
            )
        return
    foreign = [
        path
        for change, path in planned
        if change == "*deleting" and not path.endswith("/") and path not in listed
    ]
    if foreign:
        raise OutputError(
            f"the folder holds {_some(foreign)}, which no deploy of this site put there and "
            "deploying would remove",
            "move them out of the folder, or into the blog's root/ folder to publish them "
            "with the site, then deploy again",
        )


def _some(paths: Sequence[str]) -> str:
    shown = ", ".join(sorted(paths)[:3]) + (", …" if len(paths) > 3 else "")
    return f"{count(len(paths), 'file or folder', 'files or folders')} ({shown})"


def _folder(config: SiteConfig, to: str) -> str:
    """Return the folder a folder target names, from the blog's folder; refuse one in the
    blog's own folder, or that holds it."""
    folder = _local(config, to)
    guarded = (*config.input_dirs, config.output_dir, config.source / CACHE_DIR, config.source)
    for kept in guarded:
        shown = config.display_path(kept).rstrip("/") + "/" if kept != config.source else ""
        kept = kept.resolve()
        if folder.is_relative_to(kept):
            where = f"inside {shown}, which builds read or write" if shown else "in the blog"
            raise OutputError(f"{to} is {where}", "deploy to a folder outside the blog's")
        if kept.is_relative_to(folder):
            what = shown or "the blog"
            raise OutputError(
                f"{to} holds {what}, which deploying there would remove",
                "deploy to a folder outside the blog's",
            )
    return str(folder)


def _local(config: SiteConfig, to: str) -> Path:
    """Return a folder of this computer a target names, from the blog's folder."""
    try:
        path = Path(to).expanduser()
    except RuntimeError:
        raise OutputError(
            f"{to} names the home folder of no user of this computer", "write the whole path"
        ) from None
    return (config.source / path).resolve()


def _items(output: str) -> list[tuple[str, str]]:
    return [
        (match["change"], match["path"])
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
#: A file a git target's branch holds besides the site: GitHub Pages reads it.
_NOJEKYLL = ".nojekyll"


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
    site = config.output_dir.resolve()
    environment = _git_environment(config, program)

    def git(*arguments: str, stdin: str | None = None, remote: bool = False) -> str:
        # remote: the command that first reaches the repository; its failure is not the cache's.
        command = [
            program,
            "-c",
            "core.autocrlf=false",
            "-c",
            "core.safecrlf=false",
            "-c",
            "core.quotePath=false",
            "-c",
            "protocol.ext.allow=never",
            "-c",
            "http.lowSpeedLimit=1",
            "-c",
            f"http.lowSpeedTime={STALL_TIMEOUT}",
            "-c",
            f"core.hooksPath={os.devnull}",  # none of this machine's hooks
            f"--git-dir={repository}",
            f"--work-tree={site}",
            *arguments,
        ]
        try:
            return _run(command, "git", environment, stdin, cwd=site).rstrip("\n")
        except OutputError as exc:
            if remote:
                raise
            raise _UnusableCache(exc.message, exc.hint) from None

    _prepare_cache(program, repository, environment, git)
    listed = git("ls-remote", "--", url, ref, remote=True)
    parent = next(
        (line.split()[0] for line in listed.splitlines() if line.endswith(f"\t{ref}")), ""
    )
    if parent:
        git("fetch", "--quiet", "--depth=1", "--no-tags", "--", url, f"+{ref}:{ref}")
        if git("rev-parse", f"{ref}^{{commit}}") != parent:
            raise OutputError(f"the branch {target.branch} could not be fetched", "deploy again")
    with tempfile.TemporaryDirectory(dir=repository) as work:
        environment["GIT_INDEX_FILE"] = str(Path(work) / "index")  # its own, for this tree
        if parent:
            git("read-tree", parent)
            _refuse_foreign_files(git, parent, target.branch, site)
        git("add", "--all", "--force", "--", ":/")
        if not (site / _NOJEKYLL).exists():
            # GitHub Pages runs Jekyll on a branch without it, which leaves out _headers,
            # .well-known/ and every file whose name starts with _ or a dot.
            empty = git("hash-object", "-w", "--stdin", stdin="")
            git("update-index", "--add", "--cacheinfo", f"100644,{empty},{_NOJEKYLL}")
        tree = git("write-tree")
        del environment["GIT_INDEX_FILE"]
    if parent and git("rev-parse", f"{parent}^{{tree}}") == tree:
        return Deployed(target, 0, 0)
    message = f"Publish {config.title}\n\nBuilt and deployed by hrdblog.\n"
    commit = git(
        "commit-tree", "--no-gpg-sign", tree, *(["-p", parent] if parent else []), stdin=message
    )
    if parent:
        listing = git("diff-tree", "-r", "-z", "--no-commit-id", "--name-status", parent, commit)
        statuses = [status for status in listing.split("\0")[0::2] if status]
    else:
        statuses = [
            "A" for path in git("ls-tree", "-r", "-z", "--name-only", tree).split("\0") if path
        ]
    git("push", "--quiet", "--", url, f"{commit}:{ref}")
    git("update-ref", ref, commit)
    removed = statuses.count("D")
    return Deployed(target, len(statuses) - removed, removed)


def _prepare_cache(
    program: str,
    repository: Path,
    environment: Mapping[str, str],
    git: Callable[..., str],
) -> None:
    """Make the cache's repository of a git target ready: its own settings, or made anew."""
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


def _refuse_foreign_files(git: Callable[..., str], parent: str, branch: str, site: Path) -> None:
    """Refuse to commit the site over a branch that holds files no deploy of a site put
    there, which the commit would remove (a CNAME a host's page added, the blog's sources)."""
    if not git("ls-files", "--", MANIFEST):
        raise OutputError(
            f"the branch {branch} holds files that are not a site hrdblog deployed; "
            "deploying would replace them",
            "name a branch of its own for the site, e.g. branch: "
            + ("site" if branch == "pages" else "pages"),
        )
    listed = git("show", f"{parent}:{MANIFEST}").splitlines()
    paths = {match[1] for match in map(_LISTED.match, listed) if match}
    kept = paths | set(MANIFESTS) | {_NOJEKYLL}
    foreign = [
        path
        for path in git("ls-files", "-z").split("\0")
        if path and path not in kept and not (site / path).is_file()
    ]
    if foreign:
        raise OutputError(
            f"the branch {branch} holds {_some(foreign)}, which no deploy of this site put "
            "there and deploying would remove",
            "put them in the blog's root/ folder to publish them with the site (a CNAME, say), "
            "or remove them from the branch, then deploy again",
        )


def _repository(config: SiteConfig, to: str) -> str:
    """Return a git target's address, a repository on this machine named from the blog's
    folder."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", to) or re.match(r"^[^/]+:", to):
        return to
    return str(_local(config, to))


def _git_environment(config: SiteConfig, program: str) -> dict[str, str]:
    """Return the environment of the git commands: where the repository is comes from their
    command line alone, who commits from the site, and no prompt of any kind."""
    local = _run([program, "rev-parse", "--local-env-vars"], "git").split()
    environment = {name: value for name, value in os.environ.items() if name not in local}
    ssh = os.environ.get("GIT_SSH_COMMAND") or _git_setting(program, "core.sshCommand", config)
    if ssh or not os.environ.get("GIT_SSH"):
        # As the author runs SSH for git (its own command, or ssh), without prompts.
        environment["GIT_SSH_COMMAND"] = f"{ssh or 'ssh'} {shlex.join(_ssh_options())}"
    who = config.author or config.title
    return {
        **environment,
        "GIT_TERMINAL_PROMPT": "0",  # no user name or password asked: a token or a key
        "GIT_ASKPASS": "",  # nor in a window
        "GCM_INTERACTIVE": "never",
        "GIT_AUTHOR_NAME": who,
        "GIT_AUTHOR_EMAIL": COMMIT_EMAIL,
        "GIT_COMMITTER_NAME": who,
        "GIT_COMMITTER_EMAIL": COMMIT_EMAIL,
    }


def _git_setting(program: str, name: str, config: SiteConfig) -> str:
    command = [program, "config", "--get", name]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=config.source, check=False, **_DETACHED
    )
    return str(done.stdout).strip() if done.returncode == 0 else ""


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
#: Programs run without a terminal, so that nothing they start can ask for a password
#: there and wait (ssh to a jump host, a key's passphrase).
_DETACHED: dict[str, Any] = {"start_new_session": True, "stdin": subprocess.DEVNULL}
#: Nor in a window.
_NO_PROMPTS = {"SSH_ASKPASS": "", "SSH_ASKPASS_REQUIRE": "never", "LC_ALL": "C"}


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise OutputError(f"deploying there needs {name}, which is not installed", _INSTALL[name])
    return found


#: What programs say around the reason of a failure, which the reason is clearer without.
_NOISE = re.compile(
    r"^(rsync error:|Please make sure you have the correct access|and the repository exists"
    r"|hint:|fatal: Could not read from remote repository)"
)


def _run(
    command: list[str],
    name: str,
    environment: Mapping[str, str] | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
) -> str:
    """Run a program; return what it printed, or raise what went wrong, in its words."""
    logger.debug("%s", shlex.join(command))
    detached = dict(_DETACHED)
    if stdin is not None:
        detached.pop("stdin")
    try:
        done = subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            text=True,
            errors="replace",
            env={**(environment or os.environ), **_NO_PROMPTS},
            cwd=cwd,
            check=False,
            **detached,
        )
    except OSError as exc:
        raise OutputError(f"{name} could not be run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        said = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        said = [line for line in said if not _NOISE.match(line)] or said
        reason = "; ".join(said[:3]) or f"it ended with status {done.returncode}"
        raise OutputError(f"{name} failed: {reason}", _hint(done.stderr))
    return str(done.stdout)


#: What a program's message says went wrong → what to do.
_HINTS = (
    (
        "Host key verification failed",
        "the server's key is not known on this computer yet: connect once with ssh, check "
        "the key it shows, and answer yes",
    ),
    (
        "Permission denied (publickey",  # as ssh says it
        "the server refused the key: add your public SSH key to it, or load it (ssh-add)",
    ),
    (
        "terminal prompts disabled",
        "git needs a user name and password or token for this address, and hrdblog asks for "
        "none: keep a token in git's credential helper, or use the repository's SSH address",
    ),
    (
        "Authentication failed",
        "the host refused the token or password git keeps for it: renew it in git's "
        "credential helper, or use the repository's SSH address",
    ),
    (
        "is currently checked out",
        "the branch is checked out in that repository: deploy to a bare repository, or to "
        "another branch",
    ),
    (
        ".lock': File exists",
        "another git command is using the repository: let it end, then deploy again",
    ),
    ("non-fast-forward", "the branch changed while deploying: deploy again"),
    ("fetch first", "the branch changed while deploying: deploy again"),
    ("Permission denied", "this user may not write there: choose another folder, or ask its owner"),
    ("mkdir", "make the folder that is to hold it first, or name one that exists"),
    ("ssh: not found", "install SSH's client (Debian and Ubuntu: apt install openssh-client)"),
    ("Failed to exec ssh", "install SSH's client (Debian and Ubuntu: apt install openssh-client)"),
    ("Could not resolve", "check the host's name, and that this computer is online"),
    ("Connection refused", "check the address and the port: nothing answers there"),
    ("timed out", "check the address and the port, and that this computer reaches the server"),
    ("No route to host", "check the address, and that this computer reaches the server"),
)


def _hint(said: str) -> str:
    return next(
        (hint for clue, hint in _HINTS if clue in said),
        "check the target in hrdblog.yaml, then deploy again",
    )
