"""Industry-chain coverage of a region and its fragile links: the investment-promotion questions.

A sector is *covered* by a place when some entity located in the place (transitively, through
LOCATED_IN/PART_OF; the place itself counts) SPECIALISES_IN it. A chain link (upstream sector ->
downstream sector, one PART_OF_CHAIN edge) is ``covered`` when both ends are, ``partial`` when one is
and a ``gap`` when neither is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from graph.analysis.common import chain_graph, node_info, nodes_within, require_node, without_gc

__all__ = ["INDUSTRY_RELATIONS", "chain_coverage", "fragile_links", "place_sectors"]

# the relations of the regional industry network that fragile_links cuts; geography (LOCATED_IN,
# PART_OF) and designation (DESIGNATED_BY, a star around each ministry) are left out, or every
# district and ministry would be a "cut point"
INDUSTRY_RELATIONS = frozenset({"PARTNERS_WITH", "SPECIALISES_IN", "OPERATES", "PART_OF_CHAIN"})


@without_gc
def place_sectors(G: nx.Graph, place_id: str) -> dict[str, list[str]]:
    """The sectors a place covers, each with the ids of the entities in the place that specialise in it.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.export.to_networkx`.
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
    """
    present: dict[str, set[str]] = defaultdict(set)
    for e in nodes_within(G, place_id):
        for _, s, t in G.out_edges(e, data="type"):
            if t == "SPECIALISES_IN":
                present[s].add(e)
    return {s: sorted(es) for s, es in sorted(present.items())}


def _brief(G: nx.Graph, node: str) -> dict[str, Any]:
    i = node_info(G, node)
    return {"id": node, "name": i["name"], "type": i["type"]}


@without_gc
def chain_coverage(G: nx.Graph, place_id: str) -> dict[str, Any]:
    """Which sectors and links of each industry chain a place covers, and which are gaps.

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.export.to_networkx`.
    place_id : str
        Id of the place.

    Returns
    -------
    dict
        ``place`` (id, name, type) and ``chains``: one entry per chain name, sorted by coverage (best
        first) then name, with ``sectors`` (id, name, ``covered``, the place's ``entities`` in it),
        ``links`` (``upstream``/``downstream`` ids and names, ``status`` covered/partial/gap),
        ``sectors_covered``, ``sectors_total``, ``links_covered``, ``links_total`` and ``coverage``
        (the share of sectors covered, 0..1).

    Example
    -------
    >>> from graph.export import to_networkx
    >>> from graph.model import Entity, GraphData, Relation
    >>> G = to_networkx(GraphData(
    ...     entities=[Entity(id="cn-430000", type="Province", name="Hunan"),
    ...               Entity(id="s:cells", type="Sector", name="Battery Cells"),
    ...               Entity(id="s:storage", type="Sector", name="Energy Storage"),
    ...               Entity(id="c:x", type="Company", name="X")],
    ...     relations=[Relation(source="s:cells", type="PART_OF_CHAIN", target="s:storage", chain="battery"),
    ...                Relation(source="c:x", type="LOCATED_IN", target="cn-430000"),
    ...                Relation(source="c:x", type="SPECIALISES_IN", target="s:cells")]))
    >>> c = chain_coverage(G, "cn-430000")["chains"][0]
    >>> c["chain"], c["coverage"], c["links"][0]["status"], [s["covered"] for s in c["sectors"]]
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
        sectors = sorted({s for pair in pairs for s in pair})
        sector_rows = [
            {
                **_brief(G, s),
                "covered": s in present,
                "entities": [_brief(G, e) for e in present.get(s, [])],
            }
            for s in sectors
        ]
        link_rows = []
        for u, v in sorted(pairs):
            ends = (u in present) + (v in present)
            link_rows.append(
                {
                    "upstream": u,
                    "upstream_name": node_info(G, u)["name"],
                    "downstream": v,
                    "downstream_name": node_info(G, v)["name"],
                    "status": ("gap", "partial", "covered")[ends],
                }
            )
        covered = sum(r["covered"] for r in sector_rows)
        chains.append(
            {
                "chain": chain,
                "sectors": sector_rows,
                "links": link_rows,
                "sectors_covered": covered,
                "sectors_total": len(sectors),
                "links_covered": sum(r["status"] == "covered" for r in link_rows),
                "links_total": len(link_rows),
                "coverage": covered / len(sectors),
            }
        )
    chains.sort(key=lambda c: (-c["coverage"], c["chain"]))
    return {"place": _brief(G, place_id), "chains": chains}


def _cut_points(U: nx.Graph) -> dict[str, int]:
    """Articulation points of an undirected graph, each with the number of pieces its removal leaves."""
    cuts = set(nx.articulation_points(U))
    blocks: Counter[str] = Counter()
    for comp in nx.biconnected_components(U):
        blocks.update(n for n in comp if n in cuts)
    return dict(blocks)


@without_gc
def fragile_links(G: nx.Graph, place_id: str) -> dict[str, Any]:
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
        The graph of :func:`graph.export.to_networkx`.
    place_id : str
        Id of the place.

    Returns
    -------
    dict
        ``place``, ``single_entity_sectors``, ``chain_cut_points``, ``network_cut_points``; cut points are
        sorted by ``pieces`` (most first), then name.

    Example
    -------
    >>> from graph.export import to_networkx
    >>> from graph.model import Entity, GraphData, Relation
    >>> G = to_networkx(GraphData(
    ...     entities=[Entity(id="cn-430000", type="Province", name="Hunan"), Entity(id="c:x", type="Company", name="X")]
    ...     + [Entity(id=f"s:{n}", type="Sector", name=n) for n in "abc"],
    ...     relations=[Relation(source="s:a", type="PART_OF_CHAIN", target="s:b", chain="k"),
    ...                Relation(source="s:b", type="PART_OF_CHAIN", target="s:c", chain="k"),
    ...                Relation(source="c:x", type="LOCATED_IN", target="cn-430000"),
    ...                Relation(source="c:x", type="SPECIALISES_IN", target="s:b")]))
    >>> f = fragile_links(G, "cn-430000")
    >>> [s["id"] for s in f["single_entity_sectors"]], [(c["id"], c["pieces"]) for c in f["chain_cut_points"]]
    (['s:b'], [('s:b', 2)])
    """
    require_node(G, place_id)
    present = place_sectors(G, place_id)
    C = chain_graph(G)
    single = []
    for s, entities in present.items():
        if len(entities) == 1:
            edges = [*C.in_edges(s), *C.out_edges(s)] if s in C else []
            chains = sorted({c for u, v in edges for c in C[u][v]["chains"]})
            single.append({**_brief(G, s), "entity": _brief(G, entities[0]), "chains": chains})
    single.sort(key=lambda r: (not r["chains"], r["name"].casefold(), r["id"]))

    cuts = _cut_points(C.to_undirected(as_view=True))
    chain_cuts = [{**_brief(G, s), "pieces": n, "covered": s in present} for s, n in cuts.items()]

    members = nodes_within(G, place_id) | set(present)
    N = nx.Graph()
    N.add_nodes_from(members)
    for u in members:
        for _, v, t in G.out_edges(u, data="type"):
            if v in members and t in INDUSTRY_RELATIONS:
                N.add_edge(u, v)
    network_cuts = [{**_brief(G, n), "pieces": k} for n, k in _cut_points(N).items()]
    for rows in (chain_cuts, network_cuts):
        rows.sort(key=lambda r: (-r["pieces"], r["name"].casefold(), r["id"]))
    return {
        "place": _brief(G, place_id),
        "single_entity_sectors": single,
        "chain_cut_points": chain_cuts,
        "network_cut_points": network_cuts,
    }
