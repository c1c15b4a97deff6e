"""cmarkgfm's GitHub-flavoured Markdown, freeing the memory cmarkgfm's own function keeps.

Contract: `freeing_renderer()` returns a function giving the very HTML of
`cmarkgfm.github_flavored_markdown_to_html(text, options=OPTIONS)`, without its trailing
newline. It reaches cmarkgfm's private module `_cmark` and frees through ctypes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hrdblog.speedups import cmark_options


def freeing_renderer() -> Callable[[str], str]:
    """Return GitHub-flavoured Markdown → HTML with cmarkgfm, freeing what it allocates.

    cmarkgfm's own `github_flavored_markdown_to_html` frees neither the document it parses nor
    the HTML it renders (some 28 KB a post: gigabytes over a large archive), and its bindings
    offer no way to; the library's own `cmark_node_free` and the C `free` do it, called through
    ctypes on the same pointers. The options and extensions are those of that function.
    """
    import ctypes

    from cmarkgfm import cmark
    from cmarkgfm.cmark import Options

    # github_flavored_markdown_to_html adds GITHUB_PRE_LANG to the options it is given.
    options = cmark_options() | Options.CMARK_OPT_GITHUB_PRE_LANG
    ffi, lib = cmark._cmark.ffi, cmark._cmark.lib
    native = ctypes.CDLL(cmark._cmark.__file__)
    native.cmark_node_free.argtypes = [ctypes.c_void_p]
    native.cmark_node_free.restype = None
    native.free.argtypes = [ctypes.c_void_p]
    native.free.restype = None
    cmark.core_extensions_ensure_registered()
    extensions = [
        cmark.find_syntax_extension(name)
        for name in ("table", "autolink", "tagfilter", "strikethrough", "tasklist")
    ]

    def address(pointer: Any) -> int:
        return int(ffi.cast("uintptr_t", pointer))

    def render(text: str) -> str:
        parser = cmark.parser_new(options=options)
        try:
            for extension in extensions:
                cmark.parser_attach_syntax_extension(parser, extension)
            cmark.parser_feed(parser, text)
            root = cmark.parser_finish(parser)
            try:
                found = cmark.parser_get_syntax_extensions(parser)
                html = lib.cmark_render_html(root, options, found)
                try:
                    return str(ffi.string(html).decode("utf-8")).rstrip("\n")
                finally:
                    native.free(address(html))
            finally:
                native.cmark_node_free(address(root))
        finally:
            cmark.parser_free(parser)

    return render
