"""Split a post into YAML front matter and Markdown body; load YAML safely, with file lines.

The YAML loader here is shared by posts and `hrdblog.yaml`. It loads plain data only and
sidesteps YAML's traps for authors: every value is read as the text written, at any depth
(`Yes` and `No` stay text, and so do `012`, `1_000`, `3.10`, `1:20` and `0x10`, which YAML
would make numbers; dates stay text so one parser downstream accepts or rejects them); only
`true` and `false` are booleans, and `null` or nothing is none. Every text is cleaned of
control characters and direction overrides (`characters.clean_field`). Aliases and tags that
build objects are refused, a repeated key is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml

from hrdblog.characters import clean_field
from hrdblog.errors import LocatedError

_BaseLoader: type[yaml.SafeLoader]
try:  # libyaml's parser is about ten times faster; behaviour and marks are the same.
    _BaseLoader = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_YAML + name for name in ("str", "int", "float", "bool", "null", "seq", "map")}


class _PlainLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader whose implicit types are text, true/false and null."""


_IMPLICIT_TYPES_LEFT_OUT = {_YAML + name for name in ("bool", "timestamp", "int", "float")}
_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _IMPLICIT_TYPES_LEFT_OUT]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PlainLoader.add_implicit_resolver(
    _YAML + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class ErrorFactory(Protocol):
    """Make the error to raise for a problem at a line of the file being read."""

    def __call__(self, line: int | None, message: str, hint: str | None = None) -> LocatedError:
        """Return the error for `message` at `line`, with an optional hint."""


@dataclass(frozen=True)
class YamlMap:
    """A YAML mapping's top level: its values and the file line of each key; and, where asked
    for, the line of every value within them, by its path (`("menu", 2, "entries", 0)`)."""

    values: dict[str, Any]
    lines: dict[str, int]
    within: dict[tuple[str | int, ...], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """A post file split into its front matter and its Markdown body."""

    meta: YamlMap
    body: str
    body_line: int  # the file line on which the body starts


def load_mapping(
    text: str, first_line: int, error: ErrorFactory, what: str, within: bool = False
) -> YamlMap:
    """Load YAML text whose first line is `first_line` of its file as a top-level mapping;
    with `within`, note the line of every value inside its values too."""
    loader = _PlainLoader(text)
    try:
        if "*" in text:
            _refuse_aliases(text, first_line, error)
        node = loader.get_single_node()
        if node is None:
            return YamlMap({}, {})
        _check_plain(node, first_line, error)
        if not isinstance(node, yaml.MappingNode):
            got = "a list" if isinstance(node, yaml.SequenceNode) else f"the text {node.value!r}"
            raise error(
                first_line + node.start_mark.line,
                f"{what} must be `key: value` lines, got {got}",
                "write one setting per line, like `title: My post`",
            )
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        inside: dict[tuple[str | int, ...], int] = {}
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            key = clean_field(str(loader.construct_object(key_node, deep=True)))
            if key in lines:
                raise error(
                    line,
                    f"'{key}' is given twice (first on line {lines[key]})",
                    "keep one of them",
                )
            lines[key] = line
            values[key] = _cleaned(loader.construct_object(value_node, deep=True))
            if within:
                _lines_within(value_node, (key,), first_line, inside)
        return YamlMap(values, lines, inside)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(line, f"YAML syntax error: {problem}", _yaml_hint(problem)) from None
    except yaml.YAMLError as exc:  # e.g. a control character libyaml refuses without a mark
        raise error(first_line, f"YAML syntax error: {exc}", None) from None
    finally:
        loader.dispose()


def _lines_within(
    node: yaml.Node, path: tuple[str | int, ...], first_line: int, out: dict[Any, int]
) -> None:
    """Note the line of every item of a list, and of every value of a mapping, under `node`,
    by its path; the keys of mappings as their text."""
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[(*path, index)] = first_line + item.start_mark.line
            _lines_within(item, (*path, index), first_line, out)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*path, str(key_node.value))
            out[key] = first_line + key_node.start_mark.line
            _lines_within(value_node, key, first_line, out)


def _cleaned(value: Any) -> Any:
    """Return a loaded value with every text in it (keys too) cleaned, at any depth."""
    if isinstance(value, str):
        return clean_field(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {_cleaned(key): _cleaned(item) for key, item in value.items()}
    return value


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a value that contains ': ' must be in quotes, like title: \"Oman: a strike\""
    if "found character '\\t'" in problem or "tab" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "each line needs a `key: value` form; quote values that span lines"
    return "check the quotes and the indentation on this line and the one before it"


def _refuse_aliases(text: str, first_line: int, error: ErrorFactory) -> None:
    """Refuse YAML aliases, which front matter never needs.

    "Billion laughs" documents are built from aliases and grow without bound when walked.
    """
    for event in yaml.parse(text, Loader=_PlainLoader):
        if isinstance(event, yaml.AliasEvent):
            raise error(
                first_line + (event.start_mark.line if event.start_mark else 0),
                "YAML aliases (`*name`) are not allowed here",
                "write the value out in full instead of referring to an anchor",
            )


def _check_plain(root: yaml.Node, first_line: int, error: ErrorFactory) -> None:
    """Refuse tags that would build objects, before anything is constructed."""
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        line = first_line + node.start_mark.line
        if node.tag not in _PLAIN_TAGS:
            raise error(
                line,
                f"the YAML tag {node.tag.replace(_YAML, '!!')!r} is not allowed",
                "remove the tag: only text, numbers, true/false, lists and `key: value` "
                "lines are read",
            )
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_LOOKS_LIKE_KEY = re.compile(r"^[A-Za-z_][\w-]*:(\s|$)")


def split(text: str, error: ErrorFactory) -> Document:
    """Split normalised post text (no BOM, `\\n` line ends) into front matter and body."""
    if not text.strip():
        raise error(
            1,
            "the file is empty",
            "a post starts with front matter: a `---` line, `title:` and `date:`, "
            "then another `---` line",
        )
    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        hint = (
            "add a `---` line before the front matter and another after it"
            if _LOOKS_LIKE_KEY.match(lines[0])
            else "start the file with a `---` line, then `title:` and `date:`, then `---`"
        )
        raise error(1, "the file has no front matter", hint)
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            meta = load_mapping("\n".join(lines[1:index]), 2, error, "front matter")
            body = "\n".join(lines[index + 1 :])
            return Document(meta, body, body_line=index + 2)
    raise error(
        1,
        "the front matter that starts on line 1 is never closed",
        "did you forget the closing `---`?",
    )


class _Dumper(yaml.SafeDumper):
    """Writes front matter as people write it: `key: value` lines, lists of names on one line
    (`tags: [coalition, UN]`), text unwrapped, text of several lines as a block."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    plain = all(isinstance(item, str | int | float | bool) and item != "" for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=plain)


def _mapping(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _mapping)


def dump_front_matter(meta: dict[str, Any]) -> str:
    """Return `---` front matter for these fields, in their order, one `key: value` line each."""
    text = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{text}---\n"
