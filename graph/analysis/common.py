"""Small helpers over the networkx graph of :func:`graph.export.to_networkx`, shared by the analyses.

The graph is a ``MultiDiGraph`` keyed by entity id; nodes carry ``type``/``name``/``name_zh`` and edges
carry ``type`` (the relation) and, on chain links, ``chain``. Plain ``DiGraph``s with the same attributes
work too.
"""

from __future__ import annotations

import functools
import gc
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import networkx as nx

from graph.lookup import UnknownEntityError

__all__ = [
    "GEO_RELATIONS",
    "PLACE_DEPTH",
    "chain_graph",
    "edge_types",
    "in_neighbours",
    "node_info",
    "nodes_within",
    "out_neighbours",
    "require_node",
    "sector_players",
    "without_gc",
]

# LOCATED_IN and PART_OF put a thing inside a place or site, as in cypher/queries/located_in.cypher
GEO_RELATIONS = frozenset({"LOCATED_IN", "PART_OF"})
# how deep "located in" goes, the same bound as cypher/queries/located_in.cypher
PLACE_DEPTH = 8


P = ParamSpec("P")
R = TypeVar("R")


def without_gc(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with the cyclic garbage collector paused (reference counting still frees memory).

    With a graph of 100k+ nodes alive, every full collection rescans all its dicts; building a derived
    graph or running a search allocates enough to trigger many of them, which tripled the time of
    :func:`chain_graph` on the chainkg graph (bench/analysis_bench.py). Nothing here makes garbage cycles.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return wrapper


def edge_types(G: nx.Graph, u: str, v: str) -> Iterator[str]:
    """Relation types of the edges ``u -> v`` (one per parallel edge)."""
    data = G[u][v]
    if G.is_multigraph():
        for d in data.values():
            yield d.get("type", "")
    else:
        yield data.get("type", "")


def _has(G: nx.Graph, u: str, v: str, rels: frozenset[str]) -> bool:
    return any(t in rels for t in edge_types(G, u, v))


def out_neighbours(G: nx.Graph, node: str, rels: str | frozenset[str]) -> list[str]:
    """Targets of ``node``'s out-edges of the given relation type(s), sorted."""
    rels = frozenset({rels}) if isinstance(rels, str) else rels
    return sorted(v for v in G.succ[node] if _has(G, node, v, rels))


def in_neighbours(G: nx.Graph, node: str, rels: str | frozenset[str]) -> list[str]:
    """Sources of ``node``'s in-edges of the given relation type(s), sorted."""
    rels = frozenset({rels}) if isinstance(rels, str) else rels
    return sorted(u for u in G.pred[node] if _has(G, u, node, rels))


def require_node(G: nx.Graph, node: str) -> None:
    """Raise :class:`graph.lookup.UnknownEntityError` unless ``node`` is in ``G``."""
    if node not in G:
        raise UnknownEntityError(f"no entity with id '{node}' (look names up with graph.lookup.resolve)")


def node_info(G: nx.Graph, node: str) -> dict[str, Any]:
    """``id``, ``type``, ``name`` and ``name_zh`` of a node."""
    a = G.nodes[node]
    return {"id": node, "type": a.get("type"), "name": a.get("name", node), "name_zh": a.get("name_zh")}


@without_gc
def nodes_within(G: nx.Graph, place: str, depth: int = PLACE_DEPTH) -> set[str]:
    """The place and every non-sector entity located in it, through LOCATED_IN and PART_OF chains.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.export.to_networkx`.
    place : str
        Id of a place, zone, base or park (any entity works).
    depth : int
        How many LOCATED_IN/PART_OF links to follow (the bound of ``cypher/queries/located_in.cypher``).

    Returns
    -------
    set of str
        Ids, the place's own included.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edges_from([("park:a", "cn-420100"), ("company:x", "park:a")], type="LOCATED_IN")
    >>> sorted(nodes_within(G, "cn-420100"))
    ['cn-420100', 'company:x', 'park:a']
    """
    require_node(G, place)
    seen = {place}
    frontier = deque([(place, 0)])
    while frontier:
        node, d = frontier.popleft()
        if d == depth:
            continue
        for u in G.pred[node]:
            if u not in seen and _has(G, u, node, GEO_RELATIONS) and G.nodes[u].get("type") != "Sector":
                seen.add(u)
                frontier.append((u, d + 1))
    return seen


def sector_players(G: nx.Graph, sector: str) -> list[str]:
    """Ids of the entities that SPECIALISES_IN ``sector``, sorted."""
    return in_neighbours(G, sector, "SPECIALISES_IN")


@without_gc
def chain_graph(G: nx.Graph) -> nx.DiGraph:
    """The sector chain graph: every Sector, and one edge per linked pair with the ``chains`` it belongs to.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.export.to_networkx`.

    Returns
    -------
    networkx.DiGraph
        Nodes are sector ids (with ``name``); an edge ``u -> v`` (upstream -> downstream) has ``chains``,
        the sorted names of the chains that link them.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s:a", type="Sector", name="A"); G.add_node("s:b", type="Sector", name="B")
    >>> _ = G.add_edge("s:a", "s:b", key="PART_OF_CHAIN:demo", type="PART_OF_CHAIN", chain="demo")
    >>> list(chain_graph(G).edges(data="chains"))
    [('s:a', 's:b', ['demo'])]
    """
    C = nx.DiGraph()
    C.add_nodes_from((n, {"name": a.get("name", n)}) for n, a in G.nodes(data=True) if a.get("type") == "Sector")
    for u, v, d in G.edges(data=True):
        if d.get("type") == "PART_OF_CHAIN":
            C.add_edge(u, v)
            chains = C[u][v].setdefault("chains", [])
            chain = d.get("chain") or ""
            if chain not in chains:
                chains.append(chain)
                chains.sort()
    return C
