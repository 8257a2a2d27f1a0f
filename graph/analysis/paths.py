"""How two entities are connected: the shortest paths between them, with every relation spelled out.

Paths run over the undirected graph (a relation connects both ways), and each step then says which way
the relation points: ``Wuhan University -PARTNERS_WITH-> National Cybersecurity Talent and Innovation
Base -LOCATED_IN-> Wuhan Linkonggang ETDZ``.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

import networkx as nx

from graph.analysis.common import edge_types, node_info, require_node, without_gc

__all__ = ["connection_paths"]


def _step(G: nx.Graph, u: str, v: str, rels: frozenset[str] | None) -> tuple[list[dict[str, str]], str]:
    forward = sorted({t for t in edge_types(G, u, v) if rels is None or t in rels}) if G.has_edge(u, v) else []
    backward = sorted({t for t in edge_types(G, v, u) if rels is None or t in rels}) if G.has_edge(v, u) else []
    relations = [{"type": t, "direction": "->"} for t in forward] + [{"type": t, "direction": "<-"} for t in backward]
    # one arrow per step: the forward relations when there are some, else the backward ones
    arrow = f" -{'|'.join(forward)}-> " if forward else f" <-{'|'.join(backward)}- "
    return relations, arrow


@without_gc
def connection_paths(
    G: nx.Graph,
    a: str,
    b: str,
    k: int = 3,
    relations: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The ``k`` shortest simple paths between two entities, shortest first, with relation types and directions.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.export.to_networkx`.
    a, b : str
        Ids of the two entities.
    k : int
        How many paths at most (Yen's algorithm, :func:`networkx.shortest_simple_paths`).
    relations : iterable of str, optional
        Use only these relation types (default: all).

    Returns
    -------
    list of dict
        Each path: ``hops``, ``ids``, ``names``, ``steps`` (per link: the ``relations`` between the two
        nodes, each ``{"type", "direction"}`` with "->" along the path or "<-" against it) and ``text``,
        the path in words. Empty when they are not connected.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("u", name="Wuhan University"); G.add_node("b", name="Cyber Base"); G.add_node("z", name="Zone")
    >>> _ = G.add_edge("u", "b", type="PARTNERS_WITH"); _ = G.add_edge("b", "z", type="LOCATED_IN")
    >>> connection_paths(G, "u", "z")[0]["text"]
    'Wuhan University -PARTNERS_WITH-> Cyber Base -LOCATED_IN-> Zone'
    """
    require_node(G, a)
    require_node(G, b)
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    rels = frozenset(relations) if relations is not None else None
    U = nx.Graph()
    U.add_nodes_from(G)
    U.add_edges_from((u, v) for u, v, t in G.edges(data="type") if rels is None or t in rels)
    if a == b:
        name = node_info(G, a)["name"]
        return [{"hops": 0, "ids": [a], "names": [name], "steps": [], "text": name}]
    try:
        found = list(islice(nx.shortest_simple_paths(U, a, b), k))
    except nx.NetworkXNoPath:
        return []
    out = []
    for path in found:
        names = [node_info(G, n)["name"] for n in path]
        steps, text = [], names[0]
        for u, v, name in zip(path, path[1:], names[1:], strict=False):
            rel, arrow = _step(G, u, v, rels)
            steps.append({"from": u, "to": v, "relations": rel})
            text += arrow + name
        out.append({"hops": len(path) - 1, "ids": list(path), "names": names, "steps": steps, "text": text})
    return out
