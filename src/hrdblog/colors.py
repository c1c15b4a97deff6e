"""Colours of the default theme: the accent a site chooses, checked for contrast (WCAG 2.1),
and the lighter one derived from it for dark mode."""

from __future__ import annotations

import re

#: The backgrounds of the default theme, light and dark (style.css).
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#141414"
#: The theme's own accent (style.css), where the site gives none.
DEFAULT_ACCENT = "#8f1d1d"
#: The contrast text needs against its background (WCAG 2.1 AA, 1.4.3).
TEXT_CONTRAST = 4.5

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse(color: str) -> tuple[int, int, int] | None:
    """Return the red, green and blue of a colour written #rgb or #rrggbb, or None."""
    if not _HEX.match(color):
        return None
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def written(rgb: tuple[int, int, int]) -> str:
    """Return a colour as #rrggbb."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """Return the contrast ratio of two colours (1 to 21)."""
    a, b = parse(first), parse(second)
    assert a is not None and b is not None, "colours are checked before they are compared"
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_on(color: str, background: str, ratio: float = TEXT_CONTRAST) -> str:
    """Return `color`, or the nearest colour of its hue mixed towards black (on a light
    background) or white (on a dark one) that has at least `ratio` against `background`."""
    rgb = parse(color)
    assert rgb is not None, "colours are checked before they are mixed"
    bg = parse(background)
    assert bg is not None
    towards = 0 if _luminance(bg) > 0.5 else 255
    for step in range(0, 101):
        share = step / 100
        mixed = tuple(round(c + (towards - c) * share) for c in rgb)
        candidate = written((mixed[0], mixed[1], mixed[2]))
        if contrast(candidate, background) >= ratio:
            return candidate
    return written((towards, towards, towards))
