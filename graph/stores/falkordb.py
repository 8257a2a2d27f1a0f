"""The embedded default store: FalkorDB over a unix socket, through the ``falkordb`` client."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import redis
from falkordb import FalkorDB
from falkordb.edge import Edge
from falkordb.helpers import stringify_param_value
from falkordb.node import Node
from falkordb.path import Path as FPath

from graph import cypherlib
from graph.codec import entity_props, relation_props
from graph.errors import ReadOnlyError, StoreError
from graph.model import Records
from graph.stores import falkordb_bulk
from graph.stores.base import (
    Progress,
    QueryResult,
    Store,
    WriteSummary,
)
from graph.stores.embedded import EmbeddedServer

DEFAULT_GRAPH = "industry"


def plain(value: Any) -> Any:
    """FalkorDB result values as plain JSON-able Python values."""
    if isinstance(value, Node):
        return {"labels": [lb for lb in value.labels if lb != "Entity"], **value.properties}
    if isinstance(value, Edge):
        return {"type": value.relation, **value.properties}
    if isinstance(value, FPath):
        return {"nodes": [plain(n) for n in value.nodes()], "relations": [plain(e) for e in value.edges()]}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _params_text(stmt: str, rows: list[dict]) -> str:
    return f"CYPHER rows={stringify_param_value(rows)} {stmt}"


def _prefetched(pool: ThreadPoolExecutor, batches: Iterable[tuple[str, list[dict]]]) -> Iterator[tuple[int, str]]:
    """(row count, query text) of each batch; the next batch's text is prepared in ``pool`` meanwhile."""
    pending: tuple[int, Future[str]] | None = None
    for stmt, rows in batches:
        nxt = (len(rows), pool.submit(_params_text, stmt, rows))
        if pending is not None:
            yield pending[0], pending[1].result()
        pending = nxt
    if pending is not None:
        yield pending[0], pending[1].result()


class FalkorStore(Store):
    """The embedded FalkorDB store; starts the server in ``home`` if it is not running.

    >>> with FalkorStore() as store:                 # doctest: +SKIP
    ...     store.stats()
    """

    dialect = "falkordb"
    name = "falkordb"

    def __init__(self, home: Path | str | None = None, graph: str | None = None, start: bool = True, bulk: bool = True):
        self.server = EmbeddedServer(home)
        self.start_message = self.server.start() if start else ""
        if not self.server.ping():
            raise StoreError(f"the embedded FalkorDB is not running in {self.server.home}; run 'indgraph db start'")
        self.db = FalkorDB(unix_socket_path=str(self.server.socket))
        self.graph_name = graph or os.environ.get("INDGRAPH_GRAPH", DEFAULT_GRAPH)
        self.graph = self.db.select_graph(self.graph_name)
        self._schema_done = False
        # Create-mode loads into a graph that does not exist yet use FalkorDB's GRAPH.BULK protocol.
        self.bulk = bulk

    def close(self) -> None:
        self.db.connection.close()

    def _query(self, cypher: str, params: dict[str, Any], *, write: bool, timeout_ms: int | None) -> QueryResult:
        run = self.graph.query if write else self.graph.ro_query
        try:
            res = run(cypher, params, timeout=timeout_ms)
        except redis.ResponseError as exc:
            msg = str(exc)
            if "read-only" in msg:
                raise ReadOnlyError(
                    "this statement writes to the graph; queries are read-only unless --write is given"
                ) from None
            if "empty key" in msg or "Invalid graph operation on empty key" in msg:
                return QueryResult([], [])  # the graph does not exist yet: nothing to read
            if "timed out" in msg:
                raise StoreError(f"the query ran longer than its timeout ({timeout_ms} ms) and was stopped") from None
            raise StoreError(msg) from None
        except redis.ConnectionError as exc:
            raise StoreError(f"lost the connection to FalkorDB ({exc}); run 'indgraph db status'") from None
        columns = [h[1] if isinstance(h, list | tuple) else h for h in (res.header or [])]
        columns = [c.decode() if isinstance(c, bytes) else str(c) for c in columns]
        return QueryResult(columns, [[plain(v) for v in row] for row in res.result_set])

    def _write_batches(
        self, batches: Iterable[tuple[str, list[dict]]], progress: Progress | None, *, independent: bool = False
    ) -> int:
        # FalkorDB runs one write query at a time per graph: concurrent batches would only queue.
        n = 0
        # Turning rows into the CYPHER parameter header is pure Python and as slow as the server's work on
        # the batch: a helper thread prepares the next batch's text while the server runs this one.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="indgraph-params") as pool:
            for count, text in _prefetched(pool, batches):
                try:
                    # One GRAPH.QUERY is atomic: a batch is written whole or not at all.
                    self.graph.query(text)
                except redis.ResponseError as exc:
                    raise StoreError(f"FalkorDB refused a write batch: {exc}") from None
                except redis.ConnectionError as exc:
                    # The server went away mid-load: each batch is stored whole or not at all, so a rerun completes it.
                    raise StoreError(
                        f"lost the connection to FalkorDB after {n} write batches ({exc}); "
                        "run the same load again (mode merge or auto) to complete it"
                    ) from None
                n += 1
                if progress:
                    progress(count)
        return n

    def _bulk_create(self, data: Records, progress: Progress | None) -> WriteSummary | None:
        """Create a graph that does not exist yet with GRAPH.BULK, then its indexes; None when it exists."""
        if not self.bulk or self.db.connection.exists(self.graph_name):
            return None
        try:
            bulk = falkordb_bulk.plan(data, entity_props, relation_props)
        except falkordb_bulk.BulkError as exc:
            raise StoreError(str(exc)) from None
        if bulk is None:  # a relation names an entity outside the load: only Cypher can look it up
            return None
        try:
            calls = falkordb_bulk.send(self.db.connection, self.graph_name, bulk, progress)
        except (redis.ResponseError, redis.ConnectionError) as exc:
            if "already exists" in str(exc):
                return None  # another writer created the graph since we looked: not ours to touch
            # The graph is ours and new: drop what part of it was written, so a rerun starts clean.
            with contextlib.suppress(redis.RedisError):
                self.db.connection.delete(self.graph_name)
            raise StoreError(f"FalkorDB refused the bulk load ({exc}); nothing was kept") from None
        self._schema_done = False
        self.ensure_schema()  # indexes are built over the loaded graph in one pass
        self._wait_for_indexes()
        return WriteSummary(bulk.entities, bulk.relations, calls, mode="create", method="bulk")

    def _wait_for_indexes(self, timeout_s: float = 600.0) -> None:
        """Wait until FalkorDB has built the indexes (it builds them in the background over existing data);
        until then lookups by id fall back to scans."""
        deadline = time.monotonic() + timeout_s
        stmt = "CALL db.indexes() YIELD status WHERE status <> 'OPERATIONAL' RETURN count(*)"
        while self.query(stmt, timeout_ms=None).rows[0][0] and time.monotonic() < deadline:
            time.sleep(0.05)

    def ensure_schema(self) -> None:
        if self._schema_done:
            return
        for stmt in cypherlib.schema("falkordb"):
            try:
                self.graph.query(stmt)
            except redis.ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise StoreError(f"schema statement failed: {stmt}: {exc}") from None
        self._schema_done = True

    def clear(self) -> None:
        with contextlib.suppress(redis.ResponseError):  # no graph yet
            self.graph.delete()
        self._schema_done = False
