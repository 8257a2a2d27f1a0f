"""The curated YAML format (see data/README.md), read with line numbers for every field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from graph.model import Entity, Relation
from loaders.errors import LoadError, Origin, display_path
from loaders.records import Parsed, TinyFloat, build_entity, build_relation


class LineDict(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]
    # the text of each value YAML turned into a boolean or a number (``NO``, ``000001``): error messages
    # quote it, since the value itself no longer says what was written
    texts: dict[str, str]


class LineList(list):
    line: int = 0
    texts: dict[int, str]


def _typed_text(node: yaml.Node) -> str | None:
    """The written text of a plain scalar that YAML resolved to something else than a string."""
    if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:str" and not node.style:
        return str(node.value)
    return None


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int):
        self.key, self.line = key, line


class _AliasBomb(Exception):
    def __init__(self, line: int):
        self.line = line


# Aliases share one object when parsed, but everything after the parser (merge keys, validation) copies
# or walks them out in full: a "billion laughs" document of a few hundred bytes expands to 10^9 values.
# PyYAML has no limit of its own, so cap what aliases may add beyond the values actually written.
MAX_ALIAS_EXPANSION = 100_000


def _check_alias_expansion(root: yaml.Node) -> None:
    distinct: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in distinct:
            continue
        distinct.add(id(node))
        stack.extend(_children(node))
    limit = len(distinct) + MAX_ALIAS_EXPANSION
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = 1  # a recursive alias counts once here; the constructor refuses it
        total = 1
        for child in _children(node):
            total += size(child)
            if total > limit:
                raise _AliasBomb(node.start_mark.line + 1)
        sizes[id(node)] = total
        return total

    size(root)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _LineConstruction(yaml.constructor.SafeConstructor):
    """Mappings and lists that remember their lines, duplicate keys refused, dates kept as text."""

    def construct_document(self, node: yaml.Node) -> Any:
        _check_alias_expansion(node)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        self.flatten_mapping(node)
        out = LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        out.texts = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            key = str(key)
            if key in out:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
            if (text := _typed_text(value_node)) is not None:
                out.texts[key] = text
        return out

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        out = LineList(self.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.texts = {i: t for i, child in enumerate(node.value) if (t := _typed_text(child)) is not None}
        return out

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = super().construct_yaml_float(node)
        if value == 0.0 and re.search(r"[1-9]", str(node.value).lower().partition("e")[0]):
            return TinyFloat(value, str(node.value))  # 1e-400: refused by the records, never stored as 0
        return value

    def construct_timestamp_text(self, node: yaml.ScalarNode) -> str:
        return self.construct_yaml_str(node)


class _LineLoader(_LineConstruction, yaml.SafeLoader):
    """PyYAML's own parser: its errors name the line and the problem."""


class _FastLineLoader(_LineConstruction, yaml.CSafeLoader):
    """The same construction over libyaml's parser, several times faster than PyYAML's own.

    Used for a first attempt only: libyaml words its errors (and places some) differently, so a file
    it refuses is read again with :class:`_LineLoader` for the error the user sees.
    """


_CONSTRUCTORS: dict[str, Any] = {
    "tag:yaml.org,2002:float": _LineConstruction.construct_yaml_float,
    "tag:yaml.org,2002:map": _LineConstruction.construct_mapping,
    "tag:yaml.org,2002:seq": _LineConstruction.construct_sequence,
    # Dates stay strings ("2016-12" and "2016-12-31" alike): the model decides what they mean.
    "tag:yaml.org,2002:timestamp": _LineConstruction.construct_timestamp_text,
}
for _tag, _construct in _CONSTRUCTORS.items():
    _LineLoader.add_constructor(_tag, _construct)
    _FastLineLoader.add_constructor(_tag, _construct)


def _load(text: str) -> Any:
    """The document in ``text``: libyaml's parser first, PyYAML's for a file it refuses (or without libyaml)."""
    # Characters YAML forbids go straight to PyYAML, whose reader names them and their line.
    if getattr(yaml, "__with_libyaml__", False) and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            return yaml.load(text, Loader=_FastLineLoader)
        except (yaml.YAMLError, RecursionError):
            pass
    return yaml.load(text, Loader=_LineLoader)


_TOP_KEYS = {"doc", "entities", "relations"}


_FILE_NAMES = {"source": "from", "target": "to"}  # a relation's fields as the file spells them


def _line_of(raw: Any, loc: tuple[Any, ...], default: int) -> int:
    """The line of the deepest part of ``loc`` that the parsed YAML still knows."""
    line, node = default, raw
    for i, part in enumerate(loc):
        if isinstance(node, LineDict):
            key = str(part) if i or str(part) in node else _FILE_NAMES.get(str(part), str(part))
            line = node.key_lines.get(key, line)
            node = node.get(key)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
        else:
            break
    return line


def _sources(raw: Any, doc: str | None, file: str, line: int, field: str) -> tuple[Any, list[LoadError]]:
    """Expand bare-string sources and fill in the file's default document."""
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return raw, [LoadError(file, line, field, "sources must be a list")]
    out, errors = LineList(), []
    out.line = getattr(raw, "line", line)
    for i, s in enumerate(raw):
        if isinstance(s, str):
            s = LineDict(quote=s)
            s.line, s.key_lines = out.line, {}
        if isinstance(s, dict) and "doc" not in s:
            if doc is None:
                errors.append(
                    LoadError(
                        file,
                        getattr(s, "line", line),
                        f"{field}.{i}.doc",
                        "no document: give 'doc' here or at the top of the file",
                    )
                )
                continue
            s = _with(s, doc=doc)
        out.append(s)
    return out, errors


def _with(d: dict, **kw: Any) -> LineDict:
    out = LineDict(d)
    out.update(kw)
    out.line = getattr(d, "line", 0)
    out.key_lines = dict(getattr(d, "key_lines", {}))
    out.texts = dict(getattr(d, "texts", {}))
    return out


def parse_yaml(path: Path) -> tuple[Any, list[LoadError]]:
    """Parse a YAML file into :class:`LineDict`/:class:`LineList` values that know their lines.

    Never raises for bad input: returns ``(None, errors)`` when the file cannot be read or parsed.
    """
    file = display_path(path)
    errors: list[LoadError] = []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return None, [LoadError(file, line, "", f"not UTF-8 text (byte {exc.start})")]
    except OSError as exc:
        return None, [LoadError(file, 0, "", f"cannot read: {exc.strerror}")]
    try:
        return _load(text), errors
    except _DuplicateKey as exc:
        errors.append(LoadError(file, exc.line, exc.key, "duplicate key"))
    except _AliasBomb as exc:
        errors.append(
            LoadError(
                file,
                exc.line,
                "",
                f"malformed YAML: aliases (*name) expand to more than {MAX_ALIAS_EXPANSION:,} extra values",
            )
        )
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (control characters, NUL): the reader knows only its offset.
        line = text[: exc.position].count("\n") + 1
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        errors.append(LoadError(file, line, "", f"malformed YAML: character {what} is not allowed"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(LoadError(file, line, "", f"malformed YAML: {problem}"))
    except RecursionError:
        errors.append(LoadError(file, 0, "", "malformed YAML: nested too deeply"))
    return None, errors


def read_yaml(path: Path) -> Parsed:
    """Read one YAML data file. Never raises for bad input: problems come back in ``Parsed.errors``."""
    parsed = Parsed()
    for record, origin in iter_yaml(path, parsed):
        if isinstance(record, Entity):
            parsed.entities.append((record, origin))
        else:
            parsed.relations.append((record, origin))
    return parsed


def iter_yaml(
    path: Path, parsed: Parsed, sections: tuple[str, ...] = ("entities", "relations")
) -> Iterator[tuple[Entity | Relation, Origin]]:
    """The valid records of one YAML data file, one at a time; problems (and refused ids) go to ``parsed``.

    ``sections``: which lists to read (the file is checked whole either way).
    """
    file = display_path(path)
    top, parse_errors = parse_yaml(path)
    if parse_errors:
        parsed.errors.extend(parse_errors)
        return
    if top is None:
        return  # an empty file loads nothing
    if not isinstance(top, LineDict):
        parsed.errors.append(LoadError(file, 1, "", "expected a mapping with 'entities' and/or 'relations'"))
        return
    for key in top.keys() - _TOP_KEYS:
        parsed.errors.append(LoadError(file, top.key_lines[key], key, "unknown top-level key"))
    doc = top.get("doc")
    if doc is not None and not isinstance(doc, str):
        parsed.errors.append(LoadError(file, top.key_lines["doc"], "doc", "must be a file name"))
        doc = None

    for section, build in (("entities", build_entity), ("relations", build_relation)):
        items = top.get(section)
        if items is None or section not in sections:
            continue
        if not isinstance(items, list):
            parsed.errors.append(LoadError(file, top.key_lines[section], section, "must be a list"))
            continue
        for i, raw in enumerate(items):
            line = getattr(raw, "line", getattr(items, "line", 0))
            origin = Origin(file, line)
            if not isinstance(raw, LineDict):  # every mapping _LineLoader builds is one
                parsed.errors.append(LoadError(file, line, f"{section}[{i}]", "must be a mapping"))
                continue
            srcs, errs = _sources(raw.get("sources"), doc, file, raw.key_lines.get("sources", line), "sources")
            parsed.errors.extend(errs)
            record = _with(raw, sources=srcs) if "sources" in raw else raw
            result = build(record, origin, partial(_line_of, record, default=line))
            if isinstance(result, list):
                if section == "entities":
                    parsed.refuse(raw, result)
                else:
                    parsed.errors.extend(result)
            else:
                yield result, origin
