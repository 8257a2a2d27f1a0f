"""The embedded default store: FalkorDB over a unix socket, through the ``falkordb`` client."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import redis
from falkordb import FalkorDB
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as FPath

from graph import cypherlib
from graph.stores.base import (
    DEFAULT_TIMEOUT_MS,
    Progress,
    QueryResult,
    ReadOnlyError,
    Store,
    StoreError,
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


class FalkorStore(Store):
    """The embedded FalkorDB store; starts the server in ``home`` if it is not running.

    >>> with FalkorStore() as store:                 # doctest: +SKIP
    ...     store.stats()
    """

    dialect = "falkordb"
    name = "falkordb"

    def __init__(self, home: Path | str | None = None, graph: str | None = None, start: bool = True):
        self.server = EmbeddedServer(home)
        self.start_message = self.server.start() if start else ""
        if not self.server.ping():
            raise StoreError(f"the embedded FalkorDB is not running in {self.server.home}; run 'indgraph db start'")
        self.db = FalkorDB(unix_socket_path=str(self.server.socket))
        self.graph_name = graph or os.environ.get("INDGRAPH_GRAPH", DEFAULT_GRAPH)
        self.graph = self.db.select_graph(self.graph_name)
        self._schema_done = False

    def close(self) -> None:
        self.db.connection.close()

    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        timeout_ms: int | None = DEFAULT_TIMEOUT_MS,
    ) -> QueryResult:
        run = self.graph.query if write else self.graph.ro_query
        try:
            res = run(cypher, dict(params or {}), timeout=timeout_ms)
        except redis.ResponseError as exc:
            msg = str(exc)
            if "read-only" in msg:
                raise ReadOnlyError(
                    "this statement writes to the graph; queries are read-only unless --write is given"
                ) from None
            if "empty key" in msg or "Invalid graph operation on empty key" in msg:
                return QueryResult([], [])  # the graph does not exist yet: nothing to read
            raise StoreError(msg) from None
        except redis.ConnectionError as exc:
            raise StoreError(f"lost the connection to FalkorDB ({exc}); run 'indgraph db status'") from None
        columns = [h[1] if isinstance(h, list | tuple) else h for h in (res.header or [])]
        columns = [c.decode() if isinstance(c, bytes) else str(c) for c in columns]
        return QueryResult(columns, [[plain(v) for v in row] for row in res.result_set])

    def _write_batches(self, batches: Iterable[tuple[str, list[dict]]], progress: Progress | None) -> int:
        n = 0
        for stmt, rows in batches:
            try:
                # One GRAPH.QUERY is atomic: a batch is written whole or not at all.
                self.graph.query(stmt, {"rows": rows})
            except redis.ResponseError as exc:
                raise StoreError(f"FalkorDB refused a write batch: {exc}") from None
            n += 1
            if progress:
                progress(len(rows))
        return n

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
        try:
            self.graph.delete()
        except redis.ResponseError:
            pass  # no graph yet
        self._schema_done = False
