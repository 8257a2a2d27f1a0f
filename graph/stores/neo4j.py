"""The Neo4j store, through the official ``neo4j`` driver (6.x).

Connection settings come from the arguments, else the environment (``NEO4J_URI``, ``NEO4J_USERNAME``,
``NEO4J_PASSWORD``, ``NEO4J_DATABASE``), else a ``.env`` file in the current folder (the one
``docker compose`` reads, see ``.env.example``), else ``bolt://localhost:7687`` as user ``neo4j``.

Reads go through ``driver.execute_query`` with ``RoutingControl.READ``: the server runs them in a
read-access transaction and refuses any write, which becomes :class:`~graph.stores.base.ReadOnlyError`.
Each write batch is its own managed transaction (``session.execute_write``), so transient errors
(deadlocks, leader changes) are retried by the driver.

>>> with Neo4jStore("bolt://localhost:7687", password="…") as store:   # doctest: +SKIP
...     store.stats()
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver, GraphDatabase, ManagedTransaction, Query, RoutingControl
from neo4j.exceptions import (
    AuthError,
    BrokenRecordError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
from neo4j.graph import Node, Relationship
from neo4j.graph import Path as NPath
from neo4j.spatial import Point, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time
from neo4j.vector import Vector

from graph import cypherlib, interrupt
from graph.errors import ReadOnlyError, StoreError
from graph.stores.base import (
    CreateConflict,
    Progress,
    QueryResult,
    Store,
)

__all__ = ["DEFAULT_URI", "DEFAULT_USERNAME", "Neo4jSettings", "Neo4jStore", "plain", "settings"]

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USERNAME = "neo4j"
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
START_HINT = "start it with 'docker compose up -d' (see docs/neo4j.md) or set NEO4J_URI"
READ_ONLY_MESSAGE = "this statement writes to the graph; queries are read-only unless --write is given"
# The server's code for a write (or schema change) attempted in a read-access transaction.
_READ_ONLY_CODES = frozenset({"Neo.ClientError.Statement.AccessMode"})
_TIMEOUT_CODES = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    }
)
CLEAR_BATCH = "write/clear_batch"
_CONSTRAINT_FAILED = "Neo.ClientError.Schema.ConstraintValidationFailed"
# Two writers creating the same schema at once: the second one's IF NOT EXISTS can still meet the first's.
_SCHEMA_EXISTS = frozenset(
    {
        "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
        "Neo.ClientError.Schema.ConstraintAlreadyExists",
        "Neo.ClientError.Schema.IndexAlreadyExists",
        "Neo.ClientError.Schema.ConstraintWithNameAlreadyExists",
        "Neo.ClientError.Schema.IndexWithNameAlreadyExists",
    }
)
# The driver retries a failed transaction for up to 30 s by default: against a dead server, every call
# would hang that long before saying so. Transient errors (deadlocks, leader changes) clear well within this.
RETRY_S = 5.0
# Sessions that write a load's entity batches at once (the machine this was measured on has 2 cores).
WRITERS = 2

# The driver logs connection failures at WARNING; with no handler configured, Python's last-resort
# handler would print them to stderr next to our one-line error. A NullHandler stops that and still
# lets an application that configures logging see them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and how to connect; ``password`` is never shown by ``repr``."""

    uri: str
    username: str
    password: str | None
    database: str | None

    def __repr__(self) -> str:
        return f"Neo4jSettings(uri={self.uri!r}, username={self.username!r}, database={self.database!r})"


def _read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file (comments, blank lines and ``export`` prefixes allowed)."""
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key.strip()] = value
    return out


def settings(
    uri: str | None = None,
    username: str | None = None,
    password: str | None = None,
    database: str | None = None,
    *,
    dotenv: Path | str | None = ".env",
) -> Neo4jSettings:
    """Resolve the connection settings: arguments, then environment, then ``dotenv``, then defaults.

    Parameters
    ----------
    uri, username, password, database : str, optional
        Explicit values; ``None`` falls back to ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``,
        ``NEO4J_DATABASE``.
    dotenv : path, optional
        A ``.env`` file read for variables the environment lacks (``None``: none).

    Returns
    -------
    Neo4jSettings
        ``database`` ``None`` means the server's default database.

    Example
    -------
    >>> settings("bolt://db:7687", "neo4j", "secret", dotenv=None).uri
    'bolt://db:7687'
    """
    env = _read_dotenv(Path(dotenv)) if dotenv else {}

    def pick(value: str | None, var: str) -> str | None:
        return value or os.environ.get(var) or env.get(var) or None

    return Neo4jSettings(
        uri=pick(uri, "NEO4J_URI") or DEFAULT_URI,
        username=pick(username, "NEO4J_USERNAME") or DEFAULT_USERNAME,
        password=pick(password, "NEO4J_PASSWORD"),
        database=pick(database, "NEO4J_DATABASE"),
    )


def plain(value: Any) -> Any:
    """Neo4j result values as the plain Python values :func:`graph.stores.falkordb.plain` gives.

    Nodes become ``{"labels": [...], **properties}`` (without the shared ``Entity`` label),
    relationships ``{"type": ..., **properties}``, paths ``{"nodes": [...], "relations": [...]}``;
    temporal values become :mod:`datetime` values and WGS-84 points ``{"latitude", "longitude"}``.

    Parameters
    ----------
    value : any
        A value of a :class:`neo4j.Record`.

    Returns
    -------
    any
        Built only from dicts, lists, strings, numbers, booleans, ``None`` and :mod:`datetime` values.

    Example
    -------
    >>> plain([Date(2024, 5, 1), {"k": 1}])
    [datetime.date(2024, 5, 1), {'k': 1}]
    """
    if isinstance(value, Node):
        return {"labels": sorted(lb for lb in value.labels if lb != "Entity"), **plain(dict(value.items()))}
    if isinstance(value, Relationship):
        return {"type": value.type, **plain(dict(value.items()))}
    if isinstance(value, NPath):
        return {"nodes": [plain(n) for n in value.nodes], "relations": [plain(r) for r in value.relationships]}
    if isinstance(value, Date | DateTime | Time):
        return value.to_native()
    if isinstance(value, Duration):
        # Months have no fixed length, so no exact timedelta exists; keep the ISO 8601 form.
        return value.iso_format()
    if isinstance(value, WGS84Point):  # SRID 4326 or 4979: x is longitude, y latitude (FalkorDB's point shape)
        return {"latitude": value.latitude, "longitude": value.longitude}
    if isinstance(value, Point):
        return list(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Vector):
        return value.to_native()  # a list of numbers, like FalkorDB's vecf32
    return value


def _run_batch(tx: ManagedTransaction, stmt: str, rows: list[dict]) -> None:
    tx.run(stmt, {"rows": rows}).consume()


def _count_deleted(tx: ManagedTransaction, stmt: str) -> int:
    return tx.run(stmt).single(strict=True)[0]


class Neo4jStore(Store):
    """A Neo4j 5 database as a store.

    Parameters
    ----------
    uri, username, password, database : str, optional
        See :func:`settings` for the fall-backs.
    connection_timeout : float
        Seconds to wait for a socket to connect (the driver's default is 30).

    Raises
    ------
    StoreError
        The server cannot be reached or refuses the login; the message says what to run.

    Example
    -------
    >>> with Neo4jStore() as store:            # doctest: +SKIP
    ...     store.run("chain_links").rows[:1]
    """

    dialect = "neo4j"
    name = "neo4j"

    def __init__(
        self,
        uri: str | None = None,
        username: str | None = None,
        password: str | None = None,
        database: str | None = None,
        *,
        connection_timeout: float = 10.0,
    ):
        self.settings = settings(uri, username, password, database)
        self.uri = self.settings.uri
        self.database = self.settings.database
        scheme = self.uri.partition("://")[0]
        if "://" not in self.uri or scheme not in SCHEMES:
            raise StoreError(f"NEO4J_URI '{self.uri}' is not a Neo4j URI: use bolt://HOST:7687 or neo4j://HOST:7687")
        auth = (self.settings.username, self.settings.password) if self.settings.password is not None else None
        try:
            self.driver: Driver = GraphDatabase.driver(
                self.uri, auth=auth, connection_timeout=connection_timeout, max_transaction_retry_time=RETRY_S
            )
        except (ConfigurationError, ValueError) as exc:
            raise StoreError(f"cannot use NEO4J_URI '{self.uri}': {exc}") from None
        try:
            self.driver.verify_connectivity()
        except AuthError:
            self.driver.close()
            raise StoreError(
                f"Neo4j at {self.uri} refused the login of user '{self.settings.username}': "
                "set NEO4J_PASSWORD (see .env.example) or pass --password"
            ) from None
        except (ServiceUnavailable, SessionExpired, OSError):
            self.driver.close()
            raise StoreError(f"cannot reach Neo4j at {self.uri}: {START_HINT}") from None
        except Neo4jError as exc:
            self.driver.close()
            raise StoreError(f"Neo4j at {self.uri} refused the connection: {_one_line(exc)}") from None
        self._schema_done = False

    def __repr__(self) -> str:
        return f"Neo4jStore({self.uri!r}, database={self.database!r})"

    def close(self) -> None:
        self.driver.close()

    def _query(self, cypher: str, params: dict[str, Any], *, write: bool, timeout_ms: int | None) -> QueryResult:
        q = Query(cypher, timeout=timeout_ms / 1000) if timeout_ms else Query(cypher)
        try:
            records, _, keys = self.driver.execute_query(
                q,
                params,
                routing_=RoutingControl.WRITE if write else RoutingControl.READ,
                database_=self.database,
            )
            rows = [[plain(v) for v in record.values()] for record in records]  # may meet a broken value
        except Neo4jError as exc:
            if exc.code in _READ_ONLY_CODES or "read access mode" in (exc.message or ""):
                raise ReadOnlyError(READ_ONLY_MESSAGE) from None
            if exc.code in _TIMEOUT_CODES:
                raise StoreError(f"the query ran longer than its timeout ({timeout_ms} ms) and was stopped") from None
            # syntax errors come over several lines with a caret under the spot: one line, as everywhere
            raise StoreError(_one_line(exc)) from None
        except BrokenRecordError as exc:
            # e.g. a date beyond year 9999, which Neo4j holds and Python cannot
            raise StoreError(
                f"a value in the result has no Python form ({_one_line(exc.__cause__ or exc)}); "
                "return it as text with toString()"
            ) from None
        except DriverError as exc:
            raise StoreError(self._lost(exc)) from None
        return QueryResult(list(keys), rows)

    def _lost(self, exc: Exception) -> str:
        return f"lost the connection to Neo4j at {self.uri} ({_one_line(exc)}); {START_HINT}"

    def _write_batches(
        self, batches: Iterable[tuple[str, list[dict]]], progress: Progress | None, *, independent: bool = False
    ) -> int:
        if independent:
            listed = list(batches)
            if len(listed) > 1:
                # Batches of distinct nodes: WRITERS sessions at once keep both of Neo4j's write paths busy
                # (bench/RESULTS.md: 1.3-1.4x the entities/s of one session on 2 cores).
                parts = [listed[i::WRITERS] for i in range(WRITERS)]
                with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="indgraph-neo4j") as pool:
                    return sum(pool.map(lambda part: self._write_serially(part, progress), parts))
            batches = listed
        return self._write_serially(batches, progress)

    def _write_serially(self, batches: Iterable[tuple[str, list[dict]]], progress: Progress | None) -> int:
        n = 0
        with self.driver.session(database=self.database) as session:
            for stmt, rows in batches:
                interrupt.check()  # a signal stops the load here, between two whole batches
                try:
                    session.execute_write(_run_batch, stmt, rows)
                except Neo4jError as exc:
                    if exc.code == _CONSTRAINT_FAILED:
                        raise CreateConflict(f"Neo4j refused a write batch: {_one_line(exc)}") from None
                    raise StoreError(f"Neo4j refused a write batch: {_one_line(exc)}") from None
                except DriverError as exc:
                    raise StoreError(self._lost(exc)) from None
                n += 1
                if progress:
                    progress(len(rows))
        return n

    def ensure_schema(self) -> None:
        if self._schema_done:
            return
        for stmt in cypherlib.schema("neo4j"):
            try:
                # Schema statements are idempotent (IF NOT EXISTS) and each is its own transaction.
                self.driver.execute_query(stmt, database_=self.database)
            except Neo4jError as exc:
                if exc.code in _SCHEMA_EXISTS:
                    continue
                raise StoreError(f"schema statement failed: {stmt}: {_one_line(exc)}") from None
            except DriverError as exc:
                raise StoreError(self._lost(exc)) from None
        self._schema_done = True

    def clear(self) -> None:
        """Delete every node and relationship, in batches (constraints and indexes stay)."""
        stmt = cypherlib.statement(CLEAR_BATCH)
        with self.driver.session(database=self.database) as session:
            try:
                # Bounded batches keep each transaction's memory small on a large graph.
                while session.execute_write(_count_deleted, stmt):
                    pass
            except Neo4jError as exc:
                raise StoreError(f"Neo4j refused to clear the database: {exc.message or exc}") from None
            except DriverError as exc:
                raise StoreError(self._lost(exc)) from None


def _one_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())
