"""The built site in a real browser: headless Chromium, driven by Playwright.

axe-core finds no WCAG 2.1 A/AA violation at 360 and at 1280 pixels; pages request nothing
from another origin; the layout holds at both widths, the masthead stays compact on a phone;
Arabic lays out right to left; photos come in the smallest format and width that serve; a
post prints as the article alone; and with JavaScript off every page reads the same.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from helpers import REPO, need, run_cli
from test_serve import free_port

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# How the machine's own Chromium must run here: headless, without the sandbox (CI runs as
# root), and without calling home.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A post with a featured photo.
PHOTO_POST = "/2017/05/17/mexico-javier-valdez-killed/"
ARABIC_POST = "/ar/2016/11/29/في-اليوم-الدولي-للمدافعات-عن-حقوق-الإنسان-لماذا-نعمل-معًا/"
EXAMPLE_PAGES = [
    "/",
    "/tag/coalition/",
    "/2014/06/03/observatory-alarm-system/",
    PHOTO_POST,
    "/2017/09/20/the-annual-un-report-on-reprisals-and-why-it-matters/",
    "/2017/",
    ARABIC_POST,
    "/archives/",
    "/country/",
    "/2017/09/",
    "/404.html",
    "/about/",
    "/contact/",
    "/donate/",
    "/ar/",
    "/ar/about/",
    "/ar/tag/تحالفات/",
    "/ar/404.html",
]
LARGE_PAGES = ["/", "/page/2/", "/tag/coalition/", "/tag/", "/2019/"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need(Path(CHROMIUM).is_file(), "Chromium is not installed")
    need(AXE.is_file(), "axe-core is not installed (npm ci)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Playwright is not installed")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def example(example_site: Path) -> Iterator[str]:
    yield from serve(example_site)


@pytest.fixture(scope="module")
def large(large_site: Path) -> Iterator[str]:
    yield from serve(large_site)


def visit(
    browser: Any, origin: str, path: str, width: int = 1280, javascript: bool = True
) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(origin + quote(path, safe="/?=&"), wait_until="load")
    assert response is not None and response.status == 200, path
    return context, page, requests


def axe_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target).join(', ') + ')')",
        WCAG,
    )
    return list(found)


def check_page(browser: Any, origin: str, path: str) -> None:
    text_with_script = ""
    for width in (360, 1280):
        context, page, requests = visit(browser, origin, path, width=width)
        try:
            assert axe_violations(page) == [], (path, width)
            assert all(url.startswith(origin + "/") for url in requests), (path, requests)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways at {width} px"
            text_with_script = page.inner_text("body")
        finally:
            context.close()
    context, page, _ = visit(browser, origin, path, javascript=False)
    try:
        assert page.inner_text("body") == text_with_script, path
    finally:
        context.close()


@pytest.mark.parametrize("path", EXAMPLE_PAGES)
def test_example_blog_pages_in_a_browser(browser: Any, example: str, path: str) -> None:
    check_page(browser, example, path)


@pytest.mark.parametrize("path", LARGE_PAGES)
def test_large_site_pages_in_a_browser(browser: Any, large: str, path: str) -> None:
    check_page(browser, large, path)


def test_the_arabic_post_lays_out_right_to_left(browser: Any, example: str) -> None:
    context, page, _ = visit(browser, example, ARABIC_POST, width=1280)
    try:
        assert (
            page.evaluate("getComputedStyle(document.querySelector('main article')).direction")
            == "rtl"
        )
        # The title hugs the right edge of the column, as Arabic does.
        title = page.locator("main article h1").bounding_box()
        column = page.locator("main").bounding_box()
        paragraph = page.evaluate(
            "(() => { const r = document.createRange(); const p = document.querySelector('main article p:not(.entry-meta)');"
            " r.selectNodeContents(p); const b = r.getBoundingClientRect(); return [b.left, b.right]; })()"
        )
        assert title is not None and column is not None
        inner_right = page.evaluate(
            "(() => { const m = document.querySelector('main'); const s = getComputedStyle(m);"
            " const b = m.getBoundingClientRect(); return b.right - parseFloat(s.paddingRight); })()"
        )
        assert abs(paragraph[1] - inner_right) < 2
    finally:
        context.close()


def test_the_menu_s_sub_entries_open_with_the_keyboard_and_without_script(
    browser: Any, example: str
) -> None:
    context, page, _ = visit(browser, example, "/", width=1280, javascript=False)
    try:
        contact = page.locator(".site-nav .has-entries ul a")
        assert not contact.is_visible() or contact.bounding_box()["width"] <= 1  # folded away
        page.locator(".site-nav .has-entries > a").focus()
        page.keyboard.press("Tab")  # on to the sub-entry, which shows as it takes the focus
        assert page.evaluate("document.activeElement.textContent") == "Contact"
        assert contact.bounding_box()["width"] > 20
    finally:
        context.close()
    context, page, _ = visit(browser, example, "/", width=360, javascript=False)
    try:  # on a phone, the sub-entries are a row of their own: nothing to hover
        assert page.locator(".site-nav .has-entries ul a").bounding_box()["width"] > 20
    finally:
        context.close()


def test_the_language_switcher_leads_to_the_arabic_translation(browser: Any, example: str) -> None:
    context, page, _ = visit(browser, example, "/tag/coalition/", javascript=False)
    try:
        page.locator(".language-switcher a[lang=ar]").click()
        page.wait_for_load_state()
        assert unquote(page.url) == example + "/ar/tag/تحالفات/"
        assert page.evaluate("document.documentElement.dir") == "rtl"
    finally:
        context.close()


def test_the_masthead_is_compact_on_a_phone(browser: Any, example: str) -> None:
    for path in (PHOTO_POST, "/tag/coalition/", ARABIC_POST):
        context, page, _ = visit(browser, example, path, width=360)
        try:
            height = page.evaluate(
                "document.querySelector('.site-header').getBoundingClientRect().bottom"
            )
            # Name, other language and search on the first row (a longer name on two
            # lines), the menu under them: measured 121 to 130 px.
            assert height <= 135, (path, height)
            if path == "/tag/coalition/":
                continue
            # A post's headline is the largest text on its page, above the site's name.
            sizes = page.evaluate(
                "['.site-title', 'main h1'].map(s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"
            )
            assert sizes[1] >= 1.5 * sizes[0], (path, sizes)
        finally:
            context.close()


def test_a_photo_comes_in_the_smallest_format_and_width_that_serve(
    browser: Any, example: str
) -> None:
    # The figure fills the column: 328 px of a 360-px phone, 704 px of a wide screen (at
    # the density of 1 Playwright gives): the AVIF at least that wide, never the original.
    for width, expected in ((360, "vigil.480w.avif"), (1280, "vigil.960w.avif")):
        context, page, requests = visit(browser, example, PHOTO_POST, width=width)
        try:
            photos = sorted({url.rsplit("/", 1)[1] for url in requests if "/vigil" in url})
            assert photos == [expected], (width, photos)
            assert page.evaluate("document.querySelector('figure img').naturalWidth") > 0
        finally:
            context.close()


def test_a_page_prints_as_the_article_alone_on_one_sheet(
    browser: Any, example: str, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    context, page, _ = visit(browser, example, "/contact/")
    try:
        page.emulate_media(media="print")
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.site-nav')).display") == "none"
        )
        pdf = tmp_path / "contact.pdf"
        page.pdf(path=str(pdf), format="A4")
    finally:
        context.close()
    reader = PdfReader(pdf)
    printed = " ".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 1
    assert "Defenders Dispatch: https://dispatch.example.org/contact/" in " ".join(printed.split())
    assert "(mailto:editors@example.org)" in "".join(printed.split())  # a link's address
    for left_out in ("Coalitions", "Archives", "Published with hrdblog", "Skip to content"):
        assert left_out not in printed


NGINX = Path("/usr/sbin/nginx")


@pytest.fixture(scope="module")
def under_policy(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example blog served by nginx with the lines `hrdblog headers nginx` prints."""
    need(NGINX.is_file(), "nginx is not installed")
    folder = tmp_path_factory.mktemp("nginx")
    lines = run_cli("headers", "nginx", "--source", str(REPO)).stdout
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(
        f"daemon off;\nuser {'root' if os.geteuid() == 0 else os.getlogin()};\n"
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        "http {\ninclude /etc/nginx/mime.types;\naccess_log off;\n"
        f"client_body_temp_path {folder}/body;\nproxy_temp_path {folder}/proxy;\n"
        f"fastcgi_temp_path {folder}/fastcgi;\nuwsgi_temp_path {folder}/uwsgi;\n"
        f"scgi_temp_path {folder}/scgi;\n"
        f"server {{\nlisten 127.0.0.1:{port};\nroot {example_site};\n"
        f"error_page 404 /404.html;\n{lines}}}\n}}\n"
    )
    server = subprocess.Popen([str(NGINX), "-c", str(config)], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                break
        except OSError:
            assert server.poll() is None, (folder / "error.log").read_text()
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


#: A page of each kind the example blog has, and its search page with results.
POLICY_PAGES = [*EXAMPLE_PAGES, "/mirrors/", "/ar/mirrors/", "/no/such/page/"]
WATCH_VIOLATIONS = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def test_every_page_kind_loads_under_the_site_s_policy_with_no_violation(
    browser: Any, under_policy: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_VIOLATIONS)
    try:
        page = context.new_page()
        said: list[str] = []
        page.on("console", lambda m: said.append(m.text) if m.type == "error" else None)
        for path in POLICY_PAGES:
            response = page.goto(under_policy + quote(path), wait_until="load")
            assert response is not None
            assert "default-src 'self'" in response.headers["content-security-policy"], path
            assert response.headers["referrer-policy"] == "no-referrer"
            assert response.headers["onion-location"].endswith(".onion" + quote(path)), path
            assert page.evaluate("window.__violations") == [], path
        for path, words in (("/search/", "coalition"), ("/ar/search/", "الشبكة")):
            page.goto(under_policy + quote(path), wait_until="load")
            page.fill("#search-query", words)
            page.press("#search-query", "Enter")
            for _ in range(100):  # polled from here: a script the page evaluates is blocked
                done = "!!document.querySelector('.search-result') || !document.getElementById('search-failed').hidden"
                if page.evaluate(done):
                    break
                time.sleep(0.1)
            assert page.evaluate("window.__violations") == [], path
            assert page.is_hidden("#search-failed"), path
        assert [line for line in said if "Content Security Policy" in line] == []
        # And the policy does block: a page of the site may not run WebAssembly.
        page.goto(under_policy + "/", wait_until="load")
        blocked = page.evaluate(
            "WebAssembly.compile(new Uint8Array([0,97,115,109,1,0,0,0])).then(() => 'ran', e => 'blocked')"
        )
        assert blocked == "blocked"
    finally:
        context.close()


def test_the_zip_copy_reads_from_disk_with_its_look_links_and_photos(
    browser: Any, tmp_path: Path
) -> None:
    import zipfile

    blog = tmp_path / "blog"
    shutil.copytree(
        REPO, blog, ignore=shutil.ignore_patterns(".*", "site", "node_modules", "tests")
    )
    assert (
        run_cli("export", "zip", str(tmp_path / "dispatch.zip"), "--source", str(blog)).exit_code
        == 0
    )
    with zipfile.ZipFile(tmp_path / "dispatch.zip") as archive:
        archive.extractall(tmp_path / "stick")
    home = (tmp_path / "stick" / "dispatch" / "index.html").as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(home, wait_until="load")
        assert page.evaluate("getComputedStyle(document.body).borderTopStyle") == "solid"  # styled
        page.click("text=Mexico: journalist Javier Valdez killed in Culiacán")
        page.wait_for_load_state()
        assert page.url.endswith("/mexico-javier-valdez-killed/index.html")
        assert page.inner_text("main h1") == "Mexico: journalist Javier Valdez killed in Culiacán"
        assert page.evaluate("document.querySelector('figure img').naturalWidth") > 0
        page.click("text=العربية")
        page.wait_for_load_state()
        assert (
            page.url.endswith("/index.html")
            and page.evaluate("document.documentElement.lang") == "ar"
        )
        assert all(url.startswith("file://") for url in requests), requests
    finally:
        context.close()


def search_for(browser: Any, origin: str, path: str, words: str, width: int = 1280) -> Any:
    """Open a search page, type the words into its field as a reader would, and return the
    page once its results are shown (with its context, to close)."""
    context, page, requests = visit(browser, origin, path, width=width)
    page.fill("#search-query", words)
    page.press("#search-query", "Enter")
    page.wait_for_function(
        "() => { const s = document.getElementById('search-status').textContent;"
        " return s && !s.endsWith('…'); }"
    )
    return context, page, requests


def found_titles(page: Any) -> list[str]:
    return list(
        page.eval_on_selector_all(".search-result h2 a", "els => els.map(e => e.textContent)")
    )


LOCAL_NETWORKS = "شبكات الحماية المحلية حين ينظم المدافعون أنفسهم"


@pytest.mark.parametrize(
    ("path", "words", "expected"),
    [
        ("/search/", "coalition", "How a coalition signs a joint statement in 48 hours"),
        ("/search/", "Culiacán", "Mexico: journalist Javier Valdez killed in Culiacán"),
        ("/ar/search/", "شبكات", LOCAL_NETWORKS),  # networks
        ("/ar/search/", "الشبكة", LOCAL_NETWORKS),  # the network: another form, one stem
    ],
)
def test_a_word_typed_into_the_search_page_finds_its_posts(
    browser: Any, example: str, path: str, words: str, expected: str
) -> None:
    context, page, requests = search_for(browser, example, path, words)
    try:
        titles = found_titles(page)
        assert expected in titles, titles
        assert all(url.startswith(example + "/") for url in requests), requests
        status = page.inner_text("#search-status")
        english = f"{len(titles)} result" + ("" if len(titles) == 1 else "s")
        assert status == (english if path == "/search/" else f"عدد النتائج: {len(titles)}")
        assert "q=" in page.url  # the address holds the search, to share or go back to
        page.click(".search-result h2 a >> nth=0")  # the result leads to the post
        page.wait_for_load_state()
        assert page.inner_text("main h1") == titles[0]
    finally:
        context.close()


def test_search_finds_from_the_header_s_form_and_says_when_nothing_is_found(
    browser: Any, example: str
) -> None:
    context, page, _ = visit(browser, example, "/tag/coalition/")
    try:
        page.fill("#site-search-query", "zzyzx")
        page.press("#site-search-query", "Enter")
        page.wait_for_function("document.getElementById('search-status').textContent !== ''")
        page.wait_for_function(
            "!document.getElementById('search-status').textContent.endsWith('…')"
        )
        assert page.inner_text("#search-status") == "Nothing found for ‘zzyzx’."
        assert page.input_value("#search-query") == "zzyzx"
    finally:
        context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_search_page_with_results_passes_axe(browser: Any, example: str, width: int) -> None:
    for path, words in (("/search/", "coalition"), ("/ar/search/", "المدافعين")):
        context, page, _ = search_for(browser, example, path, words, width=width)
        try:
            assert found_titles(page)
            assert axe_violations(page) == [], (path, width)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (path, width)
        finally:
            context.close()


def test_without_javascript_the_search_page_says_so_and_leads_elsewhere(
    browser: Any, example: str
) -> None:
    context, page, _ = visit(browser, example, "/search/?q=coalition", javascript=False)
    try:
        shown = page.inner_text("#search-elsewhere")
        assert "Search runs in your browser, with JavaScript" in shown
        assert page.is_visible("a[href='../archives/']") and page.is_visible("a[href='../tag/']")
    finally:
        context.close()
    context, page, _ = visit(browser, example, "/search/")
    try:
        assert not page.is_visible("#search-elsewhere")  # with it, the page searches
    finally:
        context.close()


def test_opened_from_disk_the_search_page_says_search_cannot_work_there(
    browser: Any, example_site: Path
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((example_site / "search" / "index.html").as_uri())
        page.wait_for_function("!document.getElementById('search-from-disk').hidden")
        shown = page.inner_text("#search-elsewhere")
        assert "does not work in a copy of the site opened from disk" in shown
        assert "JavaScript" not in shown
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", PHOTO_POST, "/tag/coalition/", ARABIC_POST, "/2017/"])
def test_dark_mode_keeps_every_text_readable(browser: Any, example: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(example + quote(path), wait_until="load")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(20, 20, 20)"
        assert axe_violations(page) == [], path
    finally:
        context.close()


LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
#: The pages Lighthouse scores: the home page, a tag page, a post with photos, an Arabic post.
LIGHTHOUSE_PAGES = ["/", "/tag/coalition/", PHOTO_POST, ARABIC_POST]


@pytest.mark.parametrize("path", LIGHTHOUSE_PAGES)
def test_lighthouse_scores_the_example_pages_on_a_phone(
    example: str, path: str, tmp_path: Path
) -> None:
    """Lighthouse 12, as a phone on a slow network (its default emulation): accessibility,
    best practices and SEO at 100, performance at least 95."""
    need(Path(CHROMIUM).is_file(), "Chromium is not installed")
    need(LIGHTHOUSE.is_file(), "Lighthouse is not installed (npm ci)")
    report = tmp_path / "report.json"
    flags = " ".join(["--headless=new", *ARGS])
    subprocess.run(
        [
            str(LIGHTHOUSE),
            example + quote(path),
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags={flags}",
            "--only-categories=performance,accessibility,best-practices,seo",
        ],
        check=True,
        timeout=300,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
    )
    result = json.loads(report.read_text())
    scores = {name: category["score"] for name, category in result["categories"].items()}
    failed = [
        audit["id"]
        for audit in result["audits"].values()
        if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0
    ]
    assert result["configSettings"]["formFactor"] == "mobile"
    assert (scores["accessibility"], scores["best-practices"], scores["seo"]) == (1, 1, 1), failed
    assert scores["performance"] >= 0.95, scores
