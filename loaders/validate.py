"""Checks across a whole load: unique ids and aliases, relation endpoints and allowed triples."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Protocol

from graph.model import Entity, EntityType, Relation, RelType, allowed_targets, is_allowed
from loaders.errors import LoadError, Origin
from loaders.records import Parsed


class EntityLike(Protocol):
    """What the checks read of an entity: an :class:`~graph.model.Entity`, or its :class:`EntityFacts`."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> EntityType: ...
    @property
    def aliases(self) -> Sequence[str]: ...
    def names(self) -> Sequence[str]: ...


class RelationLike(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def type(self) -> RelType: ...
    @property
    def target(self) -> str: ...
    @property
    def chain(self) -> str | None: ...


class EntityFacts:
    """The little of an entity that the checks across a load need, kept while a large load streams by."""

    __slots__ = ("_names", "aliases", "id", "type")

    def __init__(self, e: Entity):
        self.id, self.type = e.id, e.type
        self._names = tuple(e.names())
        self.aliases = tuple(e.aliases)

    def names(self) -> Sequence[str]:
        return self._names


class RelationFacts:
    """The little of a relation that the checks across a load need; endpoint ids are interned (shared)."""

    __slots__ = ("chain", "source", "target", "type")

    def __init__(self, r: Relation):
        self.source, self.type, self.target = sys.intern(r.source), r.type, sys.intern(r.target)
        self.chain = r.chain


def check(parsed: Parsed, known: Mapping[str, EntityType]) -> list[LoadError]:
    """Every cross-record problem in ``parsed``; ``known`` are ids already in the store."""
    return check_records(parsed.entities, parsed.relations, known)


def check_records(
    entities: Sequence[tuple[EntityLike, Origin]],
    relations: Sequence[tuple[RelationLike, Origin]],
    known: Mapping[str, EntityType],
) -> list[LoadError]:
    """:func:`check` over records or their facts (:class:`EntityFacts`, :class:`RelationFacts`)."""
    errors: list[LoadError] = []
    types: dict[str, EntityType] = dict(known)
    first: dict[str, Origin] = {}
    for e, origin in entities:
        if e.id in first:
            errors.append(LoadError(origin.file, origin.line, "id", f"duplicate id '{e.id}' (first at {first[e.id]})"))
            continue
        first[e.id] = origin
        if e.id in known and known[e.id] != e.type:
            # The stores add labels on upsert and never remove one: a reload cannot change the type.
            errors.append(
                LoadError(
                    origin.file,
                    origin.line,
                    "type",
                    f"'{e.id}' is already a {known[e.id]} in the store; an entity's type cannot change "
                    "(delete it first)",
                )
            )
        types[e.id] = e.type

    # An alias belongs to one entity: it may not be another entity's alias, name or Chinese name.
    # (Two entities may share a name; lookups list them as candidates.)
    # Only names that some entity gives as an alias can clash: collect those first, so a large load
    # with few aliases does not build a map of every name.
    aliased = {a.casefold() for e, _ in entities for a in e.aliases}
    claims: dict[str, dict[str, Origin]] = {}
    if aliased:
        for e, origin in entities:
            for name in e.names():
                folded = name.casefold()
                if folded in aliased:
                    claims.setdefault(folded, {}).setdefault(e.id, origin)
    for e, origin in entities:
        for alias in e.aliases:
            others = {i: o for i, o in claims[alias.casefold()].items() if i != e.id}
            for other_id, other_origin in sorted(others.items()):
                errors.append(
                    LoadError(
                        origin.file,
                        origin.line,
                        "aliases",
                        f"alias '{alias}' is also claimed by '{other_id}' ({other_origin})",
                    )
                )

    seen: dict[tuple[str, str, str, str], Origin] = {}
    for r, origin in relations:
        # Relation.key spelled out: RelType is a str enum, so the member is an equal key to its value
        # (and much cheaper than .value, which a 1M-relation load would call a million times).
        key = (r.source, r.type, r.target, r.chain or "")
        if key in seen:
            errors.append(
                LoadError(
                    origin.file,
                    origin.line,
                    "type",
                    f"duplicate relation {r.source} -{r.type}-> {r.target} (first at {seen[key]})",
                )
            )
            continue
        seen[key] = origin
        s, t = types.get(r.source), types.get(r.target)
        if s is None or t is None:
            for field, end in (("from", r.source), ("to", r.target)):
                if end not in types:
                    errors.append(LoadError(origin.file, origin.line, field, f"no entity with id '{end}'"))
            continue
        if not is_allowed(s, r.type, t):
            targets = ", ".join(allowed_targets(s, r.type)) or "nothing"
            errors.append(
                LoadError(
                    origin.file, origin.line, "type", f"{s} -{r.type}-> {t} is not allowed ({s} -{r.type}-> {targets})"
                )
            )
    return errors
