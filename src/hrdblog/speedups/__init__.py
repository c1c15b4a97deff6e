"""Speed-ups, in a room of their own: faster ways through the libraries that turn Markdown
into HTML, (`collector`) Python's garbage collector kept from going through what a build
holds, and (`entries`) each post's entry on list pages made once a build.

Contract: each Markdown speed-up gives, byte for byte, what the plain way through the library gives,
and is used only with the versions of that library the test suite checks it on (`TESTED`,
tests/test_speedups.py); with any other version, or where the library is not as expected,
the plain way is taken. Nothing outside this package knows which way was taken.

- `inline.FastInline`: Python-Markdown's inline processor, passing over patterns that
  cannot match (it overrides a name-mangled private method of Python-Markdown).
- `smarty.FastSmarty`: the `smarty` extension's substitutions with plain regular
  expressions.
- `cmark.freeing_renderer`: cmarkgfm's GitHub-flavoured Markdown, freeing through ctypes
  the memory cmarkgfm's own function keeps (it reaches cmarkgfm's private module).
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import markdown

#: The versions of each library its speed-ups are checked on: from the first, up to but not
#: including the second.
TESTED: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "markdown": ((3, 11), (3, 12)),
    "cmarkgfm": ((2022, 10, 27), (2026,)),
}


def is_checked(distribution: str) -> bool:
    """Tell whether the installed version of a library is one its speed-ups are checked on."""
    try:
        version = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    numbers = tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])
    low, high = TESTED[distribution]
    return low <= numbers < high


def speed_up_markdown(md: markdown.Markdown) -> None:
    """Put the faster inline and smarty processors in Python-Markdown's, where they apply."""
    if not is_checked("markdown"):
        return
    from hrdblog.speedups.inline import speed_up_inline
    from hrdblog.speedups.smarty import speed_up_smarty

    speed_up_smarty(md)
    speed_up_inline(md)


def cmark_options() -> int:
    """Return cmarkgfm's options for hrdblog: raw HTML, curly quotes, footnotes."""
    from cmarkgfm.cmark import Options

    return int(Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_SMART | Options.CMARK_OPT_FOOTNOTES)


def cmark_renderer() -> Callable[[str], str]:
    """Return GitHub-flavoured Markdown → HTML with cmarkgfm (without the final newline)."""
    if is_checked("cmarkgfm"):
        from hrdblog.speedups.cmark import freeing_renderer

        return freeing_renderer()
    import cmarkgfm

    options = cmark_options()

    def render(text: str) -> str:
        return str(cmarkgfm.github_flavored_markdown_to_html(text, options=options)).rstrip("\n")

    return render
