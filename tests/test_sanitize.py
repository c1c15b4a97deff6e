"""`sanitize: true`: classic cross-site scripting payloads in posts get nowhere."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from helpers import build_site, make_site, page, post, run_cli, site_files, text

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type="submit"></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<details open ontoggle=alert(1)>x</details>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<video><source onerror="alert(1)"></video>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<a href="https://example.org/" onmouseover="alert(1)">hover</a>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<input autofocus onfocus="alert(1)">',
    '<textarea onfocus="alert(1)" autofocus>x</textarea>',
    "<isindex action=javascript:alert(1) type=image>",
    '<x onclick="alert(1)">custom element</x>',
]
DANGER = re.compile(
    r"<\s*(script|iframe|object|embed|form|meta|base|link|style|svg|math|input|button|textarea)\b"
    r"|\son[a-z]+\s*=|javascript:|data:text/html|srcdoc",
    re.IGNORECASE,
)


def sanitized_site(tmp_path: Path) -> Path:
    posts = {
        f"p{i:02}.md": post(
            f"Payload {i}",
            f"2017-01-01 {i // 60:02}:{i % 60:02}",
            f"Before.\n\n{payload}\n\nAfter.",
        )
        for i, payload in enumerate(PAYLOADS)
    }
    return build_site(
        make_site(tmp_path, posts, {"sanitize": True, "base_url": "https://example.org/"})
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sanitized_site(tmp_path_factory.mktemp("xss"))


def test_no_payload_survives_in_any_page_or_feed(site: Path) -> None:
    for path, content in site_files(site).items():
        if path.endswith((".html", ".xml")):
            shown = html.unescape(html.unescape(content.decode()))  # feeds escape HTML once more
            for match in DANGER.finditer(shown):  # the theme's own <link>s match, harmlessly
                around = shown[match.start() : match.start() + 120]
                assert "alert" not in around and "evil" not in around, (path, around)


@pytest.mark.parametrize("number", range(len(PAYLOADS)))
def test_each_payload_is_neutralised_on_its_post_page(site: Path, number: int) -> None:
    body = page(site, f"/2017/01/01/payload-{number}/").find(".//div[@class='entry-content']")
    markup = "".join(
        f"<{e.tag} " + " ".join(f'{k}="{v}"' for k, v in e.attrib.items()) + ">"
        for e in body.iter()
    )
    assert not DANGER.search(markup), (PAYLOADS[number], markup)
    assert text(body).startswith("Before.")  # a payload left open may take what follows it


def test_ordinary_formatting_is_kept(tmp_path: Path) -> None:
    body = (
        'Some *emphasis*, **strength**, `code` and [a link](https://example.org/report "The report").\n\n'
        "![A photo](https://example.org/photo.jpg)\n\n"
        "## A heading\n\n- one\n- two\n\n1. first\n\n> A quote.\n\n"
        "| Left | Right |\n|:---|---:|\n| a | b |\n\n"
        'A claim.[^1]\n\n[^1]: Its source.\n\n<abbr title="United Nations">UN</abbr> <mark>marked</mark>'
    )
    site = build_site(
        make_site(
            tmp_path,
            {"a.md": post("Formatting", "2017-01-01", body)},
            {"sanitize": True, "allowed_origins": ["https://example.org"]},
        )
    )
    content = page(site, "/2017/01/01/formatting/").find(".//div[@class='entry-content']")
    tags = {e.tag for e in content.iter()}
    assert {
        "em",
        "strong",
        "code",
        "a",
        "img",
        "h2",
        "ul",
        "ol",
        "blockquote",
        "table",
        "sup",
        "abbr",
        "mark",
    } <= tags
    link = content.find(".//p/a")
    assert (link.get("href"), link.get("title")) == ("https://example.org/report", "The report")
    assert content.find(".//h2").get("id") == "a-heading"
    # A column's alignment is a class, not a style attribute, which the site's policy blocks.
    assert content.find(".//td").get("class") == "align-left"
    assert content.find(".//sup").get("id") == "fnref:1"
    assert content.find(".//div[@class='footnote']") is not None


def test_raw_html_is_trusted_when_sanitize_is_off(tmp_path: Path) -> None:
    body = '<aside class="box" onclick="toggle()">An author\'s own widget</aside>'
    site = build_site(make_site(tmp_path, {"a.md": post("Own", "2017-01-01", body)}))
    assert (
        b'onclick="toggle()"' in (site / "2017" / "01" / "01" / "own" / "index.html").read_bytes()
    )


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script>'
    '<a xlink:href="javascript:alert(3)"><circle r="4" onclick="alert(4)"/></a>'
    '<foreignObject><div>alert(5)</div></foreignObject><rect width="2" height="2"/></svg>'
)


@pytest.mark.parametrize("place", ["content/2017/vigil/map.svg", "static/map.svg"])
def test_scripts_leave_svg_drawings_when_sanitize_is_on(tmp_path: Path, place: str) -> None:
    root = make_site(
        tmp_path,
        {"2017/vigil/index.md": post("Vigil", "2017-01-01", "![The map](map.svg)")},
        {"sanitize": True},
        files={place: SVG},
    )
    site = build_site(root)
    published = next(site.rglob("map.svg")).read_text()
    assert "alert" not in published and "<rect" in published and "<circle" in published


def test_an_svg_drawing_that_loads_from_another_site_is_refused(tmp_path: Path) -> None:
    drawing = (
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/p.png"/>'
        "<style>@import url(https://fonts.example/f.css);</style></svg>"
    )
    root = make_site(
        tmp_path, {"a.md": post("A", "2017-01-01")}, files={"static/logo.svg": drawing}
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1].startswith(
        "static/logo.svg: loads https://tracker.example/p.png from another site (https://tracker.example)"
    )


def test_a_comment_hides_no_import_from_another_site() -> None:
    from hrdblog.sitecheck import css_addresses

    assert css_addresses('@import/**/"https://evil.example/x.css";') == [
        "https://evil.example/x.css"
    ]
    assert css_addresses("@import/* a */url(https://evil.example/y.css);") == [
        "https://evil.example/y.css"
    ]
    # /* inside a string or an unquoted url( ) opens no comment.
    assert css_addresses('a{background:url("https://evil.example/*.png")} b{c:d}') == [
        "https://evil.example/*.png"
    ]
    assert css_addresses("/* url(https://x.example/) */ a{b:url(/ok.png)}") == ["/ok.png"]
    # An escaped quote does not end a string: what follows it is no comment.
    assert css_addresses(
        r'a{content:"\" /* "} b{background:url(https://evil.example/x.png)} /* */'
    ) == ["https://evil.example/x.png"]


def test_a_stylesheet_of_the_site_s_that_loads_from_another_site_stops_the_build(
    tmp_path: Path,
) -> None:
    root = make_site(
        tmp_path,
        {"a.md": post("A", "2017-01-01")},
        {"title": "T", "stylesheet": "site.css", "base_url": "https://example.org/"},
        files={"static/site.css": "a { color: red; }\n@import/**/'https://evil.example/t.css';\n"},
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "static/site.css:2: loads https://evil.example/t.css from another site "
        "(https://evil.example) on every page that uses it"
    ), result.stderr


@pytest.mark.parametrize(
    "html",
    [
        '<!--><img src="//tracker.example/a.png">-->',
        '<!---><img src="//tracker.example/a.png">-->',
        '<img alt=x src="//tracker.example/a.png" src="ok.png">',
        '<meta http-equiv="refresh" content="0.5; url=//tracker.example/a.png">',
        '<svg><rect width=10 height=10 fill="url(//tracker.example/a.png#p)"/></svg>',
        '<svg><image><set attributeName="href" to="//tracker.example/a.png"/></image></svg>',
        '<svg><image><animate attributeName="xlink:href" values="x.png;//tracker.example/a.png"/></image></svg>',
        '<div style="background:url(//tracker.example/a.png">',
        '<style>@import "//tracker.example/a.png</style>',
        r"<style>.a\2f\2a{} body{background:url(//tracker.example/a.png)} .b\2a\2f{}</style>",
        '<svg><style><img src="//tracker.example/a.png"></style></svg>',
        '<![CDATA[ x ><img src="//tracker.example/a.png"> ]]>',
    ],
)
def test_what_a_browser_loads_is_found_however_it_is_written(html: str) -> None:
    from hrdblog.sitecheck import loads

    assert "//tracker.example/a.png" in [a.split("#")[0] for a in loads(html)]


def test_the_site_s_own_html_and_drawings_load_nothing_from_another_site(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"a.md": post("A", "2017-01-01")},
        {"title": "T", "base_url": "https://example.org/"},
        files={
            "static/frame.htm": '<p>x</p>\n<img src="//tracker.example/f.png" alt="">\n',
            "static/drawing.svg": (
                '<!DOCTYPE svg [<!ENTITY e "//tracker.example/e.png">]>'
                '<svg xmlns="http://www.w3.org/2000/svg"><image href="&e;"/></svg>'
            ),
        },
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "static/drawing.svg: cannot be published: it defines entities" in result.stderr
    assert "static/frame.htm:2: loads //tracker.example/f.png from another site" in result.stderr
