"""The site's HTTP headers: `_headers` in the site (as Netlify and Cloudflare Pages read it),
`hrdblog headers nginx|apache`, the onion address in every page, the mirrors page and the
list of every file's checksum, and the warnings of what the site's policy blocks. (The policy
in a real server and browser is in test_browser.py.)"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from helpers import build_site, make_site, page, post, run_cli, text

ONION = "http://" + "a" * 56 + ".onion/"
BASE = "https://defenders.example.org/"
POSTS = {"a.md": post("Detained in Muscat", "2017-11-04", "Text.", tags=["coalition"])}


def netlify(headers_file: str, path: str) -> dict[str, str]:
    """Return the headers Netlify sends for a path: of each matching rule in turn, a header's
    last value wins; a line without a colon (Cloudflare's `! Name`) is passed over."""
    return _matched(headers_file, path, cloudflare=False)


def cloudflare(headers_file: str, path: str) -> dict[str, str]:
    """Return the headers Cloudflare Pages sends: the values of every matching rule joined
    with a comma, but for those a later rule detaches (`! Name`)."""
    return _matched(headers_file, path, cloudflare=True)


def _matched(headers_file: str, path: str, cloudflare: bool) -> dict[str, str]:
    sent: dict[str, str] = {}
    matches = False
    for line in headers_file.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            pattern = re.escape(line).replace(r"\*", ".*")
            matches = re.fullmatch(pattern, path) is not None
            continue
        if not matches:
            continue
        entry = line.strip()
        if entry.startswith("!"):
            if cloudflare:
                sent.pop(entry[1:].strip(), None)
            continue
        name, _, value = entry.partition(":")
        value = value.strip()
        if cloudflare and name in sent:
            sent[name] = f"{sent[name]}, {value}"
        else:
            sent[name] = value
    return sent


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = make_site(
        tmp_path,
        POSTS,
        {
            "base_url": BASE,
            "languages": ["en", "ar"],
            "allowed_origins": ["https://video.example.org"],
            "onion_url": ONION,
            "mirrors": [
                "https://mirror.example.net/",
                {"url": "https://dispatch.example.com/", "name": "Kept by a partner"},
            ],
        },
    )
    return build_site(root)


@pytest.mark.parametrize("host", [netlify, cloudflare])
def test_every_page_has_a_strict_policy_and_the_search_pages_alone_may_run_webassembly(
    site: Path, host: object
) -> None:
    headers_file = (site / "_headers").read_text()
    send = host  # type: ignore[assignment]
    for path in ("/", "/2017/11/04/detained-in-muscat/", "/ar/", "/static/style.css"):
        sent = send(headers_file, path)
        policy = sent["Content-Security-Policy"]
        assert "," not in policy and "wasm-unsafe-eval" not in policy, (path, policy)
        for directive in (
            "default-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
            "img-src 'self' https://video.example.org",
            "frame-src https://video.example.org",
        ):
            assert directive in policy.split("; "), (path, directive)
        assert sent["Referrer-Policy"] == "no-referrer"
        assert sent["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in sent["Permissions-Policy"]
    for path in (
        "/search/",
        "/ar/search/",
        "/pagefind/pagefind.js",
        "/ar/pagefind/wasm.ar.pagefind",
    ):
        sent = send(headers_file, path)
        policy = sent["Content-Security-Policy"]
        assert "," not in policy, (path, policy)  # one policy, not the site's as well
        assert "script-src 'self' 'wasm-unsafe-eval'" in policy.split("; "), path
        assert sent["Referrer-Policy"] == "no-referrer"


def test_a_site_s_own_headers_file_in_root_is_published_in_place_of_hrdblog_s(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path, POSTS, {"base_url": BASE}, {"root/_headers": "/*\n  X-Ours: 1\n"})
    site = build_site(root)
    assert (site / "_headers").read_text() == "/*\n  X-Ours: 1\n"


def test_headers_for_nginx_and_apache_name_the_same_policies(site: Path) -> None:
    root = site.parent
    nginx = run_cli("headers", "nginx", "--source", str(root))
    assert nginx.exit_code == 0
    lines = nginx.stdout.splitlines()
    assert any(
        line.startswith("add_header Content-Security-Policy \"default-src 'self';")
        for line in lines
    )
    assert f"add_header Onion-Location {ONION.rstrip('/')}$request_uri always;" in lines
    assert "location ^~ /ar/search/ {" in lines and "location ^~ /pagefind/ {" in lines
    apache = run_cli("headers", "apache", "--source", str(root))
    assert apache.exit_code == 0
    assert '    <If "%{REQUEST_URI} =~ m#^/search/#">' in apache.stdout
    assert (
        f'Header always set Onion-Location "expr={ONION.rstrip("/")}%{{REQUEST_URI}}"'
        in apache.stdout
    )
    assert (
        run_cli("headers", "netlify", "--source", str(root)).stdout
        == (site / "_headers").read_text()
    )


def test_nginx_takes_the_lines_it_is_given(site: Path, tmp_path: Path) -> None:
    nginx = Path("/usr/sbin/nginx")
    if not nginx.exists():
        pytest.skip("nginx is not installed")
    lines = run_cli("headers", "nginx", "--source", str(site.parent)).stdout
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log off;\nserver {{\nlisten 127.0.0.1:1;\nroot {site};\n{lines}}}\n}}\n"
    )
    checked = subprocess.run([nginx, "-t", "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_every_page_names_its_own_onion_address(site: Path) -> None:
    for url in ("/", "/2017/11/04/detained-in-muscat/", "/tag/coalition/", "/ar/"):
        tags = [m for m in page(site, url).iter("meta") if m.get("http-equiv") == "onion-location"]
        assert [m.get("content") for m in tags] == [ONION.rstrip("/") + url], url
    assert b"onion-location" not in (site / "404.html").read_bytes()  # served at any address


def test_the_mirrors_page_lists_the_other_addresses_and_how_to_check_a_copy(site: Path) -> None:
    mirrors = page(site, "/mirrors/")
    links = [(a.get("href"), text(a)) for a in mirrors.findall(".//main//ul//a")]
    assert links == [
        (ONION, ONION),
        ("https://mirror.example.net/", "https://mirror.example.net/"),
        ("https://dispatch.example.com/", "https://dispatch.example.com/"),
    ]
    assert "Kept by a partner" in text(mirrors.find(".//main"))
    assert text(mirrors.find(".//main//pre")) == "sha256sum -c SHA256SUMS"
    assert mirrors.find(".//main//a[@href='../SHA256SUMS']") is not None
    footer = page(site, "/2017/11/04/detained-in-muscat/").find(".//footer[@class='site-footer']")
    assert footer is not None and footer.find(".//a[@href='../../../../mirrors/']") is not None
    assert page(site, "/ar/mirrors/").find(".//main//pre") is not None
    # The list checks the site itself, as it would a copy.
    checked = subprocess.run(
        ["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=site, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout
    listed = (site / "SHA256SUMS").read_text().splitlines()
    about = next(line for line in listed if line.endswith("  mirrors/index.html"))
    assert (
        about.split()[0] == hashlib.sha256((site / "mirrors/index.html").read_bytes()).hexdigest()
    )


def test_a_site_without_other_addresses_has_no_mirrors_page(tmp_path: Path) -> None:
    site = build_site(make_site(tmp_path, POSTS, {"base_url": BASE}))
    assert not (site / "mirrors").exists()
    assert b"mirrors/" not in (site / "index.html").read_bytes()
    assert (site / "SHA256SUMS").is_file()  # every copy of a site can be checked


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"onion_url": "https://example.org/"},
            "hrdblog.yaml:1: 'onion_url' must be the site's address on Tor, ending in .onion",
        ),
        (
            {"onion_url": "http://abc.onion/"},
            "hrdblog.yaml:1: 'onion_url' 'abc.onion' is not the name of an onion service of today's Tor",
        ),
        (
            {"base_url": "https://example.org/news/", "onion_url": ONION},
            "hrdblog.yaml:2: 'onion_url' must end with the path of base_url (/news/)",
        ),
        (
            {"mirrors": ["ftp://example.org/"]},
            "hrdblog.yaml:1: 'mirrors' has 'ftp://example.org/', which is not a web address",
        ),
        (
            {"mirrors": [{"address": "https://example.org/"}]},
            "hrdblog.yaml:1: 'mirrors' has an entry {'address': 'https://example.org/'}",
        ),
    ],
)
def test_onion_and_mirror_settings_that_cannot_work_are_errors(
    tmp_path: Path, settings: dict[str, object], message: str
) -> None:
    root = make_site(tmp_path, POSTS, settings)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    assert not (root / "site").exists()


@pytest.mark.parametrize(
    ("html", "warning"),
    [
        ('<span style="color: red">red</span>', "content/a.md:7: a style attribute"),
        ("<style>p { color: red }</style>", "content/a.md:7: a <style> element"),
        ("<script>alert(1)</script>", "content/a.md:7: a script written in the page"),
        ('<button onclick="go()">Go</button>', "content/a.md:7: an onclick attribute"),
        ('<a href="javascript:go()">Go</a>', "content/a.md:7: a javascript: address"),
        (
            '<img src="data:image/png;base64,AAAA" alt="x">',
            "content/a.md:7: an image written out as a data: address",
        ),
    ],
)
def test_what_the_site_s_policy_keeps_browsers_from_doing_is_warned_of_at_its_line(
    tmp_path: Path, html: str, warning: str
) -> None:
    body = "First line.\n\n" + html + "\n"
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01", body)}, {"base_url": BASE})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0
    assert (
        f"warning: {warning}: the site's security policy (its Content-Security-Policy header) keeps readers' browsers from"
        in result.stderr
    )
    assert "\n  hint: " in result.stderr


def test_a_table_s_alignment_and_the_theme_give_no_warning(tmp_path: Path) -> None:
    body = "| a | b |\n|:-:|--:|\n| 1 | 2 |\n"
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01", body)}, {"base_url": BASE})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0 and "security policy" not in result.stderr
