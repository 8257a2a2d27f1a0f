"""The plain CSV format: ``entities.csv`` and ``relations.csv`` (see data/README.md)."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.codec import NODE_FIELDS, REL_PROPERTIES
from graph.model import Entity, Relation, RelType, Source, relation_fast
from loaders.errors import LoadError, Origin, display_path
from loaders.records import LineOf, Parsed, build_entity, build_relation, storable

# The file's columns: the model's fields (graph.codec), with one source per row (its support and reason
# optional: a source is stated, or background for a ``ref:`` document, unless the row says otherwise).
SOURCE_COLUMNS = ("source_doc", "source_quote", "source_support", "source_reason")
ENTITY_COLUMNS = ("id", *NODE_FIELDS, *SOURCE_COLUMNS)
RELATION_COLUMNS = ("from", "type", "to", *REL_PROPERTIES, *SOURCE_COLUMNS)
ATTR_PREFIX = "attr:"


def _on_line(line: int) -> LineOf:
    """Where each field of a row is: all on the row's line."""
    return lambda loc: line


def _rows(path: Path, parsed: Parsed) -> Iterator[tuple[int, dict[str, str]]]:
    """(line where the row starts, row) for each data row; header problems go to ``parsed.errors``."""
    file = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        parsed.errors.append(LoadError(file, 0, "", f"cannot read: {exc.strerror}"))
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        parsed.errors.append(LoadError(file, line, "", f"not UTF-8 text (byte {exc.start})"))
        return
    # csv's default limit of 128 KB per cell would stop the file half-way ("field larger than field limit");
    # like YAML, a cell may be as large as its file, and the model's limits then name the field
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        for col in {h for h in header if header.count(h) > 1}:
            parsed.errors.append(LoadError(file, 1, col, "column appears twice in the header"))
        start = reader.line_num + 1
        for row in reader:
            if not any(c.strip() for c in row):
                start = reader.line_num + 1
                continue
            if len(row) != len(header):
                parsed.errors.append(
                    LoadError(file, start, "", f"row has {len(row)} cells, the header has {len(header)}")
                )
            else:
                yield start, dict(zip(header, row, strict=True))
            start = reader.line_num + 1
    except csv.Error as exc:
        parsed.errors.append(LoadError(file, reader.line_num, "", f"malformed CSV: {exc}"))


def _source(row: dict[str, str]) -> list[dict[str, str]]:
    doc, quote, support, reason = (row.pop(c, "").strip() for c in SOURCE_COLUMNS)
    if not doc and not quote:
        return []
    out = {"doc": doc}
    for key, value in (("quote", quote), ("support", support), ("reason", reason)):
        if value:
            out[key] = value
    return [out]


def _unknown_columns(header: list[str], allowed: tuple[str, ...], file: str, attrs: bool) -> list[LoadError]:
    return [
        LoadError(file, 1, h, "unknown column")
        for h in header
        if h not in allowed and not (attrs and h.startswith(ATTR_PREFIX))
    ]


def read_entities_csv(path: Path) -> Parsed:
    parsed = Parsed()
    parsed.entities.extend(iter_entities_csv(path, parsed))
    return parsed


def iter_entities_csv(path: Path, parsed: Parsed) -> Iterator[tuple[Entity, Origin]]:
    """The valid entities of an ``entities.csv``, one at a time; problems (and refused ids) go to ``parsed``."""
    file = display_path(path)
    header_checked = False
    for line, row in _rows(path, parsed):
        if not header_checked:
            parsed.errors.extend(_unknown_columns(list(row), ENTITY_COLUMNS, file, attrs=True))
            header_checked = True
        raw: dict[str, Any] = {"sources": _source(row)}
        attributes = {}
        for key, value in row.items():
            value = value.strip()
            if not value or (key not in ENTITY_COLUMNS and not key.startswith(ATTR_PREFIX)):
                continue
            if key.startswith(ATTR_PREFIX):
                attributes[key.removeprefix(ATTR_PREFIX)] = value
            elif key == "aliases":
                raw["aliases"] = [a.strip() for a in value.split("|") if a.strip()]
            else:
                raw[key] = value
        raw["attributes"] = attributes
        result = build_entity(raw, Origin(file, line), _on_line(line))
        if isinstance(result, list):
            errors = [
                LoadError(e.file, e.line, e.field.replace("attributes.", ATTR_PREFIX, 1), e.message) for e in result
            ]
            parsed.refuse(raw, errors)
        else:
            yield result, Origin(file, line)


def read_relations_csv(path: Path) -> Parsed:
    parsed = Parsed()
    parsed.relations.extend(iter_relations_csv(path, parsed))
    return parsed


_REL_TYPES = {t.value: t for t in RelType}
# A weight whose text float() and the model read alike: ASCII digits only; no "inf", "nan", "1_000" or spaces.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NO_SOURCE: tuple[str, str, str, str] = ("", "", "", "")
_SOURCES_KEPT = 4096


class _FastRelations:
    """Relations of ordinary rows built without the model's per-record machinery (a relations.csv is often
    a million rows): each source written once is validated once by the model and shared (a Source is
    frozen), the relation is built by :func:`graph.model.relation_fast`. Any row it cannot vouch for goes
    to the model, which names the problem: the same records and errors either way
    (``tests/test_model_fast.py`` compares the two on generated rows)."""

    def __init__(self, header: list[str]):
        self.get = [h if h in header else None for h in ("from", "type", "to", "chain", "weight")]
        self.source_cols = [h if h in header else None for h in SOURCE_COLUMNS]
        self.other = [h for h in ("role", "since_year") if h in header]
        self.sources: dict[tuple[str, ...], Source | None] = {}

    def __call__(self, row: dict[str, str]) -> Relation | None:
        if any(row[h].strip() for h in self.other):
            return None
        source, rtype, target, chain, weight = (row[h].strip() if h else "" for h in self.get)
        rel_type = _REL_TYPES.get(rtype)
        if rel_type is None:
            return None
        number = None
        if weight:
            if not _PLAIN_NUMBER.fullmatch(weight):
                return None
            number = float(weight)
            # too close to zero, or more digits than a store keeps: the model's path names it
            if (number == 0.0 and re.search(r"[1-9]", weight.lower().partition("e")[0])) or (
                not math.isfinite(number) or float(f"{number:.15g}") != number
            ):
                return None
        key = tuple(row[h].strip() if h else "" for h in self.source_cols)
        if key == _NO_SOURCE:
            sources = []
        else:
            if key not in self.sources:
                if len(self.sources) >= _SOURCES_KEPT:  # a quote per row: keep memory bounded
                    self.sources.clear()
                raw = _source(dict(zip(SOURCE_COLUMNS, key, strict=True)))
                try:
                    made = Source.model_validate(raw[0]) if raw else None
                except ValueError:
                    made = None
                self.sources[key] = made if made is not None and storable(made) else None
            known = self.sources[key]
            if known is None:
                return None
            sources = [known]
        if not storable((source, target, chain)):  # the source was checked once, when first met
            return None
        return relation_fast(source, rel_type, target, chain or None, number, sources)


def iter_relations_csv(path: Path, parsed: Parsed) -> Iterator[tuple[Relation, Origin]]:
    """The valid relations of a ``relations.csv``, one at a time; problems go to ``parsed``."""
    file = display_path(path)
    fast: _FastRelations | None = None
    for line, row in _rows(path, parsed):
        if fast is None:
            parsed.errors.extend(_unknown_columns(list(row), RELATION_COLUMNS, file, attrs=False))
            fast = _FastRelations(list(row))
        quick = fast(row)
        if quick is not None:
            yield quick, Origin(file, line)
            continue
        raw: dict[str, Any] = {"sources": _source(row)}
        raw.update({k: v.strip() for k, v in row.items() if k in RELATION_COLUMNS and v.strip()})
        result = build_relation(raw, Origin(file, line), _on_line(line))
        if isinstance(result, list):
            parsed.errors.extend(result)
        else:
            yield result, Origin(file, line)
