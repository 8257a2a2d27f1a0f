"""The write paths: the idempotent MERGE (both stores) and the embedded store's fresh-graph fast path
(FalkorDB's GRAPH.BULK protocol, or Cypher CREATE when the graph already exists)."""

from __future__ import annotations

import pytest

from graph import cypherlib
from graph.codec import entity_props, relation_props
from graph.model import Entity, EntityType, GraphData, Relation, RelType, Source
from graph.stores import Store, StoreError, falkordb_bulk
from graph.stores.falkordb import FalkorStore


def sample() -> GraphData:
    """Every kind of property value: text, int, float, lists, sources with and without quotes."""
    ents = [
        Entity(
            id="co:a",
            type=EntityType.COMPANY,
            name="A Co",
            name_zh="甲公司",
            aliases=["甲", "A"],
            attributes={"code": "600001.SH", "listed_on": "2001-01-02", "revenue_share": 0.25},
            sources=[Source(doc="d.md", quote="A said so."), Source(doc="e.md")],
        ),
        Entity(id="co:b", type=EntityType.COMPANY, name="B Co"),
        Entity(id="base:x", type=EntityType.BASE, name="X", attributes={"memory_layers_mass_produced": [128, 232]}),
    ]
    ents += [
        Entity(id=f"s:{i}", type=EntityType.SECTOR, name=f"sector {i}", attributes={"level": i % 4 + 1})
        for i in range(40)
    ]
    rels = [
        Relation(source="co:a", type=RelType.SPECIALISES_IN, target="s:1", weight=-0.5),
        Relation(source="co:b", type=RelType.SPECIALISES_IN, target="s:1", weight=1.5, sources=[Source(doc="d.md")]),
        Relation(source="co:a", type=RelType.PARTNERS_WITH, target="co:b", role="joint venture", since_year=2020),
        Relation(source="co:a", type=RelType.LOCATED_IN, target="base:x"),
    ]
    rels += [Relation(source=f"s:{i}", type=RelType.PART_OF_CHAIN, target=f"s:{i + 1}", chain="c1") for i in range(39)]
    rels += [Relation(source=f"s:{i}", type=RelType.PART_OF_CHAIN, target=f"s:{i + 1}", chain="c2") for i in range(5)]
    return GraphData(entities=ents, relations=rels)


def test_bulk_create_merge_and_cypher_create_give_the_same_graph(server, graph_name: str) -> None:
    data = sample()
    dumps, methods = [], []
    for suffix, mode, bulk in (("bulk", "create", True), ("cypher", "create", False), ("merge", "merge", True)):
        with FalkorStore(server.home, graph=f"{graph_name}_{suffix}", bulk=bulk) as st:
            seen: list[int] = []
            try:
                w = st.write(data, mode=mode, batch_size=7, progress=seen.append)
                methods.append((w.mode, w.method))
                assert sum(seen) == len(data.entities) + len(data.relations)
                assert w.entities == {"Company": 2, "Base": 1, "Sector": 40}
                dumps.append(st.dump().sorted())
            finally:
                st.clear()
    assert methods == [("create", "bulk"), ("create", "cypher"), ("merge", "cypher")]
    assert dumps[0] == dumps[1] == dumps[2] == data.sorted()


def test_bulk_path_makes_the_indexes(falkor_store: FalkorStore) -> None:
    assert falkor_store.write(sample(), mode="auto").method == "bulk"
    assert "Node By Index Scan" in str(falkor_store.graph.explain("MATCH (n:Entity {id: 's:3'}) RETURN n"))
    assert falkor_store.query("MATCH (n:Sector {id: 's:3'}) RETURN n.name").rows == [["sector 3"]]


def test_bulk_load_split_over_many_calls(falkor_store: FalkorStore) -> None:
    data = sample()
    bulk = falkordb_bulk.plan(data, entity_props, relation_props)
    calls = list(bulk.calls(max_bytes=300))
    assert len(calls) > 5
    assert sum(c[0] for c in calls) == len(data.entities) and sum(c[1] for c in calls) == len(data.relations)
    assert falkordb_bulk.send(falkor_store.db.connection, falkor_store.graph_name, bulk, max_bytes=300) == len(calls)
    assert falkor_store.dump().sorted() == data.sorted()


def test_bulk_refuses_an_existing_graph_and_create_falls_back(falkor_store: FalkorStore) -> None:
    falkor_store.ensure_schema()  # the key exists now, though the graph is empty
    w = falkor_store.write(sample(), mode="create")
    assert (w.mode, w.method) == ("create", "cypher")
    bulk = falkordb_bulk.plan(sample(), entity_props, relation_props)
    with pytest.raises(Exception, match="already exists"):
        falkordb_bulk.send(falkor_store.db.connection, falkor_store.graph_name, bulk)
    assert falkor_store.dump().sorted() == sample().sorted()


def test_bulk_refuses_unstorable_text_and_keeps_nothing(falkor_store: FalkorStore) -> None:
    bad = GraphData(entities=[Entity(id="s:x", type=EntityType.SECTOR, name="a\x00b")])
    with pytest.raises(StoreError, match="NUL"):
        falkor_store.write(bad, mode="create")
    assert not falkor_store.db.connection.exists(falkor_store.graph_name)


def test_auto_uses_bulk_once_then_merges(falkor_store: FalkorStore) -> None:
    data = sample()
    assert (falkor_store.write(data, mode="auto").method, falkor_store.write(data, mode="auto").mode) == (
        "bulk",
        "merge",
    )
    assert falkor_store.dump().sorted() == data.sorted()


def test_merge_refuses_to_change_an_entity_type(store: Store) -> None:
    store.write(sample())
    changed = GraphData(entities=[Entity(id="co:b", type=EntityType.ORGANIZATION, name="B Co")])
    with pytest.raises(StoreError, match=r"1 entities would change type.*co:b \(Company -> Organization\)"):
        store.write(changed)
    assert store.stats()["entities"]["Company"] == 2


@pytest.mark.parametrize("rel", [RelType.SPECIALISES_IN, RelType.PART_OF_CHAIN])
def test_merge_statements_look_entities_up_by_index(falkor_store: FalkorStore, rel: RelType) -> None:
    falkor_store.ensure_schema()
    for stmt in (cypherlib.upsert_entities(EntityType.SECTOR), cypherlib.upsert_relations(rel)):
        plan = str(falkor_store.graph.explain(stmt, {"rows": []}))
        assert "Node By Index Scan" in plan, plan
        assert "All Node Scan" not in plan and "Label Scan" not in plan, plan


def test_encode_value_rejects_what_the_protocol_cannot_carry() -> None:
    assert falkordb_bulk.encode_value(2**63 - 1)[:1] == b"\x04"
    with pytest.raises(falkordb_bulk.BulkError, match="64-bit"):
        falkordb_bulk.encode_value(2**63)
    with pytest.raises(falkordb_bulk.BulkError, match="unsupported"):
        falkordb_bulk.encode_value({"a": 1})


def test_merge_creates_new_entities_and_upserts_known_ones(store: Store) -> None:
    data = sample()
    half = GraphData(entities=data.entities[::2])
    store.write(half, mode="merge")
    renamed = data.model_copy(deep=True)
    renamed.entities[0].name = "A Co renamed"  # known: upserted
    w = store.write(renamed, mode="merge")
    assert (w.mode, w.method) == ("merge", "cypher")
    assert store.dump().sorted() == renamed.sorted()
    assert store.stats()["entities"] == {"Base": 1, "Company": 2, "Sector": 40}


def test_merge_with_an_id_twice_in_one_load_keeps_one_node(store: Store) -> None:
    twice = GraphData(
        entities=[
            Entity(id="s:1", type=EntityType.SECTOR, name="one"),
            Entity(id="s:1", type=EntityType.SECTOR, name="uno"),
        ]
    )
    store.write(twice, mode="merge")
    # one node, not two (which of the two names wins is the store's business: a load never repeats an id)
    assert len(store.query("MATCH (n:Entity {id: 's:1'}) RETURN n.name").rows) == 1


@pytest.mark.neo4j
@pytest.mark.parametrize("rel", [RelType.SPECIALISES_IN, RelType.PART_OF_CHAIN])
def test_neo4j_merge_statements_look_entities_up_by_index(neo4j_store, rel: RelType) -> None:
    neo4j_store.ensure_schema()
    for stmt in (cypherlib.upsert_entities(EntityType.SECTOR), cypherlib.upsert_relations(rel)):
        _, summary, _ = neo4j_store.driver.execute_query("EXPLAIN " + stmt, {"rows": []})
        plan = str(summary.plan)
        assert "NodeUniqueIndexSeek" in plan or "NodeIndexSeek" in plan, plan
        assert "AllNodesScan" not in plan and "NodeByLabelScan" not in plan, plan
