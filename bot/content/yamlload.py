"""YAML loading that remembers line numbers, so content errors can say file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class LineDict(dict[Any, Any]):
    line: int = 0
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]     # where a value's text begins (a block scalar: the next line)


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


class YamlError(Exception):
    def __init__(self, path: Path, line: int | None, message: str, field: str = "") -> None:
        self.path, self.line, self.message, self.field = path, line, message, field
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


class _BadValue(yaml.constructor.ConstructorError):
    """A scalar its tag cannot make; `steps` the keys (and indexes) down to it."""
    steps: tuple[Any, ...] = ()


# libyaml's parser (C) when PyYAML was built with it, about ten times faster than the pure
# Python one; the constructors below (Python either way) keep every node's line.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """A scalar its tag cannot make (`2024-02-30`, `!!int abc`) is a problem at its line,
        not a ValueError from deep inside PyYAML."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            kind = _TAG_NAMES.get(node.tag, node.tag)
            raise _BadValue(None, None, f"{node.value!r} is not a valid {kind} ({exc})",
                            node.start_mark) from None


_TAG_NAMES = {f"tag:yaml.org,2002:{tag}": name for tag, name in (
    ("timestamp", "date"), ("int", "integer"), ("float", "number"), ("bool", "boolean"),
    ("binary", "base64 value"))}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines, mapping.value_lines = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain values", key_node.start_mark
            )
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        try:
            mapping[key] = loader.construct_object(value_node, deep=True)
        except _BadValue as exc:
            exc.steps = (key, *exc.steps)
            raise
        mapping.key_lines[key] = key_node.start_mark.line + 1
        block = isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">")
        mapping.value_lines[key] = value_node.start_mark.line + 1 + block
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    items = LineList()
    for n, child in enumerate(node.value):
        try:
            items.append(loader.construct_object(child, deep=True))
        except _BadValue as exc:
            exc.steps = (n, *exc.steps)
            raise
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(path, None, f"not valid UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise YamlError(path, None, f"cannot read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except _BadValue as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise YamlError(path, line, exc.problem or "not a valid value",
                        ".".join(str(s) for s in exc.steps)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "not valid YAML"
        if mark and _char_at(text, mark.line, mark.column) == "\t":
            problem += " (a tab: YAML indents with spaces)"   # libyaml does not say
        raise YamlError(path, line, f"YAML syntax: {problem}") from None
    except yaml.reader.ReaderError as exc:
        # Its position counts bytes with libyaml, characters without: find the character.
        if not isinstance(exc.character, int):
            raise YamlError(path, None, f"YAML: {exc}") from None
        at = text.find(chr(exc.character))
        line = len(f"{text[:at]}.".splitlines()) if at >= 0 else None
        raise YamlError(path, line, f"character {exc.character:#04x} is not allowed in YAML "
                                    f"({exc.reason})") from None
    except yaml.YAMLError as exc:
        raise YamlError(path, None, f"YAML: {exc}") from None


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column:column + 1] if line < len(lines) else ""


def value_line(data: Any, *keys: Any) -> int | None:
    """The line a value's text begins on (a template's line 1), down a path of keys."""
    node = data
    for key in keys[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, LineDict) and keys:
        return node.value_lines.get(keys[-1])
    return None


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node along a pydantic error location that has one."""
    line = getattr(data, "line", None) or None
    node = data
    for step in loc:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line
