"""One entity or relation in its three shapes: the model record, store properties, networkx attributes.

Stores hold flat properties: the core fields, every set attribute beside them, and the sources as
parallel lists (``source_docs``, ``source_quotes``, ``source_supports`` and, when any source has one,
``source_reasons``) because Neo4j property values cannot be maps and its lists cannot hold nulls. The
figures' qualifiers, periods and support (:class:`graph.attributes.Figure`) are parallel lists too
(``figure_attrs``, ``figure_qualifiers``, …), written only for an entity that has any. networkx
attributes are the same except that sources stay a list of ``{doc, quote, support, reason}`` maps and
figures a ``{attribute: {qualifier, period, support, reason}}`` map. The lists of core fields below are
the only ones in the project.

>>> from graph.model import Entity, Source
>>> e = Entity(id="city:wuhan", type="City", name="Wuhan", attributes={"area_km2": 8569.15},
...            sources=[Source(doc="ref:GB/T 2260")])
>>> props = entity_props(e)
>>> props["area_km2"], props["source_docs"], props["source_quotes"], props["source_supports"]
(8569.15, ['ref:GB/T 2260'], [''], ['background'])
>>> entity_from_props(entity_props(e)) == e
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph.attributes import ATTRIBUTES, Figure, attributes_dict
from graph.model import Entity, Relation, Source
from graph.support import default_support

__all__ = [
    "FIGURE_PROPERTIES",
    "NODE_FIELDS",
    "REL_PROPERTIES",
    "SOURCE_PROPERTIES",
    "edge_key",
    "entity_from_attrs",
    "entity_from_props",
    "entity_props",
    "is_core_attr",
    "node_attrs",
    "relation_attrs",
    "relation_from_attrs",
    "relation_from_props",
    "relation_props",
]

# Node fields besides ``id``, attributes and sources, in the order they are written.
NODE_FIELDS = ("type", "name", "name_zh", "aliases", "kind")
# Relation fields besides the endpoints, the type and sources.
REL_PROPERTIES = ("chain", "weight", "role", "since_year")
# How sources are stored in a store (parallel lists; ``source_reasons`` only when a source has a reason).
SOURCE_PROPERTIES = ("source_docs", "source_quotes", "source_supports", "source_reasons")
# How figures are stored (parallel lists, one item per attribute that has a Figure).
FIGURE_PROPERTIES = ("figure_attrs", "figure_qualifiers", "figure_periods", "figure_supports", "figure_reasons")

assert not {"id", "sources", "figures", *NODE_FIELDS, *SOURCE_PROPERTIES, *FIGURE_PROPERTIES} & set(ATTRIBUTES), (
    "attribute names must not shadow core fields"
)
assert set(REL_PROPERTIES) <= set(Relation.model_fields), "every relation property is a Relation field"


def _core(e: Entity, *, sparse: bool = True) -> dict[str, Any]:
    """Core fields and attributes; ``sparse`` leaves out an unset Chinese name and empty aliases."""
    out: dict[str, Any] = {"type": e.type._value_, "name": e.name}  # _value_: .value is a slow descriptor
    if e.name_zh or not sparse:
        out["name_zh"] = e.name_zh
    if e.aliases or not sparse:
        out["aliases"] = list(e.aliases)
    if e.kind:
        out["kind"] = e.kind.value
    out.update(_attributes(e.attributes))
    return out


# The last attributes turned into a dict, by identity: bulk readers share one Attributes among many records
# (every ChainKnowledgeGraph product), and pydantic's dump is the costliest part of a node's properties.
_last_attributes: tuple[Any, dict[str, Any]] = (None, {})


def _attributes(attrs: Any) -> dict[str, Any]:
    global _last_attributes
    last, dumped = _last_attributes
    if attrs is not last:
        dumped = attributes_dict(attrs)
        _last_attributes = (attrs, dumped)
    return dumped


def _rel_core(r: Relation) -> dict[str, Any]:
    fields = r.__dict__
    return {k: fields[k] for k in REL_PROPERTIES if fields[k] is not None}


def _sources_props(sources: Sequence[Source]) -> dict[str, list[str]]:
    if not sources:
        return {}
    out = {
        "source_docs": [s.doc for s in sources],
        "source_quotes": [s.quote or "" for s in sources],
        "source_supports": [s.support.value for s in sources],
    }
    if any(s.reason for s in sources):
        out["source_reasons"] = [s.reason or "" for s in sources]
    return out


def _padded(props: Mapping[str, Any], key: str, n: int) -> list[Any]:
    """A parallel list of ``n`` items; a missing list (data written before it existed) is all empty."""
    values = list(props.get(key) or [])
    return values + [""] * (n - len(values))


def _sources_from_props(props: Mapping[str, Any]) -> list[Source]:
    docs = list(props.get("source_docs") or [])
    quotes, supports, reasons = (_padded(props, k, len(docs)) for k in SOURCE_PROPERTIES[1:])
    return [
        Source(doc=d, quote=q or None, support=s or default_support(d), reason=r or None)
        for d, q, s, r in zip(docs, quotes, supports, reasons, strict=False)
    ]


def _sources_attrs(sources: Sequence[Source]) -> list[dict[str, str]]:
    return [s.model_dump(mode="json", exclude_none=True) for s in sources]


def _figures_props(figures: Mapping[str, Figure]) -> dict[str, list[str]]:
    if not figures:
        return {}
    names = sorted(figures)
    return {
        "figure_attrs": names,
        "figure_qualifiers": [" ".join(q.value for q in figures[n].qualifier) for n in names],
        "figure_periods": [figures[n].period or "" for n in names],
        "figure_supports": [figures[n].support.value for n in names],
        "figure_reasons": [figures[n].reason or "" for n in names],
    }


def _figures_from_props(props: Mapping[str, Any]) -> dict[str, Figure]:
    names = list(props.get("figure_attrs") or [])
    qualifiers, periods, supports, reasons = (_padded(props, k, len(names)) for k in FIGURE_PROPERTIES[1:])
    return {
        n: Figure(qualifier=q or None, period=p or None, support=s or "stated", reason=r or None)
        for n, q, p, s, r in zip(names, qualifiers, periods, supports, reasons, strict=False)
    }


def _figures_attrs(figures: Mapping[str, Figure]) -> dict[str, dict[str, Any]]:
    return {n: f.model_dump(mode="json", exclude_none=True) for n, f in sorted(figures.items())}


def _entity(eid: str, fields: Mapping[str, Any], sources: Any, figures: Any = None) -> Entity:
    return Entity(
        id=eid,
        type=fields["type"],
        name=fields["name"],
        name_zh=fields.get("name_zh"),
        aliases=list(fields.get("aliases") or []),
        kind=fields.get("kind"),
        attributes={k: v for k, v in fields.items() if k in ATTRIBUTES},
        figures=figures or {},
        sources=sources,
    )


def _relation(source: str, rtype: str, target: str, fields: Mapping[str, Any], sources: Any) -> Relation:
    extra = {k: fields[k] for k in REL_PROPERTIES if fields.get(k) is not None}
    return Relation(source=source, type=rtype, target=target, sources=sources, **extra)


# -- store properties --------------------------------------------------------------------------------
def entity_props(e: Entity) -> dict[str, Any]:
    """The properties a store holds for an entity (``id`` first)."""
    return {"id": e.id, **_core(e), **_sources_props(e.sources), **_figures_props(e.figures)}


def relation_props(r: Relation) -> dict[str, Any]:
    """The properties a store holds on a relation (endpoints and type are the relationship itself)."""
    return {**_rel_core(r), **_sources_props(r.sources)}


def entity_from_props(props: Mapping[str, Any]) -> Entity:
    """The entity a store node's properties describe; raises pydantic's ``ValidationError`` or ``KeyError``."""
    return _entity(props["id"], props, _sources_from_props(props), _figures_from_props(props))


def relation_from_props(source: str, rtype: str, target: str, props: Mapping[str, Any]) -> Relation:
    """The relation a store relationship describes."""
    return _relation(source, rtype, target, props, _sources_from_props(props))


# -- networkx attributes -----------------------------------------------------------------------------
def node_attrs(e: Entity) -> dict[str, Any]:
    """networkx node attributes: the core fields (``name_zh`` and ``aliases`` always present), attributes, sources."""
    out = _core(e, sparse=False)
    out["sources"] = _sources_attrs(e.sources)
    if e.figures:
        out["figures"] = _figures_attrs(e.figures)
    return out


def edge_key(r: Relation) -> str:
    """The key of a relation among parallel edges: its type, and its chain for chain links."""
    return f"{r.type.value}:{r.chain}" if r.chain else r.type.value


def relation_attrs(r: Relation) -> dict[str, Any]:
    """networkx edge attributes: ``type``, the relation's properties and sources."""
    return {"type": r.type.value, **_rel_core(r), "sources": _sources_attrs(r.sources)}


def entity_from_attrs(node: str, attrs: Mapping[str, Any]) -> Entity:
    """The entity of a networkx node built by :func:`node_attrs` (or read from node-link JSON)."""
    return _entity(node, attrs, attrs.get("sources") or [], attrs.get("figures"))


def relation_from_attrs(source: str, target: str, attrs: Mapping[str, Any]) -> Relation:
    """The relation of a networkx edge built by :func:`relation_attrs`."""
    return _relation(source, attrs["type"], target, attrs, attrs.get("sources") or [])


def is_core_attr(name: str) -> bool:
    """True for a node attribute that is not one of the entity's typed attributes (name, sources, …)."""
    return name in NODE_FIELDS or name in ("id", "sources", "figures", *SOURCE_PROPERTIES, *FIGURE_PROPERTIES)
