"""The sector hierarchy followed, empty answers explained, noisy links left out, chain players by step:
exact answers worked out by hand, on networkx and on both stores."""

from __future__ import annotations

from typing import Any

import pytest

from graph.analysis.chainview import GraphView, StoreView
from graph.analysis.gaps import chain_players
from graph.analysis.neighbours import NeighbourReport, neighbours, store_neighbours
from graph.model import GraphData, Relation
from graph.nxgraph import to_networkx
from loaders.templates import ChainTemplate
from tests.support.analysis_graphs import ent, rel


def chips_graph() -> GraphData:
    """Memory Chips is PART_OF Chips; Chips -> Displays -> Terminals (chain ``cdt``).

    base:memory (in Wuhan) specialises in Memory Chips; c:panel (Wuhan) in Displays; c:phone (Shenzhen)
    in Phones, which is PART_OF Terminals; c:ic (Shenzhen) in Chips. ChainKnowledgeGraph-like links:
    ckg:egg -> Displays is a recipe link, ckg:ind-a -> Displays an industry link of weight 1 and
    ckg:ind-b -> Displays one of weight 5.
    """
    entities = [
        ent("cn-420100", "City", "Wuhan", "武汉市"),
        ent("cn-440300", "City", "Shenzhen", "深圳市"),
        ent("s:chips", "Sector", "Chips", "芯片"),
        ent("s:memory", "Sector", "Memory Chips", "存储芯片"),
        ent("s:displays", "Sector", "Displays", "显示面板"),
        ent("s:terminals", "Sector", "Terminals", "智能终端"),
        ent("s:phones", "Sector", "Phones", "手机"),
        ent("ckg:egg", "Sector", "Egg", "鸡蛋"),
        ent("ckg:ind-a", "Sector", "Industry A"),
        ent("ckg:ind-b", "Sector", "Industry B"),
        ent("base:memory", "Base", "Memory Base"),
        ent("c:panel", "Company", "Panel Co"),
        ent("c:phone", "Company", "Phone Co"),
        ent("c:ic", "Company", "IC Co"),
        ent("univ:x", "University", "Some University"),
    ]
    relations = [
        rel("s:memory", "PART_OF", "s:chips"),
        rel("s:phones", "PART_OF", "s:terminals"),
        rel("s:chips", "PART_OF_CHAIN", "s:displays", "cdt"),
        rel("s:displays", "PART_OF_CHAIN", "s:terminals", "cdt"),
        rel("ckg:egg", "PART_OF_CHAIN", "s:displays", "chainkg-recipe"),
        Relation(source="ckg:ind-a", type="PART_OF_CHAIN", target="s:displays", chain="chainkg-industry", weight=1),
        Relation(source="ckg:ind-b", type="PART_OF_CHAIN", target="s:displays", chain="chainkg-industry", weight=5),
        rel("base:memory", "SPECIALISES_IN", "s:memory"),
        rel("base:memory", "LOCATED_IN", "cn-420100"),
        rel("c:panel", "SPECIALISES_IN", "s:displays"),
        rel("c:panel", "LOCATED_IN", "cn-420100"),
        Relation(source="c:phone", type="SPECIALISES_IN", target="s:phones", weight=0.8),
        rel("c:phone", "LOCATED_IN", "cn-440300"),
        Relation(source="c:ic", type="SPECIALISES_IN", target="s:chips", weight=0.3),
        rel("c:ic", "LOCATED_IN", "cn-440300"),
        rel("univ:x", "LOCATED_IN", "cn-420100"),
    ]
    return GraphData(entities=entities, relations=relations)


@pytest.fixture
def engine(engine_store: Any):
    """``(neighbours_of(entity, ...), view)`` over :func:`chips_graph` for one engine."""
    data = chips_graph()
    if engine_store is None:
        G = to_networkx(data)
        return (lambda *a, **kw: neighbours(G, *a, **kw)), GraphView(G)
    store = engine_store
    store.write(data)
    return (lambda *a, **kw: store_neighbours(store, *a, **kw)), StoreView(store)


def rows(report: NeighbourReport) -> list[tuple[str, int, str, tuple[str, ...]]]:
    return [(r.direction, r.hops, r.id, r.path_ids) for r in report.rows]


def test_downstream_of_the_memory_base_goes_through_chips(engine: Any) -> None:
    find, _ = engine
    report = find("base:memory", "down", 2)
    assert rows(report) == [
        ("down", 1, "s:displays", ("base:memory", "s:memory", "s:chips", "s:displays")),
        ("down", 1, "c:panel", ("base:memory", "s:memory", "s:chips", "s:displays", "c:panel")),
        ("down", 2, "s:terminals", ("base:memory", "s:memory", "s:chips", "s:displays", "s:terminals")),
        # Phone Co works in Phones, a kind of Terminals: the path goes down the hierarchy to it
        (
            "down",
            2,
            "c:phone",
            ("base:memory", "s:memory", "s:chips", "s:displays", "s:terminals", "s:phones", "c:phone"),
        ),
    ]
    assert report.rows[0].path == ("Memory Base", "Memory Chips", "Chips", "Displays")
    assert report.note is None and report.left_out == {}


def test_upstream_of_displays_leaves_out_recipes_and_weak_links_and_counts_them(engine: Any) -> None:
    find, _ = engine
    report = find("s:displays", "up", 1)
    assert rows(report) == [
        ("up", 1, "s:chips", ("s:displays", "s:chips")),
        ("up", 1, "ckg:ind-b", ("s:displays", "ckg:ind-b")),
        ("up", 1, "c:ic", ("s:displays", "s:chips", "c:ic")),
        # base:memory works in Memory Chips, a kind of Chips
        ("up", 1, "base:memory", ("s:displays", "s:chips", "s:memory", "base:memory")),
    ]
    assert report.left_out == {"links below weight 3": 1, "recipe-ingredient links": 1}
    everything = find("s:displays", "up", 1, include_recipes=True, min_weight=0)
    assert {r.id for r in everything.rows} - {r.id for r in report.rows} == {"ckg:egg", "ckg:ind-a"}
    assert everything.left_out == {}
    only_cdt = find("s:displays", "up", 1, chain="cdt")
    assert [r.id for r in only_cdt.rows] == ["s:chips", "c:ic", "base:memory"]


def test_empty_answers_say_why(engine: Any) -> None:
    find, _ = engine
    assert find("univ:x").note == (
        "Some University works in no sector (it has no SPECIALISES_IN link), so it has no chain neighbours"
    )
    assert find("s:chips", "up").note == ("no upstream chain link from Chips or the sectors they are part of")
    report = find("s:terminals", "up", 1, within="cn-440300", types="company")
    assert report.rows == () and report.note == "1 linked sector, but nothing within Shenzhen works in it"
    assert (
        find("s:displays", "up", 1, types="university").note == "2 linked sectors, but nothing of the types asked for"
    )


def test_chain_players_by_step_in_a_place(engine: Any) -> None:
    _, view = engine
    t = ChainTemplate.model_validate(
        {
            "id": "cdt",
            "name": "Chips to terminals",
            "name_zh": "芯片到终端",
            "layout": "chain",
            "source": {"doc": "ref:test"},
            "steps": [
                {"id": s, "stage": i, "name": s, "name_zh": s, "sectors": [x], "source": {"doc": "ref:test"}}
                for i, (s, x) in enumerate(
                    [("chips", "s:chips"), ("displays", "s:displays"), ("terminals", "s:terminals")], 1
                )
            ],
        }
    )
    wuhan = chain_players(view, t, "cn-420100")
    assert [(s.id, s.status, [p.id for p in s.players]) for s in wuhan.steps] == [
        ("chips", "weak", ["base:memory"]),
        ("displays", "weak", ["c:panel"]),
        ("terminals", "missing", []),
    ]
    assert wuhan.steps[0].players[0].sector == "s:memory"
    assert [p.name for p in wuhan.steps[0].players[0].places] == ["Wuhan"]
    anywhere = chain_players(view, t)
    # most central first: IC Co (weight 0.3) before Memory Base (no weight)
    assert [p.id for p in anywhere.steps[0].players] == ["c:ic", "base:memory"]
    assert [(p.id, p.sector, p.weight) for p in anywhere.steps[2].players] == [("c:phone", "s:phones", 0.8)]
