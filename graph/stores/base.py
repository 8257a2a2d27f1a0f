"""What every store does, written once: batched upserts, export, statistics and the named queries.

A store subclass supplies four things: ``dialect``, ``query`` (one statement, read-only unless asked),
``_write_batches`` (a list of (statement, rows) each in its own write transaction) and
``ensure_schema``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal

from graph import cypherlib, interrupt
from graph.codec import entity_from_props, entity_props, relation_from_props, relation_props
from graph.errors import ArgumentError, Interrupted, QueryParameterError, StoreError, UnknownQueryError
from graph.model import Entity, EntityType, GraphData, Records, Relation, RelType

WriteMode = Literal["auto", "merge", "create"]
Progress = Callable[[int], None]
DEFAULT_BATCH = 2000
DEFAULT_TIMEOUT_MS = 30_000
# No query runs longer than this (10 minutes); a timeout of 0 means it. The embedded FalkorDB enforces it
# server-side too (TIMEOUT_MAX), so a query whose client died does not run on and starve other readers.
MAX_TIMEOUT_MS = 600_000


class CreateConflict(StoreError):
    """A create-mode batch met an id another writer had just created (raised by stores with constraints)."""


@dataclass
class QueryResult:
    """Rows of a query: column names and a list of rows (plain Python values)."""

    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_json(self) -> str:
        return json.dumps(self.records(), ensure_ascii=False, indent=2, default=str)

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        for row in self.rows:
            w.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for v in row])
        return buf.getvalue()


@dataclass
class WriteSummary:
    entities: Counter[str] = field(default_factory=Counter)
    relations: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    mode: str = "merge"
    method: str = "cypher"  # how it was written: "cypher" statements, or a store's native "bulk" protocol


INT64 = (-(2**63), 2**63 - 1)


def check_param(name: str, value: Any) -> None:
    """Refuse a parameter value no store holds faithfully: integers beyond 64 bits, NaN and infinities.

    >>> check_param("n", 2**63)
    Traceback (most recent call last):
    ...
    graph.errors.ArgumentError: parameter 'n': 9223372036854775808 is beyond the 64-bit integers a store holds
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
        shown = str(value) if len(str(value)) <= 40 else f"{str(value)[:20]}…({len(str(value))} digits)"
        raise ArgumentError(f"parameter '{name}': {shown} is beyond the 64-bit integers a store holds")
    if isinstance(value, float) and not math.isfinite(value):
        raise ArgumentError(f"parameter '{name}': {value} is not a finite number; a store cannot hold it")
    if isinstance(value, list | tuple):
        for v in value:
            check_param(name, v)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            if "`" in str(k):  # FalkorDB's client cannot send such a key (and says so with a bare ValueError)
                raise ArgumentError(f"parameter '{name}': a map key cannot hold a backtick (`), got {str(k)[:80]!r}")
            check_param(f"{name}.{k}", v)


def _entity_batches(
    entities: Iterable[Entity], size: int, create: bool, counts: Counter[str], fresh: set[str] | None = None
) -> Iterator[tuple[str, list[dict]]]:
    """(statement, rows) of at most ``size`` entities of one type, made as ``entities`` are read.

    ``fresh``: the ids the store did not hold when the load was checked, for a store that inserts them
    (:attr:`Store.inserts_new`); they go to the insert statement, the others to the upsert.
    """
    stmts: dict[tuple[EntityType, bool], str] = {}
    buffers: dict[tuple[EntityType, bool], list[dict]] = {}
    inserted: set[str] = set()
    for e in entities:
        # An id given twice (a library caller's data: a load never repeats one) is inserted once, then upserted.
        new = fresh is not None and e.id in fresh and e.id not in inserted
        if new:
            inserted.add(e.id)
        key = (e.type, new)
        rows = buffers.get(key)
        if rows is None:
            rows = buffers[key] = []
            stmts[key] = cypherlib.insert_entities(e.type) if new else cypherlib.upsert_entities(e.type, create=create)
        rows.append({"id": e.id, "props": entity_props(e)})
        counts[e.type.value] += 1
        if len(rows) >= size:
            yield stmts[key], rows
            buffers[key] = []
    yield from ((stmts[k], rows) for k, rows in buffers.items() if rows)


def _relation_batches(
    relations: Iterable[Relation], size: int, create: bool, counts: Counter[str]
) -> Iterator[tuple[str, list[dict]]]:
    """(statement, rows) of at most ``size`` relations of one type, made as ``relations`` are read.

    Always the upsert in a merge, even between entities new to the store: on FalkorDB a lookup and a create
    of the relation measured no faster than its MERGE (the endpoints' lookups are the cost).
    """
    stmts: dict[RelType, str] = {}
    buffers: dict[RelType, list[dict]] = {}
    for r in relations:
        rows = buffers.get(r.type)
        if rows is None:
            rows = buffers[r.type] = []
            stmts[r.type] = cypherlib.upsert_relations(r.type, create=create)
        row = {"source": r.source, "target": r.target, "props": relation_props(r)}
        if r.chain:
            row["chain"] = r.chain
        rows.append(row)
        counts[r.type.value] += 1
        if len(rows) >= size:
            yield stmts[r.type], rows
            buffers[r.type] = []
    yield from ((stmts[t], rows) for t, rows in buffers.items() if rows)


# -- the store -------------------------------------------------------------------------------------
class Store(ABC):
    """A graph store. Use as a context manager, or call :meth:`close`."""

    dialect: cypherlib.Dialect
    name: str
    # A merge writes the ids the store did not hold when the load was checked with the insert statements
    # (cypherlib.insert_entities: a lookup and a create in one atomic statement, cheaper than MERGE on
    # FalkorDB); the store's _write_batches runs a batch again as the upsert (cypherlib.upsert_for) when
    # it created fewer rows than it had, i.e. another writer created some of them meanwhile.
    inserts_new: bool = False

    # subclass hooks --------------------------------------------------------------------------------
    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        timeout_ms: int | None = DEFAULT_TIMEOUT_MS,
    ) -> QueryResult:
        """Run one statement; refuse writes unless ``write`` (:class:`~graph.errors.ReadOnlyError`).

        Parameters are checked first: a value no store can hold faithfully (an integer beyond 64 bits,
        which FalkorDB would clamp and the Neo4j driver refuses with a traceback, or NaN/infinity) is an
        :class:`~graph.errors.ArgumentError` naming the parameter.
        """
        params = dict(params or {})
        for name, value in params.items():
            check_param(name, value)
        if timeout_ms is not None:
            if not 0 <= timeout_ms <= MAX_TIMEOUT_MS:
                raise ArgumentError(f"timeout {timeout_ms} ms: give 1 to {MAX_TIMEOUT_MS} ms, or 0 for that maximum")
            timeout_ms = timeout_ms or MAX_TIMEOUT_MS
        return self._query(cypher, params, write=write, timeout_ms=timeout_ms)

    @abstractmethod
    def _query(self, cypher: str, params: dict[str, Any], *, write: bool, timeout_ms: int | None) -> QueryResult:
        """Run one checked statement (the store's own dialect and driver)."""

    @abstractmethod
    def _write_batches(
        self, batches: Iterable[tuple[str, list[dict]]], progress: Progress | None, *, independent: bool = False
    ) -> int:
        """Run each (statement, rows) in its own write transaction; return how many ran.

        ``independent``: no two batches touch the same node, so they may run concurrently.
        """

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create indexes/constraints; idempotent."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    def _write_lock(self, exclusive: bool) -> AbstractContextManager[None]:
        """Hook: keep other writers of this graph out (``exclusive``: a create-mode load, which must be
        alone, since it creates ids without looking), or share with other upserts."""
        return contextlib.nullcontext()

    def ensure_indexes(self) -> None:  # noqa: B027 - optional hook
        """Make sure a graph that exists has its indexes, built, before anything looks entities up by id
        (a crash of an older bulk load left a graph without them, and every lookup then scanned it).
        Stores whose schema is transactional need nothing."""

    def _confirm_saved(self) -> None:  # noqa: B027 - optional hook
        """Hook: after a write, raise unless the store has saved it durably (e.g. not if the disk is full)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # shared operations -----------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self.query("MATCH (n) RETURN n LIMIT 1").rows

    def write(
        self,
        data: Records,
        *,
        batch_size: int = DEFAULT_BATCH,
        mode: WriteMode = "merge",
        progress: Progress | None = None,
    ) -> WriteSummary:
        """Write validated data: entities, then relations, in batches of ``batch_size`` rows.

        ``mode`` ``merge`` upserts (idempotent); ``create`` is the fast path for an empty store;
        ``auto`` picks ``create`` when the store is empty. A create-mode or auto load holds the graph's
        write lock alone (another create could otherwise duplicate every id); upserts share it.

        A signal (:mod:`graph.interrupt`) stops the write at a batch boundary with
        :class:`~graph.errors.Interrupted`, whose message says how much was written and how to finish.
        """
        total = len(data.entities) + len(data.relations)
        done = 0

        def counted(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(n)

        with self._write_lock(exclusive=mode != "merge"), interrupt.writing():
            try:
                summary = self._write(data, batch_size=batch_size, mode=mode, progress=counted)
            except Interrupted as exc:
                if str(exc) != "interrupted":  # the write path said itself what it kept
                    raise
                finish = "run the same command again" if mode != "create" else "run it again with --mode merge"
                raise Interrupted(
                    f"interrupted: {done:,} of {total:,} records written, in whole batches; "
                    f"{finish} to finish it (nothing is duplicated)"
                ) from None
            self._confirm_saved()
        return summary

    def _write(self, data: Records, *, batch_size: int, mode: WriteMode, progress: Progress | None) -> WriteSummary:
        """:meth:`write` under the graph's write lock."""
        if mode == "create" and data.entities and not self.is_empty():
            # Blind CREATE into a graph that already holds entities would duplicate every id it shares.
            raise StoreError("--mode create needs an empty store; use --mode merge (or auto) to add to this one")
        create = mode == "create" or (mode == "auto" and self.is_empty())
        if create:
            bulk = self._bulk_create(data, progress)
            if bulk is not None:
                return bulk
            if data.entities and not self.is_empty():
                # another writer (by hand: loads hold the write lock) filled the store meanwhile
                if mode == "create":
                    raise StoreError(
                        "--mode create needs an empty store, and another writer has just written to it; "
                        "nothing was written; use --mode merge (or auto)"
                    )
                create = False
        self.ensure_schema()
        fresh = None if create else self._check_types(data)
        if not self.inserts_new:
            fresh = None
        summary = WriteSummary(mode="create" if create else "merge")
        # Rows are made batch by batch as the records are read (a load streamed from its files is never
        # held whole); entity batches are listed, since a store may run them side by side.
        entity_batches = list(_entity_batches(data.entities, batch_size, create, summary.entities, fresh))
        relation_batches = _relation_batches(data.relations, batch_size, create, summary.relations)
        try:
            # A load's ids are unique (validated), so its entity batches touch distinct nodes and a store
            # may run them side by side; relation batches share endpoints and run one after another.
            summary.batches = self._write_batches(entity_batches, progress, independent=True)
            summary.batches += self._write_batches(relation_batches, progress)
        except CreateConflict:
            # Another writer created some of these ids between our emptiness check and our batch; the
            # store's uniqueness constraint refused the batch whole. MERGE everything: it is idempotent.
            if not create:
                raise
            if mode != "auto":
                raise StoreError(
                    "--mode create: another writer loaded some of these entities meanwhile; nothing was "
                    "duplicated; finish with --mode merge"
                ) from None
            return self._write(data, batch_size=batch_size, mode="merge", progress=progress)
        return summary

    def _bulk_create(self, data: Records, progress: Progress | None) -> WriteSummary | None:
        """Hook: write ``data`` into a brand-new graph with the store's native bulk protocol.

        Returns None when the store has no such path or cannot use it here (then Cypher CREATE runs).
        """
        return None

    def _check_types(self, data: Records) -> set[str]:
        """Refuse a merge that would change an existing entity's type (the upsert matches id and label);
        return the ids of ``data`` the store does not hold."""
        new = {e.id: e.type for e in data.entities}
        if not new or self.is_empty():
            return set(new)
        known = self.known_types(new)
        changed = sorted((i, t, new[i]) for i, t in known.items() if t != new[i])
        if changed:
            shown = ", ".join(f"{i} ({old} -> {to})" for i, old, to in changed[:5])
            raise StoreError(
                f"{len(changed)} entities would change type, which an upsert cannot do: {shown}; "
                'delete them first (indgraph query --write "MATCH (n:Entity {id: $id}) DETACH DELETE n" -p id=…)'
            )
        return set(new).difference(known)

    def run(self, name: str, params: Mapping[str, Any] | None = None, *, timeout_ms: int | None = None) -> QueryResult:
        """Run a named query of the library (read-only)."""
        lib = cypherlib.library(self.dialect)
        if name not in lib:
            raise UnknownQueryError(f"no named query '{name}'; known: {', '.join(lib)}")
        q = lib[name]
        params = dict(params or {})
        missing = [p for p in q.params if p not in params]
        if missing:
            raise QueryParameterError(f"query '{name}' needs --param {' --param '.join(m + '=…' for m in missing)}")
        return self.query(q.text, params, timeout_ms=timeout_ms or DEFAULT_TIMEOUT_MS)

    def stats(self) -> dict[str, dict[str, int]]:
        """Counts of entities per type and relations per type."""
        ents = self.query(cypherlib.statement("read/count_entities"), timeout_ms=None)
        rels = self.query(cypherlib.statement("read/count_relations"), timeout_ms=None)
        return {"entities": {t: c for t, c in ents.rows}, "relations": {t: c for t, c in rels.rows}}

    def known_types(self, ids: Iterable[str]) -> dict[str, EntityType]:
        """Types of those ``ids`` that already exist in the store (looked up by index, never by a scan)."""
        self.ensure_indexes()
        ids = sorted(set(ids))
        out: dict[str, EntityType] = {}
        for i in range(0, len(ids), 5000):
            res = self.query(cypherlib.statement("read/entity_types"), {"ids": ids[i : i + 5000]}, timeout_ms=None)
            out.update({row[0]: EntityType(row[1]) for row in res.rows})
        return out

    def dump(self) -> GraphData:
        """Everything in the store as model records."""
        ents = self.query(cypherlib.statement("read/entities"), timeout_ms=None)
        rels = self.query(cypherlib.statement("read/relations"), timeout_ms=None)
        entities = []
        for node_id, _, props in ents.rows:
            try:
                entities.append(entity_from_props(props))
            except (KeyError, ValueError) as exc:  # a node written by hand with `query --write`
                raise StoreError(
                    f"node {node_id!r} is not a valid entity ({exc}); fix or delete it with indgraph query --write"
                ) from None
        return GraphData(
            entities=entities,
            relations=[relation_from_props(s, t, d, props) for s, t, d, props in rels.rows],
        )

    def subgraph(self, ids: Iterable[str]) -> GraphData:
        """The entities among ``ids`` and every relation between them, as model records (the induced
        subgraph: what a picture of part of a national store needs, without dumping the rest)."""
        wanted = sorted(set(ids))
        entities: list = []
        relations: list = []
        for i in range(0, len(wanted), 5000):
            chunk = {"ids": wanted[i : i + 5000]}
            ents = self.query(cypherlib.statement("read/entities_by_ids"), chunk, timeout_ms=None)
            entities += [entity_from_props(props) for _, _, props in ents.rows]
        if wanted:
            rels = self.query(cypherlib.statement("read/relations_among"), {"ids": wanted}, timeout_ms=None)
            relations = [relation_from_props(s, t, d, props) for s, t, d, props in rels.rows]
        return GraphData(entities=entities, relations=relations)

    def clear(self) -> None:
        self._write_batches([(cypherlib.statement("write/clear"), [])], None)
