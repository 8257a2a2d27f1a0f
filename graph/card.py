"""An entity's card: everything a person asks about one entity, from either store, in one call.

Names and type, where it is (every chain of places up to the country), what it works in, its figures
with units, qualifiers, periods and support level, its relations grouped by type, and its sources.
"Where" follows ``LOCATED_IN`` to any place and ``PART_OF`` to the site or zone it belongs to (a park of
a base, a base of a zone), not to a grouping such as the Five Valleys.

>>> from graph.card import CardFigure
>>> CardFigure("planned_area_km2", 100.0, "km²", "about 100 km²", ("about",), None, "stated", None).text
'about 100 km²'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graph import cypherlib
from graph.analysis.common import PLACE_DEPTH, EntityRef, jsonable
from graph.attributes import ATTRIBUTES, Figure, describe_figure, unit_of
from graph.codec import entity_from_props, relation_from_props
from graph.errors import UnknownEntityError
from graph.model import DistrictKind, Entity, Relation, Source
from graph.support import Support

if TYPE_CHECKING:
    from graph.stores import Store

__all__ = ["CardFigure", "CardRelation", "CardSource", "EntityCard", "RelationGroup", "entity_card", "jsonable"]

# Chains of places shown at most (an entity in many sites has many).
MAX_PLACE_CHAINS = 10
_SITE_LIKE = frozenset({"Base", "Park", "District"})


@dataclass(frozen=True)
class CardSource:
    """One source of a fact: document (or ``ref:`` reference), quote, support level and reason."""

    doc: str
    quote: str | None
    support: str
    reason: str | None


@dataclass(frozen=True)
class CardFigure:
    """One attribute: its name, value, unit, how it reads (``over 60%``), qualifiers, period and support."""

    name: str
    value: Any
    unit: str | None
    text: str
    qualifier: tuple[str, ...]
    period: str | None
    support: str
    reason: str | None


@dataclass(frozen=True)
class CardRelation:
    """A relation seen from the entity: the entity at the other end, the relation's properties and sources.
    ``support`` is the strongest of its sources' (None when it has none)."""

    other: EntityRef
    chain: str | None
    role: str | None
    weight: float | None
    since_year: int | None
    support: str | None
    sources: tuple[CardSource, ...]


@dataclass(frozen=True)
class RelationGroup:
    """The entity's relations of one type in one direction (``out``: the entity is the source)."""

    type: str
    direction: str
    relations: tuple[CardRelation, ...]


@dataclass(frozen=True)
class EntityCard:
    """One entity as a person wants it (see the module's description)."""

    entity: EntityRef
    aliases: tuple[str, ...]
    kind: str | None
    description: str | None
    places: tuple[tuple[EntityRef, ...], ...]
    works_in: tuple[EntityRef, ...]
    figures: tuple[CardFigure, ...]
    relations: tuple[RelationGroup, ...]
    sources: tuple[CardSource, ...]


def _card_source(s: Source) -> CardSource:
    return CardSource(s.doc, s.quote, s.support.value, s.reason)


def _strongest(sources: Sequence[Source]) -> str | None:
    order = list(Support)
    return min((s.support for s in sources), key=order.index).value if sources else None


def _figures(e: Entity, stated_only: bool) -> tuple[CardFigure, ...]:
    out = []
    for name, value in e.attributes.model_dump(exclude_none=True).items():
        if name == "description":
            continue
        fig = e.figures.get(name, Figure())
        if stated_only and fig.support is not Support.STATED:
            continue
        text = (
            describe_figure(name, value, fig)
            if not isinstance(value, list)
            else describe_figure(name, ", ".join(map(str, value)), fig)
        )
        out.append(
            CardFigure(
                name,
                value,
                unit_of(name),
                text,
                tuple(q.value for q in fig.qualifier),
                fig.period,
                fig.support.value,
                fig.reason,
            )
        )
    order = list(ATTRIBUTES)
    return tuple(sorted(out, key=lambda f: order.index(f.name)))


def _ref(row: Mapping[str, Any]) -> EntityRef:
    return EntityRef(row["id"], row.get("type"), row.get("name") or row["id"], row.get("name_zh"))


def _place_chains(store: Store, start: str) -> tuple[tuple[EntityRef, ...], ...]:
    """Every chain of places above ``start``, nearest first, each up to a place with no parent."""
    parents: dict[str, list[EntityRef]] = {}
    frontier, seen = [start], {start}
    for _ in range(PLACE_DEPTH):
        if not frontier:
            break
        rows = store.query(cypherlib.statement("read/card_places_up"), {"ids": frontier}).records()
        frontier = []
        for row in rows:
            is_place = row["rel"] == "LOCATED_IN" or (
                row["type"] in _SITE_LIKE and row.get("kind") != DistrictKind.GROUPING.value
            )
            if not is_place:
                continue
            parents.setdefault(row["source"], []).append(_ref(row))
            if row["id"] not in seen:
                seen.add(row["id"])
                frontier.append(row["id"])
    chains: list[tuple[EntityRef, ...]] = []

    def walk(node: str, path: tuple[EntityRef, ...]) -> None:
        ups = [p for p in parents.get(node, []) if p.id not in {x.id for x in path} and p.id != start]
        if not ups:
            if path:
                chains.append(path)
            return
        for p in ups:
            if len(chains) >= MAX_PLACE_CHAINS:
                return
            walk(p.id, (*path, p))

    walk(start, ())
    return tuple(chains)


def entity_card(store: Store, text: str, *, stated_only: bool = False) -> EntityCard:
    """The card of the entity ``text`` names (an id, name, Chinese name or alias).

    Parameters
    ----------
    store : Store
        Either store.
    text : str
        What names the entity; resolved as ``indgraph run`` does (:func:`graph.lookup.resolve`).
    stated_only : bool
        Keep only what a source states: no inferred or background figures, relations or sources.

    Raises
    ------
    UnknownEntityError, AmbiguousEntityError
        ``text`` names no entity, or several.
    """
    from graph.lookup import resolve

    eid = resolve(store, text)
    rows = store.query(cypherlib.statement("read/card_entity"), {"id": eid}).rows
    if not rows:  # pragma: no cover - resolve found it a moment ago
        raise UnknownEntityError(f"no entity with id '{eid}'")
    entity = entity_from_props(rows[0][0])
    groups: dict[tuple[str, str], list[CardRelation]] = {}
    works_in: list[EntityRef] = []
    for row in store.query(cypherlib.statement("read/card_relations"), {"id": eid}).records():
        out = row["direction"] == "out"
        rel: Relation = relation_from_props(
            eid if out else row["id"], row["rel"], row["id"] if out else eid, row["props"] or {}
        )
        sources = [s for s in rel.sources if s.support is Support.STATED] if stated_only else rel.sources
        if stated_only and not sources:
            continue
        other = _ref(row)
        card_rel = CardRelation(
            other,
            rel.chain,
            rel.role,
            rel.weight,
            rel.since_year,
            _strongest(sources),
            tuple(_card_source(s) for s in sources),
        )
        groups.setdefault((rel.type.value, row["direction"]), []).append(card_rel)
        if out and rel.type.value == "SPECIALISES_IN":
            works_in.append(other)
    relation_groups = tuple(
        RelationGroup(t, d, tuple(sorted(rs, key=lambda r: (r.other.name.casefold(), r.other.id, r.chain or ""))))
        for (t, d), rs in sorted(groups.items())
    )
    sources = [s for s in entity.sources if s.support is Support.STATED] if stated_only else entity.sources
    return EntityCard(
        entity=EntityRef(entity.id, entity.type.value, entity.name, entity.name_zh),
        aliases=tuple(entity.aliases),
        kind=entity.kind.value if entity.kind else None,
        description=entity.attributes.description,
        places=_place_chains(store, eid),
        works_in=tuple(sorted(works_in, key=lambda r: (r.name.casefold(), r.id))),
        figures=_figures(entity, stated_only),
        relations=relation_groups,
        sources=tuple(_card_source(s) for s in sources),
    )
