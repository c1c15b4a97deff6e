"""Start a blog (`hrdblog init`) and a post (`hrdblog new`)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from hrdblog.characters import clean_name, line_break
from hrdblog.config import CONFIG_FILE, SiteConfig
from hrdblog.errors import HrdblogError, LocatedError, OutputError, raise_all
from hrdblog.frontmatter import dump_front_matter, load_mapping
from hrdblog.read import check_post
from hrdblog.urls import reserved, slug_problem, slugify

SETTINGS_TEMPLATE = """\
# The settings of this blog. Every line that starts with # is a comment; remove the # to use
# a setting. The values shown are the defaults. README.md of hrdblog describes each one.

# The blog's name, shown in the header and in page titles.
title: {title}
# A line under the title, and the pages' description for search engines.
# description: News of human rights defenders.
# The blog's author or organisation, named in feeds.
# author: Our organisation
# The address the site is published at. Feeds, the sitemap and canonical links need it.
# base_url: https://example.org/
# The language of the blog (en, ar, fr …): its texts, dates and direction.
# language: en
# Dates written without a time-zone offset are in this time zone.
# timezone: UTC
# Posts on each page of the home page, tag pages and archives.
# posts_per_page: 10
# Words in an excerpt taken from the start of a post.
# excerpt_words: 55
# The address of each post.
# permalink: /{{year}}/{{month}}/{{day}}/{{slug}}/
# Keep the letters of every script in addresses (an Arabic title gives an Arabic address).
# slug_unicode: false
# Write links to folders as …/index.html, for a site opened from disk.
# index_html_links: false
# How dates are written: short, medium, long, full, or a pattern like d MMMM y.
# date_format: long
# How Markdown is read: markdown (Python-Markdown) or cmark (much faster, fewer extensions).
# markdown_engine: markdown
# Python-Markdown extensions, and their settings.
# markdown_extensions: [footnotes, tables, fenced_code, toc, smarty]
# markdown_extension_configs: {{}}
# Kinds of terms posts carry besides tags and categories.
# taxonomies:
#   countries: {{path: country, title: Countries, heading: "Posts about %s", label: "Countries:"}}
# Posts in each feed, and whether feeds hold the full text or the excerpt.
# feed_items: 20
# feed_content: full
# Related posts listed under each post (0 for none).
# related_posts: 5
# The most terms of one taxonomy (tags, categories …) one post may carry.
# max_terms: 100
# Keep the metadata (EXIF, GPS, XMP) of published photos. Off by default: photos must not
# tell where and when they were taken.
# keep_image_metadata: false
# The widths in pixels photos are published in, so that phones download small copies.
# image_widths: [480, 960, 1600]
# hrdblog check names every page heavier than this many KB on a phone's first screen.
# page_budget: 150
# The look of the default theme. A logo and an icon: files in the folder static/.
# logo: logo.svg
# favicon: icon.png
# The accent colour: the bar above the header, kickers, links under the pointer.
# accent_color: "#8f1d1d"
# A stylesheet of your own in static/, loaded after the theme's: colours, fonts, rules.
# stylesheet: site.css
# A taxonomy whose first term stands above each title in lists, like MEXICO.
# kicker: countries
# Year and month archives as compact lists of titles and dates.
# compact_archives: false
# Full-text search: a search page in each language, and a search form in the header.
# search: true
# The site's address as a Tor onion service: Tor Browser offers it on every page.
# onion_url: http://….onion/
# Other addresses of the whole site, listed with the onion address on the page /mirrors/.
# mirrors: [https://mirror.example.net/]
# Where `hrdblog deploy` publishes the site: a folder, a server over SSH, a git branch.
# deploy:
#   - rsync: editor@example.org:/var/www/blog
#   - git: git@codeberg.org:your-ngo/blog.git
#     branch: pages
# Clean the HTML of posts written by others: scripts, event handlers, forms and frames go.
# sanitize: false
# Other sites that pages may load images, media or frames from (hrdblog check).
# allowed_origins: []
# Changes to the interface texts, and texts of other languages.
# texts:
#   read_more: Read the rest of this entry »
# translations:
#   fr: {{read_more: Lire la suite »}}
# Old addresses of the site sent on to new ones.
# redirects:
#   /tag/alignment-2/: /tag/alignment/
# The menu of every page: the home page, a page (its file under content/pages/, without
# .md) with a sub-entry, a tag, a taxonomy's index, the archives, an address.
# menu:
#   - home
#   - page: about
#     entries:
#       - page: contact
#   - tag: coalition
#   - index: tags
#   - archives
# The site's languages, the default first. A translation sits beside its original with the
# language before .md: content/2026/statement.ar.md beside content/2026/statement.md.
# languages: [en, ar]
# A term's name in the other languages, so that their pages link each other.
# term_translations:
#   tags:
#     coalition: {{ar: تحالف}}
"""

TEMPLATES_NOTE = """\
# Your templates

A file here replaces the default theme's template of the same name, or extends it. For
example, `footer.html` with

    {% extends "default/footer.html" %}
    {% block footer %}<p>Our own footer</p>{{ super() }}{% endblock %}

adds a line to the footer of every page. README.md of hrdblog lists the templates and what
they can use. This folder may stay empty: the default theme is complete.
"""

GITIGNORE = "/site/\n/.site.*/\n/.hrdblog-cache/\n/.hrdblog-key/\n"


def init(folder: Path, title: str, now: datetime, force: bool = False) -> list[Path]:
    """Create a blog in `folder`; return the files written. Existing files are never replaced."""
    title = one_line(title, "--title")
    settings = SETTINGS_TEMPLATE.format(title=json.dumps(title, ensure_ascii=False))
    written_title = load_mapping(settings, 1, _option_error, CONFIG_FILE).values.get("title")
    if written_title != title:  # what every build would read back
        raise HrdblogError(f"--title {title!r} cannot be written as a setting")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise OutputError(
            f"{folder} is not empty",
            "choose a new or empty folder, or give --force to add the blog's files to it",
        )
    post = _post_text(
        "Welcome to your blog",
        now,
        slug="welcome",
        tags=["news"],
        body=(
            "This is your first post. Edit it, or delete it and write your own with "
            '`hrdblog new "A title"`.\n\n<!--more-->\n\n'
            "Everything above the `<!--more-->` line is the excerpt shown on the home page "
            "and on tag pages.\n"
        ),
    )
    about = _page_text(
        "About",
        body=(
            "This is a page: it has no date and is in no list of posts. Say who you are "
            "and how readers can reach you safely. It is published at /about/, the path of "
            'its file; add others with `hrdblog new --page "Contact"`.\n'
        ),
    )
    files = {
        CONFIG_FILE: settings,
        f"content/{now.year:04d}/welcome.md": post,
        "content/pages/about.md": about,
        "templates/README.md": TEMPLATES_NOTE,
        ".gitignore": GITIGNORE,
    }
    written = []
    for name, text in files.items():
        path = folder / name
        if os.path.lexists(path):  # a file, or a link: never replaced, never written through
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as file:
            file.write(text)
        written.append(path)
    return written


def one_line(text: str, option: str) -> str:
    """Return the text of a title given on the command line, cleaned as a field is; raise if
    it is empty or holds a line break."""
    found = line_break(text)
    if found is not None:
        raise HrdblogError(
            f"{option} must be one line, but it holds a line break ({found!r})",
            "write it on one line",
        )
    cleaned = clean_name(text)
    if not cleaned:
        raise HrdblogError(f"{option} is empty", 'give a title, like "Defenders News"')
    return cleaned


def _option_error(line: int | None, message: str, hint: str | None = None) -> LocatedError:
    return LocatedError("the command line", None, message, hint)


def new_post(
    config: SiteConfig,
    title: str,
    now: datetime,
    tags: list[str],
    lang: str = "",
    draft: bool = False,
    slug: str | None = None,
    page: bool = False,
) -> Path:
    """Create a post file dated now, or with `page` a page (`content/pages/<slug>.md`, no
    date); return its path. An existing file is never replaced, and nothing is written that
    the next build would refuse."""
    title = one_line(title, "the title")
    if page and tags:
        raise HrdblogError(
            "a page has no tags: it is in no list of posts", "leave out --tags, or --page"
        )
    if slug is not None:
        problem = slug_problem(slug, config.slug_unicode)
        if problem is not None:
            message, hint = problem
            raise HrdblogError(f"--slug {message}", hint.replace("try ", "try --slug "))
    else:
        slug = slugify(title, config.slug_unicode)
        if not slug or reserved(slug):
            raise HrdblogError(
                f"the title {title!r} makes no file name of its own",
                "give one with --slug, like --slug statement-on-reprisals",
            )
    if page and (slug in config.site_paths() or slug.isdigit()):
        raise HrdblogError(
            f"the address /{slug}/ is one the site uses for its own pages",
            "choose another title, or name the page with --slug",
        )
    folder = config.pages_dir if page else config.content_dir / f"{now.year:04d}"
    translated = lang and config.languages and config.tree_of(lang) != config.language
    path = folder / (f"{slug}.{lang}.md" if translated else f"{slug}.md")  # beside the original
    if path.exists():
        raise OutputError(
            f"{config.display_path(path)} already exists",
            "choose another title, or name the file with --slug",
        )
    if page:  # its address is its file's name, which renaming the title leaves as it is
        text = _page_text(title, lang=lang, draft=draft)
    else:
        # The slug is always written: correcting the headline later never moves an address.
        text = _post_text(title, now, tags=tags, lang=lang, draft=draft, slug=slug)
    raise_all(check_post(path, text.encode(), config, now))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:  # "x": fail rather than replace
        file.write(text)
    return path


def _page_text(
    title: str, body: str = "Write your page here.\n", lang: str = "", draft: bool = False
) -> str:
    meta: dict[str, object] = {"title": title}
    if lang:
        meta["lang"] = lang
    if draft:
        meta["draft"] = True
    return dump_front_matter(meta) + body


def _post_text(
    title: str,
    now: datetime,
    slug: str,
    tags: list[str],
    body: str = "Write your post here.\n",
    lang: str = "",
    draft: bool = False,
) -> str:
    meta: dict[str, object] = {"title": title, "date": now.strftime("%Y-%m-%d %H:%M")}
    meta["slug"] = slug
    if tags:
        meta["tags"] = tags
    if lang:
        meta["lang"] = lang
    if draft:
        meta["draft"] = True
    return dump_front_matter(meta) + body
