"""Partnership communities: groups of entities that cooperate with each other more than with the rest.

Louvain community detection (:func:`networkx.community.louvain_communities`, fixed seed) over the
undirected PARTNERS_WITH graph; other relations (OPERATES, PART_OF, ...) can be added to bring in the
entities around the partners.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.analysis.common import node_info, without_gc

__all__ = ["partnership_communities"]


@without_gc
def partnership_communities(
    G: nx.Graph,
    relations: Iterable[str] = ("PARTNERS_WITH",),
    *,
    seed: int = 42,
    resolution: float = 1.0,
) -> dict[str, Any]:
    """Louvain communities of the partnership graph, with their members.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.export.to_networkx`.
    relations : iterable of str
        Relation types that join entities (undirected; parallel relations add weight).
        Default: PARTNERS_WITH only.
    seed : int
        Seed of Louvain's random node order, for repeatable answers.
    resolution : float
        Louvain's resolution: above 1 favours smaller communities.

    Returns
    -------
    dict
        ``relations``, ``nodes`` and ``edges`` of the graph used, ``modularity`` of the partition, and
        ``communities``: sorted largest first, each with ``id`` (1, 2, ...), ``size``, ``internal_links``
        and ``members`` (id, type, name, name_zh, ``degree`` inside the community), best connected first.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from((n, {"type": "Company", "name": n}) for n in "abcxyz")
    >>> G.add_edges_from([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")],
    ...                  type="PARTNERS_WITH")
    [0, 0, 0, 0, 0, 0, 0]
    >>> [[m["id"] for m in c["members"]] for c in partnership_communities(G)["communities"]]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    rels = sorted(set(relations))
    H = nx.Graph()
    for u, v, t in G.edges(data="type"):
        if t in rels and u != v:
            w = H[u][v]["weight"] + 1 if H.has_edge(u, v) else 1
            H.add_edge(u, v, weight=w)
    parts = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed) if H else []
    communities = []
    for part in parts:
        sub = H.subgraph(part)
        members = sorted(
            ({**node_info(G, n), "degree": sub.degree(n)} for n in part),
            key=lambda m: (-m["degree"], str(m["name"]).casefold(), m["id"]),
        )
        communities.append({"size": len(part), "internal_links": sub.number_of_edges(), "members": members})
    communities.sort(key=lambda c: (-c["size"], min(m["id"] for m in c["members"])))
    for i, c in enumerate(communities, 1):
        c["id"] = i
    return {
        "relations": rels,
        "nodes": H.number_of_nodes(),
        "edges": H.number_of_edges(),
        "modularity": nx.community.modularity(H, parts, weight="weight", resolution=resolution) if parts else 0.0,
        "communities": [{"id": c.pop("id"), **c} for c in communities],
    }
