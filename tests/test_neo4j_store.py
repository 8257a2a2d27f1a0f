"""The Neo4j store's parts that need no server: settings, the connection errors, value conversion.

What needs a server (writes, reads, read-only refusal, named queries) is in test_stores.py, run
against Neo4j when NEO4J_URI is set.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from neo4j.graph import Graph, Node
from neo4j.spatial import CartesianPoint, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time
from neo4j.vector import Vector, VectorDType

from graph.stores import ReadOnlyError, StoreError, open_store
from graph.stores import neo4j as nstore
from graph.stores.neo4j import DEFAULT_URI, Neo4jStore, plain, settings

ENV_VARS = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")
CLOSED = "bolt://127.0.0.1:1"  # port 1: nothing listens, the connection is refused at once


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No NEO4J_* variables, and a current folder with no .env."""
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- settings ----------------------------------------------------------------------------------------
def test_defaults(clean_env: Path) -> None:
    s = settings()
    assert (s.uri, s.username, s.password, s.database) == (DEFAULT_URI, "neo4j", None, None)


def test_environment_then_arguments(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://env-host:7687")
    monkeypatch.setenv("NEO4J_USERNAME", "env-user")
    monkeypatch.setenv("NEO4J_PASSWORD", "env-pw")
    monkeypatch.setenv("NEO4J_DATABASE", "envdb")
    s = settings()
    assert (s.uri, s.username, s.password, s.database) == ("bolt://env-host:7687", "env-user", "env-pw", "envdb")
    s = settings("neo4j://arg-host", "arg-user", "arg-pw", "argdb")
    assert (s.uri, s.username, s.password, s.database) == ("neo4j://arg-host", "arg-user", "arg-pw", "argdb")


def test_dotenv_fills_what_the_environment_lacks(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text(
        "# copied from .env.example\n"
        "NEO4J_URI=bolt://dotenv-host:7687\n"
        "export NEO4J_USERNAME = 'dotenv-user'\n"
        'NEO4J_PASSWORD="pa ss=word"\n'
        "\n"
        "not a setting\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NEO4J_USERNAME", "env-user")
    s = settings()
    assert (s.uri, s.username, s.password, s.database) == ("bolt://dotenv-host:7687", "env-user", "pa ss=word", None)
    assert settings(dotenv=None).uri == DEFAULT_URI


def test_repr_hides_the_password(clean_env: Path) -> None:
    s = settings(password="s3cret-value")
    assert "s3cret-value" not in repr(s)


# -- connection errors: one clear line ---------------------------------------------------------------
def test_unreachable_server(clean_env: Path) -> None:
    with pytest.raises(StoreError) as info:
        Neo4jStore(CLOSED, password="irrelevant")
    assert str(info.value) == (
        f"cannot reach Neo4j at {CLOSED}: start it with 'docker compose up -d' (see docs/neo4j.md) or set NEO4J_URI"
    )


def test_unreachable_server_through_open_store_and_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_URI", "neo4j://127.0.0.1:1")  # the routing scheme fails the same way
    with pytest.raises(StoreError, match=r"^cannot reach Neo4j at neo4j://127\.0\.0\.1:1: start it with") as info:
        open_store("neo4j", uri=None, username=None, password=None, database=None)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("uri", ["localhost:7687", "http://localhost:7474", "bolt:/oops", "mongodb://x"])
def test_not_a_neo4j_uri(clean_env: Path, uri: str) -> None:
    with pytest.raises(StoreError, match=r"is not a Neo4j URI: use bolt://HOST:7687") as info:
        Neo4jStore(uri)
    assert "\n" not in str(info.value)


# -- values ------------------------------------------------------------------------------------------
def test_temporal_spatial_and_vector_values() -> None:
    assert plain(Date(2024, 5, 1)) == dt.date(2024, 5, 1)
    assert plain(DateTime(2024, 5, 1, 12, 30, 0)) == dt.datetime(2024, 5, 1, 12, 30)
    assert plain(Time(8, 15, 0)) == dt.time(8, 15)
    assert plain(Duration(months=14, days=3, seconds=5)) == "P1Y2M3DT5S"
    assert plain(WGS84Point((114.3, 30.6))) == {"latitude": 30.6, "longitude": 114.3}
    assert plain(CartesianPoint((1, 2))) == [1.0, 2.0]
    assert plain(Vector([1.0, 2.5], VectorDType.F32)) == [1.0, 2.5]


def test_nodes_and_relationships() -> None:
    # Built with the driver's own graph classes, as its result hydration builds them.
    g = Graph()
    node = Node(g, "4:x:1", 1, ["Entity", "City"], {"id": "cn-420100", "name": "Wuhan", "founded": Date(1949, 5, 16)})
    assert plain(node) == {"labels": ["City"], "id": "cn-420100", "name": "Wuhan", "founded": dt.date(1949, 5, 16)}
    rel = g.relationship_type("LOCATED_IN")(g, "5:x:1", 1, {"since_year": 1949})
    assert plain(rel) == {"type": "LOCATED_IN", "since_year": 1949}
    assert plain({"xs": [node, (1, 2)], "n": None}) == {"xs": [plain(node), [1, 2]], "n": None}


def test_read_only_message_matches_falkordb(store) -> None:
    # The same words on both stores, so a refusal reads the same whichever store refused.
    store.query("CREATE (:Entity {id: 'x'})", write=True)
    with pytest.raises(ReadOnlyError) as info:
        store.query("CREATE (:Entity {id: 'y'})")
    assert str(info.value) == nstore.READ_ONLY_MESSAGE
