"""`hrdblog serve`, run for real: a server on a free port, pages fetched, posts changed."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import make_site, post

RELOAD = b"/__hrdblog/version"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
    """Send a GET with the path exactly as given (no normalising of `..`)."""
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for(
    check: Callable[[], bool], seconds: float = 15.0, server: Server | None = None
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    said = server.stop()[1] if server is not None else ""
    raise AssertionError(f"the server did not get there in time\n{said}")


class Server:
    def __init__(self, root: Path, *options: str) -> None:
        self.port = free_port()
        self.tmp = root.parent / "tmp"  # where the server keeps its builds
        self.tmp.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hrdblog",
                "serve",
                "--source",
                str(root),
                "--port",
                str(self.port),
                *options,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "TMPDIR": str(self.tmp)},
        )

        def up() -> bool:
            try:
                return get(self.port, "/")[0] in {200, 500}
            except OSError:
                assert self.process.poll() is None, self.process.communicate()
                return False

        wait_for(up)

    def page(self, path: str) -> tuple[int, bytes]:
        return get(self.port, path)

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        _, stderr = self.process.communicate(timeout=15)
        return self.process.returncode, stderr.decode()


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    (tmp_path / "secret.txt").write_text("a file outside the site")
    return make_site(
        tmp_path / "blog",
        {
            "strike.md": post(
                "Hunger strike", "2017-11-04", "Day one of the strike.", tags=["detention"]
            ),
            "draft.md": post("Unfinished", "2017-11-05", draft=True),
        },
        {"base_url": "https://example.org/"},
    )


@pytest.fixture
def server(blog: Path) -> Iterator[Server]:
    running = Server(blog)
    yield running
    if running.process.poll() is None:
        running.stop()


def test_it_serves_the_site_with_a_reload_script_and_never_touches_site(
    server: Server, blog: Path
) -> None:
    status, body = server.page("/2017/11/04/hunger-strike/")
    assert status == 200
    assert b"Day one of the strike." in body
    assert RELOAD in body
    assert server.page("/static/style.css")[0] == 200
    assert (
        server.page("/tag/detention/feed.xml")[1].count(f"http://127.0.0.1:{server.port}/".encode())
        > 1
    )
    status, body = server.page("/no/such/page/")
    assert status == 404 and b"Page not found" in body
    assert server.page("/2017/11/05/unfinished/")[0] == 404  # drafts only with --drafts
    assert not (blog / "site").exists()


def test_the_preview_searches_unless_told_to_leave_search_out(blog: Path) -> None:
    with_search = Server(blog)
    try:
        assert with_search.page("/search/")[0] == 200
        assert with_search.page("/pagefind/pagefind-entry.json")[0] == 200
    finally:
        with_search.stop()
    without = Server(blog, "--no-search")
    try:
        assert without.page("/search/")[0] == 404
        assert without.page("/pagefind/pagefind-entry.json")[0] == 404
        assert b"site-search" not in without.page("/")[1]
    finally:
        without.stop()
    assert not (blog / "site").exists()


def test_a_changed_post_is_rebuilt_and_open_pages_learn_of_it(server: Server, blog: Path) -> None:
    version = server.page("/__hrdblog/version")[1]
    (blog / "content" / "strike.md").write_text(
        post("Hunger strike", "2017-11-04", "Day two: he is weaker.")
    )
    wait_for(lambda: b"Day two" in server.page("/2017/11/04/hunger-strike/")[1], server=server)
    # The pages are in place a moment before the build is over and says so.
    wait_for(lambda: server.page("/__hrdblog/version")[1] != version)


def test_a_build_error_shows_in_the_browser_until_it_is_fixed(server: Server, blog: Path) -> None:
    (blog / "content" / "broken.md").write_text("---\ntitle: Broken\n---\n")
    wait_for(lambda: server.page("/")[0] == 500, server=server)
    status, body = server.page("/tag/detention/")
    assert status == 500
    assert b"content/broken.md:1: &#x27;date&#x27; is missing" in body
    assert RELOAD in body
    (blog / "content" / "broken.md").unlink()
    wait_for(lambda: server.page("/")[0] == 200, server=server)
    assert server.process.poll() is None  # it kept running throughout


def test_a_settings_file_outside_the_blog_is_watched_too(blog: Path, tmp_path: Path) -> None:
    settings = tmp_path / "elsewhere" / "site.yaml"
    settings.parent.mkdir()
    settings.write_text("title: First name\n")
    running = Server(blog, "--config", str(settings))
    try:
        wait_for(lambda: b"<title>First name" in running.page("/")[1], server=running)
        settings.write_text("title: Second name\n")
        wait_for(lambda: b"<title>Second name" in running.page("/")[1], server=running)
    finally:
        running.stop()


def test_the_errors_of_a_blog_that_starts_broken_are_said_once(blog: Path) -> None:
    (blog / "content" / "broken.md").write_text("---\ntitle: Broken\n---\n")
    running = Server(blog)
    wait_for(lambda: running.page("/")[0] == 500, server=running)
    _, said = running.stop()
    assert said.count("content/broken.md:1: 'date' is missing") == 1, said


def test_a_change_of_the_settings_and_its_fix_show_at_once(server: Server, blog: Path) -> None:
    settings = blog / "hrdblog.yaml"
    settings.write_text("base_url: https://example.org/\ntitle: Renamed dispatch\n")
    wait_for(lambda: b"<title>Renamed dispatch" in server.page("/")[1], server=server)
    settings.write_text("title: Renamed dispatch\nmenu:\n  - page: contcat\n")
    wait_for(lambda: server.page("/")[0] == 500, server=server)
    assert b"hrdblog.yaml:3: the menu entry" in server.page("/")[1]
    settings.write_text("title: Fixed dispatch\nmenu:\n  - home\n")
    wait_for(lambda: b"<title>Fixed dispatch" in server.page("/")[1], server=server)
    assert (server.page("/2017/11/04/hunger-strike/")[1]).count(b'class="site-nav"') == 1


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/%252e%252e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/static/../../secret.txt",
        "//etc/passwd",
        "/../../../../../../etc/passwd",
    ],
)
def test_nothing_outside_the_site_is_served(server: Server, path: str) -> None:
    status, body = server.page(path)
    assert status == 404
    assert b"a file outside the site" not in body
    assert b"root:" not in body


def test_it_answers_on_this_computer_only_by_default(server: Server) -> None:
    with pytest.raises(OSError):
        get(server.port, "/", host="127.0.0.2")


@pytest.mark.parametrize("saved", ["whole", "in place"])
def test_it_keeps_serving_whole_pages_while_rebuilding(
    server: Server, blog: Path, saved: str
) -> None:
    """Saved whole, as most editors save, every page is the post's; saved in place, a build
    may catch the file half-written: that is a build error, shown whole as one, until the
    next build."""
    statuses = set()
    strike = blog / "content" / "strike.md"
    for round_ in range(5):
        text = post("Hunger strike", "2017-11-04", f"Update {round_}.")
        if saved == "whole":
            (blog / "content" / ".strike.md.tmp").write_text(text)
            (blog / "content" / ".strike.md.tmp").replace(strike)
        else:
            strike.write_text(text)
        for _ in range(20):
            status, body = server.page("/2017/11/04/hunger-strike/")
            statuses.add(status)
            assert body.rstrip().endswith(b"</html>")
    wait_for(lambda: b"Update 4." in server.page("/2017/11/04/hunger-strike/")[1], server=server)
    assert statuses <= ({200} if saved == "whole" else {200, 500}), statuses


def test_drafts_can_be_previewed(blog: Path) -> None:
    server = Server(blog, "--drafts")
    try:
        status, body = server.page("/2017/11/05/unfinished/")
        assert status == 200 and b"Draft" in body
    finally:
        server.stop()


def test_it_stops_cleanly_and_removes_its_builds(blog: Path) -> None:
    server = Server(blog)
    assert [p.name.startswith("hrdblog-serve-") for p in server.tmp.iterdir()] == [True]
    code, stderr = server.stop()
    assert code == 0
    assert f"Serving My hrdblog at http://127.0.0.1:{server.port}/ (Ctrl+C to stop)" in stderr
    assert re.search(r"^Built 1 post, 1 tag, \d+ pages in", stderr, re.MULTILINE)
    assert list(server.tmp.iterdir()) == []


def test_a_port_in_use_is_a_clear_error(blog: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "hrdblog", "serve", "--source", str(blog), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert f"try --port {port + 1}" in done.stderr


def raw(port: int, request: bytes) -> bytes:
    """Send a request as written and return every byte of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("attacker.example", 403),
        ("attacker.example:{port}", 403),
        ("127.0.0.1.nip.io:{port}", 403),
        ("192.168.1.20:{port}", 403),
        ("localhost:{port}", 200),
        ("127.0.0.1:{port}", 200),
        ("[::1]:{port}", 200),
    ],
)
def test_only_this_computer_s_names_are_answered(server: Server, host: str, status: int) -> None:
    """A page whose name was made to point at 127.0.0.1 (DNS rebinding) reads nothing."""
    host = host.format(port=server.port)
    answer = raw(
        server.port, f"GET /2017/11/04/hunger-strike/ HTTP/1.0\r\nHost: {host}\r\n\r\n".encode()
    )
    assert answer.startswith(f"HTTP/1.0 {status} ".encode())
    assert (b"Day one of the strike" in answer) == (status == 200)


def test_a_head_request_gets_no_body_and_bad_requests_no_traceback(server: Server) -> None:
    for path in ("/static/style.css", "/2017/11/04/hunger-strike/", "/no/such/page/"):
        answer = raw(server.port, f"HEAD {path} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        headers, _, body = answer.partition(b"\r\n\r\n")
        assert b"Content-Length" in headers and body == b"", path
    for path in ("/%00", "/a%00b/", "/%0a"):
        answer = raw(server.port, f"GET {path} HTTP/1.0\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.0 400 "), path
    for _ in range(20):  # readers who leave before the answer is sent
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"GET /static/style.css HTTP/1.1\r\nHost: localhost\r\n\r\n")
            # Closed at once, with a reset: the answer finds no one to read it.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    assert server.page("/")[0] == 200
    _, stderr = server.stop()
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
