"""Make README's screenshots: the example blog built, then photographed in headless Chromium.

    python docs/screenshots.py [--output docs/screenshots] [--only NAME]

Needs the test extras (Playwright) and Chromium (/usr/bin/chromium, or CHROMIUM=...). The
pictures show the home page and a post with its photo (and with --only, a tag page or the
Arabic home page), on a phone (360 px) and on a wide screen (1280 px).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/",
    "post": "/2017/05/17/mexico-javier-valdez-killed/",
    "tag": "/tag/coalition/",
    "arabic": "/ar/",
}
#: The pictures README shows; --only makes the others.
README = ("home", "post")
WIDTHS = {"phone": 360, "wide": 1280}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--only", choices=sorted(PAGES), action="append")
    parser.add_argument("--print", action="store_true", help="also print the post to PDF")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from hrdblog.build import build
    from hrdblog.config import load_config

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    options.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        build(load_config(REPO, output_dir=site), use_cache=False)
        handler = functools.partial(_Quiet, directory=str(site))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
                for name, path in PAGES.items():
                    if name not in (options.only or README):
                        continue
                    for device, width in WIDTHS.items():
                        context = browser.new_context(
                            viewport={"width": width, "height": 800 if width > 400 else 740},
                            device_scale_factor=1,
                        )
                        page = context.new_page()
                        page.goto(origin + quote(path), wait_until="load")
                        shot = options.output / f"{name}-{device}.png"
                        page.screenshot(path=str(shot))
                        if options.print and name == "post" and device == "wide":
                            page.pdf(path=str(options.output / "post.pdf"), format="A4")
                        context.close()
                        print(shot.relative_to(REPO) if shot.is_relative_to(REPO) else shot)
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
