"""Write a realistic synthetic blog: the same seed always gives the same posts.

    python benchmarks/generate.py --posts 10000 --seed 1 OUTPUT_FOLDER

Posts are 2 to 5 KB of Markdown with YAML front matter: 1 to 6 tags from a vocabulary of
about 200, spread like real tags (a few very common, most rare); a third with a summary, half
with a <!--more--> marker; paragraphs, links, lists, the odd heading and blockquote; dates
spread over ten years.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

WORDS = (
    "defender defenders coalition statement detained detention release court hearing trial "
    "lawyer lawyers journalist journalists activist activists organisation organisations "
    "rights human reprisal reprisals campaign campaigns network networks protection protect "
    "threat threats attack attacks freedom expression assembly association peaceful protest "
    "protesters arrest arrested charges sentence prison prisoners family families community "
    "communities land environment indigenous women children students union unions workers "
    "council session report reports rapporteur mandate mechanism mechanisms embassy embassies "
    "government authorities police security forces investigation justice impunity accountability "
    "solidarity appeal appeals urgent joint letter letters signatories monitoring observers "
    "visit visits region regional national international local support call calls demand "
    "demands respect law laws reform civil society space funding registration travel ban "
    "smear media online digital surveillance safety training relocation shelter emergency"
).split()
PLACES = (
    "Oman Bahrain Egypt Syria Yemen Iraq Iran Turkey Sudan Honduras Mexico Guatemala Colombia "
    "Brazil Peru Philippines Myanmar Cambodia Vietnam China Russia Belarus Azerbaijan Kenya "
    "Uganda Ethiopia Zimbabwe Burundi Rwanda Nicaragua Venezuela Tunisia Algeria Morocco"
).split()
TOPICS = (
    "coalition reprisals detention trials journalists lawyers women-defenders land-rights "
    "environment indigenous-rights freedom-of-expression assembly association digital-security "
    "surveillance torture disappearances impunity death-penalty lgbti-rights labour-rights "
    "students refugees migrants housing health education minorities religion elections "
    "counter-terrorism foreign-funding ngo-law travel-bans smear-campaigns relocation "
    "urgent-appeals joint-statements un-human-rights-council universal-periodic-review "
    "special-rapporteurs treaty-bodies african-commission inter-american-commission "
    "european-court eu-guidelines embassies awards anniversaries reports campaigns solidarity"
).split()


def vocabulary(size: int = 200) -> list[str]:
    """Return `size` tags: topics, places, and topic-place pairs, most common first."""
    tags = list(TOPICS) + [p.lower() for p in PLACES]
    rng = random.Random(0)
    while len(tags) < size:
        tag = f"{rng.choice(TOPICS)}-{rng.choice(PLACES).lower()}"
        if tag not in tags:
            tags.append(tag)
    return tags[:size]


@dataclass(frozen=True)
class SyntheticPost:
    """One generated post, in a form every generator target can write."""

    slug: str
    title: str
    date: datetime
    tags: tuple[str, ...]
    summary: str | None
    intro: str  # the paragraphs before the more marker (or the start of the body)
    rest: str
    has_marker: bool


class Generator:
    """Make posts from a seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.tags = vocabulary()
        # Zipf-like: the tag of rank r is chosen with weight 1 / r.
        self.weights = [1 / rank for rank in range(1, len(self.tags) + 1)]
        self.start = datetime(2016, 1, 1)

    def sentence(self, low: int = 8, high: int = 22) -> str:
        words = self.rng.choices(WORDS, k=self.rng.randint(low, high))
        if self.rng.random() < 0.3:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(PLACES))
        if self.rng.random() < 0.2:
            at = self.rng.randrange(len(words))
            address = f"https://example.org/{self.rng.choice(WORDS)}/{self.rng.randint(1, 999)}"
            words[at] = f"[{words[at]}]({address})"
        if self.rng.random() < 0.1:
            at = self.rng.randrange(len(words))
            words[at] = f"*{words[at]}*"
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def block(self) -> str:
        roll = self.rng.random()
        if roll < 0.12:
            return "\n".join(f"- {self.sentence(3, 9)}" for _ in range(self.rng.randint(2, 5)))
        if roll < 0.18:
            return "## " + self.sentence(2, 6).rstrip(".")
        if roll < 0.23:
            return "> " + self.paragraph()
        return self.paragraph()

    def post(self, number: int) -> SyntheticPost:
        title = self.sentence(4, 10).rstrip(".")
        date = self.start + timedelta(minutes=self.rng.randrange(10 * 365 * 24 * 60))
        chosen = self.rng.choices(self.tags, self.weights, k=self.rng.randint(1, 6))
        tags = tuple(dict.fromkeys(chosen))
        target = self.rng.randint(2000, 5000)
        blocks = [self.paragraph()]
        while sum(len(b) for b in blocks) < target:
            blocks.append(self.block())
        split = self.rng.randint(1, min(3, len(blocks)))
        return SyntheticPost(
            slug=f"post-{number:06d}",
            title=title,
            date=date,
            tags=tags,
            summary=self.sentence(12, 30) if self.rng.random() < 1 / 3 else None,
            intro="\n\n".join(blocks[:split]),
            rest="\n\n".join(blocks[split:]),
            has_marker=self.rng.random() < 0.5,
        )


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hrdblog_post(post: SyntheticPost) -> str:
    """Return the post as an hrdblog Markdown file."""
    lines = [
        "---",
        f"title: {_yaml_text(post.title)}",
        f"date: {post.date:%Y-%m-%d %H:%M}",
        f"slug: {post.slug}",
        "tags: [" + ", ".join(post.tags) + "]",
    ]
    if post.summary:
        lines.append(f"summary: {_yaml_text(post.summary)}")
    lines.append("---")
    marker = "\n\n<!--more-->\n\n" if post.has_marker else "\n\n"
    return "\n".join(lines) + "\n" + post.intro + marker + post.rest + "\n"


def write_hrdblog(folder: Path, posts: int, seed: int = 1) -> Path:
    """Write an hrdblog blog of `posts` posts into `folder`; return the folder."""
    generator = Generator(seed)
    content = folder / "content"
    for number in range(posts):
        post = generator.post(number)
        path = content / f"{post.date.year}" / f"{post.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(hrdblog_post(post), encoding="utf-8")
    (folder / "hrdblog.yaml").write_text(
        "title: Synthetic Dispatch\nbase_url: https://synthetic.example.org/\ntimezone: UTC\n",
        encoding="utf-8",
    )
    return folder


def write_pelican(folder: Path, posts: int, seed: int = 1) -> Path:
    """Write the same posts for Pelican: `Key: value` metadata, and a pelicanconf.py with
    the same URLs, pagination, feeds and Markdown extensions."""
    generator = Generator(seed)
    content = folder / "content"
    content.mkdir(parents=True, exist_ok=True)
    for number in range(posts):
        post = generator.post(number)
        lines = [
            f"Title: {post.title}",
            f"Date: {post.date:%Y-%m-%d %H:%M}",
            f"Slug: {post.slug}",
            "Tags: " + ", ".join(post.tags),
        ]
        if post.summary:
            lines.append(f"Summary: {post.summary}")
        marker = "\n\n<!--more-->\n\n" if post.has_marker else "\n\n"
        text = "\n".join(lines) + "\n\n" + post.intro + marker + post.rest + "\n"
        (content / f"{post.slug}.md").write_text(text, encoding="utf-8")
    # Pelican keeps its cache in the folder it runs in unless told: each blog keeps its own.
    settings = PELICAN_SETTINGS + f"CACHE_PATH = {str(folder / 'cache')!r}\n"
    (folder / "pelicanconf.py").write_text(settings, encoding="utf-8")
    return folder


PELICAN_SETTINGS = """\
SITENAME = "Synthetic Dispatch"
SITEURL = "https://synthetic.example.org"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = ((1, "{url}", "{save_as}"), (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"))
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
TAGS_SAVE_AS = "tag/index.html"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
MONTH_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/index.html"
DAY_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/index.html"
FEED_ALL_ATOM = "feed.xml"
TAG_FEED_ATOM = "tag/{slug}/feed.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 20
MARKDOWN = {
    "extensions": ["markdown.extensions.footnotes", "markdown.extensions.tables",
                   "markdown.extensions.fenced_code", "markdown.extensions.toc",
                   "markdown.extensions.smarty"],
    "output_format": "html5",
}
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
"""


def write_hugo(folder: Path, posts: int, seed: int = 1) -> Path:
    """Write the same posts for Hugo, with list, tag and post templates and pagination 10."""
    generator = Generator(seed)
    content = folder / "content" / "posts"
    content.mkdir(parents=True, exist_ok=True)
    for number in range(posts):
        post = generator.post(number)
        # Hugo wants seconds and an offset in dates.
        text = hrdblog_post(post).replace(
            f"date: {post.date:%Y-%m-%d %H:%M}", f"date: {post.date:%Y-%m-%dT%H:%M:00Z}"
        )
        (content / f"{post.slug}.md").write_text(text, encoding="utf-8")
    (folder / "hugo.toml").write_text(HUGO_SETTINGS, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = folder / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


HUGO_SETTINGS = """\
baseURL = "https://synthetic.example.org/"
title = "Synthetic Dispatch"
languageCode = "en"
timeZone = "UTC"
disableKinds = ["section"]
[pagination]
  pagerSize = 10
[permalinks]
  posts = "/:year/:month/:day/:slug/"
[taxonomies]
  tag = "tags"
[outputs]
  home = ["html", "rss"]
  term = ["html", "rss"]
"""

_ENTRY = """<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time></p>
<div>{{ .Summary }}</div>{{ if .Truncated }}<p><a href="{{ .RelPermalink }}#more">Read the rest of this entry »</a></p>{{ end }}
<p>Tags: {{ range .Params.tags }}<a href="{{ "tag/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p></article>
"""
_PAGER = """{{ with .Paginator }}{{ if .HasNext }}<a href="{{ .Next.URL }}">« Older Entries</a>{{ end }}
{{ if .HasPrev }}<a href="{{ .Prev.URL }}">Newer Entries »</a>{{ end }}{{ end }}"""
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }} – {{ site.Title }}</title></head><body><main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}""",
    "_default/list.html": '{{ define "main" }}<h1>Posts Tagged ‘{{ .Title }}’</h1>'
    '{{ range (.Paginate (where site.RegularPages "Type" "posts")).Pages }}'
    + _ENTRY
    + "{{ end }}"
    + _PAGER
    + "{{ end }}",
    "_default/term.html": '{{ define "main" }}<h1>Posts Tagged ‘{{ .Title }}’</h1>'
    "{{ range .Paginator.Pages }}" + _ENTRY + "{{ end }}" + _PAGER + "{{ end }}",
    "_default/taxonomy.html": '{{ define "main" }}<ul>{{ range .Data.Terms.ByCount }}'
    '<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}',
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=["hrdblog", "pelican", "hugo"], default="hrdblog")
    arguments = parser.parse_args()
    writer = {"hrdblog": write_hrdblog, "pelican": write_pelican, "hugo": write_hugo}[
        arguments.format
    ]
    writer(arguments.output, arguments.posts, arguments.seed)


if __name__ == "__main__":
    main()
