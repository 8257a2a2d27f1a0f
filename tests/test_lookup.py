"""Entity lookup (graph/lookup.py): the same rules against the real store and against networkx."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.cypherlib import library
from graph.lookup import (
    AmbiguousEntityError,
    GraphResolver,
    UnknownEntityError,
    normalise_types,
    resolve,
    resolve_params,
)
from graph.model import GraphData
from graph.nxgraph import to_networkx
from tests.support.analysis_graphs import battery_graph, ent, rel


def lookup_graph() -> GraphData:
    data = battery_graph()
    extra = [
        # two entities share a name: lookup must refuse to choose
        ent("c:phoenix-a", "Company", "Phoenix Materials"),
        ent("c:phoenix-b", "Company", "Phoenix Materials"),
        # a name that is another entity's id: the id wins
        ent("org:cellco-alias", "Organization", "c:cellco"),
        # ids differing only in case: the exact-case one wins
        ent("org:ABC", "Organization", "ABC Upper"),
        ent("org:abc", "Organization", "abc lower"),
        # a sector and a base with the same alias, told apart by type
        ent("s:memory", "Sector", "Memory Chips", aliases=["Memory"]),
        ent("base:memory", "Base", "National Memory Base", aliases=["Memory"]),
    ]
    return GraphData(
        entities=data.entities + extra,
        relations=[*data.relations, rel("c:phoenix-a", "LOCATED_IN", "cn-430100")],
    )


@pytest.fixture
def source(engine_store):
    """The lookup graph, behind a store or as a networkx graph."""
    data = lookup_graph()
    if engine_store is None:
        return to_networkx(data)
    engine_store.write(data)
    return engine_store


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cn-430100", "cn-430100"),  # id
        ("CN-430100", "cn-430100"),  # id, case ignored
        ("  Changsha  ", "cn-430100"),  # name, whitespace ignored
        ("changsha", "cn-430100"),
        ("长沙市", "cn-430100"),  # Chinese name
        ("hunan province", "cn-430000"),  # alias
        ("mattery CELLS", "s:cells"),
        ("中南大学", "univ:csu"),
        ("c:cellco", "c:cellco"),  # an id beats another entity's name
        ("org:ABC", "org:ABC"),  # exact-case id beats a case-folded one
        ("org:abc", "org:abc"),
    ],
)
def test_resolve_finds_one(source, text: str, expected: str) -> None:
    assert resolve(source, text) == expected


def test_ambiguous_name_lists_candidates(source) -> None:
    with pytest.raises(AmbiguousEntityError) as info:
        resolve(source, "phoenix materials")
    assert sorted(c.id for c in info.value.candidates) == ["c:phoenix-a", "c:phoenix-b"]
    message = str(info.value)
    assert "c:phoenix-a (Company) Phoenix Materials, in Changsha" in message
    assert "c:phoenix-b (Company) Phoenix Materials" in message


def test_ids_differing_by_case_only_are_ambiguous_without_exact_case(source) -> None:
    with pytest.raises(AmbiguousEntityError) as info:
        resolve(source, "ORG:Abc")
    assert sorted(c.id for c in info.value.candidates) == ["org:ABC", "org:abc"]


def test_types_tell_same_names_apart(source) -> None:
    with pytest.raises(AmbiguousEntityError):
        resolve(source, "memory")
    assert resolve(source, "memory", types=["sector"]) == "s:memory"
    assert resolve(source, "Memory", types="BASE") == "base:memory"


def test_right_name_wrong_type_says_whose_name_it_is(source) -> None:
    with pytest.raises(UnknownEntityError) as info:
        resolve(source, "Changsha", types=["Sector"])
    assert "no entity of type Sector is called 'Changsha'" in str(info.value)
    assert [c.id for c in info.value.candidates] == ["cn-430100"]


def test_unknown_name_suggests_substrings_and_close_spellings(source) -> None:
    with pytest.raises(UnknownEntityError) as info:
        resolve(source, "recycl")
    ids = [c.id for c in info.value.candidates]
    assert {"s:recycling", "c:recyc", "park:recycling-park"} <= set(ids)
    assert "did you mean" in str(info.value)
    with pytest.raises(UnknownEntityError) as info:
        resolve(source, "Changhsa")  # a typo: difflib finds it
    assert [c.id for c in info.value.candidates][:1] == ["cn-430100"]
    with pytest.raises(UnknownEntityError) as info:
        resolve(source, "recyclnig")  # a typo of one word of longer names
    assert {"s:recycling", "park:recycling-park"} <= {c.id for c in info.value.candidates}


def test_unknown_name_with_nothing_near(source) -> None:
    with pytest.raises(UnknownEntityError) as info:
        resolve(source, "zzzzqqqq")
    assert info.value.candidates == []
    assert str(info.value) == "no entity is called 'zzzzqqqq'"


def test_blank_text_is_refused(source) -> None:
    with pytest.raises(UnknownEntityError):
        resolve(source, "   ")


def test_graph_resolver_is_reusable() -> None:
    r = GraphResolver(to_networkx(lookup_graph()))
    assert [resolve(r, t) for t in ("Wuhan City", "武汉市", "cn-420100")] == ["cn-420100"] * 3


def test_plain_graph_without_optional_attributes() -> None:
    g = nx.MultiDiGraph()
    g.add_node("x:1", type="Company", name="Only Name")
    assert resolve(g, "only name") == "x:1"


def test_normalise_types() -> None:
    assert normalise_types(None) is None
    assert normalise_types("company, base") == {"Company", "Base"}
    assert normalise_types(["SECTOR"]) == {"Sector"}
    assert normalise_types(" , ") is None
    with pytest.raises(ValueError, match="unknown entity type 'factory'"):
        normalise_types("company,factory")


def test_resolve_params_turns_names_into_ids(source) -> None:
    lib = library("falkordb")
    assert resolve_params(source, lib["located_in"], {"place": "Changsha"}) == {"place": "cn-430100"}
    # "id of the sector": looked up among sectors only
    assert resolve_params(source, lib["sector_players"], {"sector": "Memory"}) == {"sector": "s:memory"}
    # parameters that are not entities pass unchanged
    assert resolve_params(source, lib["neighbours_down"], {"sectors": ["s:cells"], "hops": 2}) == {
        "sectors": ["s:cells"],
        "hops": 2,
    }
