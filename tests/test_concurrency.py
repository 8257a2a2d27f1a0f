"""Concurrent use: readers running named queries during a load see whole batches only, and the load
completes; the concurrency bench runs in short mode without errors."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.model import Entity, GraphData, Relation
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

    # every answer is a whole number of batches: no half-written batch was ever visible
    assert all(c % BATCH == 0 and r % BATCH == 0 and n % BATCH == 0 for c, r, n in answers), answers
    assert all(c % BATCH == 0 and r % BATCH == 0 for c, r in snapshots), snapshots
    # relations are written after all entities; the named query (run after stats) sees at least as many
    assert all(r == 0 or c == N for c, r in snapshots), snapshots
    assert all(n >= r for _, r, n in answers), answers
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
