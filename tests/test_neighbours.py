"""Supply-chain neighbours: exact answers on a hand-made graph, Cypher == networkx on random graphs, the seed graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.analysis.common import EntityRef
from graph.analysis.neighbours import MAX_STORE_HOPS, Neighbour, NeighbourReport, neighbours, store_neighbours
from graph.errors import UnknownEntityError
from graph.model import Entity, GraphData
from graph.nxgraph import to_networkx
from tests.support.analysis_graphs import battery_graph, ent, rel

SEED_DIR = Path(__file__).resolve().parent.parent / "data" / "seed"


def brief(rows: tuple[Neighbour, ...]) -> list[tuple[str, int, str]]:
    return [(r.direction, r.hops, r.id) for r in rows]


@pytest.fixture
def report(engine_store: Any):
    """``report(data, entity, ...)``: the :class:`NeighbourReport` of one implementation over ``data``."""

    def by_networkx(data: GraphData, *args: Any, **kw: Any) -> NeighbourReport:
        return neighbours(to_networkx(data), *args, **kw)

    if engine_store is None:
        return by_networkx
    store = engine_store

    def by_store(data: GraphData, *args: Any, **kw: Any) -> NeighbourReport:
        store.clear()
        store.write(data)
        return store_neighbours(store, *args, **kw)

    return by_store


@pytest.fixture
def find(report):
    """``find(data, entity, ...)``: the neighbour rows of one implementation over ``data``."""
    return lambda *args, **kw: report(*args, **kw).rows


# -- exact answers ----------------------------------------------------------------------------------------
def test_sector_both_directions(find) -> None:
    rows = find(battery_graph(), "s:cells", "both", 2)
    assert brief(rows) == [
        ("up", 1, "s:anode"),
        ("up", 1, "s:cathode"),
        ("up", 1, "c:anodeco"),
        ("up", 1, "c:cathco"),
        ("up", 2, "s:recycling"),  # cells <- cathode <- recycling (the circular chain)
        ("up", 2, "c:recyc"),
        ("down", 1, "s:storage"),
        ("down", 1, "base:battery"),  # also works in cells itself, but is listed for storage
        ("down", 1, "c:storeco"),
        ("down", 2, "s:recycling"),  # the same sector once per direction
        ("down", 2, "c:recyc"),
    ]
    by_key = {(r.direction, r.id): r for r in rows}
    assert by_key["up", "c:recyc"].path == ("Battery Cells", "Cathode Materials", "Battery Recycling", "RecycleCo")
    assert by_key["up", "c:recyc"].path_ids == ("s:cells", "s:cathode", "s:recycling", "c:recyc")
    assert by_key["down", "s:recycling"].path_ids == ("s:cells", "s:storage", "s:recycling")
    assert by_key["down", "s:storage"] == Neighbour(
        id="s:storage",
        type="Sector",
        name="Energy Storage",
        name_zh="储能",
        direction="down",
        hops=1,
        path=("Battery Cells", "Energy Storage"),
        path_ids=("s:cells", "s:storage"),
    )


def test_more_hops_go_round_the_loop(find) -> None:
    rows = find(battery_graph(), "s:cells", "both", 3)
    hop3 = [(d, i) for d, h, i in brief(rows) if h == 3]
    # upstream: cells <- cathode <- recycling <- storage; downstream: cells -> storage -> recycling -> cathode
    assert hop3 == [
        ("up", "s:storage"),
        ("up", "base:battery"),
        ("up", "c:storeco"),
        ("down", "s:cathode"),
        ("down", "c:cathco"),
    ]


def test_one_direction(find) -> None:
    assert brief(find(battery_graph(), "s:cells", "down", 1)) == [
        ("down", 1, "s:storage"),
        ("down", 1, "base:battery"),
        ("down", 1, "c:storeco"),
    ]
    assert [r.id for r in find(battery_graph(), "s:cells", "UPSTREAM", 1)] == [
        "s:anode",
        "s:cathode",
        "c:anodeco",
        "c:cathco",
    ]


def test_entity_goes_through_its_sectors(find) -> None:
    rows = find(battery_graph(), "c:cellco", "both", 1)
    assert brief(rows) == [
        ("up", 1, "s:anode"),
        ("up", 1, "s:cathode"),
        ("up", 1, "c:anodeco"),
        ("up", 1, "c:cathco"),
        ("down", 1, "s:storage"),
        ("down", 1, "base:battery"),
        ("down", 1, "c:storeco"),
    ]
    assert rows[2].path == ("CellCo", "Battery Cells", "Anode Materials", "AnodeCo")
    assert rows[2].path_ids == ("c:cellco", "s:cells", "s:anode", "c:anodeco")


def test_entity_with_two_sectors_and_no_peers(find) -> None:
    # base:battery works in cells and storage: both are hop 0, so cells -> storage is not a result, and
    # CellCo (a peer in cells) is not a neighbour
    rows = find(battery_graph(), "base:battery", "both", 1)
    assert brief(rows) == [
        ("up", 1, "s:anode"),
        ("up", 1, "s:cathode"),
        ("up", 1, "c:anodeco"),
        ("up", 1, "c:cathco"),
        ("down", 1, "s:recycling"),
        ("down", 1, "c:recyc"),
    ]
    assert rows[-1].path == ("Changsha Battery Base", "Energy Storage", "Battery Recycling", "RecycleCo")


def test_the_report_names_the_start_and_the_place(report) -> None:
    found = report(battery_graph(), "c:cellco", "up", 1, within="cn-430000")
    assert found.start == EntityRef("c:cellco", "Company", "CellCo", "电芯公司")
    assert found.within == EntityRef("cn-430000", "Province", "Hunan", "湖南省")
    assert [r.id for r in found.rows] == ["s:anode", "c:anodeco"]
    sector = report(battery_graph(), "s:cells", "down", 1)
    assert (sector.start, sector.within) == (EntityRef("s:cells", "Sector", "Battery Cells", "电芯"), None)


def test_within_a_place(find) -> None:
    # Changsha holds AnodeCo, the battery base, its recycling park and RecycleCo in that park
    rows = find(battery_graph(), "s:cells", "both", 2, within="cn-430100")
    assert brief(rows) == [
        ("up", 1, "s:anode"),
        ("up", 1, "c:anodeco"),
        ("up", 2, "s:recycling"),  # kept: RecycleCo is in Changsha; cathode (CathCo, Wuhan) is not
        ("up", 2, "c:recyc"),
        ("down", 1, "s:storage"),  # kept through the battery base, though StoreCo is in Wuhan
        ("down", 1, "base:battery"),
        ("down", 2, "s:recycling"),
        ("down", 2, "c:recyc"),
    ]
    # the path still crosses a sector the place does not have
    assert rows[3].path_ids == ("s:cells", "s:cathode", "s:recycling", "c:recyc")


def test_within_counts_the_place_itself_and_nested_places(find) -> None:
    data = battery_graph()
    data = GraphData(entities=data.entities, relations=[*data.relations, rel("cn-430100", "SPECIALISES_IN", "s:anode")])
    ids = [r.id for r in find(data, "c:cellco", "up", 1, within="cn-430000")]
    # Hunan contains Changsha (and so AnodeCo); Changsha itself works in anode materials
    assert ids == ["s:anode", "c:anodeco", "cn-430100"]


def test_types_filter(find) -> None:
    rows = find(battery_graph(), "s:cells", "both", 2, types="company")
    assert brief(rows) == [
        ("up", 1, "c:anodeco"),
        ("up", 1, "c:cathco"),
        ("up", 2, "c:recyc"),
        ("down", 1, "c:storeco"),
        ("down", 2, "c:recyc"),
    ]
    assert [r.id for r in find(battery_graph(), "s:cells", "down", 1, types=["BASE", "sector"])] == [
        "s:storage",
        "base:battery",
    ]


def test_shortest_path_ties_go_to_the_smallest_ids(find) -> None:
    data = GraphData(
        entities=[ent(i, "Sector", n) for i, n in [("s:x", "X"), ("s:b", "B"), ("s:a", "A"), ("s:t", "T")]]
        + [ent("c:f", "Company", "F")],
        relations=[
            rel("s:x", "PART_OF_CHAIN", "s:b", "k"),
            rel("s:b", "PART_OF_CHAIN", "s:t", "k"),
            rel("s:x", "PART_OF_CHAIN", "s:a", "k2"),
            rel("s:a", "PART_OF_CHAIN", "s:t", "k2"),
            rel("c:f", "SPECIALISES_IN", "s:b"),
            rel("c:f", "SPECIALISES_IN", "s:a"),
        ],
    )
    rows = {r.id: r for r in find(data, "s:x", "down", 2)}
    assert rows["s:t"].path_ids == ("s:x", "s:a", "s:t")
    assert rows["c:f"].path_ids == ("s:x", "s:a", "c:f")
    up = {r.id: r for r in find(data, "s:t", "up", 2)}
    assert up["s:x"].path_ids == ("s:t", "s:a", "s:x")


def test_nothing_to_find(find) -> None:
    assert find(battery_graph(), "univ:csu") == ()  # no sectors
    assert find(battery_graph(), "s:anode", "up") == ()  # the top of the chain


def test_bad_arguments(find) -> None:
    with pytest.raises(UnknownEntityError):
        find(battery_graph(), "c:nobody")
    with pytest.raises(UnknownEntityError):
        find(battery_graph(), "s:cells", within="cn-999999")
    with pytest.raises(ValueError, match="direction"):
        find(battery_graph(), "s:cells", "sideways")
    with pytest.raises(ValueError, match="hops"):
        find(battery_graph(), "s:cells", "up", 0)
    with pytest.raises(ValueError, match="unknown entity type"):
        find(battery_graph(), "s:cells", types="factory")


def test_store_hop_limit(store) -> None:
    store.write(battery_graph())
    with pytest.raises(ValueError, match=f"at most {MAX_STORE_HOPS}"):
        store_neighbours(store, "s:cells", hops=MAX_STORE_HOPS + 1)
    # networkx has no such limit
    assert len(neighbours(to_networkx(battery_graph()), "s:cells", hops=MAX_STORE_HOPS + 1).rows) > 0


# -- two implementations, one answer ------------------------------------------------------------------------
PLACES = [
    ent("p0", "Province", "Province Zero"),
    ent("c0", "City", "City Zero"),
    ent("c1", "City", "City One"),
    ent("d0", "District", "District Zero"),
]
PLACE_TREE = [rel("c0", "LOCATED_IN", "p0"), rel("c1", "LOCATED_IN", "p0"), rel("d0", "LOCATED_IN", "c0")]
PLAYER_TYPES = ["Company", "University", "Organization", "Base", "Park", "Project"]
NAMES = st.sampled_from(["Alpha", "beta", "Gamma", "delta", "电芯", "储能"])


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[GraphData, int, str | None, str | None]:
    """A random model graph: sectors with chain links (cycles allowed), players in a place tree, and a query."""
    n = draw(st.integers(1, 7))
    sectors = [Entity(id=f"s{i}", type="Sector", name=draw(NAMES)) for i in range(n)]
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(["k1", "k2"]))
    links = sorted({(a, b, k) for a, b, k in draw(st.lists(pairs, max_size=14)) if a != b})
    relations = list(PLACE_TREE) + [rel(f"s{a}", "PART_OF_CHAIN", f"s{b}", k) for a, b, k in links]
    entities = list(PLACES) + sectors
    sites: list[str] = []
    for i in range(draw(st.integers(0, 8))):
        etype = draw(st.sampled_from(PLAYER_TYPES))
        eid = f"e{i}"
        entities.append(Entity(id=eid, type=etype, name=draw(NAMES)))
        where = draw(st.sampled_from([None, "p0", "c0", "c1", "d0", *sites]))
        if where:
            relations.append(rel(eid, "LOCATED_IN", where))
        relations += [
            rel(eid, "SPECIALISES_IN", f"s{s}") for s in sorted(draw(st.sets(st.integers(0, n - 1), max_size=3)))
        ]
        if etype in ("Base", "Park"):
            sites.append(eid)
    for place, s in sorted(
        draw(st.sets(st.tuples(st.sampled_from(["p0", "c0", "d0"]), st.integers(0, n - 1)), max_size=2))
    ):
        relations.append(rel(place, "SPECIALISES_IN", f"s{s}"))
    hops = draw(st.integers(1, 3))
    within = draw(st.sampled_from([None, None, "p0", "c0", "c1", "d0", *sites]))
    types = draw(st.sampled_from([None, None, "Sector", "company,base", "Park,Sector,City"]))
    return GraphData(entities=entities, relations=relations), hops, within, types


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=random_graphs())
def test_cypher_and_networkx_agree(store, case: tuple[GraphData, int, str | None, str | None]) -> None:
    data, hops, within, types = case
    store.clear()
    store.write(data)
    G = to_networkx(store.dump())  # the networkx side sees what the store holds
    starts = [e.id for e in data.entities if e.type == "Sector" or e.id.startswith("e")]
    for start in starts:
        expected = neighbours(G, start, "both", hops, within, types)
        got = store_neighbours(store, start, "both", hops, within, types)
        assert got == expected, f"start {start}, hops {hops}, within {within}, types {types}"


# -- the seed graph -----------------------------------------------------------------------------------------
@pytest.fixture
def seed_graph(seeded):
    if not (SEED_DIR / "chains.yaml").is_file():
        pytest.skip("data/seed/chains.yaml is not written yet")
    return seeded, to_networkx(seeded.dump())


def test_seed_battery_cells(seed_graph) -> None:
    store, G = seed_graph
    for needed in (
        "sector:battery-cells",
        "sector:anode-materials",
        "sector:cathode-materials",
        "sector:energy-storage",
    ):
        if needed not in G:
            pytest.skip(f"the seed graph has no {needed} yet")
    report = store_neighbours(store, "sector:battery-cells", "both", 2)
    assert report == neighbours(G, "sector:battery-cells", "both", 2)
    assert (report.start.id, report.start.name, report.within) == ("sector:battery-cells", "Battery Cells", None)
    found = {(r.direction, r.id): r for r in report.rows}
    assert found["up", "sector:cathode-materials"].hops == 1
    assert found["up", "sector:anode-materials"].hops == 1
    assert found["down", "sector:energy-storage"].path == ("Battery Cells", "Energy Storage")
    if "sector:battery-recycling" in G:
        assert found["down", "sector:battery-recycling"].hops == 2


def test_seed_every_entity_agrees(seed_graph) -> None:
    store, G = seed_graph
    starts = sorted(n for n, t in G.nodes(data="type") if t == "Sector" or G.out_degree(n))
    for start in starts:
        assert store_neighbours(store, start, "both", 2) == neighbours(G, start, "both", 2), start
