"""Every page, stylesheet and icon passes the Nu HTML Checker (vnu.jar) with zero errors;
every feed is well formed."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import REPO, need

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def validate(site: Path) -> tuple[int, list[str]]:
    """Run the Nu HTML Checker on every page of a site; return the page count and the errors."""
    need(shutil.which("java"), "java is not installed")
    need(VNU.is_file(), "vnu.jar is not installed (npm ci)")
    pages = sorted(str(p) for p in site.rglob("*.html"))
    # The stylesheets and drawings the theme makes are checked too.
    styles = sorted(str(p) for p in (*site.rglob("*.css"), *site.glob("*.svg")))
    done = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            "--also-check-css",
            "--also-check-svg",
            *pages,
            *styles,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    errors = [
        f"{m.get('url', '').split(str(site))[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if (m.get("type") == "error" or m.get("subType") == "fatal")
        and m["message"] != ONION_LOCATION
    ]
    return len(pages), errors


#: The one error allowed: Tor Browser reads a page's onion address from <meta
#: http-equiv="onion-location">, a value HTML does not list (the Tor Project's Onion-Location).
ONION_LOCATION = "Bad value “onion-location” for attribute “http-equiv” on element “meta”."


@pytest.mark.parametrize("which", ["example_site", "large_site"])
def test_every_page_is_valid_html(which: str, request: pytest.FixtureRequest) -> None:
    site: Path = request.getfixturevalue(which)
    count, errors = validate(site)
    assert count > 100
    assert errors == []


@pytest.mark.parametrize("which", ["example_site", "large_site"])
def test_every_feed_and_the_sitemap_are_well_formed_xml(
    which: str, request: pytest.FixtureRequest
) -> None:
    site: Path = request.getfixturevalue(which)
    documents = sorted(site.rglob("*.xml"))
    assert len(documents) > 10
    for document in documents:
        ET.parse(document)  # raises on any error
