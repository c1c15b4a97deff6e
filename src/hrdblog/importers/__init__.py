"""Bring a blog over from WordPress, Jekyll or Hugo: posts written as hrdblog Markdown files.

Every importer reads its source, turns each post into front matter and a Markdown body, and
hands it to `Importer.write`, which never overwrites a file: a second run adds only what is
new. What could not be carried over exactly is kept visibly in the post and listed in the
report, post by post.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from hrdblog.characters import clean_name
from hrdblog.config import CONFIG_FILE, SiteConfig, load_config
from hrdblog.errors import ContentError, HrdblogError, OutputError, count
from hrdblog.files import read_file
from hrdblog.frontmatter import dump_front_matter, load_mapping
from hrdblog.importers.html import unembed
from hrdblog.lock import blog_lock
from hrdblog.read import check_post
from hrdblog.sitecheck import other_origin
from hrdblog.urls import NAME_MAX, alias_allowed, post_url, reserved, slugify


def old_path(url: str, base_path: str = "/") -> str | None:
    """Return the site path of an old address (decoded), relative to the old site's base path;
    None if it has a query, or is not under the base path."""
    parts = urlsplit(url.strip())
    if parts.query or not parts.path:
        return None
    path = unquote(parts.path)
    base = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    if not path.startswith(base) and path + "/" != base:
        return None
    return "/" + path[len(base) :] if path != base.rstrip("/") else "/"


def usable_alias(path: str | None) -> bool:
    """Tell whether hrdblog can publish a redirect page at this path, other than the home
    page's."""
    return (
        path is not None
        and path != "/"
        and ".." not in path
        and alias_allowed(path)
        and all(len(name.encode()) <= NAME_MAX for name in path.split("/"))
    )


@dataclass
class Report:
    """What an import did, and what it could not do, for the author to read."""

    source: str
    counts: Counter[str] = field(default_factory=Counter)
    tags: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    existing: list[str] = field(default_factory=list)  # files already there: left alone
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (url, the post's title)
    left_out: Counter[str] = field(default_factory=Counter)  # kinds of items not imported
    # Old addresses no static page can answer (a query, a feed, one differing only in case):
    # for the web server's redirect map. (old address, new url)
    redirects: list[tuple[str, str]] = field(default_factory=list)
    # Old addresses of pages that are not posts (term pages under the old site's names),
    # answered by redirect pages: the `redirects` setting. (old path, new url)
    site_redirects: dict[str, str] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)  # by post: what was not converted
    _files: set[str] = field(default_factory=set)

    def file(self, url: str, title: str) -> None:
        """Note a file a post uses that is still on the old site (once, with its first post)."""
        if url and url not in self._files:
            self._files.add(url)
            self.attachments.append((url, title))

    def problem(self, where: str, what: str) -> None:
        """Note something of a post that could not be carried over exactly."""
        self.problems.setdefault(where, [])
        if what not in self.problems[where]:
            self.problems[where].append(what)

    def text(self, redirects_file: Path | None = None) -> str:
        """Return the report to print."""
        made = [
            count(self.counts[kind], label)
            for kind, label in (
                ("posts", "post"),
                ("drafts", "draft"),
                ("scheduled", "scheduled post"),
                ("pages", "page"),
                ("page drafts", "draft page"),
            )
            if self.counts[kind]
        ]
        categories = count(len(self.categories), "category", "categories")
        lines = [
            f"Imported from {self.source}: {', '.join(made) if made else 'nothing new'}; "
            f"{count(len(self.tags), 'tag')}, {categories}."
        ]
        if self.existing:
            lines.append(
                f"{count(len(self.existing), 'file')} already there, left as they are "
                "(imported by an earlier run, or written by you):"
            )
            lines += [f"  {path}" for path in self.existing]
        if self.left_out:
            kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.left_out.items()))
            lines.append(f"Not imported: {kinds}.")
        if self.redirects:
            where = f" written to {redirects_file}" if redirects_file else ""
            lines.append(
                f"{count(len(self.redirects), 'old address', 'old addresses')} cannot be a "
                "static page (with a query like ?p=123, a feed, or differing from the new one "
                f"only in case); a redirect map for the web server is{where}:"
            )
            lines += [f"  {old} -> {new}" for old, new in self.redirects]
        if self.site_redirects:
            lines.append(
                f"{count(len(self.site_redirects), 'old address', 'old addresses')} of term pages "
                "(tags, categories) lead to their new ones through the redirects setting of "
                "hrdblog.yaml:"
            )
            lines += [f"  {old} -> {new}" for old, new in self.site_redirects.items()]
        if self.attachments:
            lines.append(
                f"{count(len(self.attachments), 'file')} (images, media, attachments) still on "
                "another site, which readers' browsers would contact: download them and put "
                "them beside the posts that use them:"
            )
            lines += [f"  {url}  ({title})" for url, title in self.attachments]
        if self.problems:
            lines.append("Could not be carried over exactly (kept visibly in the post):")
            for where, whats in self.problems.items():
                lines.append(f"  {where}")
                lines += [f"    - {what}" for what in whats]
        return "\n".join(lines)


@dataclass
class Importer:
    """Writes imported posts into a blog's folder, never over an existing file.

    Posts are planned while the source is read and written only once all of it has been
    read (`commit`): an import that fails half-way writes nothing. A planned post that the
    build would refuse is not written, and the report says why.
    """

    config: SiteConfig
    report: Report
    claimed: set[Path] = field(default_factory=set)  # the files of this run's posts
    pending: list[tuple[Path, str, dict[str, Path], str]] = field(default_factory=list)
    addresses: set[str] = field(default_factory=set)  # the urls and old addresses taken, folded

    def slug(self, *candidates: str) -> str:
        """Return the first candidate that makes a usable slug."""
        for candidate in candidates:
            slug = slugify(clean_name(unquote(candidate)), self.config.slug_unicode)
            if slug and not reserved(slug):
                return slug
        return "post"

    def claim(self, date: datetime, slug: str, where: str) -> str:
        """Return the slug of a post dated `date`, or one made from it, whose url no other
        post of this import has: two posts at one url would stop the build."""
        wanted, number = slug, 1
        while self.url(date, slug).casefold() in self.addresses:
            number += 1
            slug = f"{wanted}-{number}"
        if slug != wanted:
            self.report.problem(
                where, f"another post of the import has its address: given the slug {slug}"
            )
        self.addresses.add(self.url(date, slug).casefold())
        return slug

    def url(self, date: datetime, slug: str) -> str:
        """Return the url the post will have in this blog."""
        return post_url(self.config.permalink, date.astimezone(self.config.tzinfo), slug)

    def write(
        self,
        folder: Path,
        names: tuple[str, ...],
        meta: dict[str, Any],
        body: str,
        files: dict[str, Path] | None = None,
        where: str = "",
    ) -> Path | None:
        """Plan a post as `<folder>/<name>.md` (or `<name>/index.md`, with its files), under
        the first of `names` no other post of this run took; return the file, or None if it is
        already there, or if the build would refuse it (the report says why)."""
        path = self.free(folder, names, bool(files))
        self.claimed.add(path)
        if path.exists():
            self.report.existing.append(self.config.display_path(path))
            return None
        title = str(meta.get("title", ""))
        body = unembed(body, self.remote, lambda url: self.report.file(url, title))
        if isinstance(meta.get("summary"), str):
            summary = unembed(
                meta["summary"], self.remote, lambda url: self.report.file(url, title)
            )
            meta = {**meta, "summary": summary}
        text = dump_front_matter(meta) + body.strip("\n") + "\n"
        shown = self.config.display_path(path)
        # Checked as the build will read it, but for a featured image among its files: they
        # are written beside it only once every post is planned.
        checked = text
        if files and meta.get("image") in files:
            plain = {key: value for key, value in meta.items() if not key.startswith("image")}
            checked = dump_front_matter(plain) + body.strip("\n") + "\n"
        problems = (
            check_post(path, checked.encode(), self.config, self.config.now())
            if path.is_relative_to(self.config.content_dir)
            else []
        )
        if problems:
            for problem in problems:
                refused = f"not imported: the build would refuse it: {problem.message}"
                self.report.problem(where or shown, refused)
            return None
        self.pending.append((path, text, dict(files or {}), where or shown))
        return path

    def free(self, folder: Path, names: tuple[str, ...], own_folder: bool = False) -> Path:
        """Return the file `write` would plan a post as: `<folder>/<name>.md` (or
        `<name>/index.md`) under the first of `names`, or of the same numbered, that no
        other post of this run took."""
        names = (*names, *(f"{names[-1]}-{n}" for n in range(2, 2 + len(self.claimed) + 1)))
        choices = [
            folder / name / "index.md" if own_folder else folder / f"{name}.md" for name in names
        ]
        return next(path for path in choices if path not in self.claimed)

    def aliases(self, where: str, url: str, old: list[str]) -> list[str]:
        """Return the old addresses of a post that redirect pages can answer: not its new one,
        each once. One that differs from the new one only in case cannot be a page beside it
        on the many disks that ignore case (nor can two such old addresses): it goes to the
        web server's redirect map. One no page can answer is reported."""
        found: dict[str, str] = {}
        for alias in old:
            key = alias.casefold().rstrip("/")
            if alias.rstrip("/") == url.rstrip("/") or found.get(key) == alias:
                continue
            if key == url.casefold().rstrip("/") or key in found:
                self.report.redirects.append((alias, url))
                self.report.problem(
                    where,
                    f"its old address {alias} differs from its new one only in case: the web "
                    "server's redirect map sends it on",
                )
            elif alias.casefold() in self.addresses or f"{key}/" in self.addresses:
                self.report.problem(
                    where, f"its old address {alias} is another post's address: not redirected"
                )
            elif not usable_alias(alias):
                self.report.problem(
                    where, f"its old address {alias} cannot be redirected from here"
                )
            else:
                found[key] = alias
        self.addresses.update(alias.casefold() for alias in found.values())
        return list(found.values())

    def remote(self, address: str) -> bool:
        """Tell whether a page loading this address would contact another site."""
        config = self.config
        return other_origin(address, config.allowed_origins, config.base_url) is not None

    def commit(self) -> None:
        """Write every planned post, with its files."""
        for path, text, files, where in self.pending:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with path.open("x", encoding="utf-8") as file:  # never over a file
                    file.write(text)
            except FileExistsError:  # written meanwhile by someone else
                self.report.existing.append(self.config.display_path(path))
                continue
            for file_name, source in files.items():
                target = path.parent / file_name
                if target.exists():
                    continue
                try:
                    data = read_file(source, file_name).data
                except ContentError as exc:
                    self.report.problem(where, f"{exc}: not imported")
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        self.pending.clear()


def date_text(date: datetime) -> str:
    """Return a date as hrdblog reads it, with its offset: 2017-11-04 10:30:00+01:00."""
    return date.isoformat(sep=" ", timespec="seconds")


REDIRECTS = "import-redirects.map"


def import_into(kind: str, source: Path, config: SiteConfig, uploads: Path | None = None) -> str:
    """Import the posts of a WordPress export, a Jekyll or a Hugo site (`kind`) into the blog
    of `config`, holding its lock; return the report. `uploads`: a copy of a WordPress site's
    wp-content/uploads folder, to bring its featured images over from."""
    with blog_lock(config.source):
        importer = Importer(config, Report(config.display_path(source)))
        if kind == "wordpress":
            from hrdblog.importers.wordpress import import_wordpress

            import_wordpress(source, importer, uploads)
        else:
            from hrdblog.importers.folders import import_folder

            import_folder(source, importer, kind)
        map_file = config.source / REDIRECTS
        if importer.report.redirects and (
            map_file.is_symlink() or (map_file.exists() and not map_file.is_file())
        ):  # checked before anything is written: the import writes inside the blog only
            raise OutputError(
                f"{config.display_path(map_file)} is not a file of the blog's own: a link, or "
                "no file",
                f"remove {config.display_path(map_file)} and import again",
            )
        importer.commit()
        return finish(importer.report, config)


def finish(report: Report, config: SiteConfig) -> str:
    """Write the redirect map of old addresses no static page can answer, and add the term
    pages' old addresses to the `redirects` setting; return the report."""
    written = None
    if report.redirects:
        written = config.source / REDIRECTS
        known = written.read_text(encoding="utf-8") if written.exists() else ""
        lines = []
        for old, new in report.redirects:
            parts = urlsplit(old)
            address = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            line = f"{address} {new};\n"
            if line not in known and line not in lines:
                lines.append(line)
        with written.open("a", encoding="utf-8") as file:
            file.writelines(lines)
    _add_redirects(report, config)
    return report.text(written and Path(config.display_path(written)))


def _add_redirects(report: Report, config: SiteConfig) -> None:
    """Add the site redirects of an import to hrdblog.yaml: as a new `redirects` setting at its
    end where it has none, else in the report, for the author to add."""
    missing = {
        old: new for old, new in report.site_redirects.items() if old not in config.redirects
    }
    report.site_redirects = missing
    if not missing:
        return
    path = config.config_file or config.source / CONFIG_FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    shown = config.display_path(path)
    has_setting = "redirects" in load_mapping(text, 1, _setting_error(shown), CONFIG_FILE).values
    if has_setting:
        report.problem(
            shown,
            "it has a redirects setting already: add the old addresses listed below to it",
        )
        return
    block = "".join(f"  {json.dumps(old)}: {json.dumps(new)}\n" for old, new in missing.items())
    added = (
        ("" if not text or text.endswith("\n") else "\n")
        + f"# Old addresses of the blog imported from {report.source}, sent on to new ones.\n"
        + f"redirects:\n{block}"
    )
    path.write_text(text + added, encoding="utf-8")
    try:
        load_config(config.source, config.config_file)
    except HrdblogError as exc:  # never leave settings the next build refuses
        path.write_text(text, encoding="utf-8")
        report.problem(shown, f"the redirects could not be added ({exc}): add them by hand")


def _setting_error(shown: str) -> Any:
    def error(line: int | None, message: str, hint: str | None = None) -> ContentError:
        return ContentError(shown, line, message, hint)

    return error
