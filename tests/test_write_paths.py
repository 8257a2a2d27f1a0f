"""The write paths: the idempotent MERGE (both stores) and the embedded store's fresh-graph fast path
(FalkorDB's GRAPH.BULK protocol, or Cypher CREATE when the graph already exists)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable

import pytest

from graph import cypherlib
from graph.codec import entity_props, relation_props
from graph.model import Entity, EntityType, GraphData, Relation, RelType, Source
from graph.stores import Store, StoreError, falkordb_bulk
from graph.stores.base import _entity_batches
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
    for stmt in (
        cypherlib.upsert_entities(EntityType.SECTOR),
        cypherlib.upsert_relations(rel),
        cypherlib.insert_entities(EntityType.SECTOR),
    ):
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


# -- FalkorDB's merge: ids the store did not hold are inserted (a lookup and a create), the rest upserted ------
def test_merge_batches_send_ids_new_to_the_store_to_the_insert_statement() -> None:
    ents = [
        Entity(id="co:known", type=EntityType.COMPANY, name="K"),
        Entity(id="co:new", type=EntityType.COMPANY, name="N"),
        Entity(id="co:new", type=EntityType.COMPANY, name="N again"),  # a second time: upserted
        Entity(id="s:new", type=EntityType.SECTOR, name="S"),
    ]
    counts: Counter[str] = Counter()
    batches = list(_entity_batches(ents, 10, False, counts, fresh={"co:new", "s:new"}))
    insert, upsert = cypherlib.insert_entities, cypherlib.upsert_entities
    assert [(stmt, [r["id"] for r in rows]) for stmt, rows in batches] == [
        (upsert(EntityType.COMPANY), ["co:known", "co:new"]),
        (insert(EntityType.COMPANY), ["co:new"]),
        (insert(EntityType.SECTOR), ["s:new"]),
    ]
    assert counts == {"Company": 3, "Sector": 1}
    # without ``fresh`` (Neo4j, or a create): the statements of before
    assert [stmt for stmt, _ in _entity_batches(ents, 10, False, Counter())] == [
        upsert(EntityType.COMPANY),
        upsert(EntityType.SECTOR),
    ]


def test_insert_and_merge_give_the_same_graph_and_summaries(server, graph_name: str) -> None:
    """A merge whose batches mix ids the store holds (changed or not) with new ones, then the unchanged
    re-load: the insert path gives exactly what MERGE alone gives (old: ``inserts_new`` off)."""
    data = sample()
    before = GraphData(entities=data.entities[::2], relations=[r for r in data.relations if r.chain == "c1"][::3])
    for i, change in ((0, {"name": "A Co, as it was", "sources": []}), (1, {"attributes": {"code": "old"}})):
        before.entities[i] = Entity.model_validate({**before.entities[i].model_dump(), **change})
    labels = "MATCH (n) RETURN n.id, labels(n) ORDER BY n.id"
    edges = "MATCH (a)-[r]->(b) RETURN a.id, type(r), b.id, properties(r) ORDER BY a.id, type(r), b.id, r.chain"
    seen = []
    for suffix, inserts in (("insert", True), ("merge", False)):
        with FalkorStore(server.home, graph=f"{graph_name}_{suffix}", bulk=False) as st:
            st.inserts_new = inserts
            try:
                summaries = [st.write(d, mode="merge", batch_size=7) for d in (before, data, data)]
                seen.append(
                    (
                        [(dict(w.entities), dict(w.relations), w.mode, w.method) for w in summaries],
                        st.dump().sorted(),
                        st.stats(),
                        st.query(labels).rows,
                        st.query(edges).rows,
                    )
                )
            finally:
                st.clear()
    assert seen[0] == seen[1]
    assert seen[0][1] == data.sorted()
    assert seen[0][2] == {
        "entities": {"Base": 1, "Company": 2, "Sector": 40},
        "relations": {"LOCATED_IN": 1, "PARTNERS_WITH": 1, "PART_OF_CHAIN": 44, "SPECIALISES_IN": 2},
    }
    assert seen[0][0][1] == (
        {"Company": 2, "Base": 1, "Sector": 40},
        {"SPECIALISES_IN": 2, "PARTNERS_WITH": 1, "LOCATED_IN": 1, "PART_OF_CHAIN": 44},
        "merge",
        "cypher",
    )
    assert ["co:a", ["Entity", "Company"]] in seen[0][3]


def test_rows_another_writer_created_after_the_check_get_this_loads_values(
    store: Store, reconnect: Callable[[], Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between this load's look-up of its ids and its write, another writer creates some of them (and a
    relation between two) with other values: one node per id and one relation per key, and the load's
    values win as with MERGE (FalkorDB: the insert skips those ids and the batch runs again as the upsert)."""
    data = sample()
    store.write(GraphData(entities=[data.entities[2]]))  # base:x, held: the store is not empty
    other = GraphData(
        entities=[
            data.entities[0].model_copy(update={"name": "A by the other writer", "aliases": []}),
            data.entities[1].model_copy(update={"name": "B by the other writer"}),
            *data.entities[3:10],
        ],
        relations=[Relation(source="co:a", type=RelType.PARTNERS_WITH, target="co:b", role="other", since_year=1999)],
    )
    known_types = store.known_types
    meanwhile = threading.Event()

    def then_another_writer(ids: Iterable[str]) -> dict[str, EntityType]:
        found = known_types(ids)
        if not meanwhile.is_set():
            meanwhile.set()
            with reconnect() as s:
                s.write(other, mode="merge")
        return found

    monkeypatch.setattr(store, "known_types", then_another_writer)
    w = store.write(data, mode="merge", batch_size=5)
    assert meanwhile.is_set()
    assert (dict(w.entities), sum(w.relations.values())) == ({"Company": 2, "Base": 1, "Sector": 40}, 48)
    assert store.query("MATCH (n:Entity) RETURN count(n), count(DISTINCT n.id)").rows == [[43, 43]]
    pairs = "MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, r.chain AS c, count(r) AS k WHERE k > 1 RETURN count(*)"
    assert store.query(pairs).rows == [[0]]
    assert store.dump().sorted() == data.sorted()


def test_a_relation_twice_in_one_write_is_one_relation(store: Store) -> None:
    ents = [Entity(id=f"s:{i}", type=EntityType.SECTOR, name=f"s{i}") for i in range(2)]
    twice = [Relation(source="s:0", type=RelType.SPECIALISES_IN, target="s:1", weight=w) for w in (1.0, 2.0)] + [
        Relation(source="s:0", type=RelType.PART_OF_CHAIN, target="s:1", chain="c") for _ in range(2)
    ]
    store.write(GraphData(entities=ents, relations=twice), mode="merge")
    # one of each, not two (which weight wins is the store's business: a load never repeats a relation)
    assert store.stats()["relations"] == {"PART_OF_CHAIN": 1, "SPECIALISES_IN": 1}
