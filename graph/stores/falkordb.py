"""The embedded default store: FalkorDB over a unix socket, through the ``falkordb`` client."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import redis
from falkordb import FalkorDB
from falkordb.edge import Edge
from falkordb.helpers import stringify_param_value
from falkordb.node import Node
from falkordb.path import Path as FPath

from graph import cypherlib, interrupt
from graph.codec import entity_props, relation_props
from graph.errors import Interrupted, PersistenceError, ReadOnlyError, StoreError
from graph.model import Records, RelType
from graph.stores import falkordb_bulk
from graph.stores.base import (
    MAX_TIMEOUT_MS,
    Progress,
    QueryResult,
    Store,
    WriteSummary,
)
from graph.stores.embedded import EmbeddedServer, lock_file, persistence_message

DEFAULT_GRAPH = "industry"
# A bulk load is built in a side graph of this suffix and renamed into place once whole, with its
# indexes: a crash or Ctrl-C part way leaves the real graph untouched (the side graph is dropped next time).
LOADING_SUFFIX = ".indgraph-loading"


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


def _prefetched(
    pool: ThreadPoolExecutor, batches: Iterable[tuple[str, list[dict]]]
) -> Iterator[tuple[str, list[dict], str]]:
    """(statement, rows, query text) of each batch; the next batch's text is prepared in ``pool`` meanwhile."""
    pending: tuple[str, list[dict], Future[str]] | None = None
    for stmt, rows in batches:
        nxt = (stmt, rows, pool.submit(_params_text, stmt, rows))
        if pending is not None:
            yield pending[0], pending[1], pending[2].result()
        pending = nxt
    if pending is not None:
        yield pending[0], pending[1], pending[2].result()


class FalkorStore(Store):
    """The embedded FalkorDB store; starts the server in ``home`` if it is not running.

    >>> with FalkorStore() as store:                 # doctest: +SKIP
    ...     store.stats()
    """

    dialect = "falkordb"
    name = "falkordb"
    # FalkorDB's MERGE costs 1.4-1.8x a lookup plus a create (bench/RESULTS.md); FalkorDB runs write queries
    # one at a time, so an insert statement's lookup and create are atomic (tests/test_concurrency.py).
    inserts_new = True

    def __init__(self, home: Path | str | None = None, graph: str | None = None, start: bool = True, bulk: bool = True):
        self.server = EmbeddedServer(home)
        self.start_message = self.server.start() if start else ""
        if not self.server.ping():  # also checks that the socket is a socket of this user's
            raise StoreError(f"the embedded FalkorDB is not running in {self.server.home}; run 'indgraph db start'")
        self.db = FalkorDB(unix_socket_path=str(self.server.socket))
        self.graph_name = graph or os.environ.get("INDGRAPH_GRAPH", DEFAULT_GRAPH)
        self.graph = self.db.select_graph(self.graph_name)
        self._schema_done = False
        # Create-mode loads into a graph that does not exist yet use FalkorDB's GRAPH.BULK protocol.
        self.bulk = bulk

    def close(self) -> None:
        self.db.connection.close()

    # -- durability and locking ------------------------------------------------------------------
    def _write_lock(self, exclusive: bool) -> contextlib.AbstractContextManager[None]:
        digest = hashlib.sha1(self.graph_name.encode()).hexdigest()[:16]
        return lock_file(self.server.home / f"write-{digest}.lock", shared=not exclusive)

    def _lost(self, exc: Exception) -> StoreError:
        return StoreError(f"lost the connection to FalkorDB ({exc}); run 'indgraph db status'")

    def _refuse_unsaved(self, detail: str | None = None, kept: str = "") -> None:
        """Raise :class:`PersistenceError` when the server cannot save writes (``detail``: its MISCONF reply)."""
        problem = persistence_message(self.server.home, detail) if detail else self.server.persistence_error()
        if problem:
            raise PersistenceError(f"{problem}{'; ' + kept if kept else ''}")

    def _confirm_saved(self) -> None:
        """Raise unless the server wrote the load to its append-only file: with a full disk it answers a
        write, then fails to save it, and only its write status says so. (The server writes the file
        before it sends a reply, and syncs it every second.) Never report as loaded what was not saved."""
        try:
            status = self.db.connection.info("persistence").get("aof_last_write_status", "ok")
        except redis.ConnectionError as exc:
            raise self._lost(exc) from None
        if status != "ok":
            self._refuse_unsaved(kept=_UNSAVED)
            raise PersistenceError(f"FalkorDB could not save the write in {self.server.home}; {_UNSAVED}")

    def _query(self, cypher: str, params: dict[str, Any], *, write: bool, timeout_ms: int | None) -> QueryResult:
        run = self.graph.query if write else self.graph.ro_query
        try:
            # no timeout: the server's maximum (TIMEOUT_MAX) applies
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
                raise StoreError(
                    f"the query ran longer than its timeout ({timeout_ms or MAX_TIMEOUT_MS} ms) and was stopped"
                ) from None
            if "mem consumption exceeded capacity" in msg:
                raise StoreError(
                    "the query needed more memory than one query may use "
                    f"({_mem_capacity(self.db.connection)}) and was stopped; narrow it down"
                ) from None
            if msg.startswith("MISCONF"):
                self._refuse_unsaved(msg, kept="nothing was written")
            raise StoreError(msg) from None
        except redis.ConnectionError as exc:
            raise self._lost(exc) from None
        columns = [h[1] if isinstance(h, list | tuple) else h for h in (res.header or [])]
        columns = [c.decode() if isinstance(c, bytes) else str(c) for c in columns]
        return QueryResult(columns, [[plain(v) for v in row] for row in res.result_set])

    def _write_batches(
        self, batches: Iterable[tuple[str, list[dict]]], progress: Progress | None, *, independent: bool = False
    ) -> int:
        # FalkorDB runs one write query at a time per graph: concurrent batches would only queue.
        n = 0
        if batches:
            self._refuse_unsaved(kept="nothing was written")
        # Turning rows into the CYPHER parameter header is pure Python and as slow as the server's work on
        # the batch: a helper thread prepares the next batch's text while the server runs this one.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="indgraph-params") as pool:
            for stmt, rows, text in _prefetched(pool, batches):
                interrupt.check()  # a signal stops the load here, between two whole batches
                try:
                    # One GRAPH.QUERY is atomic: a batch is written whole or not at all.
                    res = self.graph.query(text)
                    upsert = cypherlib.upsert_for(stmt)
                    if upsert and res.nodes_created < len(rows):
                        # Another writer created some of these ids after this load looked them up: the
                        # insert skipped those rows (it created the others), the upsert writes their values.
                        self.graph.query(_params_text(upsert, rows))
                except redis.ResponseError as exc:
                    if str(exc).startswith("MISCONF"):
                        self._refuse_unsaved(
                            str(exc),
                            kept=f"this load stopped after {n} write batches, the last of which may be lost "
                            "on a restart; once there is space, run the same load again (mode merge or auto) "
                            "to complete it",
                        )
                    raise StoreError(f"FalkorDB refused a write batch: {exc}") from None
                except redis.ConnectionError as exc:
                    # The server went away mid-load: each batch is stored whole or not at all, so a rerun completes it.
                    raise StoreError(
                        f"lost the connection to FalkorDB after {n} write batches ({exc}); "
                        "run the same load again (mode merge or auto) to complete it"
                    ) from None
                n += 1
                if progress:
                    progress(len(rows))
        return n

    def _bulk_create(self, data: Records, progress: Progress | None) -> WriteSummary | None:
        """Create a graph that does not exist yet with GRAPH.BULK, then its indexes; None when it exists.

        The load is built in a side graph and renamed into place whole, indexes included: a crash,
        a refusal or Ctrl-C part way leaves the graph as it was (absent), so a re-run starts clean.
        """
        conn = self.db.connection
        try:
            if not self.bulk or conn.exists(self.graph_name):
                return None
        except redis.ConnectionError as exc:
            raise self._lost(exc) from None
        self._refuse_unsaved(kept="nothing was written")
        side = self.graph_name + LOADING_SUFFIX
        untouched = f"the graph '{self.graph_name}' was not created (a bulk load is renamed into place only when whole)"
        send = partial(falkordb_bulk.send, conn, side, max_bytes=falkordb_bulk.MAX_CALL_BYTES, check=interrupt.check)
        try:
            # The nodes first, then their indexes, which FalkorDB fills in the background while the
            # relations are encoded here (on ChainKG that wait was 0.4 s after the whole load).
            nodes = falkordb_bulk.plan_nodes(data.entities, entity_props)
            conn.delete(side)  # what a crashed or interrupted load left; we hold the write lock alone
            calls = send(nodes.bulk(), progress)
            self._create_indexes(self.db.select_graph(side))
            relations = falkordb_bulk.plan_relations(data.relations, nodes, relation_props)
            if relations is None:  # a relation names an entity outside the load: only Cypher can look it up
                conn.delete(side)
                return None
            calls += send(relations, progress, begin=calls == 0)
            self._wait_for_indexes(self.db.select_graph(side))
            if not conn.renamenx(side, self.graph_name):  # someone created it by hand meanwhile
                conn.delete(side)
                return None
        except falkordb_bulk.BulkError as exc:
            with contextlib.suppress(redis.RedisError):
                conn.delete(side)
            raise StoreError(str(exc)) from None
        except Interrupted:
            with contextlib.suppress(redis.RedisError):
                conn.delete(side)
            raise Interrupted(
                f"interrupted: nothing was written: {untouched}; run the same command again to load it"
            ) from None
        except redis.ResponseError as exc:
            with contextlib.suppress(redis.RedisError):
                conn.delete(side)
            if str(exc).startswith("MISCONF"):
                self._refuse_unsaved(str(exc), kept=untouched)
            raise StoreError(f"FalkorDB refused the bulk load ({exc}); {untouched}") from None
        except redis.ConnectionError as exc:
            raise StoreError(
                f"lost the connection to FalkorDB during the bulk load ({exc}); it either completed or "
                f"{untouched}; run the same command again (with --mode create it says which)"
            ) from None
        self._schema_done = True
        return WriteSummary(nodes.entities, relations.relations, calls, mode="create", method="bulk")

    def _wait_for_indexes(self, graph: Any = None, timeout_s: float = 600.0) -> None:
        """Wait until FalkorDB has built the indexes (it builds them in the background over existing data);
        until then lookups by id fall back to scans."""
        graph = graph or self.graph
        deadline = time.monotonic() + timeout_s
        stmt = "CALL db.indexes() YIELD status WHERE status <> 'OPERATIONAL' RETURN count(*)"
        try:
            while graph.ro_query(stmt).result_set[0][0] and time.monotonic() < deadline:
                time.sleep(0.05)
        except redis.ConnectionError as exc:
            raise self._lost(exc) from None

    def _create_indexes(self, graph: Any) -> None:
        """The indexes, which also make every label known, then every relation type (see
        ``write/register_relation_type.cypher``: concurrent MERGEs of an unknown type duplicate relations)."""
        for stmt in cypherlib.schema("falkordb"):
            try:
                graph.query(stmt)
            except redis.ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise StoreError(f"schema statement failed: {stmt}: {exc}") from None
            except redis.ConnectionError as exc:
                raise self._lost(exc) from None
        try:
            known = {row[0] for row in graph.ro_query(cypherlib.statement("read/relation_types")).result_set}
            for rel in RelType:
                if rel.value not in known:
                    graph.query(cypherlib.register_relation_type(rel))
        except redis.ResponseError as exc:
            raise StoreError(f"schema statement failed: {exc}") from None
        except redis.ConnectionError as exc:
            raise self._lost(exc) from None

    def ensure_schema(self) -> None:
        """Create the indexes and wait until they are built: a merge or a lookup before that would scan."""
        if self._schema_done:
            return
        self._create_indexes(self.graph)
        self._wait_for_indexes()
        self._schema_done = True

    def ensure_indexes(self) -> None:
        # A graph left without its indexes (by a crash of an older version's bulk load, or built by hand)
        # gets them back before a lookup would scan it: 900 s instead of 20 s for ChainKnowledgeGraph.
        if self._schema_done:
            return
        try:
            exists = self.db.connection.exists(self.graph_name)
        except redis.ConnectionError as exc:
            raise self._lost(exc) from None
        if exists:
            self.ensure_schema()

    def clear(self) -> None:
        try:
            with contextlib.suppress(redis.ResponseError):  # no graph yet
                self.graph.delete()
        except redis.ConnectionError as exc:
            raise self._lost(exc) from None
        self._schema_done = False


_UNSAVED = "the load is in the server's memory but not on disk: once there is space, run it again"


def _mem_capacity(conn: Any) -> str:
    try:
        value = int(conn.execute_command("GRAPH.CONFIG", "GET", "QUERY_MEM_CAPACITY")[1])
        return f"{value / 2**20:,.0f} MiB"
    except (redis.RedisError, IndexError, TypeError, ValueError):
        return "the server's QUERY_MEM_CAPACITY"
