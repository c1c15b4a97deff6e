"""Python-Markdown's inline processing, without trying patterns that cannot match.

Python-Markdown applies each of its fifteen-odd inline patterns (links, emphasis, code,
entities …) to every piece of text in turn, each through a call of its own even where the
text holds not one character the pattern starts with: most calls on news prose find nothing,
and they are a third of the cost of converting a post. This processor gives the very same
result: before a pattern whose regular expression hrdblog knows is tried on a piece of text,
it checks that the text holds one of the strings every match of it holds (a `[` for a link,
`![` for an image, a backtick for code …). Patterns it does not know, from other extensions
or other versions of Python-Markdown, are always tried, as Python-Markdown tries them.
"""

from __future__ import annotations

from typing import Any

import markdown
from markdown import util
from markdown.inlinepatterns import DelimiterProcessor
from markdown.treeprocessors import InlineProcessor

# Python-Markdown's own inline patterns, by the source of their regular expression, with the
# strings one of which every match holds. Only a pattern whose source is exactly one of these
# is ever passed over.
_REQUIRED: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code
    r"\\(.)": ("\\",),  # an escaped character
    r"\[\^([^\]]*)\]": ("[^",),  # a footnote reference
    r"(?<!\!)\[": ("[",),  # a link, a reference
    r"\!\[": ("![",),  # an image
    r"<((?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*)>": ("<",),  # an automatic link (3.5)
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),  # an automatic link
    r"<([^<> !]+@[^@<> ]+)>": ("<",),  # an e-mail address
    r"  \n": ("  \n",),  # a line break
    # raw HTML: a tag, a comment, a processing instruction or CDATA, each inside < and >
    r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'"""
    r"""|[^\s"'=<>]++))?+)*+\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]"""
    r"""|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""": ("<",),
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # an entity
    r"\*": ("*",),  # emphasis (3.5 to 3.10)
    r"_": ("_",),
    r"((^|(?<=\s))(\*{1,3}|_{1,3})(?=\s|$))": ("*", "_"),  # a lone * or _ (3.5 to 3.10)
}


def _required(pattern: object) -> tuple[str, ...] | None:
    """Return the strings one of which every match of `pattern` holds; None if not known."""
    if isinstance(pattern, DelimiterProcessor):  # emphasis: its tokens, * and _
        return tuple(pattern.tokens) or None
    source = getattr(pattern, "pattern", None)
    if type(pattern).__module__.startswith("markdown.") and isinstance(source, str):
        return _REQUIRED.get(source)
    return None


class FastInline(InlineProcessor):
    """Python-Markdown's InlineProcessor, passing over the patterns that cannot match."""

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self._patterns = [(pattern, _required(pattern)) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    # InlineProcessor calls this method of its own by its private name: the same loop, but a
    # pattern is tried only if the text holds what it needs.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns = self._patterns
        start = 0
        count = len(patterns)
        while patternIndex < count:
            pattern, needs = patterns[patternIndex]
            if needs is not None:
                for need in needs:
                    if need in data:
                        break
                else:  # the text holds nothing the pattern needs: it cannot match
                    patternIndex += 1
                    start = 0
                    continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def speed_up_inline(md: markdown.Markdown) -> None:
    """Put FastInline in the place of Python-Markdown's inline processor, where it is that
    processor and this version of Python-Markdown has the method FastInline changes."""
    registry = md.treeprocessors  # a Registry: no get()
    slow = registry["inline"] if "inline" in registry else None  # noqa: SIM401
    if type(slow) is not InlineProcessor or not hasattr(
        InlineProcessor, "_InlineProcessor__handleInline"
    ):
        return
    priorities = {item.name: item.priority for item in getattr(md.treeprocessors, "_priority", [])}
    md.treeprocessors.register(FastInline(md), "inline", priorities.get("inline", 20))
