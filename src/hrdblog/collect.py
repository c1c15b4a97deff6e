"""Stage 2: posts and pages → Site. Order posts, gather terms, archives and neighbours,
paginate lists."""

from __future__ import annotations

import bisect
import heapq
import logging
import operator
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from hrdblog.config import SiteConfig, Taxonomy
from hrdblog.errors import ContentError, ErrorList, HrdblogError, raise_all
from hrdblog.models import (
    Archive,
    ListPage,
    Page,
    Post,
    PostPage,
    Site,
    Tag,
    TaxonomyTerms,
    YearArchives,
)
from hrdblog.urls import archive_url, page_url, term_key

logger = logging.getLogger(__name__)


#: Finds the related posts of every post: given each post's terms (newest post first) and
#: how many to find, the numbers of each one's related posts (`related_posts`).
RelatedFinder = Callable[[list[list[tuple[str, str]]], int], list[list[int]]]


def collect_trees(
    config: SiteConfig,
    posts: tuple[Post, ...],
    pages: tuple[Page, ...],
    related: RelatedFinder | None = None,
) -> tuple[Site, ...]:
    """Build the Site, or on a site of several languages its tree in each, the default
    language's first: each post and page in the tree of its language (`collect`). Raise the
    problems of every tree together."""
    trees: list[Site] = []
    errors: list[HrdblogError] = []
    for language in config.languages or ("",):

        def in_tree(entry: Post | Page, language: str = language) -> bool:
            return not language or config.tree_of(entry.lang or config.language) == language

        try:
            trees.append(
                collect(
                    config,
                    tuple(filter(in_tree, posts)),
                    related,
                    pages=tuple(filter(in_tree, pages)),
                    language=language,
                )
            )
        except ErrorList as exc:
            errors += exc.errors
    raise_all(errors)
    return tuple(trees)


def collect(
    config: SiteConfig,
    posts: tuple[Post, ...],
    related: RelatedFinder | None = None,
    *,
    pages: tuple[Page, ...] = (),
    language: str = "",
) -> Site:
    """Build the Site, or on a site of several languages the tree of one `language`: posts
    newest first, terms checked for clashes, every list paginated; pages by address.

    Drafts and posts scheduled for later are left out unless the build asks for them.
    `related` finds the related posts (`related_posts`, or a wrapper of it with the same
    signature, as `incremental` gives).
    """
    ordered = sorted(published(config, posts), key=Post.sort_key, reverse=True)
    errors = _url_clashes(ordered)
    prefix = config.prefix(language) if language else ""
    taxonomies = tuple(replace(t, prefix=prefix) for t in config.taxonomies)
    names: dict[tuple[str, str], str] = {}
    for taxonomy in taxonomies:
        found, clashes = _term_names(ordered, taxonomy)
        names.update(((taxonomy.name, slug), name) for slug, name in found.items())
        errors += clashes
    raise_all(errors)
    final = tuple(_with_names(post, names) for post in ordered)
    size = config.posts_per_page
    archives = _archives(final, size, prefix, config.compact_archives)
    kept = published_pages(config, pages)
    return Site(
        config=config,
        posts=final,
        home=paginate(prefix + "/", final, size),
        post_pages=_post_pages(final, config.related_posts, related or related_posts),
        taxonomies=tuple(_taxonomy_terms(t, final, names, size) for t in taxonomies),
        archives=archives,
        archive_listing=tuple(
            YearArchives(
                year,
                tuple(a for a in archives if a.kind == "month" and a.date.year == year.date.year),
            )
            for year in archives
            if year.kind == "year"
        ),
        pages=tuple(sorted(kept, key=lambda page: page.url)),
        drafts=tuple(page for page in pages if page.draft and not config.include_drafts),
        language=language,
        prefix=prefix,
    )


def published(config: SiteConfig, posts: tuple[Post, ...]) -> list[Post]:
    """Return the posts this build publishes."""
    kept = []
    for post in posts:
        if post.draft and not config.include_drafts:
            logger.info("%s: a draft, left out", post.file)
        elif post.scheduled and not config.include_future:
            logger.info("%s: scheduled for %s, left out", post.file, post.date.isoformat())
        else:
            kept.append(post)
    return kept


def published_pages(config: SiteConfig, pages: tuple[Page, ...]) -> list[Page]:
    """Return the pages this build publishes."""
    kept = []
    for page in pages:
        if page.draft and not config.include_drafts:
            logger.info("%s: a draft, left out", page.file)
        else:
            kept.append(page)
    return kept


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


def _taxonomy_terms(
    taxonomy: Taxonomy, posts: tuple[Post, ...], names: dict[tuple[str, str], str], size: int
) -> TaxonomyTerms:
    by_slug: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        for term in post.terms.get(taxonomy.name, ()):
            by_slug[term.slug].append(post)
    tags = []
    for slug, tagged in by_slug.items():
        url = taxonomy.term_url(slug)
        tags.append(
            Tag(
                taxonomy.name,
                slug,
                names[(taxonomy.name, slug)],
                url,
                tuple(tagged),
                paginate(url, tuple(tagged), size),
            )
        )
    return TaxonomyTerms(
        taxonomy, tuple(sorted(tags, key=lambda tag: (tag.name.casefold(), tag.slug)))
    )


def _archives(
    posts: tuple[Post, ...], size: int, prefix: str, whole: bool = False
) -> tuple[Archive, ...]:
    """Return the archive of every year, month and day that has posts, newest first, at
    addresses starting with `prefix`; each on one page if `whole` (compact archives)."""
    groups: dict[tuple[str, date], list[Post]] = defaultdict(list)
    for post in posts:
        day = post.date.date()
        groups[("year", day.replace(month=1, day=1))].append(post)
        groups[("month", day.replace(day=1))].append(post)
        groups[("day", day)].append(post)
    kinds = {"year": 0, "month": 1, "day": 2}
    archives = []
    for (kind, first_day), grouped in groups.items():
        parts = (first_day.year, first_day.month, first_day.day)[: kinds[kind] + 1]
        url = prefix + archive_url(*parts)
        archives.append(
            Archive(
                kind,
                first_day,
                url,
                tuple(grouped),
                paginate(url, tuple(grouped), len(grouped) if whole else size),
            )
        )
    # Years, then months, then days; newest first within each.
    archives.sort(key=lambda a: (kinds[a.kind], -a.date.toordinal()))
    return tuple(archives)


def _with_names(post: Post, names: dict[tuple[str, str], str]) -> Post:
    """Return the post with each term spelled as most posts spell it."""
    if all(t.name == names[(taxonomy, t.slug)] for taxonomy, ts in post.terms.items() for t in ts):
        return post
    return replace(
        post,
        terms={
            taxonomy: tuple(replace(t, name=names[(taxonomy, t.slug)]) for t in terms)
            for taxonomy, terms in post.terms.items()
        },
    )


def _post_pages(
    posts: tuple[Post, ...], count: int, related_to: RelatedFinder
) -> tuple[PostPage, ...]:
    """Pair each post with its older and newer neighbours and its most related posts."""
    keys = [
        [(taxonomy, term.slug) for taxonomy, terms in post.terms.items() for term in terms]
        for post in posts
    ]
    related = related_to(keys, count) if count else [[] for _ in posts]
    return tuple(
        PostPage(
            post=post,
            previous=posts[index + 1] if index + 1 < len(posts) else None,
            next=posts[index - 1] if index > 0 else None,
            related=tuple(posts[other] for other in related[index]),
        )
        for index, post in enumerate(posts)
    )


def related_posts(keys: list[list[tuple[str, str]]], count: int) -> list[list[int]]:
    """Return, for each post (numbered newest first, given by the (taxonomy, term) pairs it
    carries), the numbers of its `count` most related posts."""
    carrying: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, post_keys in enumerate(keys):
        for key in post_keys:
            carrying[key].append(index)  # in index order: newest first
    return [_related(index, post_keys, carrying, count) for index, post_keys in enumerate(keys)]


#: Related posts are looked for among this many posts on either side in time of each shared
#: term: all of them on most blogs, and on a large archive a bound that keeps the work linear.
RELATED_WINDOW = 250


def _related(
    index: int,
    keys: list[tuple[str, str]],
    carrying: dict[tuple[str, str], list[int]],
    count: int,
) -> list[int]:
    """Return the `count` posts sharing the most terms with post `index`, newer first on ties.

    Posts are numbered newest first. Counting every post of every term is quadratic on big
    archives, where a common tag holds thousands of posts; instead, each term gives the
    RELATED_WINDOW posts on either side of this one in its list, posts sharing two terms or
    more come from the intersections of those sets, and posts sharing one term are the
    newest of each term's list, which is already in order.
    """
    near = {}
    for key in keys:
        posts = carrying[key]
        at = bisect.bisect_left(posts, index)
        near[key] = frozenset(posts[max(0, at - RELATED_WINDOW) : at + RELATED_WINDOW + 1])
    # A post in k of the sets is in k(k-1)/2 of their pairwise intersections: counting pairs
    # orders posts as counting shared terms does, and Counter counts in C.
    pairs: Counter[int] = Counter()
    for first in range(len(keys)):
        for second in range(first + 1, len(keys)):
            pairs.update(near[keys[first]] & near[keys[second]])
    pairs.pop(index, None)
    several = pairs.keys()
    # (-shared, number) pairs made and compared in C: no Python call per candidate.
    ranked = heapq.nsmallest(count, zip(map(operator.neg, pairs.values()), several, strict=True))
    best = [other for _, other in ranked]
    if len(best) < count:
        wanted = count - len(best)
        single: set[int] = set()
        for key in keys:
            taken = 0
            for other in carrying[key]:
                if other != index and other not in several:
                    single.add(other)
                    taken += 1
                    if taken == wanted:
                        break
        best += sorted(single)[:wanted]
    return best


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
                    post.file,
                    post.lines.get("slug", post.lines.get("title")),
                    f"this post and {other.file} would both be published at {post.url}",
                    "give one of them another `slug:` in its front matter",
                )
            )
        else:
            first[key] = post
    return errors


def _term_names(posts: list[Post], taxonomy: Taxonomy) -> tuple[dict[str, str], list[HrdblogError]]:
    """Return each term's most common spelling, and an error for each slug two terms share."""
    key_name = taxonomy.name
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    first_use: dict[tuple[str, str], Post] = {}
    for post in reversed(posts):  # oldest first: the first use of a spelling is the oldest
        for term in post.terms.get(key_name, ()):
            spellings[term.slug][term.name] += 1
            first_use.setdefault((term.slug, term_key(term.name)), post)
    errors: list[HrdblogError] = []
    names: dict[str, str] = {}
    for slug, counts in spellings.items():
        names[slug] = min(counts, key=lambda name: (-counts[name], name))
        # The spellings in the order they were first used: the clash is the later one's.
        keys = sorted(
            {term_key(name) for name in counts}, key=lambda k: first_use[(slug, k)].sort_key()
        )
        if len(keys) > 1:
            first, second = (first_use[(slug, key)] for key in keys[:2])
            a = next(t.name for t in first.terms[key_name] if term_key(t.name) == keys[0])
            b = next(t.name for t in second.terms[key_name] if term_key(t.name) == keys[1])
            where = f"{first.file}:{first.lines.get(key_name, 1)}"
            errors.append(
                ContentError(
                    second.file,
                    second.lines.get(key_name),
                    f"the {key_name} {b!r} and {a!r} ({where}) would share the URL "
                    f"{taxonomy.term_url(slug)}",
                    "terms are told apart by their URL: rename one of them",
                )
            )
    return names, errors
