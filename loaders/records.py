"""Turning raw mappings (from YAML or CSV) into model records, with errors that name file, line and field."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from graph.model import Entity, Relation
from loaders.errors import LoadError, Origin


@dataclass
class Parsed:
    """What a reader produced: records with where they came from, and the errors it found."""

    entities: list[tuple[Entity, Origin]] = field(default_factory=list)
    relations: list[tuple[Relation, Origin]] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)

    def extend(self, other: Parsed) -> None:
        self.entities.extend(other.entities)
        self.relations.extend(other.relations)
        self.errors.extend(other.errors)


LineOf = Callable[[tuple[Any, ...]], int]


def _loc_name(loc: tuple[Any, ...], aliases: Mapping[str, str]) -> str:
    parts = [aliases.get(str(p), str(p)) if i == 0 else str(p) for i, p in enumerate(loc)]
    return ".".join(parts) or "(record)"


def validation_errors(
    exc: ValidationError, origin: Origin, line_of: LineOf | None = None, aliases: Mapping[str, str] = {}
) -> list[LoadError]:
    """Pydantic errors as LoadErrors; ``line_of(loc)`` finds the line of a field when the reader knows it."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        line = line_of(loc) if line_of else origin.line
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        out.append(LoadError(origin.file, line or origin.line, _loc_name(loc, aliases), msg))
    return out


# The stores hold 64-bit integers (FalkorDB silently clamps a larger one to 2^63-1) and answer with
# 15 significant digits of a float.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _unstorable(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, bool):
        return
    if isinstance(value, str):
        if "\x00" in value:
            yield loc, "contains a NUL character (\\0), which the stores cannot hold"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            yield loc, "is not valid Unicode text (a lone surrogate such as \\ud800)"
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            yield loc, "integer out of range: the stores hold integers from -2^63 to 2^63-1"
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield loc, "must be a finite number, not inf or nan"
        elif float(f"{value:.15g}") != value:
            # FalkorDB answers numbers with 15 significant digits: more would not come back as written.
            if math.isfinite(float(f"{value:.15g}")):
                yield loc, f"{value!r} has more than 15 significant digits, which the stores keep; write {value:.15g}"
            else:
                yield loc, f"{value!r} is too large: the stores keep numbers up to 1.79769313486231e+308"
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _unstorable(v, (*loc, k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _unstorable(v, (*loc, i))


def _storable(value: Any) -> bool:
    """True when nothing in ``value`` (a record's fields, walked through models, lists and maps) is unstorable:
    the quick answer for the usual record, which :func:`_unstorable` then need not walk with locations."""
    stack = [value]
    while stack:
        v = stack.pop()
        kind = type(v)
        if kind is str or (kind is not bool and isinstance(v, str)):  # str enums too
            if "\x00" in v:
                return False
            if not v.isascii():
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    return False
        elif v is None or kind is bool:
            continue
        elif kind is int:
            if not INT64_MIN <= v <= INT64_MAX:
                return False
        elif kind is float:
            if not math.isfinite(v) or float(f"{v:.15g}") != v:
                return False
        elif kind is list or kind is tuple:
            stack.extend(v)
        elif isinstance(v, BaseModel):
            stack.extend(v.__dict__.values())
        elif isinstance(v, Mapping):
            stack.extend(v.values())
        else:
            return False  # anything else: the full walk decides
    return True


def unstorable_errors(
    record: BaseModel, origin: Origin, line_of: LineOf | None = None, aliases: Mapping[str, str] = {}
) -> list[LoadError]:
    """Values that pass the model but that a store would refuse mid-load or change silently.

    Parameters
    ----------
    record : a validated :class:`~graph.model.Entity` or :class:`~graph.model.Relation`.
    origin : where the record was read.
    line_of : finds the line of a field from its location, when the reader knows it.
    aliases : names to show for top-level fields (``source`` is ``from`` in a data file).

    Returns
    -------
    list of LoadError : NUL characters and lone surrogates in text, integers beyond 64 bits, inf, nan and
        floats with more than 15 significant digits.

    Example
    -------
    >>> from graph.model import Entity
    >>> [e.message for e in unstorable_errors(Entity(id="a", type="City", name="A\\x00"), Origin("f.yaml", 3))]
    ['contains a NUL character (\\\\0), which the stores cannot hold']
    """
    if _storable(record):
        return []
    return [
        LoadError(origin.file, (line_of(loc) if line_of else 0) or origin.line, _loc_name(loc, aliases), msg)
        for loc, msg in _unstorable(record.model_dump(exclude_none=True), ())
    ]


def _all_errors(
    exc: ValidationError, raw: Mapping[str, Any], origin: Origin, line_of: LineOf | None, aliases: Mapping[str, str]
) -> list[LoadError]:
    """The model's errors plus the unstorable values it did not already complain about (all at once)."""
    errors = validation_errors(exc, origin, line_of, aliases)
    for i, e in enumerate(errors):
        # A rule across fields ("'chain' is only for PART_OF_CHAIN relations") names the field it quotes,
        # when the record has that field: that is where the mistake is.
        quoted = re.search(r"'(\w+)'", e.message) if e.field == "(record)" else None
        if quoted and quoted.group(1) in raw:
            key = quoted.group(1)
            errors[i] = LoadError(e.file, (line_of((key,)) if line_of else 0) or e.line, key, e.message)
    named = {e.field for e in errors}
    for loc, msg in _unstorable(raw, ()):
        field = _loc_name(loc, aliases)
        if field not in named:
            errors.append(LoadError(origin.file, (line_of(loc) if line_of else 0) or origin.line, field, msg))
    return errors


def build_entity(raw: Mapping[str, Any], origin: Origin, line_of: LineOf | None = None) -> Entity | list[LoadError]:
    try:
        entity = Entity.model_validate(raw)
    except ValidationError as exc:
        return _all_errors(exc, raw, origin, line_of, {})
    return unstorable_errors(entity, origin, line_of) or entity


def build_relation(raw: Mapping[str, Any], origin: Origin, line_of: LineOf | None = None) -> Relation | list[LoadError]:
    aliases = {"source": "from", "target": "to"}
    try:
        relation = Relation.model_validate(raw)
    except ValidationError as exc:
        return _all_errors(exc, raw, origin, line_of, aliases)
    return unstorable_errors(relation, origin, line_of, aliases) or relation
