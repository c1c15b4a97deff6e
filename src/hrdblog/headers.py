"""The HTTP headers a host should send with the site, derived from its settings: a strict
Content-Security-Policy (the search pages alone may run WebAssembly, which Pagefind's index
reader is), no referrer, no sniffing, no powerful browser features, and the onion address.

One list of rules (`rules`), written three ways: `_headers` in the site, which Netlify and
Cloudflare Pages read (`netlify_file`); and what `hrdblog headers nginx|apache` prints, for
a server's configuration (`nginx`, `apache`). `serve` sends the same headers (`for_path`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from hrdblog.config import SiteConfig
from hrdblog.search import BUNDLE_URL, SEARCH_URL

#: The file of the headers that Netlify and Cloudflare Pages read, at the root of the site.
HEADERS_FILE = "_headers"
#: The browser features no page of the site uses, turned off for every page and for
#: anything a page might embed.
PERMISSIONS = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "serial=(), bluetooth=(), browsing-topics=()"
)


@dataclass(frozen=True)
class Rule:
    """Headers for the addresses under a path of the site ("/" for all of them): those of
    the site's rule, and for a narrower rule those it sends otherwise."""

    path: str  # the site path the rule covers, with all below it; it starts and ends with /
    headers: tuple[tuple[str, str], ...]


def policy(config: SiteConfig, search: bool = False) -> str:
    """Return the Content-Security-Policy of the site's pages; with `search`, that of the
    search pages and their index, which may run WebAssembly."""
    elsewhere = " ".join(config.allowed_origins)
    loads = f"'self' {elsewhere}".strip()
    directives = [
        "default-src 'self'",
        "script-src 'self'" + (" 'wasm-unsafe-eval'" if search else ""),
        "style-src 'self'",
        f"img-src {loads}",
        f"media-src {loads}",
        f"frame-src {elsewhere or chr(39) + 'none' + chr(39)}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def rules(config: SiteConfig) -> tuple[Rule, ...]:
    """Return the rules of the site's headers: those of every address, then those of the
    search pages and of their indexes, which send another policy."""
    base = _site_path(config)
    common = (
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", PERMISSIONS),
    )
    found = [Rule(base, (("Content-Security-Policy", policy(config)), *common))]
    if config.search:
        searching = (("Content-Security-Policy", policy(config, search=True)),)
        for tree in config.trees:
            prefix = config.prefix(tree)
            for url in (SEARCH_URL, BUNDLE_URL):
                found.append(Rule(base + (prefix + url).lstrip("/"), searching))
    return tuple(found)


def _site_path(config: SiteConfig) -> str:
    """Return the path the site is served under: /, or /blog/ under a sub-path."""
    path = urlsplit(config.base_url).path if config.base_url else "/"
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def for_path(found: Sequence[Rule], path: str) -> tuple[tuple[str, str], ...]:
    """Return the headers of an address: those of the site's rule, with those of the
    longest narrower rule it is under in their place."""
    matching = sorted((r for r in found if path.startswith(r.path)), key=lambda r: len(r.path))
    headers: dict[str, str] = {}
    for rule in matching[:1] + matching[-1:]:
        headers.update(rule.headers)
    return tuple(headers.items())


def netlify_file(config: SiteConfig) -> str:
    """Return `_headers`, as Netlify and Cloudflare Pages read it.

    Both apply every rule whose path matches: Netlify gives a header the value of the last
    such rule, Cloudflare joins the values, unless a rule detaches the header with a
    `! Name` line (which Netlify passes over, having no colon). So each narrower rule comes
    after the site's and detaches what it sets again. The Onion-Location header is left to
    the tag in every page: its value is the page's own onion address, which a rule of this
    file cannot name on both hosts.
    """
    lines = [
        f"# The HTTP headers of {_one_line(config.title)}, made by hrdblog from hrdblog.yaml;",
        "# Netlify and Cloudflare Pages send them. `hrdblog headers nginx` or `apache` prints",
        "# the same rules for a server of your own.",
    ]
    for number, rule in enumerate(rules(config)):
        for pattern in (rule.path + "*",) if number == 0 else (rule.path, rule.path + "*"):
            lines += ["", pattern]
            for name, value in rule.headers:
                if number:
                    lines.append(f"  ! {name}")
                lines.append(f"  {name}: {value}")
    return "\n".join(lines) + "\n"


def nginx(config: SiteConfig) -> str:
    """Return the lines of an nginx `server { }` block that send the site's headers.

    nginx drops the headers a server block adds wherever a location adds its own, so each
    location repeats them all.
    """
    found = rules(config)
    onion = _onion(config)
    out = [
        f"# The HTTP headers of {_one_line(config.title)}, made by hrdblog from hrdblog.yaml.",
        "# Put these lines inside the site's server { } block, then reload nginx. A location",
        "# block of your own that adds headers must repeat these in it.",
    ]

    def block(rule: Rule, indent: str) -> None:
        for name, value in for_path(found, rule.path):
            out.append(f'{indent}add_header {name} "{value}" always;')
        if onion:
            out.append(f"{indent}add_header Onion-Location {onion}$request_uri always;")

    block(found[0], "")
    for rule in found[1:]:
        out.append(f"location ^~ {rule.path} {{")
        block(rule, "    ")
        out.append("}")
    return "\n".join(out) + "\n"


def apache(config: SiteConfig) -> str:
    """Return the lines of an Apache configuration (a virtual host, or `.htaccess` at the
    site's root) that send the site's headers; they need mod_headers."""
    found = rules(config)
    onion = _onion(config)
    out = [
        f"# The HTTP headers of {_one_line(config.title)}, made by hrdblog from hrdblog.yaml.",
        "# Put these lines in the site's <VirtualHost> or in .htaccess at its root",
        "# (a2enmod headers, then reload Apache).",
        "<IfModule mod_headers.c>",
    ]
    for name, value in found[0].headers:
        out.append(f'    Header always set {name} "{value}"')
    if onion:
        out.append(f'    Header always set Onion-Location "expr={onion}%{{REQUEST_URI}}"')
    for rule in found[1:]:
        out.append(f'    <If "%{{REQUEST_URI}} =~ m#^{rule.path}#">')
        for name, value in rule.headers:
            out.append(f'        Header always set {name} "{value}"')
        out.append("    </If>")
    out.append("</IfModule>")
    return "\n".join(out) + "\n"


def _onion(config: SiteConfig) -> str:
    """Return the onion address the Onion-Location header names, without its final /."""
    return config.onion_url.rstrip("/")


def _one_line(text: str) -> str:
    return " ".join(text.split())
