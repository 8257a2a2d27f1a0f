"""Turning raw mappings (from YAML or CSV) into model records, with errors that name file, line and field."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from graph.attributes import ATTRIBUTES
from graph.model import Entity, Relation
from loaders.errors import LoadError, Origin


@dataclass
class Parsed:
    """What a reader produced: records with where they came from, and the errors it found."""

    entities: list[tuple[Entity, Origin]] = field(default_factory=list)
    relations: list[tuple[Relation, Origin]] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    # ids of entity records refused above: relations to them get no second, misleading "no entity" error
    refused_ids: set[str] = field(default_factory=set)

    def extend(self, other: Parsed) -> None:
        self.entities.extend(other.entities)
        self.relations.extend(other.relations)
        self.errors.extend(other.errors)
        self.refused_ids |= other.refused_ids

    def refuse(self, raw: Mapping[str, Any], errors: list[LoadError]) -> None:
        """Record an entity record's errors, and its id if it has one."""
        self.errors.extend(errors)
        if isinstance(raw.get("id"), str) and raw["id"].strip():
            self.refused_ids.add(raw["id"].strip())


@dataclass(frozen=True)
class Reread:
    """Given by a reader among a file's records: the records it gave so far from this file do not count.

    It then reads the file again from its start ``how`` (a YAML file: ``"pyyaml"`` for one libyaml refuses,
    ``"whole"`` for a shape not read item by item), or, with ``how`` None, refuses the file as a whole (its
    error is in ``Parsed.errors``). Reading the file again with that ``how`` from the start gives no Reread.
    """

    how: str | None


LineOf = Callable[[tuple[Any, ...]], int]


class TinyFloat(float):
    """A number a reader parsed as 0.0 from text that is not zero (``1e-400``): refused, never stored as 0."""

    text: str

    def __new__(cls, value: float, text: str) -> TinyFloat:
        self = super().__new__(cls, value)
        self.text = text
        return self


_FLOAT_TEXT = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$", re.IGNORECASE)


# The places of float-typed fields, where pydantic reads the text "1e-400" as 0.0.
_FLOAT_LOCS = frozenset({("weight",), *(("attributes", n) for n, (t, _) in ATTRIBUTES.items() if t is float)})
_SCALARS = (str, int, float, bool, type(None))


def _tiny(value: Any, loc: tuple[Any, ...]) -> str | None:
    """The text of ``value`` when it is a number written as not zero that a float holds only as 0.0."""
    if isinstance(value, TinyFloat):
        return value.text
    if isinstance(value, str) and loc in _FLOAT_LOCS and _FLOAT_TEXT.match(value):
        mantissa = value.strip().lower().partition("e")[0]
        if float(value) == 0.0 and re.search(r"[1-9]", mantissa):
            return value.strip()
    return None


def _tiny_message(text: str) -> str:
    return f"{text[:80]} is too close to zero: the stores would keep it as 0 (write 0 if that is meant)"


def _underflows(value: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Numbers written as not zero that a float holds only as 0.0 (``1e-400``; 1e400 is refused as infinite)."""
    text = _tiny(value, loc)
    if text is not None:
        yield loc, _tiny_message(text)
        return
    if type(value) is dict or isinstance(value, Mapping):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return
    # Text is a float field's only at the top or in `attributes`: a CSV load is a million rows of text,
    # whose values mostly end here without a walk of their own.
    text_here = not loc or loc == ("attributes",)
    for k, v in items:
        kind = type(v)
        if kind is str:
            if text_here and (sub := (*loc, k)) in _FLOAT_LOCS and (text := _tiny(v, sub)) is not None:
                yield sub, _tiny_message(text)
        elif kind not in _SCALARS:
            yield from _underflows(v, (*loc, k))


def _written_text(raw: Mapping[str, Any], loc: tuple[Any, ...], aliases: Mapping[str, str]) -> str | None:
    """The text a YAML reader recorded for the value at ``loc`` (see ``yaml_loader.LineDict.texts``)."""
    node: Any = raw
    for i, part in enumerate(loc[:-1]):
        key = aliases.get(str(part), part) if i == 0 else part
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    last = loc[-1] if loc else None
    texts = getattr(node, "texts", {})
    return texts.get(last if isinstance(node, list) else str(last))


def _loc_name(loc: tuple[Any, ...], aliases: Mapping[str, str]) -> str:
    parts = [aliases.get(str(p), str(p)) if i == 0 else str(p) for i, p in enumerate(loc)]
    return ".".join(parts) or "(record)"


def validation_errors(
    exc: ValidationError,
    origin: Origin,
    line_of: LineOf | None = None,
    aliases: Mapping[str, str] = {},
    raw: Mapping[str, Any] | None = None,
) -> list[LoadError]:
    """Pydantic errors as LoadErrors; ``line_of(loc)`` finds the line of a field when the reader knows it."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        line = line_of(loc) if line_of else origin.line
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        if err["type"] == "string_type" and isinstance(value, bool | int | float) and raw is not None:
            # YAML 1.1 reads NO/yes/off as booleans and 000001 as a number before the model sees them
            text = _written_text(raw, loc, {v: k for k, v in aliases.items()}) or str(value)
            what = f"the boolean {str(value).lower()}" if isinstance(value, bool) else f"the number {value!r}"
            quoted = f'"{text[:80]}"'
            if loc and not isinstance(loc[-1], int):
                quoted = f"{loc[-1]}: {quoted}"
            msg = f"must be text, but YAML read {text[:80]} as {what}; quote it to keep it as written: {quoted}"
        field = _loc_name(loc, aliases)
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
            field = _loc_name(loc, {})  # the key as written: 'source:' beside 'from:' is not 'from'
        elif err["type"] == "missing":
            msg = "required field is missing"
        out.append(LoadError(origin.file, line or origin.line, field, msg))
    return out


# The stores hold 64-bit integers (FalkorDB silently clamps a larger one to 2^63-1) and answer with
# 15 significant digits of a float.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Names are printed in terminals and written to XML: control characters (terminal escapes, backspace,
# tab, newline ...) in them are refused; other text fields (descriptions, quotes) may hold them.
NAME_FIELDS = frozenset({"name", "name_zh", "aliases"})


def control_character(text: str) -> str | None:
    r"""The first control character (Unicode category Cc) in ``text``, escaped, or None.

    >>> control_character("Bad\x1b[31m Co"), control_character("Café")
    ('\\x1b', None)
    """
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            return repr(ch)[1:-1]
    return None


def _unstorable(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, bool):
        return
    if isinstance(value, str):
        if "\x00" in value:
            yield loc, "contains a NUL character (\\0), which the stores cannot hold"
        elif loc and loc[0] in NAME_FIELDS and (ch := control_character(value)):
            yield loc, f"a name cannot hold control characters (found {ch}): names are shown in terminals and files"
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


_CONTROL_OR_NUL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc


def storable(value: Any) -> bool:
    """True when nothing in ``value`` (a record's fields, walked through models, lists and maps) is unstorable:
    the quick answer for the usual record, which :func:`_unstorable` then need not walk with locations."""
    stack = [value]
    while stack:
        v = stack.pop()
        kind = type(v)
        if kind is str or (kind is not bool and isinstance(v, str)):  # str enums too
            if _CONTROL_OR_NUL.search(v):  # NUL, or a control character a name may not hold
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
    if storable(record):
        return []
    return [
        LoadError(origin.file, (line_of(loc) if line_of else 0) or origin.line, _loc_name(loc, aliases), msg)
        for loc, msg in _unstorable(record.model_dump(exclude_none=True), ())
    ]


def _all_errors(
    exc: ValidationError, raw: Mapping[str, Any], origin: Origin, line_of: LineOf | None, aliases: Mapping[str, str]
) -> list[LoadError]:
    """The model's errors plus the unstorable values it did not already complain about (all at once)."""
    errors = validation_errors(exc, origin, line_of, aliases, raw)
    for i, e in enumerate(errors):
        # A rule across fields ("'chain' is only for PART_OF_CHAIN relations") names the field it quotes,
        # when the record has that field: that is where the mistake is.
        quoted = re.search(r"'(\w+)'", e.message) if e.field == "(record)" else None
        if quoted and quoted.group(1) in raw:
            key = quoted.group(1)
            errors[i] = LoadError(e.file, (line_of((key,)) if line_of else 0) or e.line, key, e.message)
    named = {e.field for e in errors}
    for loc, msg in [*_unstorable(raw, ()), *_underflows(raw)]:
        field = _loc_name(loc, aliases)
        if field not in named:
            errors.append(LoadError(origin.file, (line_of(loc) if line_of else 0) or origin.line, field, msg))
    return errors


def _underflow_errors(
    raw: Mapping[str, Any], origin: Origin, line_of: LineOf | None, aliases: Mapping[str, str] = {}
) -> list[LoadError]:
    return [
        LoadError(origin.file, (line_of(loc) if line_of else 0) or origin.line, _loc_name(loc, aliases), msg)
        for loc, msg in _underflows(raw)
    ]


def build_entity(raw: Mapping[str, Any], origin: Origin, line_of: LineOf | None = None) -> Entity | list[LoadError]:
    try:
        entity = Entity.model_validate(raw)
    except ValidationError as exc:
        # a figure is written beside its value, in `attributes` (Entity splits it out into `figures`)
        def at(loc: tuple[Any, ...]) -> int:
            return line_of(("attributes", *loc[1:]) if loc and loc[0] == "figures" else loc) if line_of else 0

        return [
            LoadError(e.file, e.line, "attributes." + e.field.removeprefix("figures."), e.message)
            if e.field.startswith("figures.")
            else e
            for e in _all_errors(exc, raw, origin, at if line_of else None, {})
        ]
    return unstorable_errors(entity, origin, line_of) + _underflow_errors(raw, origin, line_of) or entity


def build_relation(raw: Mapping[str, Any], origin: Origin, line_of: LineOf | None = None) -> Relation | list[LoadError]:
    aliases = {"source": "from", "target": "to"}
    try:
        relation = Relation.model_validate(raw)
    except ValidationError as exc:
        return _all_errors(exc, raw, origin, line_of, aliases)
    return (
        unstorable_errors(relation, origin, line_of, aliases) + _underflow_errors(raw, origin, line_of, aliases)
        or relation
    )
