"""Industry-chain coverage of a region and its fragile links: the investment-promotion questions.

A sector is *covered* by a place when some entity located in the place (transitively, through
LOCATED_IN/PART_OF; the place itself counts) SPECIALISES_IN it. A chain link (upstream sector ->
downstream sector, one PART_OF_CHAIN edge) is ``covered`` when both ends are, ``partial`` when one is
and a ``gap`` when neither is.

:func:`chain_coverage` returns a :class:`CoverageReport`, :func:`fragile_links` a :class:`FragilityReport`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Literal

import networkx as nx

from graph.analysis.common import (
    EntityRef,
    chain_graph,
    node_info,
    nodes_within,
    ref_fields,
    require_node,
)
from graph.gcpause import gc_paused

__all__ = [
    "INDUSTRY_RELATIONS",
    "ChainCoverage",
    "ChainCutPoint",
    "ChainLink",
    "CoverageReport",
    "CutPoint",
    "FragilityReport",
    "LinkStatus",
    "SectorCoverage",
    "SingleEntitySector",
    "chain_coverage",
    "fragile_links",
    "place_sectors",
]

LinkStatus = Literal["covered", "partial", "gap"]

# the relations of the regional industry network that fragile_links cuts; geography (LOCATED_IN,
# PART_OF) and designation (DESIGNATED_BY, a star around each ministry) are left out, or every
# district and ministry would be a "cut point"
INDUSTRY_RELATIONS = frozenset({"PARTNERS_WITH", "SPECIALISES_IN", "OPERATES", "PART_OF_CHAIN"})


@gc_paused()
def place_sectors(G: nx.Graph, place_id: str) -> dict[str, list[str]]:
    """The sectors a place covers, each with the ids of the entities in the place that specialise in it.

    A sector is covered through its narrower sectors too (the sector hierarchy, PART_OF between
    sectors): an entity in Memory Chips covers Chips.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.nxgraph.to_networkx`.
    place_id : str
        Id of the place (country, province, city, district, zone, base or park).

    Returns
    -------
    dict
        ``{sector id: sorted entity ids}``.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s:cells", type="Sector", name="Battery Cells")
    >>> _ = G.add_edge("c:x", "cn-430000", type="LOCATED_IN"); _ = G.add_edge("c:x", "s:cells", type="SPECIALISES_IN")
    >>> place_sectors(G, "cn-430000")
    {'s:cells': ['c:x']}
    >>> _ = G.add_edge("s:cells", "s:batteries", type="PART_OF"); G.nodes["s:batteries"]["type"] = "Sector"
    >>> place_sectors(G, "cn-430000")
    {'s:batteries': ['c:x'], 's:cells': ['c:x']}
    """
    from graph.analysis.chainview import GraphView, ancestors

    present: dict[str, set[str]] = defaultdict(set)
    for e in nodes_within(G, place_id):
        for _, s, t in G.out_edges(e, data="type"):
            if t == "SPECIALISES_IN":
                present[s].add(e)
    for s, broader in ancestors(GraphView(G), list(present)).items():
        for a in broader:
            present[a] |= present[s]
    return {s: sorted(es) for s, es in sorted(present.items())}


@dataclass(frozen=True)
class SectorCoverage(EntityRef):
    """A sector of a chain (an :class:`~graph.analysis.common.EntityRef`) and whether the place covers it.

    Attributes
    ----------
    covered : bool
        Whether some entity in the place specialises in the sector.
    entities : tuple of EntityRef
        Those entities, by id.
    """

    covered: bool
    entities: tuple[EntityRef, ...]


@dataclass(frozen=True)
class ChainLink:
    """One link of a chain (a PART_OF_CHAIN edge) and how much of it the place covers.

    Attributes
    ----------
    upstream, downstream : str
        Ids of the two sectors.
    upstream_name, downstream_name : str
        Their names.
    status : {"covered", "partial", "gap"}
        Both ends covered, one, or neither.
    """

    upstream: str
    upstream_name: str
    downstream: str
    downstream_name: str
    status: LinkStatus


@dataclass(frozen=True)
class ChainCoverage:
    """How much of one industry chain a place covers.

    Attributes
    ----------
    chain : str
        The chain's name.
    sectors : tuple of SectorCoverage
        Every sector on the chain, by id.
    links : tuple of ChainLink
        Every link of the chain, by upstream then downstream id.
    sectors_covered, sectors_total : int
        Sectors the place covers, and on the chain.
    links_covered, links_total : int
        Links whose both ends the place covers, and on the chain.
    coverage : float
        ``sectors_covered / sectors_total``, 0..1.
    """

    chain: str
    sectors: tuple[SectorCoverage, ...]
    links: tuple[ChainLink, ...]
    sectors_covered: int
    sectors_total: int
    links_covered: int
    links_total: int
    coverage: float


@dataclass(frozen=True)
class CoverageReport:
    """What :func:`chain_coverage` returns.

    Attributes
    ----------
    place : EntityRef
        The place.
    chains : tuple of ChainCoverage
        One per chain, best covered first, then by name.
    """

    place: EntityRef
    chains: tuple[ChainCoverage, ...]


@dataclass(frozen=True)
class SingleEntitySector(EntityRef):
    """A sector (an :class:`~graph.analysis.common.EntityRef`) a place covers through one entity only.

    Attributes
    ----------
    entity : EntityRef
        That entity.
    chains : tuple of str
        Names of the chains the sector is on, sorted (empty when it is on none).
    """

    entity: EntityRef
    chains: tuple[str, ...]


@dataclass(frozen=True)
class CutPoint(EntityRef):
    """An articulation point (an :class:`~graph.analysis.common.EntityRef`): its loss splits a graph.

    Attributes
    ----------
    pieces : int
        How many parts its removal leaves of its connected component.
    """

    pieces: int


@dataclass(frozen=True)
class ChainCutPoint(CutPoint):
    """A sector whose loss splits the chain graph.

    Attributes
    ----------
    covered : bool
        Whether the place covers the sector.
    """

    covered: bool


@dataclass(frozen=True)
class FragilityReport:
    """What :func:`fragile_links` returns (see there).

    Attributes
    ----------
    place : EntityRef
        The place.
    single_entity_sectors : tuple of SingleEntitySector
        Sectors on a chain first, then by name and id.
    chain_cut_points : tuple of ChainCutPoint
        Most ``pieces`` first, then by name and id.
    network_cut_points : tuple of CutPoint
        Most ``pieces`` first, then by name and id.
    """

    place: EntityRef
    single_entity_sectors: tuple[SingleEntitySector, ...]
    chain_cut_points: tuple[ChainCutPoint, ...]
    network_cut_points: tuple[CutPoint, ...]


@gc_paused()
def chain_coverage(G: nx.Graph, place_id: str) -> CoverageReport:
    """Which sectors and links of each industry chain a place covers, and which are gaps.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.nxgraph.to_networkx`.
    place_id : str
        Id of the place.

    Returns
    -------
    CoverageReport
        ``place`` and ``chains``: one :class:`ChainCoverage` per chain name, sorted by coverage (best
        first) then name, with ``sectors`` (:class:`SectorCoverage`: the sector, ``covered``, the place's
        ``entities`` in it), ``links`` (:class:`ChainLink`: ``upstream``/``downstream`` ids and names,
        ``status`` covered/partial/gap), ``sectors_covered``, ``sectors_total``, ``links_covered``,
        ``links_total`` and ``coverage`` (the share of sectors covered, 0..1).

    Raises
    ------
    graph.errors.UnknownEntityError
        ``place_id`` is not in the graph.

    Example
    -------
    >>> from graph.nxgraph import to_networkx
    >>> from graph.model import Entity, GraphData, Relation
    >>> G = to_networkx(GraphData(
    ...     entities=[Entity(id="cn-430000", type="Province", name="Hunan"),
    ...               Entity(id="s:cells", type="Sector", name="Battery Cells"),
    ...               Entity(id="s:storage", type="Sector", name="Energy Storage"),
    ...               Entity(id="c:x", type="Company", name="X")],
    ...     relations=[Relation(source="s:cells", type="PART_OF_CHAIN", target="s:storage", chain="battery"),
    ...                Relation(source="c:x", type="LOCATED_IN", target="cn-430000"),
    ...                Relation(source="c:x", type="SPECIALISES_IN", target="s:cells")]))
    >>> c = chain_coverage(G, "cn-430000").chains[0]
    >>> c.chain, c.coverage, c.links[0].status, [s.covered for s in c.sectors]
    ('battery', 0.5, 'partial', [True, False])
    """
    require_node(G, place_id)
    present = place_sectors(G, place_id)
    links: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for u, v, d in G.edges(data=True):
        if d.get("type") == "PART_OF_CHAIN":
            links[d.get("chain") or ""].add((u, v))
    chains = []
    for chain, pairs in links.items():
        sectors = tuple(
            SectorCoverage(
                *ref_fields(node_info(G, s)),
                covered=s in present,
                entities=tuple(node_info(G, e) for e in present.get(s, [])),
            )
            for s in sorted({s for pair in pairs for s in pair})
        )
        statuses: tuple[LinkStatus, ...] = ("gap", "partial", "covered")
        link_rows = tuple(
            ChainLink(u, node_info(G, u).name, v, node_info(G, v).name, statuses[(u in present) + (v in present)])
            for u, v in sorted(pairs)
        )
        covered = sum(s.covered for s in sectors)
        chains.append(
            ChainCoverage(
                chain=chain,
                sectors=sectors,
                links=link_rows,
                sectors_covered=covered,
                sectors_total=len(sectors),
                links_covered=sum(r.status == "covered" for r in link_rows),
                links_total=len(link_rows),
                coverage=covered / len(sectors),
            )
        )
    chains.sort(key=lambda c: (-c.coverage, c.chain))
    return CoverageReport(node_info(G, place_id), tuple(chains))


def _cut_points(U: nx.Graph) -> dict[str, int]:
    """Articulation points of an undirected graph, each with the number of pieces its removal leaves."""
    cuts = set(nx.articulation_points(U))
    blocks: Counter[str] = Counter()
    for comp in nx.biconnected_components(U):
        blocks.update(n for n in comp if n in cuts)
    return dict(blocks)


@gc_paused()
def fragile_links(G: nx.Graph, place_id: str) -> FragilityReport:
    """Where a place's industry chains hang by a thread.

    Three lists:

    * ``single_entity_sectors``: sectors the place covers through exactly one entity (if it leaves,
      the sector is gone from the region), with that entity and the chains the sector is on;
    * ``chain_cut_points``: articulation points of the undirected sector chain graph (the whole graph,
      not only the place): sectors whose loss splits a chain, with ``pieces`` (how many parts their
      removal leaves in their component) and whether the place ``covered`` them;
    * ``network_cut_points``: articulation points of the place's industry network: the entities in the
      place and the sectors they specialise in, joined by :data:`INDUSTRY_RELATIONS` (partnerships,
      specialisations, operations, chain links); brokers whose loss splits the regional network.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.nxgraph.to_networkx`.
    place_id : str
        Id of the place.

    Returns
    -------
    FragilityReport
        ``place``, ``single_entity_sectors`` (:class:`SingleEntitySector`), ``chain_cut_points``
        (:class:`ChainCutPoint`) and ``network_cut_points`` (:class:`CutPoint`); cut points are sorted by
        ``pieces`` (most first), then name.

    Raises
    ------
    graph.errors.UnknownEntityError
        ``place_id`` is not in the graph.

    Example
    -------
    >>> from graph.nxgraph import to_networkx
    >>> from graph.model import Entity, GraphData, Relation
    >>> G = to_networkx(GraphData(
    ...     entities=[Entity(id="cn-430000", type="Province", name="Hunan"), Entity(id="c:x", type="Company", name="X")]
    ...     + [Entity(id=f"s:{n}", type="Sector", name=n) for n in "abc"],
    ...     relations=[Relation(source="s:a", type="PART_OF_CHAIN", target="s:b", chain="k"),
    ...                Relation(source="s:b", type="PART_OF_CHAIN", target="s:c", chain="k"),
    ...                Relation(source="c:x", type="LOCATED_IN", target="cn-430000"),
    ...                Relation(source="c:x", type="SPECIALISES_IN", target="s:b")]))
    >>> f = fragile_links(G, "cn-430000")
    >>> [(s.id, s.entity.id) for s in f.single_entity_sectors], [(c.id, c.pieces) for c in f.chain_cut_points]
    ([('s:b', 'c:x')], [('s:b', 2)])
    """
    require_node(G, place_id)
    present = place_sectors(G, place_id)
    C = chain_graph(G)
    single = []
    for s, entities in present.items():
        if len(entities) == 1:
            edges = [*C.in_edges(s), *C.out_edges(s)] if s in C else []
            chains = tuple(sorted({c for u, v in edges for c in C[u][v]["chains"]}))
            single.append(SingleEntitySector(*ref_fields(node_info(G, s)), node_info(G, entities[0]), chains))
    single.sort(key=lambda r: (not r.chains, r.name.casefold(), r.id))

    cuts = _cut_points(C.to_undirected(as_view=True))
    chain_cuts = [ChainCutPoint(*ref_fields(node_info(G, s)), n, s in present) for s, n in cuts.items()]
    chain_cuts.sort(key=lambda r: (-r.pieces, r.name.casefold(), r.id))

    members = nodes_within(G, place_id) | set(present)
    N = nx.Graph()
    N.add_nodes_from(members)
    for u in members:
        for _, v, t in G.out_edges(u, data="type"):
            if v in members and t in INDUSTRY_RELATIONS:
                N.add_edge(u, v)
    network_cuts = [CutPoint(*ref_fields(node_info(G, n)), k) for n, k in _cut_points(N).items()]
    network_cuts.sort(key=lambda r: (-r.pieces, r.name.casefold(), r.id))
    return FragilityReport(node_info(G, place_id), tuple(single), tuple(chain_cuts), tuple(network_cuts))
