"""Faults a review predicted on a real Neo4j, each confirmed here and then fixed (the local Neo4j of the
tests, or NEO4J_URI's). What is the same on both stores is tested in test_stores.py on both."""

from __future__ import annotations

import threading
import time

import pytest

from graph.errors import ArgumentError, StoreError
from graph.model import Entity, GraphData, Relation
from graph.stores import Store
from graph.stores.neo4j import Neo4jStore
from tests.support import neo4j_server

pytestmark = [pytest.mark.neo4j, pytest.mark.store]


def _drop_schema(store: Store) -> None:
    for kind, drop in (("CONSTRAINTS", "CONSTRAINT"), ("INDEXES", "INDEX")):
        for name, type_ in store.query(f"SHOW {kind} YIELD name, type RETURN name, type").rows:
            if type_ != "LOOKUP":
                store.query(f"DROP {drop} `{name}`", write=True)


def test_two_auto_loads_into_an_empty_database_at_once_merge(neo4j_store: Neo4jStore, neo4j_uri: str) -> None:
    _drop_schema(neo4j_store)  # both loads race to create the schema too
    data = GraphData(
        entities=[Entity(id=f"company:c{i}", type="Company", name=f"C{i}") for i in range(3000)]
        + [Entity(id="cn-420100", type="City", name="Wuhan")],
        relations=[Relation(source=f"company:c{i}", type="LOCATED_IN", target="cn-420100") for i in range(3000)],
    )
    start, errors, modes = threading.Barrier(2), [], []

    def load() -> None:
        try:
            with Neo4jStore(neo4j_uri) as s:
                start.wait()
                modes.append(s.write(data, mode="auto", batch_size=500).mode)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=load) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert neo4j_store.stats() == {"entities": {"City": 1, "Company": 3000}, "relations": {"LOCATED_IN": 3000}}
    assert neo4j_store.dump().sorted() == data.sorted()
    assert sorted(modes) in (["create", "merge"], ["merge", "merge"]), modes


def test_an_integer_beyond_64_bits_is_one_clear_error(neo4j_store: Neo4jStore) -> None:
    with pytest.raises(ArgumentError, match=r"parameter 'x': 9223372036854775808 is beyond the 64-bit integers"):
        neo4j_store.query("RETURN $x AS x", {"x": 2**63})
    with pytest.raises(ArgumentError, match=r"parameter 'm\.k': nan is not a finite number"):
        neo4j_store.query("RETURN $m AS m", {"m": {"k": float("nan")}})
    assert neo4j_store.query("RETURN $x AS x", {"x": 2**63 - 1}).rows == [[2**63 - 1]]


def test_a_date_beyond_python_s_years_is_one_clear_error(neo4j_store: Neo4jStore) -> None:
    # Neo4j holds years up to 999,999,999; the driver cannot build such a date and breaks the record
    with pytest.raises(StoreError, match=r"^a value in the result has no Python form .*toString\(\)$"):
        neo4j_store.query("RETURN date('+10000-01-02') AS d")
    assert neo4j_store.query("RETURN toString(date('+10000-01-02')) AS d").rows == [["+10000-01-02"]]
    assert neo4j_store.query("RETURN date('2024-05-01') AS d").rows[0][0].isoformat() == "2024-05-01"


def test_a_syntax_error_is_one_line(cli, store: Store) -> None:
    store.write(GraphData(entities=[Entity(id="cn-420100", type="City", name="Wuhan")]))
    result = cli("query", "MATCH (n RETURN n")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr


@pytest.mark.slow
def test_a_dead_server_is_reported_within_seconds_with_what_to_run() -> None:
    # a server of its own: this test stops it under a connected store
    local = neo4j_server.start()
    try:
        store = Neo4jStore(local.uri)
        store.query("RETURN 1")
        local.stop()
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"lost the connection to Neo4j at bolt://127\.0\.0\.1:\d+ .*start it"):
            store.query("RETURN 1")
        assert time.monotonic() - started < 15  # the driver's own retry budget is 30 s
        store.close()
    finally:
        local.stop()
