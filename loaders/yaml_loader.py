"""The curated YAML format (see data/README.md), read with line numbers for every field.

A data file is read one item of its ``entities`` and ``relations`` lists at a time (:mod:`loaders.yaml_stream`),
so a large file is never held whole; :func:`parse_yaml` reads a whole document (the smaller files of other
formats, and the few shapes of data file the item-by-item reader leaves to it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial, wraps
from pathlib import Path
from typing import Any

import yaml

from graph.model import Entity, Relation
from loaders.errors import LoadError, Origin, display_path
from loaders.records import Parsed, Reread, TinyFloat, build_entity, build_relation
from loaders.yaml_stream import (
    MAX_ALIAS_EXPANSION,
    AliasBomb,
    DuplicateKey,
    ListItem,
    ListStart,
    TopValue,
    Unusual,
    parts,
)


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


def _check_alias_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand to more than MAX_ALIAS_EXPANSION values beyond those written
    (the whole-document form of the running count in :mod:`loaders.yaml_stream`)."""
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
                raise AliasBomb(node.start_mark.line + 1)
        sizes[id(node)] = total
        return total

    size(root)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


_STR = "tag:yaml.org,2002:str"


def _scalar(construct: Any) -> Any:
    """A scalar constructor of SafeConstructor whose failures on an explicitly tagged value (``!!int abc``,
    ``!!bool maybe``, ``!!float ""``) are YAML errors naming the line, not exceptions of Python's."""

    @wraps(construct)
    def checked(self: Any, node: yaml.ScalarNode) -> Any:
        try:
            return construct(self, node)
        except (ValueError, KeyError, IndexError) as exc:
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {str(node.value)[:80]!r} as {tag}", node.start_mark
            ) from exc

    return checked


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
            # a plain string is its text (what construct_object would find, with a few calls less)
            if key_node.tag == _STR and type(key_node) is yaml.ScalarNode:
                key = key_node.value
            else:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool) or key is None:
                    raise yaml.constructor.ConstructorError(
                        None, None, "a mapping key must be a plain value", key_node.start_mark
                    )
                key = str(key)
            if key in out:
                raise DuplicateKey(key, key_node.start_mark.line + 1)
            if value_node.tag == _STR and type(value_node) is yaml.ScalarNode:
                out[key] = value_node.value
            else:
                out[key] = self.construct_object(value_node, deep=True)
                if (text := _typed_text(value_node)) is not None:
                    out.texts[key] = text
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        out = LineList(
            child.value if child.tag == _STR and type(child) is yaml.ScalarNode else self.construct_object(child, True)
            for child in node.value
        )
        out.line = node.start_mark.line + 1
        out.texts = {i: t for i, child in enumerate(node.value) if (t := _typed_text(child)) is not None}
        return out

    @_scalar
    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = super().construct_yaml_float(node)
        if value == 0.0 and re.search(r"[1-9]", str(node.value).lower().partition("e")[0]):
            return TinyFloat(value, str(node.value))  # 1e-400: refused by the records, never stored as 0
        return value

    construct_yaml_int = _scalar(yaml.constructor.SafeConstructor.construct_yaml_int)
    construct_yaml_bool = _scalar(yaml.constructor.SafeConstructor.construct_yaml_bool)

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
    "tag:yaml.org,2002:bool": _LineConstruction.construct_yaml_bool,
    "tag:yaml.org,2002:float": _LineConstruction.construct_yaml_float,
    "tag:yaml.org,2002:int": _LineConstruction.construct_yaml_int,
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


def _read_text(path: Path) -> tuple[str, list[LoadError]]:
    """The text of ``path`` (a BOM dropped), or the error that it cannot be read as UTF-8 text."""
    file = display_path(path)
    try:
        data = path.read_bytes()
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", [LoadError(file, line, "", f"not UTF-8 text (byte {exc.start})")]
    except OSError as exc:
        return "", [LoadError(file, 0, "", f"cannot read: {exc.strerror}")]


def _document_error(file: str, text: str, exc: BaseException) -> LoadError:
    """The one error for a document that cannot be read at all."""
    if isinstance(exc, DuplicateKey):
        return LoadError(file, exc.line, exc.key, "duplicate key")
    if isinstance(exc, AliasBomb):
        return LoadError(
            file,
            exc.line,
            "",
            f"malformed YAML: aliases (*name) expand to more than {MAX_ALIAS_EXPANSION:,} extra values",
        )
    if isinstance(exc, yaml.reader.ReaderError):
        # A character YAML does not allow (control characters, NUL): the reader knows only its offset.
        line = text[: exc.position].count("\n") + 1
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return LoadError(file, line, "", f"malformed YAML: character {what} is not allowed")
    if isinstance(exc, yaml.YAMLError):
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        return LoadError(file, line, "", f"malformed YAML: {problem}")
    if isinstance(exc, RecursionError):
        return LoadError(file, 0, "", "malformed YAML: nested too deeply")
    raise exc


_DOCUMENT_ERRORS = (DuplicateKey, AliasBomb, yaml.YAMLError, RecursionError)


def parse_yaml(path: Path) -> tuple[Any, list[LoadError]]:
    """Parse a YAML file into :class:`LineDict`/:class:`LineList` values that know their lines.

    Never raises for bad input: returns ``(None, errors)`` when the file cannot be read or parsed.
    """
    text, errors = _read_text(path)
    if errors:
        return None, errors
    return _parse_text(display_path(path), text)


def _parse_text(file: str, text: str) -> tuple[Any, list[LoadError]]:
    try:
        return _load(text), []
    except _DOCUMENT_ERRORS as exc:
        return None, [_document_error(file, text, exc)]


def read_yaml(path: Path) -> Parsed:
    """Read one YAML data file. Never raises for bad input: problems come back in ``Parsed.errors``."""
    parsed = Parsed()
    for got in iter_yaml(path, parsed):
        if isinstance(got, Reread):
            parsed.entities.clear()
            parsed.relations.clear()
        elif isinstance(got[0], Entity):
            parsed.entities.append((got[0], got[1]))
        else:
            parsed.relations.append((got[0], got[1]))
    return parsed


_BOTH = ("entities", "relations")


def iter_yaml(
    path: Path, parsed: Parsed, sections: tuple[str, ...] = _BOTH, how: str | None = None
) -> Iterator[tuple[Entity | Relation, Origin] | Reread]:
    """The valid records of one YAML data file, one at a time; problems (and refused ids) go to ``parsed``.

    ``sections``: which lists to read; the file is checked whole either way, but for the items of the other
    list, which are only parsed (a file the writer reads again, once per list). The records come as each item
    of the file is read; the problems once the whole file is. When the file turns out to need another
    reading (``how``: libyaml refuses it and PyYAML's own parser reads it, or it has a shape read as a whole
    document), or is refused as a whole, a :class:`~loaders.records.Reread` voids the records given so
    far; a later reading passes the last ``Reread.how`` to read the file that way from the start.
    """
    file = display_path(path)
    text, errors = _read_text(path)
    if errors:
        parsed.errors.extend(errors)
        return
    if how is None:
        # Characters YAML forbids go straight to PyYAML, whose reader names them and their line.
        libyaml = getattr(yaml, "__with_libyaml__", False) and not yaml.reader.Reader.NON_PRINTABLE.search(text)
        how = "libyaml" if libyaml else "pyyaml"
    while how != "whole":
        found = _Found()
        loader: Any = None
        try:
            loader = (_FastLineLoader if how == "libyaml" else _LineLoader)(text)
            skip = tuple(section for section in _BOTH if section not in sections)
            yield from _items(file, parts(loader, skip=skip), sections, found)
        except Unusual:
            how = "whole"
        except _DOCUMENT_ERRORS as exc:
            if how == "libyaml" and isinstance(exc, yaml.YAMLError | RecursionError):
                how = "pyyaml"  # as _load does: PyYAML's own parser decides, and words the error
            else:
                parsed.errors.append(_document_error(file, text, exc))
                if found.given:
                    yield Reread(None)
                return
        else:
            found.commit(file, parsed)
            return
        finally:
            if loader is not None:
                loader.dispose()
        yield Reread(how)
    yield from _whole(file, text, parsed, sections)


class _Found:
    """What one reading of a file found besides its records: kept until the file is read to its end."""

    def __init__(self) -> None:
        self.top: dict[str, int] = {}  # the top-level keys, with their lines
        self.doc_errors: list[LoadError] = []
        self.sections = {"entities": Parsed(), "relations": Parsed()}
        self.given = False  # whether a record was given

    def commit(self, file: str, parsed: Parsed) -> None:
        parsed.errors.extend(_unknown_keys(file, self.top))
        parsed.errors.extend(self.doc_errors)
        for found in self.sections.values():
            parsed.errors.extend(found.errors)
            parsed.refused_ids |= found.refused_ids


def _items(
    file: str, found_parts: Iterator[TopValue | ListStart | ListItem], sections: tuple[str, ...], found: _Found
) -> Iterator[tuple[Entity | Relation, Origin]]:
    """The records of a document's parts, as :func:`_whole` makes them of the whole document."""
    doc: str | None = None
    list_lines: dict[str, int] = {}
    for part in found_parts:
        if isinstance(part, ListItem):
            if part.key in sections:
                record = _record(file, part.key, part.index, part.value, list_lines[part.key], doc, found.sections)
                if record is not None:
                    found.given = True
                    yield record
            continue
        found.top[part.key] = part.line
        if isinstance(part, ListStart):
            list_lines[part.key] = part.list_line
            value: Any = LineList()  # a list (its items come one by one)
        else:
            value = part.value
        if part.key == "doc":
            doc, found.doc_errors = _doc(file, part.line, value)
        elif part.key in _BOTH and isinstance(part, TopValue) and value is not None and part.key in sections:
            if not isinstance(value, list):
                found.sections[part.key].errors.append(LoadError(file, part.line, part.key, "must be a list"))
                continue
            for i, raw in enumerate(value):
                record = _record(file, part.key, i, raw, getattr(value, "line", 0), doc, found.sections)
                if record is not None:
                    found.given = True
                    yield record


def _unknown_keys(file: str, lines: dict[str, int]) -> list[LoadError]:
    """An error for each top-level key the format does not know, in the file's order."""
    return [LoadError(file, line, key, "unknown top-level key") for key, line in lines.items() if key not in _TOP_KEYS]


def _doc(file: str, line: int, value: Any) -> tuple[str | None, list[LoadError]]:
    """The file's default document, from its top-level ``doc``."""
    if value is not None and not isinstance(value, str):
        return None, [LoadError(file, line, "doc", "must be a file name")]
    return value, []


def _record(
    file: str, section: str, i: int, raw: Any, list_line: int, doc: str | None, found: dict[str, Parsed]
) -> tuple[Entity | Relation, Origin] | None:
    """The record of item ``i`` of a file's ``section`` list, or None with its problems in ``found``."""
    line = getattr(raw, "line", list_line)
    origin = Origin(file, line)
    if not isinstance(raw, LineDict):  # every mapping _LineLoader builds is one
        found[section].errors.append(LoadError(file, line, f"{section}[{i}]", "must be a mapping"))
        return None
    srcs, errs = _sources(raw.get("sources"), doc, file, raw.key_lines.get("sources", line), "sources")
    found[section].errors.extend(errs)
    record = _with(raw, sources=srcs) if "sources" in raw else raw
    build = build_entity if section == "entities" else build_relation
    result = build(record, origin, partial(_line_of, record, default=line))
    if isinstance(result, list):
        if section == "entities":
            found[section].refuse(raw, result)
        else:
            found[section].errors.extend(result)
        return None
    return result, origin


def _whole(
    file: str, text: str, parsed: Parsed, sections: tuple[str, ...]
) -> Iterator[tuple[Entity | Relation, Origin]]:
    """The records of a file read as one whole document (PyYAML's composer and constructor, libyaml first)."""
    top, parse_errors = _parse_text(file, text)
    if parse_errors:
        parsed.errors.extend(parse_errors)
        return
    if top is None:
        return  # an empty file loads nothing
    if not isinstance(top, LineDict):
        parsed.errors.append(LoadError(file, 1, "", "expected a mapping with 'entities' and/or 'relations'"))
        return
    parsed.errors.extend(_unknown_keys(file, top.key_lines))
    doc, doc_errors = _doc(file, top.key_lines.get("doc", 0), top.get("doc"))
    parsed.errors.extend(doc_errors)
    found = {"entities": parsed, "relations": parsed}
    for section in _BOTH:
        items = top.get(section)
        if items is None or section not in sections:
            continue
        if not isinstance(items, list):
            parsed.errors.append(LoadError(file, top.key_lines[section], section, "must be a list"))
            continue
        for i, raw in enumerate(items):
            record = _record(file, section, i, raw, getattr(items, "line", 0), doc, found)
            if record is not None:
                yield record
