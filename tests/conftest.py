"""Shared fixtures: a real embedded FalkorDB server per test session, a fresh graph per test.

Tests come in two tiers: the fast tier needs no database server (model, loaders, networkx analyses,
viz files) and runs with ``pytest -m "not store"`` (``make test-fast``); the store tier is every test
that uses a store fixture or is marked ``store``. A test in the fast tier that starts a server fails,
so the split stays true.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.stores.embedded import EmbeddedServer
from graph.stores.falkordb import FalkorStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
CHAINKG = Path(os.environ.get("INDGRAPH_CHAINKG", ROOT.parent / "shared" / "data" / "chainkg"))


STORE_FIXTURES = frozenset({"server", "store", "cli", "seeded", "neo4j_store", "any_store"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        # a fixture parametrised over sources, one of them a store, asks for it with getfixturevalue
        if STORE_FIXTURES & set(getattr(item, "fixturenames", ())) or "store" in params.values():
            item.add_marker(pytest.mark.store)


@pytest.fixture(autouse=True)
def _fast_tier_starts_no_server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("store") is None:

        def refuse(self: EmbeddedServer) -> str:
            raise AssertionError(f"{request.node.nodeid} starts a database server: mark it store")

        monkeypatch.setattr(EmbeddedServer, "start", refuse)


def short_tmpdir(prefix: str = "ig-") -> Path:
    """A temporary folder with a short path (unix socket paths are limited to ~100 bytes)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


@pytest.fixture(scope="session")
def server() -> Iterator[EmbeddedServer]:
    """One embedded server for the session, in its own temporary folder; stopped and removed after."""
    home = short_tmpdir()
    srv = EmbeddedServer(home)
    srv.start()
    yield srv
    srv.stop()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def graph_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(server: EmbeddedServer, graph_name: str) -> Iterator[FalkorStore]:
    """A store on the session's server with a graph of its own, deleted after the test."""
    s = FalkorStore(server.home, graph=graph_name)
    yield s
    s.clear()
    s.close()


@pytest.fixture
def cli(server: EmbeddedServer, graph_name: str, monkeypatch: pytest.MonkeyPatch, store: FalkorStore):
    """Run ``indgraph`` in-process against the test's graph: ``cli("stats", "-f", "json")``."""
    from graph.cli import app

    monkeypatch.setenv("INDGRAPH_HOME", str(server.home))
    monkeypatch.setenv("INDGRAPH_GRAPH", graph_name)
    monkeypatch.delenv("INDGRAPH_STORE", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def seed_data():
    """The curated seed data, validated."""
    from loaders import load_paths

    return load_paths(None)


@pytest.fixture
def seeded(store: FalkorStore, seed_data) -> FalkorStore:
    """A store holding the curated seed graph."""
    store.write(seed_data)
    return store
