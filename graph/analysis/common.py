"""Small helpers over the networkx graph of :func:`graph.nxgraph.to_networkx`, shared by the analyses.

The graph is a ``MultiDiGraph`` keyed by entity id; nodes carry ``type``/``name``/``name_zh`` and edges
carry ``type`` (the relation) and, on chain links, ``chain``. Plain ``DiGraph``s with the same attributes
work too.

The analyses return frozen dataclasses of plain data (ids, names, types, numbers; sequences are tuples);
:class:`EntityRef` is how they all name an entity, and :func:`jsonable` turns any of their results into
plain JSON data.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx

from graph.errors import UnknownEntityError
from graph.gcpause import gc_paused

__all__ = [
    "GEO_RELATIONS",
    "PLACE_DEPTH",
    "EntityRef",
    "chain_graph",
    "edge_types",
    "in_neighbours",
    "jsonable",
    "node_info",
    "nodes_within",
    "out_neighbours",
    "ref_fields",
    "require_node",
    "sector_players",
]

# LOCATED_IN and PART_OF put a thing inside a place or site, as in cypher/queries/located_in.cypher
GEO_RELATIONS = frozenset({"LOCATED_IN", "PART_OF"})
# how deep "located in" goes, the same bound as cypher/queries/located_in.cypher
PLACE_DEPTH = 8


@dataclasses.dataclass(frozen=True)
class EntityRef:
    """An entity as the analyses' results name it.

    Attributes
    ----------
    id : str
        The entity's id.
    type : str or None
        Its type (``"Sector"``, ``"Company"``, ...); None on a graph node without one.
    name : str
        Its English name (the id when the node has none).
    name_zh : str or None
        Its Chinese name, if known.
    """

    id: str
    type: str | None
    name: str
    name_zh: str | None


def ref_fields(ref: EntityRef) -> tuple[str, str | None, str, str | None]:
    """``(id, type, name, name_zh)`` of ``ref``: the first arguments of a result that extends :class:`EntityRef`."""
    return ref.id, ref.type, ref.name, ref.name_zh


def jsonable(value: Any) -> Any:
    """An analysis result as plain JSON data: dataclasses become dicts (one key per field), tuples lists.

    Parameters
    ----------
    value : any
        A result of :mod:`graph.analysis` (or a list, tuple or dict of them); other values pass through.

    Returns
    -------
    dict, list or scalar
        Ready for :func:`json.dumps`.

    Example
    -------
    >>> jsonable([EntityRef("cn-430000", "Province", "Hunan", "湖南省")])
    [{'id': 'cn-430000', 'type': 'Province', 'name': 'Hunan', 'name_zh': '湖南省'}]
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    return value


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
    """Raise :class:`graph.errors.UnknownEntityError` unless ``node`` is in ``G``."""
    if node not in G:
        raise UnknownEntityError(f"no entity with id '{node}' (look names up with graph.lookup.resolve)")


def node_info(G: nx.Graph, node: str) -> EntityRef:
    """The :class:`EntityRef` of a node (its ``type``, ``name`` and ``name_zh`` attributes).

    Example
    -------
    >>> G = nx.Graph(); G.add_node("cn-430000", type="Province", name="Hunan")
    >>> node_info(G, "cn-430000")
    EntityRef(id='cn-430000', type='Province', name='Hunan', name_zh=None)
    """
    a = G.nodes[node]
    return EntityRef(node, a.get("type"), a.get("name", node), a.get("name_zh"))


@gc_paused()
def nodes_within(G: nx.Graph, place: str, depth: int = PLACE_DEPTH) -> set[str]:
    """The place and every non-sector entity located in it, through LOCATED_IN and PART_OF chains.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.nxgraph.to_networkx`.
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


@gc_paused()
def chain_graph(G: nx.Graph) -> nx.DiGraph:
    """The sector chain graph: every Sector, and one edge per linked pair with the ``chains`` it belongs to.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.nxgraph.to_networkx`.

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
