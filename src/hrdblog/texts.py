"""The interface texts of the default theme, per language, and how a site changes them.

`%s` stands for the variable part of a text. A language's texts are, from weakest to
strongest: the English set, the texts of the site's taxonomy definitions, the built-in set of
that language, the site's `translations` for it, and, for the site's own language, the
taxonomy definitions again and the `texts` setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

ENGLISH: Mapping[str, str] = MappingProxyType(
    {
        "read_more": "Read the rest of this entry »",
        "older_entries": "« Older Entries",
        "newer_entries": "Newer Entries »",
        "page_number": "Page %s",
        "posts_navigation": "More posts",
        "by_author": "by %s",
        "skip_link": "Skip to content",
        "site_navigation": "Site",
        "home": "Home",
        "no_posts": "Nothing has been published yet.",
        "powered_by": "Published with hrdblog",
        "tags_title": "Tags",
        "tags_heading": "Posts Tagged ‘%s’",
        "tags_label": "Tags:",
        "categories_title": "Categories",
        "categories_heading": "Archive for the ‘%s’ Category",
        "categories_label": "Posted in",
        "archives": "Archives",
        "archive_year": "Archive for %s",
        "archive_month": "Archive for %s",
        "archive_day": "Archive for %s",
        "post_navigation": "Posts",
        "previous_post": "« %s",
        "next_post": "%s »",
        "related_posts": "Related posts",
        "via": "via %s",
        "feed_link": "Atom feed",
        "draft": "Draft",
        "page_updated": "Last updated: %s",
        "scheduled": "Scheduled",
        "not_found_title": "Page not found",
        "not_found_text": "Nothing is published at this address. The home page and the archives "
        "list everything that is.",
    }
)

ARABIC: Mapping[str, str] = MappingProxyType(
    {
        "read_more": "تابع قراءة بقية التدوينة »",
        "older_entries": "« التدوينات الأقدم",
        "newer_entries": "التدوينات الأحدث »",
        "page_number": "الصفحة %s",
        "posts_navigation": "مزيد من التدوينات",
        "by_author": "بقلم %s",
        "skip_link": "انتقل إلى المحتوى",
        "site_navigation": "الموقع",
        "home": "الرئيسية",
        "no_posts": "لم يُنشر شيء بعد.",
        "powered_by": "نُشر باستخدام hrdblog",
        "tags_title": "الوسوم",
        "tags_heading": "التدوينات الموسومة بـ«%s»",
        "tags_label": "الوسوم:",
        "categories_title": "التصنيفات",
        "categories_heading": "أرشيف التصنيف «%s»",
        "categories_label": "نُشر في",
        "archives": "الأرشيف",
        "archive_year": "أرشيف %s",
        "archive_month": "أرشيف %s",
        "archive_day": "أرشيف %s",
        "post_navigation": "التدوينات",
        "previous_post": "« %s",
        "next_post": "%s »",
        "related_posts": "تدوينات ذات صلة",
        "via": "عبر %s",
        "feed_link": "خلاصة Atom",
        "draft": "مسودة",
        "page_updated": "آخر تحديث: %s",
        "scheduled": "مجدولة",
        "not_found_title": "الصفحة غير موجودة",
        "not_found_text": "لا يوجد شيء منشور على هذا العنوان. تجد في الصفحة الرئيسية وفي الأرشيف "
        "كل ما نُشر.",
    }
)

BUILT_IN: Mapping[str, Mapping[str, str]] = MappingProxyType({"en": ENGLISH, "ar": ARABIC})

TAXONOMY_TEXTS = ("title", "heading", "label")


def primary(language: str) -> str:
    """Return a language tag's primary subtag, lower case: `ar` for `ar-EG`."""
    return language.split("-")[0].lower()


def placeholder_problem(key: str, text: str, default: str) -> str | None:
    """Return why `text` cannot stand for the text `key`, whose English is `default`."""
    if text.count("%s") != default.count("%s") or "%" in text.replace("%s", ""):
        where = "exactly once" if "%s" in default else "nowhere"
        return f"text {key!r} must hold %s {where}, like {default!r}, and no other %"
    return None


def language_texts(
    site_language: str,
    texts: Mapping[str, str],
    translations: Mapping[str, Mapping[str, str]],
    taxonomy_texts: Mapping[str, str],
) -> Mapping[str, Mapping[str, str]]:
    """Return the complete texts of every language the site can show, by primary subtag."""
    site = primary(site_language)
    result: dict[str, Mapping[str, str]] = {}
    for language in sorted({*BUILT_IN, *translations, site}):
        merged = {**ENGLISH, **taxonomy_texts, **BUILT_IN.get(language, {})}
        merged.update(translations.get(language, {}))
        if language == site:
            merged.update(taxonomy_texts)
            merged.update(texts)
        result[language] = MappingProxyType(merged)
    return MappingProxyType(result)
