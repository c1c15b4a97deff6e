"""`hrdblog serve`: preview the blog while writing it.

The site is built into a temporary folder, never into `site/`, and served on this computer
only (127.0.0.1) unless asked otherwise. A change to the content, the templates, the static
files or the settings rebuilds it, and the browser tabs reload. A build that fails shows its
errors in the terminal and in the browser, and the server waits for the fix.

A rebuild changes only the files that changed, each replaced in one step once the build is
complete, so a page requested during a rebuild is always a whole page of one build.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote

from hrdblog.build import build
from hrdblog.config import CONFIG_FILE, SiteConfig, load_config
from hrdblog.errors import ErrorList, HrdblogError
from hrdblog.files import is_hidden
from hrdblog.incremental.record import BuildRecord

logger = logging.getLogger(__name__)

VERSION_PATH = "/__hrdblog/version"
RELOAD_SCRIPT = (
    "<script>/* added by hrdblog serve, never published: reload when the site is rebuilt */"
    "(function(){var seen=null;function poll(){fetch('" + VERSION_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(v){if(seen===null){seen=v}"
    "else if(v!==seen){location.reload()}}).catch(function(){})"
    ".finally(function(){setTimeout(poll,1000)})}poll()})();</script>"
)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Preview:
    """The builds of a blog being previewed: the one served, and the last error. Each build
    reads the settings again, so that an edit of hrdblog.yaml (a fix above all) shows."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config  # as the command line gave it: its folders and its overrides
        self.workdir = Path(tempfile.mkdtemp(prefix="hrdblog-serve-"))
        self.output = self.workdir / "site"
        self.root: Path | None = None  # the folder of the build being served
        self.error: str | None = None  # the errors of the last build, if it failed
        self.version = 0
        self.bind = "127.0.0.1"  # the address it is served on
        self._lock = threading.Lock()

    def rebuild(self, quiet: bool = False) -> bool:
        """Build the site and serve it; keep the error if the build fails. `quiet`: say
        nothing if nothing changed."""
        try:
            report = build(self.settings())
        except HrdblogError as exc:
            errors = exc.errors if isinstance(exc, ErrorList) else (exc,)
            text = "\n".join(str(e) for e in errors)
            if text != self.error:  # the same errors again are said once
                logger.error(
                    "%s\nThe build failed; the browser shows the errors until they are fixed.",
                    text,
                )
            with self._lock:
                self.error = text
                self.version += 1
            return False
        if not (quiet and report.unchanged):
            logger.info("%s", report.summary())
        with self._lock:
            self.root, self.error = self.output, None
            self.version += 1
        return True

    def settings(self) -> SiteConfig:
        """Return the settings of the blog as hrdblog.yaml gives them now, with what the
        command line and the preview give: drafts, search or not, its own address and its
        own folder."""
        given = self.config
        fresh = load_config(
            given.source,
            config_file=given.config_file,
            include_drafts=given.include_drafts,
            include_future=given.include_future,
        )
        search = fresh.search and given.search  # `serve --no-search` leaves it out
        return replace(fresh, base_url=given.base_url, output_dir=self.output, search=search)

    def close(self) -> None:
        """Remove the build, and its record in the blog's cache."""
        shutil.rmtree(self.workdir, ignore_errors=True)
        BuildRecord.path(replace(self.config, output_dir=self.output)).unlink(missing_ok=True)


def make_handler(preview: Preview) -> type[SimpleHTTPRequestHandler]:
    """Return a request handler serving the preview's current build."""

    class Handler(SimpleHTTPRequestHandler):
        server_version = "hrdblog"
        sys_version = ""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(preview.root or preview.workdir), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("%s %s", self.address_string(), format % args)

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            super().end_headers()

        def do_GET(self) -> None:
            if not _host_allowed(self.headers.get("Host"), preview.bind):
                # A web page whose name was made to point at this computer (DNS rebinding)
                # must not read the preview, drafts included.
                return self._send(HTTPStatus.FORBIDDEN, b"Forbidden\n", "text/plain")
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if not path.startswith("/") or _CONTROL.search(unquote(path)):
                return self._send(HTTPStatus.BAD_REQUEST, b"Bad request\n", "text/plain")
            if path == VERSION_PATH:
                return self._send(HTTPStatus.OK, str(preview.version).encode(), "text/plain")
            if preview.error is not None and _is_page(path):
                return self._send(
                    HTTPStatus.INTERNAL_SERVER_ERROR, _error_page(preview.error), "text/html"
                )
            file = Path(self.translate_path(self.path))
            root = Path(self.directory).resolve()
            if file.is_dir():
                file = file / "index.html"
            if not file.resolve().is_relative_to(root) or not file.is_file():
                not_found = root / "404.html"
                if _is_page(path) and not_found.is_file():
                    return self._send(
                        HTTPStatus.NOT_FOUND, _with_reload(not_found.read_bytes()), "text/html"
                    )
                return self.send_error(HTTPStatus.NOT_FOUND)
            if file.suffix == ".html":
                if not path.endswith(("/", ".html")):
                    self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                    self.send_header("Location", path + "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                return self._send(HTTPStatus.OK, _with_reload(file.read_bytes()), "text/html")
            if self.command == "HEAD":
                return super().do_HEAD()
            return super().do_GET()

        def do_HEAD(self) -> None:
            self.do_GET()  # which sends no body for HEAD

        def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler


_CONTROL = re.compile("[\x00-\x1f\x7f]")
_LOOPBACK_IPS = frozenset({"127.0.0.1", "::1"})  # as Host headers write them, lower case


def _host_allowed(host: str | None, bind: str) -> bool:
    """Tell whether a request's Host is this computer as the preview knows it: `localhost`,
    the loopback addresses, the address it is bound to, or, bound to every address
    (0.0.0.0), the computer's own name and any address written as numbers. A name a web page
    chose (DNS rebinding) is refused; a request without a Host is no browser's."""
    if host is None:
        return True
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":")[0]
    bound = bind.strip("[]").lower()
    if name in {"localhost", bound} or name in _LOOPBACK_IPS:
        return True
    if bound not in {"0.0.0.0", "::", ""}:
        return False
    own = socket.gethostname().lower()
    if name in {own, f"{own}.local"}:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class _Server(ThreadingHTTPServer):
    """The preview's HTTP server: a reader who leaves before a page is sent is no error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            logger.debug("%s left before the answer was sent", client_address[0])
            return
        logger.error("the preview could not answer a request: %s", error)


def _is_page(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return last == "" or last.endswith(".html") or "." not in last


def _with_reload(page: bytes) -> bytes:
    at = page.rfind(b"</body>")
    script = RELOAD_SCRIPT.encode()
    return page[:at] + script + page[at:] if at >= 0 else page + script


def _error_page(error: str) -> bytes:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>The build failed – hrdblog</title>"
        "<style>body{font:1rem/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem}"
        "pre{white-space:pre-wrap;background:#fff4f4;border-inline-start:4px solid #b00020;"
        "padding:1rem;color:#1b1b1b}</style></head><body><main>"
        "<h1>The build failed</h1><p>Fix what is listed below and save: this page reloads "
        "by itself once the site builds again.</p>"
        f"<pre>{html.escape(error)}</pre></main>{RELOAD_SCRIPT}</body></html>"
    ).encode()


def watched(config: SiteConfig) -> Callable[[Any, str], bool]:
    """Return a watchfiles filter for what a rebuild depends on."""
    folders = config.input_dirs
    settings = config.config_file or config.source / CONFIG_FILE

    def wanted(change: Any, path: str) -> bool:
        changed = Path(path)
        if is_hidden(changed.name) or changed.name.endswith("~"):
            return False  # editors' swap and backup files
        return changed == settings or any(changed.is_relative_to(f) for f in folders)

    return wanted


def serve(config: SiteConfig, bind: str, port: int, on_ready: Callable[[str], None]) -> None:
    """Build, serve and rebuild on every change until interrupted."""
    import watchfiles  # imported here: only this command needs it

    address = f"[{bind}]" if ":" in bind else bind
    local = f"http://{address}:{port}/"
    # Addresses inside the site (feeds, canonical links, 404.html) lead to this server.
    preview = Preview(replace(config, base_url=local))
    preview.bind = bind
    try:
        try:
            server = _Server((bind, port), make_handler(preview))
        except OSError as exc:
            raise HrdblogError(
                f"cannot serve on {bind}:{port}: {exc.strerror}",
                f"another program may use the port; try --port {port + 1}",
            ) from None
        preview.rebuild()
        stop = threading.Event()

        def interrupt(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, interrupt)
        settings = config.config_file
        outside = settings is not None and not settings.is_relative_to(config.source)
        changes = watchfiles.watch(
            config.source,
            *([settings.parent] if outside and settings is not None else []),
            watch_filter=watched(config),
            stop_event=stop,
            debounce=200,
            rust_timeout=200,
            yield_on_timeout=True,  # its first answer says it is watching
        )
        serving = False
        try:
            for found in changes:
                if not serving:
                    # Watching now: catch up with what changed while the site was first built,
                    # then let readers in, so that no change they make afterwards is missed.
                    preview.rebuild(quiet=True)
                    if bind not in LOOPBACK:
                        logger.warning(
                            "serving to your network on %s: anyone who can reach this computer "
                            "can read the preview, drafts included",
                            bind,
                        )
                    on_ready(local)  # said before the first reader can be answered
                    threading.Thread(target=server.serve_forever, daemon=True).start()
                    serving = True
                elif found:
                    preview.rebuild()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            if serving:
                server.shutdown()
            server.server_close()
    finally:
        preview.close()
