"""The graph as networkx: a ``MultiDiGraph`` and networkx node-link JSON, and back.

Nodes carry ``type``, ``name``, ``name_zh``, ``aliases``, ``kind``, every attribute and ``sources``
(a list of ``{doc, quote}``); links carry ``type``, the relation's properties and ``sources``.

>>> from graph.model import Entity, GraphData, Relation
>>> g = to_networkx(GraphData(
...     entities=[Entity(id="s:a", type="Sector", name="A"), Entity(id="s:b", type="Sector", name="B")],
...     relations=[Relation(source="s:a", type="PART_OF_CHAIN", target="s:b", chain="demo")]))
>>> g.nodes["s:a"]["type"], list(g.edges(keys=True))
('Sector', [('s:a', 's:b', 'PART_OF_CHAIN:demo')])
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from graph.attributes import ATTRIBUTES, attributes_dict
from graph.model import Entity, GraphData, Relation

_NODE_CORE = ("type", "name", "name_zh", "aliases", "kind", "sources")
_LINK_PROPS = ("chain", "weight", "role", "since_year")


def edge_key(r: Relation) -> str:
    return f"{r.type.value}:{r.chain}" if r.chain else r.type.value


def node_attrs(e: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"type": e.type.value, "name": e.name, "name_zh": e.name_zh, "aliases": list(e.aliases)}
    if e.kind:
        out["kind"] = e.kind.value
    out.update(attributes_dict(e.attributes))
    out["sources"] = [s.model_dump(exclude_none=True) for s in e.sources]
    return out


def to_networkx(data: GraphData) -> nx.MultiDiGraph:
    """The graph as a ``MultiDiGraph`` keyed by entity id; parallel relations are keyed by type (and chain)."""
    g = nx.MultiDiGraph()
    for e in data.entities:
        g.add_node(e.id, **node_attrs(e))
    for r in data.relations:
        g.add_edge(
            r.source,
            r.target,
            key=edge_key(r),
            type=r.type.value,
            **r.properties(),
            sources=[s.model_dump(exclude_none=True) for s in r.sources],
        )
    return g


def from_networkx(g: nx.MultiDiGraph) -> GraphData:
    """Model records from a graph built by :func:`to_networkx` (or read from node-link JSON)."""
    entities = []
    for node, a in g.nodes(data=True):
        attrs = {k: v for k, v in a.items() if k in ATTRIBUTES}
        entities.append(
            Entity(
                id=node,
                type=a["type"],
                name=a["name"],
                name_zh=a.get("name_zh"),
                aliases=a.get("aliases") or [],
                kind=a.get("kind"),
                attributes=attrs,
                sources=a.get("sources") or [],
            )
        )
    relations = [
        Relation(
            source=u,
            target=v,
            type=a["type"],
            sources=a.get("sources") or [],
            **{k: a[k] for k in _LINK_PROPS if a.get(k) is not None},
        )
        for u, v, a in g.edges(data=True)
    ]
    return GraphData(entities=entities, relations=relations)


def node_link(data: GraphData) -> dict[str, Any]:
    """networkx node-link data (``nodes`` and ``links``) of the graph."""
    return nx.node_link_data(to_networkx(data), edges="links")


def write_node_link(data: GraphData, path: Path | str) -> None:
    Path(path).write_text(json.dumps(node_link(data), ensure_ascii=False, indent=1), encoding="utf-8")


def read_node_link(path: Path | str) -> nx.MultiDiGraph:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return nx.node_link_graph(raw, directed=True, multigraph=True, edges="links")
