"""Offline copies of the site, for readers cut off from it: `hrdblog export zip FILE.zip`
(and `export zim`, in zim.py).

The copy is the site built for reading from disk: every link names its page's `index.html`
(`index_html_links`), so that a browser opening the unzipped files follows them. It is built
into a folder of the blog's cache of its own (`export-site/`), incrementally like any build,
then packed file by file, each checked against the list of checksums that build wrote: a copy
holds exactly one build's site. The archive is written beside its place and put there in one
step, so that a failed export leaves what was there before.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from hrdblog.build import build
from hrdblog.config import SiteConfig
from hrdblog.errors import OutputError, count
from hrdblog.lock import CACHE_DIR
from hrdblog.urls import MANIFEST, SUMS

#: The folder of the blog's cache that holds the site as the copies show it.
EXPORT_SITE = "export-site"
#: The time every file of an archive is dated: the same input gives the same archive.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_LISTED = re.compile(r"^([0-9a-f]{64})  (.+)$")


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    target: Path
    files: int
    size: int

    def summary(self) -> str:
        """Return the one line an export ends with."""
        return f"Wrote {self.target}: {count(self.files, 'file')}, {self.size / 1e6:.1f} MB"


def offline_site(config: SiteConfig, folder: str = EXPORT_SITE) -> tuple[Path, dict[str, str]]:
    """Build the site for reading from disk (as `config` is, with links naming
    `index.html`) into a folder of the cache; return the folder and its files with their
    SHA-256, as its build listed them, the list itself included (SHA256SUMS), for a copy
    to be checked: sha256sum -c SHA256SUMS."""
    offline = replace(config, output_dir=config.source / CACHE_DIR / folder, index_html_links=True)
    build(offline)
    built = offline.output_dir
    listed: dict[str, str] = {}
    for line in (built / MANIFEST).read_text(encoding="utf-8").splitlines():
        match = _LISTED.match(line)
        if match is None:
            raise OutputError(f"{built / MANIFEST} is not a list hrdblog wrote: export again")
        listed[match.group(2)] = match.group(1)
    listed[SUMS] = hashlib.sha256((built / MANIFEST).read_bytes()).hexdigest()
    return built, listed


def export_zip(config: SiteConfig, target: Path) -> Exported:
    """Write the site, as it reads from disk, into a zip archive at `target`, its files in a
    folder named after the archive."""
    check_target(config, target, ".zip")
    folder, files = offline_site(config)
    top = target.stem or "site"
    partial = target.with_name(target.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(files):
                data = read_listed(folder, path, files[path])
                entry = zipfile.ZipInfo(f"{top}/{path}", date_time=_ZIP_DATE)
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, data)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Exported(target, len(files), target.stat().st_size)


def read_listed(folder: Path, path: str, sha256: str) -> bytes:
    """Return a file of the built site, if it is still as its build listed it."""
    file = folder / path
    try:
        if file.is_symlink():
            raise OSError("a link")
        data = file.read_bytes()
    except OSError:
        data = b""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OutputError(
            f"{path} of the site changed while it was being exported",
            "export again; one export or build at a time",
        )
    return data


def check_target(config: SiteConfig, target: Path, suffix: str) -> None:
    """Refuse to write a copy where a build would remove or publish it, or over a folder."""
    where = target.resolve()
    for folder in (*config.input_dirs, config.output_dir, config.source / CACHE_DIR):
        if where.is_relative_to(folder.resolve()):
            raise OutputError(
                f"{target} is inside {config.display_path(folder)}, which builds read or replace",
                f"write the copy beside them, e.g. {Path(target.name)}",
            )
    if where.is_dir():
        example = target / ("site" + suffix)
        raise OutputError(f"{target} is a folder", f"name the file, e.g. {example}")
    if where.suffix.lower() != suffix:
        raise OutputError(
            f"{target} does not end in {suffix}", f"name the file, e.g. {target.stem}{suffix}"
        )
    if not where.parent.is_dir():
        raise OutputError(
            f"the folder {target.parent} does not exist", "make it first, or name another"
        )
