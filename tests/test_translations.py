"""A site in several languages: a tree of pages for each, translations that link each other
(hreflang, symmetric, and a switcher that lands on the twin), and clear errors."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from helpers import build_site, by_class, make_site, page, post, run_cli, site_files, text

from hrdblog.build import build
from hrdblog.config import load_config
from hrdblog.errors import ErrorList

BASE = "https://example.org/"
SETTINGS = """\
title: Dispatch
base_url: https://example.org/
languages: [en, ar]
slug_unicode: true
term_translations:
  tags:
    coalition: {ar: تحالف}
menu:
  - home
  - page: about
  - tag: coalition
  - index: tags
  - archives
"""


def blog(root: Path, settings: str = SETTINGS, **more: str) -> Path:
    make_site(
        root,
        {
            "2017/statement.md": post(
                "Coalition statement", "2017-11-04", "In English.", tags=["coalition", "UN"]
            ),
            "2017/statement.ar.md": post(
                "بيان التحالف", "2017-11-04", "بالعربية.", tags=["تحالف", "UN"]
            ),
            "2017/only.md": post("Only in English", "2017-10-01", "English.", tags=["coalition"]),
            "2017/vigil/index.md": post("A vigil", "2017-09-01", "![Candles](candles.svg)"),
            "2017/vigil/index.ar.md": post("وقفة", "2017-09-01", "![شموع](candles.svg)"),
            "2016/report.md": post("Annual report", "2016-05-01", "Report.", translation_key="r"),
            "2016/taqrir.md": post(
                "التقرير السنوي", "2016-05-02", "تقرير.", lang="ar", translation_key="r"
            ),
            "pages/about.md": "---\ntitle: About us\n---\nWho we are.\n",
            "pages/about.ar.md": "---\ntitle: من نحن\n---\nمن نحن.\n",
            **more,
        },
        files={"content/2017/vigil/candles.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'},
    )
    (root / "hrdblog.yaml").write_text(settings, encoding="utf-8")
    return root


def alternates(site: Path, url: str) -> dict[str, str]:
    """Return the hreflang links in a page's head: language → site url."""
    found = {}
    for link in page(site, url).iter("link"):
        if link.get("rel") == "alternate" and link.get("hreflang"):
            found[link.get("hreflang") or ""] = unquote(urlsplit(link.get("href")).path)
    return found


def switcher(site: Path, url: str) -> dict[str, tuple[str, str | None]]:
    """Return the language switcher of a page: language → (the site url it leads to,
    aria-current)."""
    nav = next(n for n in page(site, url).iter("nav") if n.get("class") == "language-switcher")
    found = {}
    for a in nav.iter("a"):
        resolved = urljoin(BASE + url.lstrip("/"), a.get("href") or "")
        found[a.get("lang") or ""] = (unquote(urlsplit(resolved).path), a.get("aria-current"))
    return found


def test_each_language_has_its_own_tree_with_its_texts_and_direction(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    home = page(site, "/ar/")
    assert (home.get("lang"), home.get("dir")) == ("ar", "rtl")
    assert page(site, "/").get("dir") == "ltr"
    assert [text(h) for h in home.iter("h2")] == ["بيان التحالف", "وقفة", "التقرير السنوي"]
    assert [text(h) for h in page(site, "/").iter("h2")] == [
        "Coalition statement",
        "Only in English",
        "A vigil",
        "Annual report",
    ]
    assert text(page(site, "ar/404.html").find(".//h1")) == "الصفحة غير موجودة"
    assert text(page(site, "/ar/archives/").find(".//h1")) == "الأرشيف"
    assert text(page(site, "/ar/tag/تحالف/").find(".//h1")) == "التدوينات الموسومة بـ«تحالف»"
    assert (site / "ar" / "2017" / "index.html").is_file()
    assert (site / "ar" / "2017" / "09" / "01" / "وقفة" / "candles.svg").is_file()
    feed = (site / "ar" / "feed.xml").read_text()
    assert "بيان التحالف" in feed and "Coalition statement" not in feed
    assert "Only in English" not in (site / "ar" / "tag" / "index.html").read_text()
    robots = (site / "robots.txt").read_text()
    assert (
        "Sitemap: https://example.org/sitemap.xml\nSitemap: https://example.org/ar/sitemap.xml"
        in (robots)
    )


def test_every_page_s_translations_link_each_other_back(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    pages = sorted(p for p in site.rglob("index.html"))
    linked = 0
    for path in pages:
        url = "/" + path.relative_to(site).parent.as_posix() + "/"
        url = "/" if url == "/./" else url
        mine = alternates(site, url)
        if not mine:
            continue
        linked += 1
        assert mine[path_language(url)] == url  # it names itself
        assert mine["x-default"] == mine["en"]
        for language, other in mine.items():
            assert alternates(site, other) == mine, (url, language, other)
    # In each language: the home page, 3 posts, a page, 2 years, 3 months, 2 days, the
    # listing, 2 tags and their index, the search page; the days of a post translated the
    # day after are not.
    assert linked == 2 * 17


def path_language(url: str) -> str:
    return "ar" if url.startswith("/ar/") else "en"


@pytest.mark.parametrize(
    ("url", "twin"),
    [
        ("/2017/11/04/coalition-statement/", "/ar/2017/11/04/بيان-التحالف/"),
        ("/2017/09/01/a-vigil/", "/ar/2017/09/01/وقفة/"),
        ("/2016/05/01/annual-report/", "/ar/2016/05/02/التقرير-السنوي/"),
        ("/about/", "/ar/about/"),
        ("/tag/coalition/", "/ar/tag/تحالف/"),
        ("/tag/un/", "/ar/tag/un/"),
        ("/", "/ar/"),
        ("/tag/", "/ar/tag/"),
        ("/2017/", "/ar/2017/"),
        ("/archives/", "/ar/archives/"),
    ],
)
def test_the_switcher_lands_on_the_twin_and_back(tmp_path: Path, url: str, twin: str) -> None:
    site = build_site(blog(tmp_path))
    assert switcher(site, url) == {"en": (url, "page"), "ar": (twin, None)}
    assert switcher(site, twin) == {"en": (url, None), "ar": (twin, "page")}


def test_a_page_without_a_translation_leads_to_that_language_s_home(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    only = "/2017/10/01/only-in-english/"
    assert switcher(site, only)["ar"] == ("/ar/", None)
    assert alternates(site, only) == {}  # no hreflang for a page in one language
    assert not (site / "ar" / "2017" / "10").exists()


def test_the_sitemap_of_each_tree_lists_each_page_s_translations(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    sitemap = (site / "ar" / "sitemap.xml").read_text()
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in sitemap
    about = re.search(r"<url><loc>https://example.org/ar/about/</loc>(.*?)</url>", sitemap)
    assert about is not None
    assert about.group(1) == (
        '<xhtml:link rel="alternate" hreflang="en" href="https://example.org/about/"/>'
        '<xhtml:link rel="alternate" hreflang="ar" href="https://example.org/ar/about/"/>'
        '<xhtml:link rel="alternate" hreflang="x-default" href="https://example.org/about/"/>'
    )
    assert "https://example.org/ar/" in sitemap and "/2017/10/01/" not in sitemap


def test_the_menu_of_each_tree_leads_to_its_own_pages(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    nav = next(n for n in page(site, "/ar/").iter("nav") if n.get("class") == "site-nav")
    assert [(text(a), a.get("href")) for a in nav.iter("a")] == [
        ("الرئيسية", "./"),
        ("من نحن", "about/"),
        ("تحالف", "tag/تحالف/"),
        ("الوسوم", "tag/"),
        ("الأرشيف", "archives/"),
    ]


def test_a_post_in_a_language_the_site_does_not_list_is_in_the_default_tree(
    tmp_path: Path,
) -> None:
    root = blog(tmp_path, **{"2017/fr.md": post("Déclaration", "2017-08-01", "Texte.", lang="fr")})
    site = build_site(root)
    entry = next(a for a in by_class(page(site, "/2017/"), "entry") if "Déclaration" in text(a))
    assert entry.get("lang") == "fr"
    assert (site / "2017" / "08" / "01" / "déclaration" / "index.html").is_file()


def test_two_translations_of_one_story_into_one_language_are_an_error(tmp_path: Path) -> None:
    root = blog(
        tmp_path,
        **{"2016/again.md": post("Report again", "2016-05-03", "Again.", translation_key="r")},
    )
    with pytest.raises(ErrorList) as raised:
        build(load_config(root))
    assert [str(e) for e in raised.value.errors] == [
        "content/2016/report.md:4: this and content/2016/again.md are both the English "
        "translation of r\n"
        "  hint: give one of them another translation_key, or another language"
    ]


def test_a_language_the_file_name_contradicts_is_an_error(tmp_path: Path) -> None:
    root = blog(tmp_path, **{"2015/x.ar.md": post("X", "2015-01-01", "X.", lang="en")})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "content/2015/x.ar.md:4: 'lang' is en, but the file's name says it is in ar",
        "  hint: remove the lang line, or rename the file without .ar",
    ]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            "language: fr\nlanguages: [en, ar]\n",
            "hrdblog.yaml:1: 'language' is fr, but 'languages' starts with en: the site's "
            "default language is the first of its languages",
        ),
        ("languages: [en, ar, ar-EG]\n", "hrdblog.yaml:1: 'languages' names a language twice"),
        (
            "languages: [en, ar]\nterm_translations: {tags: {coalition: {fr: coalition}}}\n",
            "hrdblog.yaml:2: 'term_translations' tags: coalition: names the language 'fr', "
            "which is not one of the site's other languages",
        ),
        (
            "term_translations: {tags: {coalition: {ar: تحالف}}}\n",
            "hrdblog.yaml:1: 'term_translations' needs the site's languages: set languages first",
        ),
    ],
)
def test_language_settings_that_cannot_be_used_are_named(
    tmp_path: Path, settings: str, message: str
) -> None:
    result = run_cli("build", "--source", str(blog(tmp_path, settings)))
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr


def test_a_rebuild_after_a_translation_is_added_or_edited_equals_a_clean_build(
    tmp_path: Path,
) -> None:
    root = blog(tmp_path / "blog")
    build(load_config(root))
    only = root / "content" / "2017" / "only.ar.md"
    only.write_text(post("بالإنجليزية فقط", "2017-10-01", "نص.", tags=["تحالف"]))
    (root / "content" / "pages" / "about.ar.md").write_text("---\ntitle: عن المنظمة\n---\nنحن.\n")
    build(load_config(root))
    clean = tmp_path / "clean"
    build(load_config(root, output_dir=clean), use_cache=False)
    assert site_files(root / "site") == site_files(clean)
    assert switcher(clean, "/2017/10/01/only-in-english/")["ar"][0] == (
        "/ar/2017/10/01/بالإنجليزية-فقط/"
    )
    nav = next(n for n in page(clean, "/ar/").iter("nav") if n.get("class") == "site-nav")
    assert "عن المنظمة" in text(nav)


def test_the_two_ways_of_naming_a_translation_can_be_mixed(tmp_path: Path) -> None:
    settings = SETTINGS.replace("languages: [en, ar]", "languages: [en, ar, fr]")
    root = blog(
        tmp_path,
        settings,
        **{
            "pages/about.md": "---\ntitle: About us\ntranslation_key: about\n---\nWho.\n",
            "pages/a-propos.md": "---\ntitle: À propos\nlang: fr\ntranslation_key: about\n---\nQui.\n",
        },
    )
    site = build_site(root)
    expected = {
        "en": "/about/",
        "ar": "/ar/about/",
        "fr": "/fr/a-propos/",
        "x-default": "/about/",
    }
    for url in expected.values():
        assert alternates(site, url) == expected, url


def test_a_translation_key_no_other_file_has_is_named_in_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = blog(
        tmp_path, **{"2015/alone.ar.md": post("وحيد", "2015-01-01", "نص.", translation_key="x")}
    )
    with caplog.at_level("WARNING", logger="hrdblog"):
        build(load_config(root))
    assert (
        "content/2015/alone.ar.md:4: translation_key 'x' is that of no other post or page: give "
        "its original and each of its translations this same line"
    ) in caplog.messages


def test_a_file_named_in_a_language_the_site_does_not_list_is_named_in_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = blog(tmp_path, **{"pages/contact.de.md": "---\ntitle: Kontakt\n---\nSchreiben.\n"})
    with caplog.at_level("WARNING", logger="hrdblog"):
        build(load_config(root))
    assert (
        "content/pages/contact.de.md: its name ends in .de, but de is not one of the site's "
        "languages: it is published in the default language, named so; add de to languages, "
        "or rename the file"
    ) in caplog.messages


def test_a_language_with_a_region_takes_the_files_named_in_its_language(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path, SETTINGS.replace("[en, ar]", "[en, ar-EG]")))
    about = page(site, "/ar/about/")
    assert (about.get("lang"), about.get("dir")) == ("ar-EG", "rtl")
    assert switcher(site, "/about/")["ar-EG"] == ("/ar/about/", None)


def test_a_post_in_an_unlisted_language_sharing_a_key_is_told_to_list_it(tmp_path: Path) -> None:
    root = blog(
        tmp_path,
        **{
            "2016/rapport.md": post(
                "Rapport", "2016-05-04", "Texte.", lang="fr", translation_key="r"
            )
        },
    )
    with pytest.raises(ErrorList) as raised:
        build(load_config(root))
    assert str(raised.value.errors[0]).endswith(
        "hint: fr is not one of the site's languages, so its post is published in the English "
        "tree: add fr to languages"
    )


def test_a_page_s_own_address_is_in_its_language_s_tree(tmp_path: Path) -> None:
    root = blog(
        tmp_path, **{"pages/support.ar.md": "---\ntitle: ادعمنا\nurl: /support/\n---\nنص.\n"}
    )
    site = build_site(root)
    assert (site / "ar" / "support" / "index.html").is_file()
    assert not (site / "support").exists()


def test_a_menu_entry_in_another_language_says_which(tmp_path: Path) -> None:
    settings = SETTINGS.replace(
        "  - archives\n", "  - archives\n  - tag: UN\n    title: Nations\n  - tag: بيان\n"
    )
    root = blog(
        tmp_path, settings, **{"2015/only.ar.md": post("فقط", "2015-01-01", "نص.", tags=["بيان"])}
    )
    site = build_site(root)
    nav = next(n for n in page(site, "/").iter("nav") if n.get("class") == "site-nav")
    links = {text(a): (a.get("lang"), a.get("dir")) for a in nav.iter("a")}
    assert links["بيان"] == ("ar", "rtl")  # the Arabic tree's term, from the English pages
    assert links["Nations"] == (None, "auto")  # a title for every language: its own letters
    assert links["About us"] == (None, None)


def test_the_site_s_name_and_description_are_translated_where_the_settings_say(
    tmp_path: Path,
) -> None:
    settings = (
        SETTINGS + "description: News of defenders.\ntranslations:\n  ar:\n    site_title: رسالة\n"
    )
    site = build_site(blog(tmp_path, settings))
    home = page(site, "/ar/")
    assert text(home.find(".//title")) == "رسالة"
    title = by_class(home, "site-title")[0]
    assert (text(title), title.get("lang")) == ("رسالة", None)
    description = by_class(home, "site-description")[0]  # not translated: marked English
    assert (text(description), description.get("lang")) == ("News of defenders.", "en")
    assert "<title>رسالة</title>" in (site / "ar" / "feed.xml").read_text()
    assert text(page(site, "/").find(".//title")) == "Dispatch"
