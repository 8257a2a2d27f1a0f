"""Key links of the industry chains: betweenness and PageRank, on the sector chain graph and the whole graph.

* On the **chain graph** (sectors on a chain, PART_OF_CHAIN upstream -> downstream, directed): sector betweenness
  finds the sectors most chains pass through, link (edge) betweenness the upstream -> downstream links
  most paths use, and PageRank the sectors value flows towards (the downstream ends).
* On the **full graph** (every entity and relation): betweenness on the undirected graph, where a
  relation connects both ways, finds the brokers; PageRank on the directed graph finds what many things
  point at (big places, sectors, hubs).

Betweenness is exact up to :data:`EXACT_LIMIT` nodes; above it, networkx samples ``k`` source nodes
with a fixed seed, and the result says so (``sampled_k``). Unless ``samples`` is given, ``k`` is
:data:`SAMPLES` on mid-sized graphs and shrinks on big ones so that the breadth-first searches visit
about :data:`SAMPLE_BUDGET` nodes and edges in all (never fewer than :data:`MIN_SAMPLES`): each sample
is one search of the whole graph, 0.3 to 3 seconds per 300k nodes and edges in pure Python. On a
graph of 100k+ nodes the full-graph ranking is then a rough estimate: pass ``samples`` (or run
nx-parallel) to buy accuracy with time. Both betweenness
functions dispatch to a networkx backend such as nx-parallel when one is configured
(``NETWORKX_BACKEND_PRIORITY=parallel``, see :mod:`graph.analysis.backends`); the result names the
configured backends. :func:`key_links` returns a :class:`KeyLinksReport`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.analysis.backends import configured_backends
from graph.analysis.common import EntityRef, chain_graph, node_info, ref_fields
from graph.gcpause import gc_paused

__all__ = [
    "EXACT_LIMIT",
    "MIN_SAMPLES",
    "SAMPLES",
    "SAMPLE_BUDGET",
    "ChainGraphRanks",
    "GraphRanks",
    "KeyLinksReport",
    "RankedLink",
    "RankedNode",
    "configured_backends",
    "key_links",
]

EXACT_LIMIT = 2_000  # nodes; exact betweenness is one search per node: O(nodes x edges)
SAMPLES = 64  # sampled sources at most
MIN_SAMPLES = 4  # sampled sources at least, however big the graph
SAMPLE_BUDGET = 1_000_000  # nodes + edges visited by all the sampled searches together


@dataclass(frozen=True)
class RankedNode(EntityRef):
    """A node (an :class:`~graph.analysis.common.EntityRef`) with its score in a ranking.

    Attributes
    ----------
    score : float
        Its betweenness or PageRank.
    """

    score: float


@dataclass(frozen=True)
class RankedLink:
    """A chain link (upstream sector -> downstream sector) with its edge betweenness.

    Attributes
    ----------
    upstream, downstream : str
        Ids of the two sectors.
    upstream_name, downstream_name : str
        Their names.
    chains : tuple of str
        Names of the chains the link is on, sorted.
    score : float
        Its edge betweenness.
    """

    upstream: str
    upstream_name: str
    downstream: str
    downstream_name: str
    chains: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class GraphRanks:
    """The rankings of one graph.

    Attributes
    ----------
    nodes, edges : int
        Size of the graph ranked.
    sampled_k : int or None
        Source nodes betweenness was estimated from; None when it is exact.
    betweenness, pagerank : tuple of RankedNode
        The top nodes, highest first (ties by id).
    """

    nodes: int
    edges: int
    sampled_k: int | None
    betweenness: tuple[RankedNode, ...]
    pagerank: tuple[RankedNode, ...]


@dataclass(frozen=True)
class ChainGraphRanks(GraphRanks):
    """The rankings of the sector chain graph: :class:`GraphRanks` and its links.

    Attributes
    ----------
    link_betweenness : tuple of RankedLink
        The top chain links, highest first.
    """

    link_betweenness: tuple[RankedLink, ...]


@dataclass(frozen=True)
class KeyLinksReport:
    """What :func:`key_links` returns.

    Attributes
    ----------
    chain_graph : ChainGraphRanks
        Sectors on a chain, PART_OF_CHAIN links directed upstream -> downstream.
    full_graph : GraphRanks
        Every entity and relation: betweenness undirected, PageRank directed.
    backends : tuple of str
        The networkx backends configured, in order (:func:`configured_backends`).
    """

    chain_graph: ChainGraphRanks
    full_graph: GraphRanks
    backends: tuple[str, ...]


def _top(scores: dict[Any, float], top: int) -> list[tuple[Any, float]]:
    # highest first; ties by key for a stable order
    return sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))[:top]


def _sample_k(G: nx.Graph, exact_limit: int, samples: int | None) -> int | None:
    n = G.number_of_nodes()
    if n <= exact_limit:
        return None
    if samples is not None:
        return min(samples, n)
    return min(SAMPLES, n, max(MIN_SAMPLES, SAMPLE_BUDGET // (n + G.number_of_edges())))


def _ranked(G: nx.Graph, scores: dict[str, float], top: int) -> tuple[RankedNode, ...]:
    return tuple(RankedNode(*ref_fields(node_info(G, n)), s) for n, s in _top(scores, top))


@gc_paused()
def key_links(
    G: nx.Graph,
    top: int = 10,
    *,
    exact_limit: int = EXACT_LIMIT,
    samples: int | None = None,
    seed: int = 0,
) -> KeyLinksReport:
    """The most central sectors, chain links and entities, by betweenness and PageRank.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.nxgraph.to_networkx`.
    top : int
        How many of each ranking to return.
    exact_limit : int
        Graphs with more nodes than this get sampled betweenness.
    samples : int, optional
        How many source nodes the sampled betweenness uses; default: up to :data:`SAMPLES`, fewer on
        very big graphs (see the module docstring).
    seed : int
        Seed of the sampling, for repeatable answers.

    Returns
    -------
    KeyLinksReport
        ``chain_graph`` (:class:`ChainGraphRanks`) with ``nodes``, ``edges``, ``sampled_k`` (None when
        exact), ``betweenness`` (sectors), ``link_betweenness`` (:class:`RankedLink`: ``upstream``,
        ``downstream``, their names, ``chains``, ``score``) and ``pagerank``; ``full_graph``
        (:class:`GraphRanks`) with ``nodes``, ``edges``, ``sampled_k``, ``betweenness`` and ``pagerank``;
        ``backends``. Node rankings are :class:`RankedNode`: id, type, name, name_zh, score.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for s in "abc":
    ...     G.add_node(s, type="Sector", name=s.upper())
    >>> G.add_edges_from([("a", "b"), ("b", "c")], type="PART_OF_CHAIN", chain="k")
    [0, 0]
    >>> k = key_links(G, top=1)
    >>> k.chain_graph.betweenness[0].id, k.chain_graph.sampled_k
    ('b', None)
    """
    full_chain = chain_graph(G)
    # sectors on no chain would only add teleport mass and zero rows
    C = full_chain.subgraph([n for n in full_chain if full_chain.degree(n)]).copy()  # a view is slower to walk
    # throwaway graphs: a backend (nx-parallel) need not cache its conversion on them, nor warn about reusing it
    C.__networkx_cache__ = None

    k = _sample_k(C, exact_limit, samples)
    link_scores = nx.edge_betweenness_centrality(C, k=k, seed=seed) if C.number_of_edges() else {}
    chain_ranks = ChainGraphRanks(
        nodes=C.number_of_nodes(),
        edges=C.number_of_edges(),
        sampled_k=k,
        betweenness=_ranked(G, nx.betweenness_centrality(C, k=k, seed=seed), top) if C else (),
        pagerank=_ranked(G, nx.pagerank(C), top) if C else (),
        link_betweenness=tuple(
            RankedLink(u, C.nodes[u].get("name", u), v, C.nodes[v].get("name", v), tuple(C[u][v]["chains"]), s)
            for (u, v), s in _top(link_scores, top)
        ),
    )

    # plain graphs without attributes: much cheaper than copying a 100k-node MultiDiGraph
    U = nx.Graph()
    U.add_nodes_from(G)
    U.add_edges_from(G.edges())
    D = nx.DiGraph()
    D.add_nodes_from(G)
    D.add_edges_from(G.edges())
    U.__networkx_cache__ = D.__networkx_cache__ = None
    k = _sample_k(U, exact_limit, samples)
    full_ranks = GraphRanks(
        nodes=G.number_of_nodes(),
        edges=G.number_of_edges(),
        sampled_k=k,
        betweenness=_ranked(G, nx.betweenness_centrality(U, k=k, seed=seed), top) if U else (),
        pagerank=_ranked(G, nx.pagerank(D), top) if D else (),
    )
    return KeyLinksReport(chain_ranks, full_ranks, tuple(configured_backends()))
