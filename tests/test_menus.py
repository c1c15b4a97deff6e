"""The menu: the `menu` setting's entries on every page, the current one marked, sub-entries
nested; every entry that leads nowhere an error naming its line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import build_site, make_site, page, post, run_cli, site_files, text

from hrdblog.build import build
from hrdblog.config import load_config
from hrdblog.errors import ErrorList

POSTS = {
    "2017/statement.md": post("A statement", "2017-11-04", "News.", tags=["coalition"]),
    "pages/about.md": "---\ntitle: About us\n---\nWho we are.\n",
    "pages/about/team.md": "---\ntitle: Our team\n---\nUs.\n",
    "pages/contact.md": "---\ntitle: Contact\n---\nReach us safely.\n",
}

MENU = """\
title: Dispatch
base_url: https://example.org/
menu:
  - home
  - page: about
    entries:
      - page: about/team
      - page: contact
        title: Reach us
  - tag: coalition
    title: {en: Coalitions, ar: تحالفات}
  - index: tags
  - archives
  - url: https://donate.example.org/give
    title: Donate
  - url: /2017/
    title: "2017"
"""


def blog(root: Path, settings: str = MENU, **more: str) -> Path:
    make_site(root, {**POSTS, **more})
    (root / "hrdblog.yaml").write_text(settings, encoding="utf-8")
    return root


def menu(
    site: Path, url: str
) -> list[tuple[str, str, str | None, list[tuple[str, str, str | None]]]]:
    """Return the menu of a page: (title, href, aria-current, sub-entries) per entry."""
    nav = next(n for n in page(site, url).iter("nav") if n.get("class") == "site-nav")
    listed = nav.find("ul")
    assert listed is not None

    def link(item: ET.Element) -> tuple[str, str, str | None]:
        a = item.find("a")
        assert a is not None
        return (text(a), a.get("href") or "", a.get("aria-current"))

    return [
        (*link(item), [link(sub) for sub in item.findall("ul/li")]) for item in listed.findall("li")
    ]


def test_the_menu_shows_its_entries_in_order_with_their_sub_entries(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    assert menu(site, "/2017/11/04/a-statement/") == [
        ("Home", "../../../../", None, []),
        (
            "About us",
            "../../../../about/",
            None,
            [
                ("Our team", "../../../../about/team/", None),
                ("Reach us", "../../../../contact/", None),
            ],
        ),
        ("Coalitions", "../../../../tag/coalition/", None, []),
        ("Tags", "../../../../tag/", None, []),
        ("Archives", "../../../../archives/", None, []),
        ("Donate", "https://donate.example.org/give", None, []),
        ("2017", "../../../", None, []),
    ]
    external = next(
        a for a in page(site, "/").iter("a") if a.get("href") == "https://donate.example.org/give"
    )
    assert external.get("rel") == "external"


def test_the_entry_of_the_page_shown_is_marked_current(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path))
    current = {
        url: [
            title
            for title, _, mark, subs in menu(site, url)
            for title, _, mark in [(title, "", mark), *subs]
            if mark == "page"
        ]
        for url in ("/", "/about/", "/about/team/", "/contact/", "/tag/coalition/", "/2017/")
    }
    assert current == {
        "/": ["Home"],
        "/about/": ["About us"],
        "/about/team/": ["Our team"],
        "/contact/": ["Reach us"],
        "/tag/coalition/": ["Coalitions"],
        "/2017/": ["2017"],
    }


def test_an_entry_title_is_taken_in_the_site_s_language(tmp_path: Path) -> None:
    site = build_site(
        blog(tmp_path, MENU.replace("title: Dispatch", "title: Dispatch\nlanguage: ar"))
    )
    titles = [title for title, *_ in menu(site, "/")]
    assert titles[:3] == ["الرئيسية", "About us", "تحالفات"]  # a page's own title, as written


def test_without_the_setting_the_menu_is_home_the_indexes_and_the_archives(tmp_path: Path) -> None:
    site = build_site(blog(tmp_path, "title: Dispatch\n"))
    assert [(title, href) for title, href, *_ in menu(site, "/about/")] == [
        ("Home", "../"),
        ("Tags", "../tag/"),
        ("Archives", "../archives/"),
    ]


def test_a_menu_entry_of_a_draft_page_is_left_out_until_it_is_published(tmp_path: Path) -> None:
    settings = MENU + "  - page: donate\n"
    root = blog(tmp_path, settings, **{"pages/donate.md": "---\ntitle: Donate\ndraft: true\n---\n"})
    site = build_site(root)
    assert "Donate" not in [title for title, _, _, subs in menu(site, "/")][:-2]
    assert run_cli("build", "--source", str(root), "--drafts").exit_code == 0
    assert menu(site, "/")[-1][:2] == ("Donate", "donate/")


def test_every_menu_entry_that_cannot_be_read_is_named_at_its_line(tmp_path: Path) -> None:
    settings = """\
title: Dispatch
menu:
  - home
  - page: about
    entries:
      - page: about/team
        entries: [home]
  - country: oman
  - url: https://donate.example.org/
  - {page: about, url: /about/}
  - homepage
  - archives: yes
  - url: javascript:alert(1)
    title: Hi
  - page: about
    title: [About]
"""
    result = run_cli("build", "--source", str(blog(tmp_path, settings)))
    assert result.exit_code == 1
    assert result.stderr.replace(f"{tmp_path}/", "").splitlines() == [
        "hrdblog.yaml:7: a menu's sub-entries cannot have sub-entries of their own",
        "  hint: the menu has one level of sub-entries: move these up a level",
        "hrdblog.yaml:8: the menu entry has an unknown key 'country'",
        "  hint: an entry is one of page:, url:, index:, home, archives, or a taxonomy with a "
        "term like `tag: coalition`; besides, it may have a title and entries",
        "hrdblog.yaml:9: the menu entry for https://donate.example.org/ needs a title",
        "  hint: add `title: …`",
        "hrdblog.yaml:10: a menu entry names one place, this one names 2",
        "  hint: an entry is one of page:, url:, index:, home, archives, or a taxonomy with a "
        "term like `tag: coalition`",
        "hrdblog.yaml:11: the menu entry 'homepage' is not one hrdblog knows",
        "  hint: did you mean 'home'?",
        "hrdblog.yaml:12: 'archives' in a menu entry is written `archives: true`",
        "hrdblog.yaml:13: the menu entry's url 'javascript:alert(1)' is not an address",
        "  hint: an address on this site starts with / (/2017/), one on another starts with "
        "https://",
        "hrdblog.yaml:16: a menu entry's title must be a text, or a text per language, got "
        "['About']",
        "  hint: e.g. title: About us, or title: {en: About us, ar: من نحن}",
        "error: 8 errors in 1 file; nothing was built, and site/ is unchanged",
    ]


def test_every_menu_entry_that_leads_nowhere_is_named_at_its_line(tmp_path: Path) -> None:
    settings = """\
title: Dispatch
menu:
  - page: abuot
  - tag: no-such-term
  - index: categories
  - url: /2071/
    title: Later
  - url: /about/#team
    title: Team
"""
    with pytest.raises(ErrorList) as raised:
        build(load_config(blog(tmp_path, settings)))
    assert [str(e) for e in raised.value.errors] == [
        "hrdblog.yaml:3: the menu entry 'page: abuot' names no page of the site: did you mean "
        "'page: about'?\n"
        "  hint: name a page by its file under content/pages/, without .md: page: about/team "
        "for content/pages/about/team.md",
        "hrdblog.yaml:4: the menu entry 'tag: no-such-term' names a term no published post has\n"
        "  hint: check its spelling; the tags index, /tag/, lists them",
        "hrdblog.yaml:5: the menu entry 'index: categories' leads nowhere: no published post has "
        "categories\n"
        "  hint: remove the entry, or publish a post with one",
        "hrdblog.yaml:6: the menu entry 'url: /2071/' leads to no page of the site\n"
        "  hint: check the address: it is the path of a page, like /2017/ or /about/, in the "
        "same upper and lower case",
    ]


def test_a_rebuild_after_a_page_in_the_menu_is_renamed_equals_a_clean_build(
    tmp_path: Path,
) -> None:
    root = blog(tmp_path / "blog")
    build(load_config(root))
    (root / "content" / "pages" / "contact.md").write_text("---\ntitle: Write to us\n---\nHi.\n")
    (root / "hrdblog.yaml").write_text(MENU.replace("        title: Reach us\n", ""))
    build(load_config(root))
    clean = tmp_path / "clean"
    build(load_config(root, output_dir=clean), use_cache=False)
    assert site_files(root / "site") == site_files(clean)
    assert ("Write to us", "../contact/", None) in menu(clean, "/about/")[1][3]


def test_sub_entries_are_checked_when_their_entry_is_wrong(tmp_path: Path) -> None:
    settings = "title: D\nmenu:\n  - page: about\n    titel: Us\n    entries:\n      - tga: news\n"
    result = run_cli("build", "--source", str(blog(tmp_path, settings)))
    assert result.stderr.splitlines()[:4] == [
        "hrdblog.yaml:4: the menu entry has an unknown key 'titel': did you mean 'title'?",
        "  hint: an entry is one of page:, url:, index:, home, archives, or a taxonomy with a "
        "term like `tag: coalition`; besides, it may have a title and entries",
        "hrdblog.yaml:6: the menu entry has an unknown key 'tga': did you mean 'tag'?",
        "  hint: an entry is one of page:, url:, index:, home, archives, or a taxonomy with a "
        "term like `tag: coalition`; besides, it may have a title and entries",
    ]


def test_a_menu_with_no_entry_shown_is_no_menu(tmp_path: Path) -> None:
    settings = "title: D\nmenu:\n  - page: soon\n"
    root = blog(tmp_path, settings, **{"pages/soon.md": "---\ntitle: Soon\ndraft: true\n---\n"})
    site = build_site(root)
    assert not [n for n in page(site, "/").iter("nav") if n.get("class") == "site-nav"]
