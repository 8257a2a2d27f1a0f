"""Offline networkx analysis (graph/analysis/): coverage, fragility, key links, communities, paths."""

from __future__ import annotations

from itertools import pairwise

import networkx as nx
import pytest

from graph.analysis.centrality import configured_backends, key_links
from graph.analysis.chains import chain_coverage, fragile_links, place_sectors
from graph.analysis.common import EntityRef, chain_graph, jsonable, nodes_within
from graph.analysis.communities import partnership_communities
from graph.analysis.paths import PathStep, StepRelation, connection_paths
from graph.errors import UnknownEntityError
from graph.model import GraphData
from graph.nxgraph import to_networkx
from tests.support.analysis_graphs import battery_graph, ent, rel


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return to_networkx(battery_graph())


def test_nodes_within_follows_located_in_and_part_of(G) -> None:
    assert nodes_within(G, "cn-430100") == {
        "cn-430100",
        "c:anodeco",
        "base:battery",
        "univ:csu",
        "park:recycling-park",  # PART_OF the base
        "c:recyc",  # LOCATED_IN the park
    }
    assert nodes_within(G, "cn-430100", depth=1) == {"cn-430100", "c:anodeco", "base:battery", "univ:csu"}
    assert "c:recyc" in nodes_within(G, "cn-430000")  # Hunan > Changsha > base > park > RecycleCo
    with pytest.raises(UnknownEntityError):
        nodes_within(G, "cn-999999")


def test_chain_graph(G) -> None:
    C = chain_graph(G)
    assert C.number_of_nodes() == 5 and C.number_of_edges() == 5
    assert C["s:recycling"]["s:cathode"]["chains"] == ["circular"]
    assert C.nodes["s:cells"]["name"] == "Battery Cells"


def test_place_sectors(G) -> None:
    assert place_sectors(G, "cn-430000") == {
        "s:anode": ["c:anodeco"],
        "s:cells": ["base:battery", "c:cellco"],
        "s:recycling": ["c:recyc"],
        "s:storage": ["base:battery"],
    }


def test_chain_coverage(G) -> None:
    result = chain_coverage(G, "cn-430100")
    assert result.place == EntityRef("cn-430100", "City", "Changsha", "长沙市")
    battery, circular = result.chains  # best covered first
    assert (battery.chain, battery.sectors_covered, battery.sectors_total) == ("battery", 4, 5)
    assert (battery.links_covered, battery.links_total, battery.coverage) == (3, 4, 0.8)
    assert [(s.id, s.covered) for s in battery.sectors] == [
        ("s:anode", True),
        ("s:cathode", False),  # the gap: CathCo is in Wuhan
        ("s:cells", True),
        ("s:recycling", True),
        ("s:storage", True),
    ]
    assert battery.sectors[2].entities == (EntityRef("base:battery", "Base", "Changsha Battery Base", None),)
    assert [(lk.upstream, lk.downstream, lk.status) for lk in battery.links] == [
        ("s:anode", "s:cells", "covered"),
        ("s:cathode", "s:cells", "partial"),
        ("s:cells", "s:storage", "covered"),
        ("s:storage", "s:recycling", "covered"),
    ]
    assert (circular.chain, circular.coverage, circular.links[0].status) == ("circular", 0.5, "partial")
    # the JSON of --json keeps the keys of the fields
    plain = jsonable(result)
    assert plain["place"] == {"id": "cn-430100", "type": "City", "name": "Changsha", "name_zh": "长沙市"}
    assert plain["chains"][0]["sectors"][2] == {
        "id": "s:cells",
        "type": "Sector",
        "name": "Battery Cells",
        "name_zh": "电芯",
        "covered": True,
        "entities": [{"id": "base:battery", "type": "Base", "name": "Changsha Battery Base", "name_zh": None}],
    }
    assert plain["chains"][0]["links"][1] == {
        "upstream": "s:cathode",
        "upstream_name": "Cathode Materials",
        "downstream": "s:cells",
        "downstream_name": "Battery Cells",
        "status": "partial",
    }


def test_chain_coverage_of_a_place_with_nothing(G) -> None:
    data = battery_graph()
    data.entities.append(ent("cn-110000", "City", "Beijing"))
    result = chain_coverage(to_networkx(data), "cn-110000")
    assert [c.coverage for c in result.chains] == [0.0, 0.0]
    assert {lk.status for c in result.chains for lk in c.links} == {"gap"}


def test_fragile_links(G) -> None:
    result = fragile_links(G, "cn-430100")
    assert [(s.id, s.entity.id, s.chains) for s in result.single_entity_sectors] == [
        ("s:anode", "c:anodeco", ("battery",)),
        ("s:cells", "base:battery", ("battery",)),
        ("s:recycling", "c:recyc", ("battery", "circular")),
        ("s:storage", "base:battery", ("battery",)),
    ]
    assert result.single_entity_sectors[0].entity == EntityRef("c:anodeco", "Company", "AnodeCo", None)
    # the chain graph is a loop (cells -> storage -> recycling -> cathode -> cells) with anode hanging off cells
    assert [(c.id, c.pieces, c.covered) for c in result.chain_cut_points] == [("s:cells", 2, True)]
    # Changsha's network: CSU - AnodeCo - anode - cells - {base, storage} - recycling - RecycleCo
    assert [(c.id, c.pieces) for c in result.network_cut_points] == [
        ("s:anode", 2),
        ("c:anodeco", 2),
        ("s:cells", 2),
        ("s:recycling", 2),
        ("s:storage", 2),
    ]
    # Hunan has two entities in cells: no longer a single point of failure
    assert "s:cells" not in {s.id for s in fragile_links(G, "cn-430000").single_entity_sectors}
    plain = jsonable(result)
    assert plain["single_entity_sectors"][0]["entity"]["id"] == "c:anodeco"
    assert plain["chain_cut_points"] == [
        {"id": "s:cells", "type": "Sector", "name": "Battery Cells", "name_zh": "电芯", "pieces": 2, "covered": True}
    ]


def test_key_links_exact(G) -> None:
    result = key_links(G, top=5)
    chain = result.chain_graph
    assert (chain.nodes, chain.edges, chain.sampled_k) == (5, 5, None)
    # directed shortest paths through each sector, by hand: cells 6, storage 5, recycling 4, cathode 3, anode 0
    assert [r.id for r in chain.betweenness] == ["s:cells", "s:storage", "s:recycling", "s:cathode", "s:anode"]
    assert chain.betweenness[0].score == pytest.approx(6 / 12)
    # of the 20 ordered pairs' shortest paths, 9 cross cells -> storage and 8 storage -> recycling
    top2 = chain.link_betweenness[:2]
    assert [(r.upstream, r.downstream) for r in top2] == [("s:cells", "s:storage"), ("s:storage", "s:recycling")]
    assert [r.score for r in top2] == pytest.approx([9 / 20, 8 / 20])
    assert top2[0].chains == ("battery",)
    assert chain.pagerank[-1].id == "s:anode"  # nothing flows into the top of the chain
    assert sum(r.score for r in chain.pagerank) == pytest.approx(1.0)
    full = result.full_graph
    assert (full.nodes, full.edges, full.sampled_k) == (16, 25, None)
    assert len(full.betweenness) == 5 and len(full.pagerank) == 5
    assert result.backends == tuple(configured_backends())


def test_key_links_sample_above_the_limit(G) -> None:
    result = key_links(G, top=3, exact_limit=10, samples=4)
    assert result.chain_graph.sampled_k is None  # 5 sectors: under the limit
    assert result.full_graph.sampled_k == 4
    again = key_links(G, top=3, exact_limit=10, samples=4)
    assert again == result  # fixed seed: repeatable
    # automatic: as many samples as the budget allows, at most 64 and never more than the nodes
    assert key_links(G, top=1, exact_limit=10).full_graph.sampled_k == 16
    path = nx.MultiDiGraph(nx.path_graph(3000))
    nx.set_node_attributes(path, "Company", "type")
    assert key_links(path, top=1).full_graph.sampled_k == 64


def test_key_links_on_a_graph_without_chains() -> None:
    g = to_networkx(GraphData(entities=[ent("c:a", "Company", "A")]))
    result = key_links(g)
    assert result.chain_graph.betweenness == () and result.chain_graph.link_betweenness == ()


def two_triangles() -> nx.MultiDiGraph:
    names = {"a": "Ann", "b": "Bo", "c": "Cy", "x": "Xi", "y": "Yu", "z": "Zed"}
    data = GraphData(
        entities=[ent(f"c:{k}", "Company", v) for k, v in names.items()] + [ent("cn-1", "City", "Somewhere")],
        relations=[
            rel(f"c:{u}", "PARTNERS_WITH", f"c:{v}")
            for u, v in [("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")]
        ]
        + [rel("c:a", "LOCATED_IN", "cn-1")],
    )
    return to_networkx(data)


def test_partnership_communities() -> None:
    result = partnership_communities(two_triangles())
    assert result.relations == ("PARTNERS_WITH",)
    assert (result.nodes, result.edges) == (6, 7)
    # members: best connected inside first (all have 2 here), then by name
    assert [[m.id for m in c.members] for c in result.communities] == [
        ["c:a", "c:b", "c:c"],
        ["c:x", "c:y", "c:z"],
    ]
    assert [(c.id, c.size, c.internal_links) for c in result.communities] == [(1, 3, 3), (2, 3, 3)]
    # two triangles and a bridge: Q = 2 * (3/7 - (7/14)^2)
    assert result.modularity == pytest.approx(2 * (3 / 7 - 0.25))
    assert partnership_communities(two_triangles()) == result  # fixed seed: repeatable
    # other relations bring in the entities around the partners
    wider = partnership_communities(two_triangles(), ["PARTNERS_WITH", "LOCATED_IN"])
    assert wider.nodes == 7 and "cn-1" in {m.id for c in wider.communities for m in c.members}


def test_partnership_communities_without_partners(G) -> None:
    empty = partnership_communities(to_networkx(GraphData(entities=[ent("c:a", "Company", "A")])))
    assert (empty.nodes, empty.communities, empty.modularity) == (0, (), 0.0)


def test_connection_paths(G) -> None:
    [best] = connection_paths(G, "univ:csu", "c:storeco", k=1)
    assert best.hops == 3
    assert best.ids == ("univ:csu", "c:anodeco", "c:cellco", "c:storeco")
    assert best.names == ("Central South University", "AnodeCo", "CellCo", "StoreCo")
    # Central South University <-PARTNERS_WITH- AnodeCo <-PARTNERS_WITH- CellCo -PARTNERS_WITH-> StoreCo
    assert [[(r.type, r.direction) for r in step.relations] for step in best.steps] == [
        [("PARTNERS_WITH", "<-")],
        [("PARTNERS_WITH", "<-")],
        [("PARTNERS_WITH", "->")],
    ]
    assert best.steps[0] == PathStep("univ:csu", "c:anodeco", (StepRelation("PARTNERS_WITH", "<-"),))
    assert jsonable(best.steps[0]) == {
        "from_id": "univ:csu",
        "to_id": "c:anodeco",
        "relations": [{"type": "PARTNERS_WITH", "direction": "<-"}],
    }
    paths = connection_paths(G, "univ:csu", "c:storeco", k=3)
    assert [p.hops for p in paths] == [3, 4, 4]
    assert len({p.ids for p in paths}) == 3
    assert all(len(p.steps) == p.hops == len(p.ids) - 1 for p in paths)
    assert all([(s.from_id, s.to_id) for s in p.steps] == list(pairwise(p.ids)) for p in paths)


def test_connection_paths_with_chosen_relations(G) -> None:
    [p] = connection_paths(G, "univ:csu", "c:cathco", k=1, relations=["PARTNERS_WITH"])
    assert p.names == ("Central South University", "AnodeCo", "CellCo", "StoreCo", "CathCo")
    assert {r.type for step in p.steps for r in step.relations} == {"PARTNERS_WITH"}
    assert connection_paths(G, "univ:csu", "c:cathco", relations=["LOCATED_IN"]) == []  # Wuhan is not in Hunan
    [same] = connection_paths(G, "univ:csu", "univ:csu")
    assert (same.hops, same.ids, same.names, same.steps) == (0, ("univ:csu",), ("Central South University",), ())
    with pytest.raises(UnknownEntityError):
        connection_paths(G, "univ:csu", "c:nobody")
    with pytest.raises(ValueError):
        connection_paths(G, "univ:csu", "c:cathco", k=0)


def test_seed_coverage_and_paths(seeded) -> None:
    G = to_networkx(seeded.dump())
    if not {"cn-430000", "cn-420100", "sector:battery-cells", "sector:display-panels"} <= set(G):
        pytest.skip("the seed graph does not have the battery and display chains yet")
    hunan = {c.chain: c for c in chain_coverage(G, "cn-430000").chains}
    cells = {s.id: s for s in hunan["new-energy-battery"].sectors}["sector:battery-cells"]
    assert cells.covered  # doc 001: Hunan's 42 projects include battery projects
    wuhan = {c.chain: c for c in chain_coverage(G, "cn-420100").chains}
    panels = {s.id: s for s in wuhan["chip-display-terminal"].sectors}["sector:display-panels"]
    assert panels.covered  # doc 000: BOE's 10.5-generation line in Wuhan
    best = connection_paths(G, "cn-420100", "cn-420000")[0]  # Wuhan -LOCATED_IN-> Hubei
    assert best.names == ("Wuhan", "Hubei")
    assert best.steps == (PathStep("cn-420100", "cn-420000", (StepRelation("LOCATED_IN", "->"),)),)


def test_parallel_backend_is_switched_by_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.analysis.backends import configure_parallel, configured_backends

    monkeypatch.delenv("INDGRAPH_NX_JOBS", raising=False)
    assert configure_parallel() is False  # nothing asked: nothing changed
    assert configured_backends()[-1] == "networkx"
    monkeypatch.setenv("INDGRAPH_NX_JOBS", "2")
    parallel = getattr(nx.config.backends, "parallel", None)
    if parallel is None:
        assert configure_parallel() is False  # nx-parallel is not installed
        return
    monkeypatch.setattr(parallel, "active", parallel.active)
    monkeypatch.setattr(parallel, "n_jobs", parallel.n_jobs)
    assert configure_parallel() is True
    assert (parallel.active, parallel.n_jobs) == (True, 2)
