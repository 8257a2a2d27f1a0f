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

from graph.codec import edge_key, entity_from_attrs, node_attrs, relation_attrs, relation_from_attrs
from graph.errors import GraphFileError
from graph.model import GraphData
from graph.outfile import write_text


def to_networkx(data: GraphData) -> nx.MultiDiGraph:
    """The graph as a ``MultiDiGraph`` keyed by entity id; parallel relations are keyed by type (and chain)."""
    g = nx.MultiDiGraph()
    for e in data.entities:
        g.add_node(e.id, **node_attrs(e))
    for r in data.relations:
        g.add_edge(r.source, r.target, key=edge_key(r), **relation_attrs(r))
    return g


def from_networkx(g: nx.MultiDiGraph) -> GraphData:
    """Model records from a graph built by :func:`to_networkx` (or read from node-link JSON)."""
    entities = [entity_from_attrs(node, a) for node, a in g.nodes(data=True)]
    relations = [relation_from_attrs(u, v, a) for u, v, a in g.edges(data=True)]
    return GraphData(entities=entities, relations=relations)


def node_link(data: GraphData) -> dict[str, Any]:
    """networkx node-link data (``nodes`` and ``links``) of the graph."""
    return nx.node_link_data(to_networkx(data), edges="links")


def write_node_link(data: GraphData, path: Path | str) -> None:
    """Write node-link JSON to ``path`` (through a temporary file: an older file is never half-overwritten)."""
    write_text(path, json.dumps(node_link(data), ensure_ascii=False, indent=1))


def read_node_link(path: Path | str) -> nx.MultiDiGraph:
    """Read a node-link JSON file written by :func:`write_node_link` (``indgraph export``).

    Raises :class:`graph.errors.GraphFileError` when it cannot be read or is not such a graph.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GraphFileError(f"cannot read the graph file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise GraphFileError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise GraphFileError(f"{path} is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise GraphFileError(f"{path} is nested too deeply to be a node-link graph") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("nodes"), list) or not isinstance(raw.get("links"), list):
        raise GraphFileError(f"{path} is not node-link JSON: expected an object with 'nodes' and 'links' lists")
    for i, node in enumerate(raw["nodes"]):
        if not isinstance(node, dict) or "id" not in node or "type" not in node:
            raise GraphFileError(f"{path} is not a valid node-link graph: node {i} has no 'id' and 'type'")
    try:
        return nx.node_link_graph(raw, directed=True, multigraph=True, edges="links")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GraphFileError(f"{path} is not a valid node-link graph: {type(exc).__name__} {str(exc)[:80]}") from None
