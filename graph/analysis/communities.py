"""Partnership communities: groups of entities that cooperate with each other more than with the rest.

Louvain community detection (:func:`networkx.community.louvain_communities`, fixed seed) over the
undirected PARTNERS_WITH graph; other relations (OPERATES, PART_OF, ...) can be added to bring in the
entities around the partners. :func:`partnership_communities` returns a :class:`CommunityReport`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from graph.analysis.common import EntityRef, node_info, ref_fields
from graph.gcpause import gc_paused

__all__ = ["Community", "CommunityMember", "CommunityReport", "partnership_communities"]


@dataclass(frozen=True)
class CommunityMember(EntityRef):
    """A member of a community: an :class:`~graph.analysis.common.EntityRef` and how well it is connected.

    Attributes
    ----------
    degree : int
        Its links inside the community.
    """

    degree: int


@dataclass(frozen=True)
class Community:
    """One Louvain community.

    Attributes
    ----------
    id : int
        1, 2, ...: largest first.
    size : int
        How many members.
    internal_links : int
        Links between members.
    members : tuple of CommunityMember
        Best connected first, then by name and id.
    """

    id: int
    size: int
    internal_links: int
    members: tuple[CommunityMember, ...]


@dataclass(frozen=True)
class CommunityReport:
    """What :func:`partnership_communities` returns.

    Attributes
    ----------
    relations : tuple of str
        The relation types that joined entities, sorted.
    nodes, edges : int
        Size of the graph they make.
    modularity : float
        Modularity of the partition (0.0 when there is nothing to partition).
    communities : tuple of Community
        Largest first.
    """

    relations: tuple[str, ...]
    nodes: int
    edges: int
    modularity: float
    communities: tuple[Community, ...]


@gc_paused()
def partnership_communities(
    G: nx.Graph,
    relations: Iterable[str] = ("PARTNERS_WITH",),
    *,
    seed: int = 42,
    resolution: float = 1.0,
) -> CommunityReport:
    """Louvain communities of the partnership graph, with their members.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.nxgraph.to_networkx`.
    relations : iterable of str
        Relation types that join entities (undirected; parallel relations add weight).
        Default: PARTNERS_WITH only.
    seed : int
        Seed of Louvain's random node order, for repeatable answers.
    resolution : float
        Louvain's resolution: above 1 favours smaller communities.

    Returns
    -------
    CommunityReport
        ``relations``, ``nodes`` and ``edges`` of the graph used, ``modularity`` of the partition, and
        ``communities`` (:class:`Community`): sorted largest first, each with ``id`` (1, 2, ...), ``size``,
        ``internal_links`` and ``members`` (:class:`CommunityMember`: id, type, name, name_zh, ``degree``
        inside the community), best connected first.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from((n, {"type": "Company", "name": n}) for n in "abcxyz")
    >>> G.add_edges_from([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")],
    ...                  type="PARTNERS_WITH")
    [0, 0, 0, 0, 0, 0, 0]
    >>> [[m.id for m in c.members] for c in partnership_communities(G).communities]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    rels = sorted(set(relations))
    H = nx.Graph()
    for u, v, t in G.edges(data="type"):
        if t in rels and u != v:
            w = H[u][v]["weight"] + 1 if H.has_edge(u, v) else 1
            H.add_edge(u, v, weight=w)
    parts = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed) if H else []
    found = []
    for part in parts:
        sub = H.subgraph(part)
        members = sorted(
            (CommunityMember(*ref_fields(node_info(G, n)), sub.degree(n)) for n in part),
            key=lambda m: (-m.degree, str(m.name).casefold(), m.id),
        )
        found.append((len(part), sub.number_of_edges(), tuple(members)))
    found.sort(key=lambda c: (-c[0], min(m.id for m in c[2])))
    return CommunityReport(
        relations=tuple(rels),
        nodes=H.number_of_nodes(),
        edges=H.number_of_edges(),
        modularity=nx.community.modularity(H, parts, weight="weight", resolution=resolution) if parts else 0.0,
        communities=tuple(Community(i, *c) for i, c in enumerate(found, 1)),
    )
