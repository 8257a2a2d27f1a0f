"""``--engine gds``: the analyses run inside Neo4j by Graph Data Science agree with networkx on the same graph.

The agreement asked of the two engines (graph/analysis/gds.py explains why it holds):

* PageRank and exact betweenness: the same top-10 in the same order, scores equal to 1e-3 relative (PageRank:
  both iterate to a tolerance; measured 9e-5 on the seed graph) and 1e-9 (betweenness). Scores tied to 9
  digits are compared as a set (either engine may order float noise differently).
* Sampled betweenness: the two engines sample different sources (networkx uniformly, GDS by degree), so
  only the leaders agree: with k of a third of the nodes, the same top node and at least 7 of the top 10.
* Louvain: modularity within 0.02, at the same resolution.
* Paths: the same lengths; the same paths for every length but the longest returned (equally short paths
  may come in another order, so they are compared as sets); the longest length's paths are all real
  simple paths of that length (when more than k tie, each engine may pick others); a path both engines
  return has the same steps, relation types and directions.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from itertools import pairwise

import networkx as nx
import pytest

from graph.analysis.centrality import RankedNode, key_links
from graph.analysis.common import jsonable
from graph.analysis.communities import partnership_communities
from graph.analysis.gds import communities_gds, entity_refs, gds_version, key_links_gds, paths_gds
from graph.analysis.paths import ConnectionPath, PathStep, StepRelation, connection_paths
from graph.errors import ArgumentError, StoreError, UnknownEntityError
from graph.model import GraphData, RelType
from graph.nxgraph import to_networkx
from graph.stores import Store
from graph.stores.neo4j import Neo4jStore
from tests.support.analysis_graphs import battery_graph, ent, rel

pytestmark = pytest.mark.store

MODULARITY_TOLERANCE = 0.02
PAGERANK_REL = 1e-3
TIE_DIGITS = 9


# -- helpers ---------------------------------------------------------------------------------------------
def rounded(value: object) -> object:
    """``value`` with every float cut to 12 significant digits (the precision GDS's rankings keep)."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def tie_groups(ranking: Sequence[RankedNode]) -> list[set[str]]:
    """The ids of a ranking in runs of scores equal to TIE_DIGITS significant digits, in order."""
    groups: list[tuple[float, set[str]]] = []
    for r in ranking:
        key = float(f"{r.score:.{TIE_DIGITS}g}")
        if groups and groups[-1][0] == key:
            groups[-1][1].add(r.id)
        else:
            groups.append((key, {r.id}))
    return [ids for _, ids in groups]


def assert_same_ranking(nx_rank: Sequence[RankedNode], gds_rank: Sequence[RankedNode], rel: float) -> None:
    assert [r.score for r in gds_rank] == pytest.approx([r.score for r in nx_rank], rel=rel, abs=1e-12)
    assert tie_groups(gds_rank) == tie_groups(nx_rank), (
        [(r.id, r.score) for r in nx_rank],
        [(r.id, r.score) for r in gds_rank],
    )


def assert_same_key_links(G: nx.MultiDiGraph, store: Store, top: int = 10) -> None:
    a, b = key_links(G, top), key_links_gds(store, top)
    for part in ("chain_graph", "full_graph"):
        x, y = getattr(a, part), getattr(b, part)
        assert (y.nodes, y.edges, y.sampled_k) == (x.nodes, x.edges, x.sampled_k), part
        assert_same_ranking(x.pagerank, y.pagerank, PAGERANK_REL)
        assert_same_ranking(x.betweenness, y.betweenness, 1e-9)
    assert b.chain_graph.link_betweenness == ()  # no GDS algorithm: networkx only
    assert b.backends == (f"gds {gds_version(store)}",)


def simple_paths_of_length(G: nx.MultiDiGraph, a: str, b: str, hops: int, relations: Sequence[str] | None) -> set:
    U = nx.Graph()
    U.add_nodes_from(G)
    U.add_edges_from((u, v) for u, v, t in G.edges(data="type") if relations is None or t in relations)
    return {tuple(p) for p in nx.all_simple_paths(U, a, b, cutoff=hops) if len(p) == hops + 1}


def assert_same_paths(
    G: nx.MultiDiGraph, store: Store, a: str, b: str, k: int, relations: Sequence[str] | None = None
) -> list[ConnectionPath]:
    x, y = connection_paths(G, a, b, k, relations), paths_gds(store, a, b, k, relations)
    assert [p.hops for p in y] == [p.hops for p in x], (a, b)
    if not x:
        return y
    longest = x[-1].hops
    assert {p.ids for p in y if p.hops < longest} == {p.ids for p in x if p.hops < longest}
    real = simple_paths_of_length(G, a, b, longest, relations)
    assert {p.ids for p in y if p.hops == longest} <= real and len({p.ids for p in y}) == len(y)
    by_ids = {p.ids: p for p in x}
    for p in y:
        if p.ids in by_ids:
            assert p == by_ids[p.ids]  # names, steps, relation types and directions
        assert [(s.from_id, s.to_id) for s in p.steps] == list(pairwise(p.ids))
        assert all(s.relations for s in p.steps)
    return y


def two_triangles() -> GraphData:
    """Two partner triangles a-b-c and x-y-z, joined by c-x; a is located in a city."""
    names = {"a": "Ann", "b": "Bo", "c": "Cy", "x": "Xi", "y": "Yu", "z": "Zed"}
    pairs = [("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")]
    return GraphData(
        entities=[ent(f"c:{k}", "Company", v) for k, v in names.items()] + [ent("cn-1", "City", "Somewhere")],
        relations=[rel(f"c:{u}", "PARTNERS_WITH", f"c:{v}") for u, v in pairs] + [rel("c:a", "LOCATED_IN", "cn-1")],
    )


@pytest.fixture
def seed_graph(neo4j_store: Store, seed_data) -> tuple[nx.MultiDiGraph, Store]:
    """The seed data in Neo4j, and the networkx graph the networkx engine would build from the store."""
    neo4j_store.write(seed_data)
    return to_networkx(neo4j_store.dump()), neo4j_store


# -- key links -------------------------------------------------------------------------------------------
@pytest.mark.neo4j
def test_key_links_agree_on_the_seed_graph(seed_graph) -> None:
    G, store = seed_graph
    assert_same_key_links(G, store)


@pytest.mark.neo4j
def test_key_links_agree_on_a_hand_made_graph(neo4j_store: Store) -> None:
    neo4j_store.write(battery_graph())
    G = to_networkx(battery_graph())
    assert_same_key_links(G, neo4j_store, top=16)  # every node: ties at the cut cannot hide anything
    chain = key_links_gds(neo4j_store, top=5).chain_graph
    # by hand (tests/test_analysis.py): cells 6, storage 5, recycling 4, cathode 3, anode 0 of 12 pairs
    assert [r.id for r in chain.betweenness] == ["s:cells", "s:storage", "s:recycling", "s:cathode", "s:anode"]
    assert chain.betweenness[0].score == pytest.approx(6 / 12)
    assert chain.pagerank[-1].id == "s:anode"  # nothing flows into the top of the chain
    assert sum(r.score for r in chain.pagerank) == pytest.approx(1.0)


@pytest.mark.neo4j
def test_sampled_betweenness_agrees_within_its_tolerance(seed_graph) -> None:
    G, store = seed_graph
    k = G.number_of_nodes() // 3
    a = key_links(G, 10, exact_limit=100, samples=k).full_graph
    b = key_links_gds(store, 10, exact_limit=100, samples=k).full_graph
    assert a.sampled_k == b.sampled_k == k
    assert a.betweenness[0].id == b.betweenness[0].id
    assert len({r.id for r in a.betweenness} & {r.id for r in b.betweenness}) >= 7
    again = key_links_gds(store, 10, exact_limit=100, samples=k).full_graph
    assert again == b  # seeded, on one thread: repeatable


@pytest.mark.neo4j
def test_key_links_without_chains_or_entities(neo4j_store: Store) -> None:
    empty = key_links_gds(neo4j_store)
    assert (empty.chain_graph.nodes, empty.full_graph.nodes, empty.full_graph.pagerank) == (0, 0, ())
    neo4j_store.write(GraphData(entities=[ent("c:a", "Company", "A")]))
    lone = key_links_gds(neo4j_store)
    assert lone.chain_graph.betweenness == () and lone.chain_graph.link_betweenness == ()
    assert [r.id for r in lone.full_graph.pagerank] == ["c:a"] and lone.full_graph.pagerank[0].score == 1.0


# -- communities -----------------------------------------------------------------------------------------
@pytest.mark.neo4j
def test_louvain_modularity_agrees_on_the_seed_graph(seed_graph) -> None:
    G, store = seed_graph
    every = sorted(t.value for t in RelType)
    for rels in (["PARTNERS_WITH"], ["OPERATES", "PARTNERS_WITH", "PART_OF"], every):
        for resolution in (1.0, 2.0):
            a = partnership_communities(G, rels, resolution=resolution)
            b = communities_gds(store, rels, resolution=resolution)
            assert (b.relations, b.nodes, b.edges) == (a.relations, a.nodes, a.edges)
            assert b.modularity == pytest.approx(a.modularity, abs=MODULARITY_TOLERANCE), (rels, resolution)
            members = [m.id for c in b.communities for m in c.members]
            assert sorted(members) == sorted(m.id for c in a.communities for m in c.members)


@pytest.mark.neo4j
def test_louvain_on_a_hand_made_graph(neo4j_store: Store) -> None:
    neo4j_store.write(two_triangles())
    result = communities_gds(neo4j_store)
    expected = partnership_communities(to_networkx(two_triangles()))
    assert result == dataclasses.replace(expected, modularity=result.modularity)  # the very same communities
    assert [[m.id for m in c.members] for c in result.communities] == [["c:a", "c:b", "c:c"], ["c:x", "c:y", "c:z"]]
    assert [(c.id, c.size, c.internal_links) for c in result.communities] == [(1, 3, 3), (2, 3, 3)]
    # two triangles and a bridge: Q = 2 * (3/7 - (7/14)^2)
    assert result.modularity == pytest.approx(2 * (3 / 7 - 0.25))
    wider = communities_gds(neo4j_store, ["PARTNERS_WITH", "LOCATED_IN"])
    assert wider.nodes == 7 and "cn-1" in {m.id for c in wider.communities for m in c.members}
    nothing = communities_gds(neo4j_store, ["OPERATES"])
    assert (nothing.nodes, nothing.edges, nothing.communities, nothing.modularity) == (0, 0, (), 0.0)


# -- paths -----------------------------------------------------------------------------------------------
@pytest.mark.neo4j
def test_paths_agree_on_the_seed_graph(seed_graph) -> None:
    G, store = seed_graph
    [best, *_] = assert_same_paths(G, store, "univ:wuhan-university", "cn-420000", 3)
    assert best.hops == 5 and best.steps[0].relations == (StepRelation("PARTNERS_WITH", "<-"),)
    pairs = [
        ("cn-420100", "cn-420000"),
        ("base:national-cybersecurity-base", "sector:cybersecurity"),
        ("univ:hust", "country:cn"),
        ("sector:battery-cells", "sector:display-panels"),
    ]
    for a, b in pairs:
        assert_same_paths(G, store, a, b, 4)
        assert_same_paths(G, store, a, b, 2, ["LOCATED_IN", "PART_OF", "PARTNERS_WITH"])


@pytest.mark.neo4j
def test_paths_on_a_hand_made_graph(neo4j_store: Store) -> None:
    neo4j_store.write(battery_graph())
    G = to_networkx(battery_graph())
    [best] = paths_gds(neo4j_store, "univ:csu", "c:storeco", k=1)
    assert best.ids == ("univ:csu", "c:anodeco", "c:cellco", "c:storeco")
    assert best.names == ("Central South University", "AnodeCo", "CellCo", "StoreCo")
    assert best.steps[0] == PathStep("univ:csu", "c:anodeco", (StepRelation("PARTNERS_WITH", "<-"),))
    assert [r.direction for s in best.steps for r in s.relations] == ["<-", "<-", "->"]
    assert [p.hops for p in assert_same_paths(G, neo4j_store, "univ:csu", "c:storeco", 3)] == [3, 4, 4]
    assert_same_paths(G, neo4j_store, "univ:csu", "c:cathco", 1, ["PARTNERS_WITH"])
    assert paths_gds(neo4j_store, "univ:csu", "c:cathco", relations=["LOCATED_IN"]) == []  # Wuhan is not in Hunan
    [same] = paths_gds(neo4j_store, "univ:csu", "univ:csu")
    assert (same.hops, same.ids, same.names, same.steps) == (0, ("univ:csu",), ("Central South University",), ())
    with pytest.raises(UnknownEntityError):
        paths_gds(neo4j_store, "univ:csu", "c:nobody")
    with pytest.raises(ArgumentError):
        paths_gds(neo4j_store, "univ:csu", "c:cathco", k=0)
    assert entity_refs(neo4j_store, ["c:cellco", "c:nobody"])["c:cellco"].name_zh == "电芯公司"


@pytest.mark.neo4j
def test_projections_are_dropped(neo4j_store: Store) -> None:
    neo4j_store.write(battery_graph())
    key_links_gds(neo4j_store)
    communities_gds(neo4j_store, resolution=1.5)
    paths_gds(neo4j_store, "univ:csu", "c:storeco")
    with pytest.raises(StoreError, match="Neo4j refused a Graph Data Science call"):
        communities_gds(neo4j_store, concurrency=-1)  # GDS refuses the config after the projection
    left = neo4j_store.query("CALL gds.graph.list() YIELD graphName RETURN graphName").rows
    assert left == []


def test_the_gds_engine_needs_neo4j(falkor_store: Store) -> None:
    for call in (
        lambda: key_links_gds(falkor_store),
        lambda: communities_gds(falkor_store),
        lambda: paths_gds(falkor_store, "a", "b"),
    ):
        with pytest.raises(ArgumentError, match="inside Neo4j"):
            call()


# -- the CLI ---------------------------------------------------------------------------------------------
def test_cli_communities_with_gds(cli, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.write(two_triangles())

    def no_dump(self: Store) -> GraphData:
        raise AssertionError("--engine gds must not export the graph")

    monkeypatch.setattr(type(store), "dump", no_dump)
    r = cli("analyse", "communities", "--engine", "gds")
    if store.dialect == "falkordb":
        assert r.exit_code == 2
        assert r.stdout == ""
        assert r.stderr.strip().splitlines() == [
            "error: --engine gds runs inside Neo4j with Graph Data Science; the falkordb store has none: "
            "use --store neo4j, or --engine networkx"
        ]
        return
    assert r.exit_code == 0, r.stderr
    assert "communities over PARTNERS_WITH: 6 entities, modularity 0.36" in r.stdout
    assert "Ann, Bo, Cy" in r.stdout and "Xi, Yu, Zed" in r.stdout
    assert "computed inside Neo4j by Graph Data Science: Louvain" in r.stdout


@pytest.mark.neo4j
@pytest.mark.parametrize("store", ["neo4j"], indirect=True)
def test_cli_key_links_and_path_with_gds(store: Store, cli, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    store.write(battery_graph())
    networkx = cli("analyse", "path", "CSU", "StoreCo", "-k", "1")
    monkeypatch.setattr(Neo4jStore, "dump", lambda self: pytest.fail("--engine gds must not export the graph"))
    gds = cli("analyse", "path", "CSU", "StoreCo", "-k", "1", "--engine", "gds")
    assert gds.exit_code == networkx.exit_code == 0, gds.stderr
    assert gds.stdout == networkx.stdout  # the same path, table and words
    assert "Central South University <-PARTNERS_WITH- AnodeCo" in gds.stdout

    out = tmp_path / "k.json"
    r = cli("analyse", "key-links", "--engine", "gds", "--top", "3", "--json", str(out))
    assert r.exit_code == 0, r.stderr
    assert "chain graph: 5 sectors on chains, 5 links" in r.stdout
    assert "link betweenness: not in Graph Data Science; --engine networkx computes it" in r.stdout
    # GDS adds up betweenness on several threads, so the last digits of a score vary from run to run
    assert rounded(json.loads(out.read_text(encoding="utf-8"))) == rounded(jsonable(key_links_gds(store, 3)))

    graph_file = tmp_path / "g.json"
    graph_file.write_text("{}", encoding="utf-8")
    r = cli("analyse", "communities", "--engine", "gds", "--graph", str(graph_file))
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        "error: --engine gds runs inside Neo4j and cannot read --graph FILE; use --engine networkx"
    ]


def test_a_neo4j_without_gds_is_named() -> None:
    from graph.analysis.gds import _no_gds

    class ServerError(Exception):  # what _no_gds reads of a neo4j.exceptions.Neo4jError
        def __init__(self, code: str, message: str) -> None:
            super().__init__(message)
            self.code, self.message = code, message

    assert _no_gds(ServerError("Neo.ClientError.Statement.SyntaxError", "Unknown function 'gds.version' (line 1)"))
    assert _no_gds(
        ServerError(
            "Neo.ClientError.Procedure.ProcedureNotFound",
            "There is no procedure with the name `gds.graph.drop` registered for this database instance.",
        )
    )
    assert not _no_gds(ServerError("Neo.ClientError.Procedure.ProcedureCallFailed", "Failed to invoke `gds.louvain`"))
