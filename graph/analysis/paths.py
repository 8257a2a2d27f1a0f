"""How two entities are connected: the shortest paths between them, with every relation spelled out.

Paths run over the undirected graph (a relation connects both ways), and each step then says which way
each relation points: Wuhan University -PARTNERS_WITH-> National Cybersecurity Talent and Innovation
Base -LOCATED_IN-> Wuhan Linkonggang ETDZ is a path of two steps (:class:`PathStep`), each with one
relation pointing along the path (``"->"``). :func:`connection_paths` returns a list of
:class:`ConnectionPath`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice, pairwise
from typing import Literal

import networkx as nx

from graph.analysis.common import edge_types, node_info, require_node
from graph.errors import ArgumentError
from graph.gcpause import gc_paused

__all__ = ["ConnectionPath", "PathStep", "StepRelation", "connection_paths"]


@dataclass(frozen=True)
class StepRelation:
    """One relation between two neighbours on a path.

    Attributes
    ----------
    type : str
        The relation type, e.g. ``"PARTNERS_WITH"``.
    direction : {"->", "<-"}
        ``"->"`` when the relation points along the path (from ``from_id`` to ``to_id``), ``"<-"`` against it.
    """

    type: str
    direction: Literal["->", "<-"]


@dataclass(frozen=True)
class PathStep:
    """One link of a path: two neighbouring nodes and every relation between them.

    Attributes
    ----------
    from_id, to_id : str
        The nodes, in the order of the path.
    relations : tuple of StepRelation
        The relations along the path first, then those against it; each by type.
    """

    from_id: str
    to_id: str
    relations: tuple[StepRelation, ...]


@dataclass(frozen=True)
class ConnectionPath:
    """A path between two entities.

    Attributes
    ----------
    hops : int
        Links on the path (0 when it starts where it ends).
    ids, names : tuple of str
        The nodes of the path, from the first entity to the second.
    steps : tuple of PathStep
        One per link (``hops`` of them).
    """

    hops: int
    ids: tuple[str, ...]
    names: tuple[str, ...]
    steps: tuple[PathStep, ...]


def _step(G: nx.Graph, u: str, v: str, rels: frozenset[str] | None) -> PathStep:
    forward = sorted({t for t in edge_types(G, u, v) if rels is None or t in rels}) if G.has_edge(u, v) else []
    backward = sorted({t for t in edge_types(G, v, u) if rels is None or t in rels}) if G.has_edge(v, u) else []
    relations = [StepRelation(t, "->") for t in forward] + [StepRelation(t, "<-") for t in backward]
    return PathStep(u, v, tuple(relations))


@gc_paused()
def connection_paths(
    G: nx.Graph,
    a: str,
    b: str,
    k: int = 3,
    relations: Iterable[str] | None = None,
) -> list[ConnectionPath]:
    """The ``k`` shortest simple paths between two entities, shortest first, with relation types and directions.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.nxgraph.to_networkx`.
    a, b : str
        Ids of the two entities.
    k : int
        How many paths at most (Yen's algorithm, :func:`networkx.shortest_simple_paths`).
    relations : iterable of str, optional
        Use only these relation types (default: all).

    Returns
    -------
    list of ConnectionPath
        Each path: ``hops``, ``ids``, ``names`` and ``steps`` (:class:`PathStep`: per link, the
        ``relations`` between the two nodes, each a :class:`StepRelation` with its ``type`` and
        ``direction``, "->" along the path or "<-" against it). Empty when they are not connected.

    Raises
    ------
    graph.errors.UnknownEntityError
        ``a`` or ``b`` is not in the graph.
    graph.errors.ArgumentError
        ``k`` is less than 1.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("u", name="Wuhan University"); G.add_node("b", name="Cyber Base"); G.add_node("z", name="Zone")
    >>> _ = G.add_edge("u", "b", type="PARTNERS_WITH"); _ = G.add_edge("z", "b", type="OPERATES")
    >>> [p] = connection_paths(G, "u", "z", k=1)
    >>> p.hops, p.names
    (2, ('Wuhan University', 'Cyber Base', 'Zone'))
    >>> [(r.type, r.direction) for step in p.steps for r in step.relations]
    [('PARTNERS_WITH', '->'), ('OPERATES', '<-')]
    """
    require_node(G, a)
    require_node(G, b)
    if k < 1:
        raise ArgumentError(f"k must be at least 1, not {k}")
    rels = frozenset(relations) if relations is not None else None
    U = nx.Graph()
    U.add_nodes_from(G)
    U.add_edges_from((u, v) for u, v, t in G.edges(data="type") if rels is None or t in rels)
    if a == b:
        return [ConnectionPath(0, (a,), (node_info(G, a).name,), ())]
    try:
        found = list(islice(nx.shortest_simple_paths(U, a, b), k))
    except nx.NetworkXNoPath:
        return []
    return [
        ConnectionPath(
            hops=len(path) - 1,
            ids=tuple(path),
            names=tuple(node_info(G, n).name for n in path),
            steps=tuple(_step(G, u, v, rels) for u, v in pairwise(path)),
        )
        for path in found
    ]
