"""Stage 2: posts → Site. Order posts, gather tags under one spelling, paginate lists."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from hrdblog.config import SiteConfig
from hrdblog.errors import ContentError, HrdblogError, raise_all
from hrdblog.models import ListPage, Post, Site, Tag
from hrdblog.urls import page_url, tag_url, term_key


def collect(config: SiteConfig, posts: tuple[Post, ...]) -> Site:
    """Build the Site: posts newest first, tags checked for clashes, every list paginated."""
    ordered = sorted(posts, key=Post.sort_key, reverse=True)
    names, clashes = _tag_names(ordered)
    raise_all(_url_clashes(ordered) + clashes)
    final = tuple(
        replace(post, tags=tuple(replace(term, name=names[term.slug]) for term in post.tags))
        for post in ordered
    )
    by_slug: dict[str, list[Post]] = defaultdict(list)
    for post in final:
        for term in post.tags:
            by_slug[term.slug].append(post)
    tags = tuple(
        Tag(
            slug=slug,
            name=names[slug],
            url=tag_url(slug),
            posts=tuple(tagged),
            pages=paginate(tag_url(slug), tuple(tagged), config.posts_per_page),
        )
        for slug, tagged in sorted(by_slug.items(), key=lambda kv: (names[kv[0]].casefold(), kv[0]))
    )
    return Site(
        config=config,
        posts=final,
        tags=tags,
        home=paginate("/", final, config.posts_per_page),
    )


def paginate(first_url: str, posts: tuple[Post, ...], size: int) -> tuple[ListPage, ...]:
    """Split a list of posts into pages of `size`, the first at `first_url`, then /page/N/."""
    count = max(1, -(-len(posts) // size))
    return tuple(
        ListPage(
            url=page_url(first_url, number),
            number=number,
            count=count,
            posts=posts[(number - 1) * size : number * size],
            newer_url=page_url(first_url, number - 1) if number > 1 else None,
            older_url=page_url(first_url, number + 1) if number < count else None,
        )
        for number in range(1, count + 1)
    )


def _url_clashes(posts: list[Post]) -> list[HrdblogError]:
    """Return an error for each post published at the url of an older one."""
    errors: list[HrdblogError] = []
    first: dict[str, Post] = {}
    for post in reversed(posts):
        key = post.url.casefold()
        if key in first:
            other = first[key]
            errors.append(
                ContentError(
                    post.source,
                    post.lines.get("slug", post.lines.get("title")),
                    f"this post and {other.source} would both be published at {post.url}",
                    "give one of them another `slug:` in its front matter",
                )
            )
        else:
            first[key] = post
    return errors


def _tag_names(posts: list[Post]) -> tuple[dict[str, str], list[HrdblogError]]:
    """Return each tag slug's most common spelling, and an error for each slug two tags share."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    first_use: dict[tuple[str, str], Post] = {}
    for post in reversed(posts):  # oldest first: the first use of a spelling is the oldest
        for term in post.tags:
            spellings[term.slug][term.name] += 1
            first_use.setdefault((term.slug, term_key(term.name)), post)
    errors: list[HrdblogError] = []
    names: dict[str, str] = {}
    for slug, counts in spellings.items():
        names[slug] = min(counts, key=lambda name: (-counts[name], name))
        keys = sorted({term_key(name) for name in counts})
        if len(keys) > 1:
            first, second = (first_use[(slug, key)] for key in keys[:2])
            a = next(t.name for t in first.tags if term_key(t.name) == keys[0])
            b = next(t.name for t in second.tags if term_key(t.name) == keys[1])
            errors.append(
                ContentError(
                    second.source,
                    second.lines.get("tags"),
                    f"the tags {b!r} and {a!r} ({first.source}:{first.lines.get('tags', 1)}) "
                    f"would share the URL /tag/{slug}/",
                    "tags are told apart by their URL: rename one of them",
                )
            )
    return names, errors
