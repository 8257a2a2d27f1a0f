"""Shared fixtures: a real embedded FalkorDB server per test session, a fresh graph per test.

Tests come in two tiers: the fast tier needs no database server (model, loaders, networkx analyses,
viz files) and runs with ``pytest -m "not store"`` (``make test-fast``); the store tier is every test
that uses a store fixture or is marked ``store``. A test in the fast tier that starts a server fails,
so the split stays true.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph import cypherlib
from graph.stores import Store
from graph.stores.embedded import EmbeddedServer
from graph.stores.falkordb import FalkorStore
from tests.support import neo4j_server

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
CHAINKG = Path(os.environ.get("INDGRAPH_CHAINKG", ROOT.parent / "shared" / "data" / "chainkg"))


STORE_FIXTURES = frozenset({"server", "store", "falkor_store", "neo4j_store", "neo4j_uri", "cli", "seeded"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        # a fixture parametrised over sources, one of them a store, asks for it with getfixturevalue
        if STORE_FIXTURES & set(getattr(item, "fixturenames", ())) or any(
            isinstance(v, str) and v in ("falkordb", "neo4j") for v in params.values()
        ):
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


SCHEMA_NAME = re.compile(r"CREATE (?:CONSTRAINT|INDEX) (\w+)")
STORES = ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture
def graph_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    """A Neo4j for the session: NEO4J_URI's when set, else the local one (tests/neo4j_server), started once.

    Without the local build the Neo4j cases skip and say how to build it; with INDGRAPH_REQUIRE_NEO4J=1
    (``.ci/run``) they fail instead, so CI cannot pass on skips.
    """
    external = os.environ.get("NEO4J_URI")
    if external:
        yield external
        return
    try:
        local = neo4j_server.start()
    except neo4j_server.Neo4jStartError as exc:
        if os.environ.get("INDGRAPH_REQUIRE_NEO4J"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    try:
        yield local.uri
    finally:
        local.stop()


@pytest.fixture
def falkor_store(server: EmbeddedServer, graph_name: str) -> Iterator[FalkorStore]:
    """An embedded FalkorDB store with a graph of its own on the session's server, deleted after the test."""
    s = FalkorStore(server.home, graph=graph_name)
    yield s
    s.clear()
    s.close()


@pytest.fixture
def neo4j_store(neo4j_uri: str) -> Iterator[Store]:
    """The session's Neo4j, cleared before and after the test (Neo4j community has one database)."""
    from graph.stores.neo4j import Neo4jStore

    s = Neo4jStore(neo4j_uri)
    _reset_neo4j(s)
    try:
        yield s
    finally:
        _reset_neo4j(s)
        s.close()


def _reset_neo4j(store: Store) -> None:
    """Empty the database, and drop the indexes and constraints a test made beyond the project's own."""
    store.clear()
    ours = {m.group(1) for m in map(SCHEMA_NAME.match, cypherlib.schema("neo4j")) if m}
    for kind in ("CONSTRAINTS", "INDEXES"):
        rows = store.query(f"SHOW {kind} YIELD name, type RETURN name, type", timeout_ms=None).rows
        for name, type_ in rows:
            if name not in ours and type_ != "LOOKUP":
                store.query(f"DROP {kind[:-1] if kind == 'CONSTRAINTS' else 'INDEX'} `{name}`", write=True)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Store:
    """An empty store of each kind: every test that takes it runs on FalkorDB and on Neo4j."""
    return request.getfixturevalue(f"{request.param}_store" if request.param == "neo4j" else "falkor_store")


ENGINES = [
    "networkx",
    pytest.param("falkordb", marks=pytest.mark.store),
    pytest.param("neo4j", marks=[pytest.mark.store, pytest.mark.neo4j]),
]


@pytest.fixture(params=ENGINES)
def engine_store(request: pytest.FixtureRequest) -> Store | None:
    """Each engine of the analyses in turn: None for networkx, else an empty store of that kind."""
    if request.param == "networkx":
        return None
    return request.getfixturevalue("falkor_store" if request.param == "falkordb" else "neo4j_store")


@pytest.fixture
def reconnect(request: pytest.FixtureRequest, store: Store) -> Callable[[], Store]:
    """Open another connection to the test's store (what a second process or thread would use)."""
    if isinstance(store, FalkorStore):
        return lambda: FalkorStore(store.server.home, graph=store.graph_name, start=False)
    from graph.stores.neo4j import Neo4jStore

    uri = request.getfixturevalue("neo4j_uri")
    return lambda: Neo4jStore(uri)


@pytest.fixture
def store_env(request: pytest.FixtureRequest, store: Store) -> dict[str, str]:
    """The environment that points an ``indgraph`` subprocess at the test's store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INDGRAPH_", "NEO4J_"))}
    if isinstance(store, FalkorStore):
        return env | {"INDGRAPH_HOME": str(store.server.home), "INDGRAPH_GRAPH": store.graph_name}
    return (
        env
        | {"INDGRAPH_STORE": "neo4j", "NEO4J_URI": request.getfixturevalue("neo4j_uri")}
        | {k: v for k, v in os.environ.items() if k in ("NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")}
    )


@pytest.fixture
def cli(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, store: Store):
    """Run ``indgraph`` in-process against the test's store: ``cli("stats", "-f", "json")``."""
    from graph.cli import app

    for var in ("INDGRAPH_STORE", "INDGRAPH_HOME", "INDGRAPH_GRAPH", "NEO4J_URI", "NEO4J_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    if isinstance(store, FalkorStore):
        monkeypatch.setenv("INDGRAPH_HOME", str(store.server.home))
        monkeypatch.setenv("INDGRAPH_GRAPH", store.graph_name)
    else:
        monkeypatch.setenv("INDGRAPH_STORE", "neo4j")
        monkeypatch.setenv("NEO4J_URI", request.getfixturevalue("neo4j_uri"))
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
def seeded(store: Store, seed_data) -> Store:
    """A store holding the curated seed graph."""
    store.write(seed_data)
    return store
