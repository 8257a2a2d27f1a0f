"""Concurrent use: readers running named queries during a load see whole batches only, and the load
completes; the concurrency bench runs in short mode without errors."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from graph.model import Entity, EntityType, GraphData, Relation, RelType
from graph.stores import Store
from graph.stores.embedded import EmbeddedServer
from graph.stores.falkordb import FalkorStore
from tests.support.figures import count, note, record_figures  # noqa: F401 - the module fixture writes the figures

pytestmark = pytest.mark.store  # every test here runs servers of its own

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500
N = 4000  # companies, each LOCATED_IN the city: 8 entity batches, then 8 relation batches
READERS = 3
SNAPSHOT = "MATCH (n:Company) WITH count(n) AS c OPTIONAL MATCH (:Company)-[r:LOCATED_IN]->() RETURN c, count(r)"

CITY = Entity(id="cn-420100", type="City", name="Wuhan", name_zh="武汉市")
LOAD = GraphData(
    entities=[Entity(id=f"company:k{i:05d}", type="Company", name=f"K{i}", name_zh=f"公司{i}") for i in range(N)],
    relations=[Relation(source=f"company:k{i:05d}", type="LOCATED_IN", target=CITY.id) for i in range(N)],
)


def test_readers_during_a_load_see_whole_batches(store: Store, reconnect: Callable[[], Store]) -> None:
    store.write(GraphData(entities=[CITY]))
    done = threading.Event()
    answers: list[tuple[int, int, int]] = []
    snapshots: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            with reconnect() as s:
                while not done.is_set():
                    stats = s.stats()
                    located = s.run("located_in", {"place": CITY.id})
                    answers.append(
                        (
                            stats["entities"].get("Company", 0),
                            stats["relations"].get("LOCATED_IN", 0),
                            len(located.rows),
                        )
                    )
                    both = s.query(SNAPSHOT).rows[0]  # one statement: one consistent view of the graph
                    snapshots.append((both[0], both[1]))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for t in threads:
        t.start()
    try:
        summary = store.write(LOAD, batch_size=BATCH)
    finally:
        done.set()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors
    assert summary.entities["Company"] == N and summary.relations["LOCATED_IN"] == N

    # never more than was loaded
    assert all(0 <= x <= N for answer in answers for x in answer), answers
    if store.dialect == "falkordb":
        # FalkorDB runs a write query alone: every answer is a whole number of batches, no half-written
        # batch was ever visible, and relations (written after all entities) appear only with every company
        assert all(c % BATCH == 0 and r % BATCH == 0 and n % BATCH == 0 for c, r, n in answers), answers
        assert all(c % BATCH == 0 and r % BATCH == 0 for c, r in snapshots), snapshots
        assert all(r == 0 or c == N for c, r in snapshots), snapshots
        # the named query (run after stats) sees at least as many
        assert all(n >= r for _, r, n in answers), answers
    # Neo4j reads at read-committed isolation: a statement that scans while a batch commits may count part of
    # it (its docs: "data retrieved by traversals is not protected from modification by other
    # transactions"), so only the bounds above and the final state below hold there.
    # the readers really ran during the load: they saw it at several stages, not only before or after
    assert len(set(answers)) >= 3, sorted(set(answers))
    assert store.stats() == {"entities": {"City": 1, "Company": N}, "relations": {"LOCATED_IN": N}}
    assert store.dump().sorted() == LOAD.merged(GraphData(entities=[CITY])).sorted()
    count("concurrency_readers_during_load", "queries_answered", 3 * len(answers) + len(snapshots))
    count("concurrency_readers_during_load", "states_seen", len(set(answers)))
    count("concurrency_readers_during_load", "errors", len(errors))


def test_concurrency_bench_short_mode_has_no_errors(server: EmbeddedServer, falkor_store: FalkorStore) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "concurrency_bench.py"),
            "--short",
            "--home",
            str(server.home),
            "--graph",
            falkor_store.graph_name,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["errors"] == 0, result["error_samples"]
    assert 0 < result["queries"] <= result["planned"]
    assert result["processes"] >= 2 and len(result["per_query"]) >= 5
    assert server.ping()  # the bench leaves a server it did not start running
    count("concurrency_bench_short", "queries_served", result["queries"])
    count("concurrency_bench_short", "errors", result["errors"])
    note("concurrency_bench_short", "queries_per_second", result["queries_per_second"])
    note("concurrency_bench_short", "p50_ms", result["p50_ms"])
    note("concurrency_bench_short", "p95_ms", result["p95_ms"])


# -- two loads of the same new data at once --------------------------------------------------------------
TWIN_N = 600  # companies: 12 entity batches of TWIN_BATCH per loader, interleaved with the other loader's
TWIN_BATCH = 50


def twin_load() -> GraphData:
    """Companies new to the store (with sources and a figure), the known city, PARTNERS_WITH between pairs."""
    companies = [
        Entity(
            id=f"company:t{i:04d}",
            type="Company",
            name=f"T{i}",
            name_zh=f"公司{i}",
            attributes={"enterprise_count": i},
            figures={"enterprise_count": {"qualifier": "about"}} if i % 3 == 0 else {},
            sources=[{"doc": "twin.md", "quote": f"T{i} is here."}],
        )
        for i in range(TWIN_N)
    ]
    relations = [Relation(source=c.id, type="LOCATED_IN", target=CITY.id) for c in companies]
    relations += [
        Relation(source=f"company:t{i:04d}", type="PARTNERS_WITH", target=f"company:t{i + 1:04d}", since_year=2020)
        for i in range(0, TWIN_N, 2)
    ]
    return GraphData(entities=[CITY, *companies], relations=relations)


def test_two_loads_of_the_same_new_data_at_once_never_duplicate(
    store: Store, reconnect: Callable[[], Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both loaders look the ids up, find them new, and only then write (a barrier holds each until the
    other has looked): whatever each does for ids it believes new, the store must keep one node per id
    and one relation per key. The second loader's batches meet nodes the first has just created."""
    store.write(GraphData(entities=[CITY.model_copy(update={"name": "old name"})]))  # a known id, changed
    data = twin_load()
    looked = threading.Barrier(2, timeout=120)
    errors: list[BaseException] = []
    summaries: list[tuple[dict[str, int], dict[str, int], str]] = []

    def loader(reverse: bool) -> None:
        try:
            with reconnect() as s:
                known_types = s.known_types

                def then_wait(ids: Iterable[str]) -> dict[str, EntityType]:
                    found = known_types(ids)
                    looked.wait()
                    return found

                monkeypatch.setattr(s, "known_types", then_wait)
                load = GraphData(entities=data.entities[::-1], relations=data.relations[::-1]) if reverse else data
                w = s.write(load, mode="merge", batch_size=TWIN_BATCH)
                summaries.append((dict(w.entities), dict(w.relations), w.mode))
        except BaseException as exc:  # reported by the main thread
            looked.abort()
            errors.append(exc)

    threads = [threading.Thread(target=loader, args=(reverse,)) for reverse in (False, True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    expected = ({"City": 1, "Company": TWIN_N}, {"LOCATED_IN": TWIN_N, "PARTNERS_WITH": TWIN_N // 2}, "merge")
    assert summaries == [expected, expected]
    assert store.stats() == {"entities": dict(expected[0]), "relations": dict(expected[1])}
    assert store.query("MATCH (n:Entity) RETURN count(n), count(DISTINCT n.id)").rows == [[TWIN_N + 1, TWIN_N + 1]]
    pairs = "MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, count(r) AS k WHERE k > 1 RETURN count(*)"
    assert store.query(pairs).rows == [[0]]
    assert store.dump().sorted() == data.sorted()  # labels, properties, sources, figures: the load's own
    count("concurrency_twin_loads", "duplicates", 0)


def test_a_new_graph_knows_every_label_and_relation_type_before_the_first_write(falkor_store: FalkorStore) -> None:
    """FalkorDB plans a statement against the schema it knows: the schema step makes every type known."""
    falkor_store.ensure_schema()
    types = falkor_store.query("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType")
    labels = falkor_store.query("CALL db.labels() YIELD label RETURN label")
    assert sorted(r[0] for r in types.rows) == sorted(RelType)
    assert sorted(r[0] for r in labels.rows) == sorted(["Entity", *EntityType])
    assert falkor_store.stats() == {"entities": {}, "relations": {}}  # the registration left nothing behind


def test_concurrent_merges_of_a_relation_type_new_to_the_graph_never_duplicate(server: EmbeddedServer) -> None:
    """Two loads of the same relations, of a type the graph has never held, at once (a barrier holds each
    until both are ready). Before the schema step made every relation type known, FalkorDB planned both
    MERGEs against a graph without the type and each created the relations: a CI run of two
    `indgraph load` processes counted 100 LOCATED_IN for 50."""
    rounds, n = 30, 20
    entities = GraphData(entities=[CITY, *(Entity(id=f"company:r{i}", type="Company", name=f"R{i}") for i in range(n))])
    relations = GraphData(
        relations=[Relation(source=f"company:r{i}", type="LOCATED_IN", target=CITY.id) for i in range(n)]
    )
    dupes: list[tuple[int, dict[str, dict[str, int]]]] = []
    for k in range(rounds):
        graph = f"race_{k}_{threading.get_ident()}"
        ready = threading.Barrier(2, timeout=60)
        errors: list[BaseException] = []
        with FalkorStore(server.home, graph=graph, start=False) as s:
            s.write(entities, mode="merge")

        def loader() -> None:
            try:
                with FalkorStore(server.home, graph=graph, start=False) as s:  # noqa: B023 - joined below
                    ready.wait()  # noqa: B023
                    s.write(relations, mode="merge")
            except BaseException as exc:  # reported by the main thread
                ready.abort()  # noqa: B023
                errors.append(exc)  # noqa: B023

        threads = [threading.Thread(target=loader) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        with FalkorStore(server.home, graph=graph, start=False) as s:
            stats = s.stats()
            s.clear()
        if stats != {"entities": {"City": 1, "Company": n}, "relations": {"LOCATED_IN": n}}:
            dupes.append((k, stats))
    assert dupes == []
    count("concurrency_new_type_rounds", "rounds", rounds)
