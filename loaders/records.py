"""Turning raw mappings (from YAML or CSV) into model records, with errors that name file, line and field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

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


def build_entity(raw: Mapping[str, Any], origin: Origin, line_of: LineOf | None = None) -> Entity | list[LoadError]:
    try:
        return Entity.model_validate(raw)
    except ValidationError as exc:
        return validation_errors(exc, origin, line_of)


def build_relation(raw: Mapping[str, Any], origin: Origin, line_of: LineOf | None = None) -> Relation | list[LoadError]:
    try:
        return Relation.model_validate(raw)
    except ValidationError as exc:
        return validation_errors(exc, origin, line_of, aliases={"source": "from", "target": "to"})
