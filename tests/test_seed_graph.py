"""The curated seed graph end to end on the real embedded store."""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from pathlib import Path

import pytest

from graph import cypherlib
from graph.nxgraph import from_networkx, read_node_link
from graph.stores.embedded import EmbeddedServer
from graph.stores.falkordb import FalkorStore
from loaders import load_paths
from tests.conftest import short_tmpdir


def test_reload_changes_nothing(seeded: FalkorStore, seed_data) -> None:
    before = (seeded.stats(), seeded.dump().sorted())
    seeded.write(seed_data)
    seeded.write(seed_data)
    assert (seeded.stats(), seeded.dump().sorted()) == before


def test_store_holds_exactly_the_curated_data(seeded: FalkorStore, seed_data) -> None:
    stats = seeded.stats()
    assert sum(stats["entities"].values()) == len(seed_data.entities)
    assert sum(stats["relations"].values()) == len(seed_data.relations)
    assert seeded.dump().sorted() == seed_data.sorted()


def test_load_export_compare_equals_curated(cli, tmp_path: Path, seed_data) -> None:
    assert cli("load").exit_code == 0
    out = tmp_path / "graph.json"
    assert cli("export", "--format", "node-link", "-o", str(out)).exit_code == 0
    raw = json.loads(out.read_text(encoding="utf-8"))
    node = raw["nodes"][0]
    assert {"id", "type", "name", "name_zh", "aliases", "sources"} <= node.keys()
    link = raw["links"][0]
    assert {"source", "target", "type", "sources"} <= link.keys()
    assert from_networkx(read_node_link(out)).sorted() == seed_data.sorted()


def _param_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def test_every_named_query_runs_with_its_example(seeded: FalkorStore) -> None:
    for name, q in cypherlib.library("falkordb").items():
        assert set(q.params) == set(q.example), f"{name}: the example must give every parameter"
        # example values read as `--param k=v` does (JSON where they parse: lists, numbers), as in test_stores.py
        result = seeded.run(name, {k: _param_value(v) for k, v in q.example.items()})
        assert result.rows, f"{name} returned nothing on the seed graph for {q.example}"


@pytest.mark.store
def test_data_survives_a_restart_and_a_crash(seed_data) -> None:
    home = short_tmpdir()
    server = EmbeddedServer(home)
    try:
        with FalkorStore(home) as store:
            store.write(seed_data)
            expected = store.dump().sorted()
        server.stop()
        assert not server.status().running
        with FalkorStore(home) as store:  # starts it again
            assert store.dump().sorted() == expected
            # a crash: SIGKILL after the AOF's one-second sync
            store.query("MATCH (n:Entity) RETURN count(n)")
        import time

        time.sleep(1.5)
        pid = server.status().pid
        assert pid
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
        message = server.start()
        assert "stale" in message and "started" in message
        with FalkorStore(home) as store:
            assert store.dump().sorted() == expected
    finally:
        server.destroy()
    assert not server.status().running


def test_failed_load_writes_nothing(cli, tmp_path: Path, store: FalkorStore) -> None:
    assert cli("load").exit_code == 0
    before = store.dump().sorted()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "entities:\n  - {id: org:new, type: Organization, name: New}\n"
        "relations:\n  - {from: org:new, type: LOCATED_IN, to: cn-000000}\n",
        encoding="utf-8",
    )
    result = cli("load", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:4: to: no entity with id 'cn-000000'" in result.stderr
    assert "nothing was loaded" in result.stderr
    assert store.dump().sorted() == before


def test_incremental_load_may_point_at_stored_entities(cli, tmp_path: Path, store: FalkorStore, seed_data) -> None:
    assert cli("load").exit_code == 0
    wuhan = next(e for e in seed_data.entities if e.name_zh and e.name_zh.startswith("武汉") and e.type == "City")
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        f"entities:\n  - {{id: org:new, type: Organization, name: New}}\n"
        f"relations:\n  - {{from: org:new, type: LOCATED_IN, to: {wuhan.id}}}\n",
        encoding="utf-8",
    )
    assert cli("load", str(extra)).exit_code == 0
    assert store.known_types(["org:new"]) == {"org:new": "Organization"}


@pytest.mark.parametrize("dialect", cypherlib.DIALECTS)
def test_named_queries_have_descriptions_and_both_dialects(dialect: str) -> None:
    lib = cypherlib.library(dialect)
    assert {"located_in", "base_profile", "partners", "chain_around", "connection"} <= lib.keys()
    for q in lib.values():
        assert q.description and len(q.description.splitlines()) == 1
    assert lib == cypherlib.library(dialect)


def test_seed_files_load_without_errors() -> None:
    data = load_paths(None)
    # counted by hand from data/seed/*.yaml; a change to the curated data changes these on purpose
    assert Counter(e.type.value for e in data.entities) == {
        "Base": 16, "City": 11, "Company": 4, "Country": 2, "District": 18, "Organization": 5,
        "Park": 25, "Project": 9, "Province": 8, "Sector": 100, "University": 2,
    }  # fmt: skip
    assert Counter(r.type.value for r in data.relations) == {
        "DESIGNATED_BY": 12, "LOCATED_IN": 71, "OPERATES": 3, "PARTNERS_WITH": 4,
        "PART_OF": 100, "PART_OF_CHAIN": 14, "SPECIALISES_IN": 127,
    }  # fmt: skip
