"""What text may hold once hrdblog has read it: one set of rules for posts, settings and imports.

Control characters and noncharacters are invisible and not allowed in HTML or XML; editors
and copy-paste leave them in text, and YAML escapes (`"\\e"`, `"\\0"`) can write them on
purpose. Characters that change the order in which text is shown (embeddings, overrides,
isolates) can make a name read as something else, and one left open in a title reverses the
rest of the browser's title bar: in a text field they are removed. The marks that only set a
direction (U+200E, U+200F, U+061C) and the joiners that Persian and emoji need stay.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that change the order in which text is shown: embeddings, overrides, isolates.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Characters with no width that nothing needs at the edge of a name.
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c"
#: Characters that end a line besides the newline.
LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

#: The noncharacters: U+FDD0 to U+FDEF, and the last two code points of each of the 17 planes.
NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)

# Control characters (but tab and newline), lone surrogates and noncharacters.
_INVISIBLE_JUNK = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{NONCHARACTERS}]")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def clean_text(text: str) -> str:
    """Remove the control characters and noncharacters that no web page or feed may hold."""
    return _INVISIBLE_JUNK.sub("", text)


def clean_field(text: str) -> str:
    """Return the text of a field (a title, a tag, a setting) as pages may show it: without
    control characters, noncharacters or direction overrides."""
    return _BIDI.sub("", clean_text(text))


def clean_name(text: str) -> str:
    """Return a title, tag or author name on one line: a field's cleaning, runs of spaces
    made one, invisible characters at its edges removed, NFC normalised."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in clean_field(text) if c not in "\u200b\u2060\ufeff")
    return " ".join(text.split()).strip(INVISIBLE + " ")


def line_break(text: str) -> str | None:
    """Return the first line break a text holds (newline, U+2028 …), or None."""
    return next((c for c in text if c == "\n" or c in LINE_BREAKS), None)
