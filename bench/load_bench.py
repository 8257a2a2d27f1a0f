"""Load and query benchmark of the embedded FalkorDB store and of Neo4j, printed as ONE table from one run.

Data sets
  chainkg    the ChainKnowledgeGraph set (``../shared/data/chainkg``, or $INDGRAPH_CHAINKG), read with
             :func:`loaders.chainkg.read_chainkg`; --short uses the first 2,000 lines of each file
             (a temporary sample, deleted after). Skipped with a note when the set is absent.
  synthetic  a deterministic generated graph of sectors and companies with 1,000,000 relations
             (PART_OF_CHAIN between sectors, SPECIALISES_IN from companies); --short: 20,000.

Write paths, each into a new graph of the same server
  merge            the idempotent merge path (indexes made first), batches of --batch-size: FalkorDB writes the
                   ids the store did not hold with OPTIONAL MATCH + CREATE in one statement, the rest (and
                   every relation) with UNWIND … MERGE; then the unchanged re-load
  merge, MERGE only  the same with UNWIND … MERGE for every id (the merge path before issue 15), same run
  create/cypher    UNWIND … CREATE into an empty graph that exists (indexes first)
  create/bulk      the store's fast path: FalkorDB's GRAPH.BULK protocol spoken from Python, indexes after
  bulk-loader CLI  FalkorDB's own ``falkordb-bulk-insert`` on CSV files of the same data (CSV writing not
                   timed): the engine's limit, over the embedded server's unix socket
  neo4j merge      the same UNWIND … MERGE into Neo4j 5.26 (the local Neo4j of the tests, or NEO4J_URI's),
                   then the unchanged re-load; neo4j create/cypher: UNWIND … CREATE into an empty database
  peer             one string-built CREATE / MATCH … CREATE per row, no index, as the ChainKnowledgeGraph
                   project's build_graph.py does; on a sample (--peer-rows), never on the whole set

Queries (p50/p95 over --queries runs each): PART_OF_CHAIN neighbours of a product 1 and 2 hops upstream
(anchored Cypher, and the named query ``neighbours_up`` when the library has it) on the imported
ChainKnowledgeGraph, and the regional aggregation ``sectors_in_place`` on the curated seed graph.
Analysis: ``to_networkx`` and PageRank on the imported graph.
Memory: peak RSS of this process and of the server during each step (VmHWM, reset before each step).

    .venv/bin/python bench/load_bench.py --short     # CI: well under a minute on an idle 2-core machine
    .venv/bin/python bench/load_bench.py --skip synthetic --no-neo4j --steps merge,merge-only   # the merge paths
    NEO4J_HEAP=2g NEO4J_PAGECACHE=1g .venv/bin/python bench/load_bench.py   # the run in bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from graph.attributes import ATTRIBUTES  # noqa: E402
from graph.codec import entity_props, relation_props  # noqa: E402
from graph.model import Entity, EntityType, GraphData, Relation, RelType  # noqa: E402
from graph.nxgraph import to_networkx  # noqa: E402
from graph.stores.embedded import EmbeddedServer  # noqa: E402
from graph.stores.falkordb import FalkorStore  # noqa: E402

CHAINKG = Path(os.environ.get("INDGRAPH_CHAINKG", ROOT.parent / "shared" / "data" / "chainkg"))
BULK_CLI = Path(sys.executable).with_name("falkordb-bulk-insert")
_TEMP_DIRS: list[Path] = []
SHORT_LINES = 2000  # samples made for --short, removed at the end


# -- memory ---------------------------------------------------------------------------------------
def _hwm_kib(pid: int | str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _cpu_s(pid: int | str | None) -> float:
    """CPU seconds a process has used (user + system, all its threads); 0 when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _reset_hwm(pid: int | str) -> None:
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # "5" resets the peak RSS (Linux >= 4.0)


@dataclass
class Row:
    dataset: str
    step: str
    entities: int = 0
    relations: int = 0
    seconds: float = 0.0
    ent_rate: float | None = None
    rel_rate: float | None = None
    note: str = ""
    p50_ms: float | None = None
    p95_ms: float | None = None
    cpu_s: float = 0.0  # CPU seconds of this process during the step (steadier than wall time on a busy machine)
    bench_mib: float = 0.0
    server_mib: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        n = self.entities + self.relations
        return n / self.seconds if n and self.seconds else None


class Bench:
    def __init__(self, server: EmbeddedServer, batch_size: int):
        self.server = server
        self.batch_size = batch_size
        self.pid = server._pid()
        self.rows: list[Row] = []
        self.graph_no = 0
        self.chainkg_folder = CHAINKG  # the short run's sample instead

    @contextlib.contextmanager
    def step(self, row: Row, server_pid: int | None = None) -> Iterator[Row]:
        """Time and measure one step; ``server_pid`` is the server whose memory counts (default FalkorDB's)."""
        pid = server_pid or self.pid
        for p in ("self", pid):
            _reset_hwm(p)
        cpu = time.process_time()
        try:
            yield row
        finally:
            row.cpu_s = time.process_time() - cpu
            row.bench_mib = _hwm_kib("self") / 1024
            row.server_mib = _hwm_kib(pid) / 1024 if pid else 0.0
            self.rows.append(row)
            print(f"  {row.dataset:9s} {row.step:28s} {fmt_row(row)}", flush=True)

    def store(self, bulk: bool = True) -> FalkorStore:
        self.graph_no += 1
        return FalkorStore(self.server.home, graph=f"bench_{self.graph_no}", bulk=bulk)


def fmt_row(r: Row) -> str:
    parts = []
    if r.seconds:
        parts.append(f"{r.seconds:.2f} s")
    if r.rate:
        parts.append(f"{r.rate:,.0f} rec/s")
    if r.p50_ms is not None:
        parts.append(f"p50 {r.p50_ms:.2f} ms p95 {r.p95_ms:.2f} ms")
    return ", ".join(parts) + (f" ({r.note})" if r.note else "")


# -- data -----------------------------------------------------------------------------------------
def synthetic(relations: int, seed: int = 7) -> GraphData:
    """Sectors (products) and companies; ~60% PART_OF_CHAIN between sectors, the rest SPECIALISES_IN."""
    rnd = random.Random(seed)
    n_sec, n_co = max(200, relations // 10), max(100, relations // 20)
    level4 = {"level": 4, "description": "product"}
    ents = [
        Entity(id=f"syn:s{i}", type=EntityType.SECTOR, name=f"产品{i}", name_zh=f"产品{i}", attributes=level4)
        for i in range(n_sec)
    ]
    ents += [
        Entity(
            id=f"syn:c{i}",
            type=EntityType.COMPANY,
            name=f"公司{i}",
            name_zh=f"公司{i}",
            attributes={"code": f"{600000 + i}.SH", "exchange": "上海证券交易所"},
        )
        for i in range(n_co)
    ]
    seen: set[tuple[str, str]] = set()
    rels: list[Relation] = []
    n_chain = relations * 6 // 10
    while len(rels) < relations:
        chain = len(rels) < n_chain
        a = f"syn:s{rnd.randrange(n_sec)}" if chain else f"syn:c{rnd.randrange(n_co)}"
        b = f"syn:s{rnd.randrange(n_sec)}"
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        if chain:
            rels.append(Relation(source=a, type=RelType.PART_OF_CHAIN, target=b, chain="synthetic"))
        else:
            rels.append(Relation(source=a, type=RelType.SPECIALISES_IN, target=b, weight=round(rnd.random(), 4)))
    return GraphData(entities=ents, relations=rels)


def chainkg_sample(lines: int, into: Path) -> Path:
    """The first ``lines`` lines of each file (a temporary sample for --short)."""
    for f in CHAINKG.glob("*.json"):
        with f.open(encoding="utf-8") as src, (into / f.name).open("w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= lines:
                    break
                dst.write(line)
    return into


# -- write paths ----------------------------------------------------------------------------------
def entities_then_relations(
    st: Any, data: GraphData, mode: str, batch_size: int, row: Row, server_pid: int | None = None
) -> Any:
    """Write the entities, then the relations, timing each into ``row``; returns the entities' WriteSummary.

    With ``server_pid``, the server's CPU seconds of each phase go into the note: the entities per server
    CPU second are steadier than wall time on a machine shared with other work.
    """
    t, c = time.perf_counter(), _cpu_s(server_pid)
    written = st.write(GraphData(entities=data.entities), mode=mode, batch_size=batch_size)
    te, ce = time.perf_counter() - t, _cpu_s(server_pid) - c
    t, c = time.perf_counter(), _cpu_s(server_pid)
    st.write(GraphData(relations=data.relations), mode=mode, batch_size=batch_size)
    tr, cr = time.perf_counter() - t, _cpu_s(server_pid) - c
    row.seconds, row.ent_rate, row.rel_rate = te + tr, len(data.entities) / te, len(data.relations) / tr
    if server_pid and ce and cr:
        row.extra["server_cpu"] = (
            f"server CPU s: entities {ce:.2f} ({len(data.entities) / ce:,.0f}/s), "
            f"relations {cr:.2f} ({len(data.relations) / cr:,.0f}/s)"
        )
    return written


def write_phases(
    b: Bench, data: GraphData, dataset: str, step: str, mode: str, bulk: bool, inserts: bool = True
) -> None:
    """Entities then relations as two timed phases (Cypher paths), or one bulk load.

    ``inserts`` False: MERGE for every id, also those the store did not hold (the merge path before issue 15).
    """
    st = b.store(bulk=bulk)
    st.inserts_new = inserts
    try:
        with b.step(Row(dataset, step, len(data.entities), len(data.relations))) as row:
            if bulk:
                t = time.perf_counter()
                w = st.write(data, mode=mode, batch_size=b.batch_size)
                row.seconds = time.perf_counter() - t
                row.note = f"{w.method}, {w.batches} calls, indexes included"
            else:
                st.ensure_schema()
                entities_then_relations(st, data, mode, b.batch_size, row, server_pid=b.pid)
                row.note = "; ".join((f"batches of {b.batch_size}", *row.extra.values()))
        stats = st.stats()
        assert sum(stats["entities"].values()) == len(data.entities), stats
        assert sum(stats["relations"].values()) == len(data.relations), stats
        if mode == "merge":  # the idempotent re-load: everything exists, nothing changes
            again = "merge again (no change)" + ("" if inserts else ", MERGE only")
            with b.step(Row(dataset, again, len(data.entities), len(data.relations))) as row:
                t = time.perf_counter()
                st.write(data, mode="merge", batch_size=b.batch_size)
                row.seconds = time.perf_counter() - t
            assert st.stats() == stats
    finally:
        st.clear()
        st.close()


def import_end_to_end(b: Bench, folder: Path, dataset: str) -> None:
    """What `indgraph import chainkg` does into an empty store (``graph.ingest.import_chainkg``): read and
    validate the files, apply the sector vocabulary, mark recipe links, add the chain templates, write
    (GRAPH.BULK) with indexes built and ready; then the same as a CLI process of its own (start-up, imports
    and the printed summary included)."""
    from graph.ingest import import_chainkg

    st = b.store()
    try:
        with b.step(Row(dataset, "import end to end (read+write)")) as row:
            t = time.perf_counter()
            plan, w = import_chainkg(st, folder, batch_size=b.batch_size)
            row.seconds = time.perf_counter() - t
            row.entities, row.relations = len(plan.data.entities), len(plan.data.relations)
            row.note = f"read, vocabulary and templates, then {w.method} write with indexes ready"
        del plan
    finally:
        st.clear()
        st.close()
    b.graph_no += 1
    graph = f"bench_{b.graph_no}"
    cmd = [str(Path(sys.executable).with_name("indgraph")), "--home", str(b.server.home), "--graph", graph]
    with b.step(Row(dataset, "import end to end, CLI process")) as row:
        t = time.perf_counter()
        proc = subprocess.run([*cmd, "import", "chainkg", str(folder)], capture_output=True, text=True, check=False)
        row.seconds = time.perf_counter() - t
        row.note = (
            "`indgraph import chainkg` in a process of its own"
            if proc.returncode == 0
            else (f"FAILED: {proc.stdout[-300:]}")
        )
    st = FalkorStore(b.server.home, graph=graph)
    try:
        stats = st.stats()
        row.entities, row.relations = sum(stats["entities"].values()), sum(stats["relations"].values())
    finally:
        st.clear()
        st.close()


def merge_ids_first(b: Bench, data: GraphData, dataset: str) -> None:
    """The MERGE path with only the id indexes during the load, the name indexes built after (and waited for)."""
    from graph import cypherlib

    st = b.store(bulk=False)
    schema = cypherlib.schema("falkordb")
    ids_only = [q for q in schema if "n.id)" in q]
    names = [q for q in schema if q not in ids_only]
    try:
        with b.step(Row(dataset, "merge, name indexes after", len(data.entities), len(data.relations))) as row:
            t = time.perf_counter()
            for q in ids_only:
                st.query(q, write=True)
            st._schema_done = True  # the store would add the name indexes now: they come after the load
            entities_then_relations(st, data, "merge", b.batch_size, row)
            t_idx = time.perf_counter()
            for q in names:
                st.query(q, write=True)
            st._wait_for_indexes()
            t_idx = time.perf_counter() - t_idx
            row.seconds = time.perf_counter() - t
            row.ent_rate = len(data.entities) / (row.seconds - len(data.relations) / row.rel_rate)
            row.note = f"id indexes during the load; name indexes built after in {t_idx:.2f} s (in the rates)"
        stats = st.stats()
        assert sum(stats["entities"].values()) == len(data.entities), stats
    finally:
        st.clear()
        st.close()


_CSV_TYPE = {str: "STRING", int: "INT", float: "DOUBLE", list: "ARRAY"}
_CORE_TYPES = {
    "id": "ID(Entity)",
    "type": "STRING",
    "name": "STRING",
    "name_zh": "STRING",
    "kind": "STRING",
    "aliases": "ARRAY",
    "source_docs": "ARRAY",
    "source_quotes": "ARRAY",
    "chain": "STRING",
    "weight": "DOUBLE",
    "role": "STRING",
    "since_year": "INT",
}


def neo4j_phases(b: Bench, data: GraphData, dataset: str, neo: Any) -> None:
    """The same loads into Neo4j (the local Neo4j of the tests, or NEO4J_URI's): merge, merge again, create."""
    from graph.stores.neo4j import Neo4jStore

    pid = neo.process.pid if getattr(neo, "process", None) else None
    with Neo4jStore(neo.uri) as st:
        for step, mode in (("neo4j merge", "merge"), ("neo4j create/cypher", "create")):
            st.clear()
            st.ensure_schema()
            with b.step(Row(dataset, step, len(data.entities), len(data.relations)), server_pid=pid) as row:
                written = entities_then_relations(st, data, mode, b.batch_size, row)
                row.note = f"{written.mode}, batches of {b.batch_size}"
            stats = st.stats()
            assert sum(stats["entities"].values()) == len(data.entities), stats
            assert sum(stats["relations"].values()) == len(data.relations), stats
            if mode == "merge":
                n = len(data.entities) + len(data.relations)
                with b.step(Row(dataset, "neo4j merge again (no change)", n), server_pid=pid) as row:
                    t = time.perf_counter()
                    st.write(data, mode="merge", batch_size=b.batch_size)
                    row.seconds = time.perf_counter() - t
                    row.entities, row.relations = len(data.entities), len(data.relations)
                assert st.stats() == stats
        st.clear()


def neo4j_import(b: Bench, folder: Path, dataset: str, neo: Any) -> None:
    """`indgraph --store neo4j import chainkg` into an empty database: ``import_chainkg``, mode auto."""
    from graph.ingest import import_chainkg
    from graph.stores.neo4j import Neo4jStore

    pid = neo.process.pid if getattr(neo, "process", None) else None
    with Neo4jStore(neo.uri) as st:
        st.clear()
        with b.step(Row(dataset, "neo4j import end to end (read+write)"), server_pid=pid) as row:
            t = time.perf_counter()
            plan, w = import_chainkg(st, folder, batch_size=b.batch_size)
            row.seconds = time.perf_counter() - t
            row.entities, row.relations = len(plan.data.entities), len(plan.data.relations)
            row.note = f"read, vocabulary and templates, then {w.mode} ({w.method}), batches of {b.batch_size}"
        st.clear()


@contextlib.contextmanager
def neo4j_server() -> Iterator[Any]:
    """NEO4J_URI's server, else the local Neo4j of the tests (tests/neo4j_server), started for the run."""
    if os.environ.get("NEO4J_URI"):
        yield argparse.Namespace(uri=os.environ["NEO4J_URI"], process=None)
        return
    from tests.support import neo4j_server as local

    server = local.start()
    try:
        yield server
    finally:
        server.stop()


def _csv_type(key: str) -> str:
    return _CORE_TYPES.get(key) or _CSV_TYPE[ATTRIBUTES[key][0]]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def write_csvs(data: GraphData, folder: Path) -> list[str]:
    """CSV files for falkordb-bulk-insert (typed headers, --enforce-schema); returns its arguments."""
    args: list[str] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for e in data.entities:
        groups.setdefault(e.type.value, []).append(entity_props(e))
    for label, rows in groups.items():
        keys = list(dict.fromkeys(k for p in rows for k in p))
        path = folder / f"nodes_{label}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, escapechar="\\")
            w.writerow([f"{k}:{_csv_type(k)}" for k in keys])
            w.writerows([_cell(p.get(k)) for k in keys] for p in rows)
        args += ["-N", f"Entity:{label}", str(path)]
    rgroups: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for r in data.relations:
        rgroups.setdefault(r.type.value, []).append((r.source, r.target, relation_props(r)))
    for rtype, rrows in rgroups.items():
        keys = list(dict.fromkeys(k for _, _, p in rrows for k in p))
        path = folder / f"rels_{rtype}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, escapechar="\\")
            w.writerow([":START_ID(Entity)", ":END_ID(Entity)", *(f"{k}:{_csv_type(k)}" for k in keys)])
            w.writerows([s, t, *(_cell(p.get(k)) for k in keys)] for s, t, p in rrows)
        args += ["-R", rtype, str(path)]
    return args


def bulk_loader_cli(b: Bench, data: GraphData, dataset: str) -> None:
    if not BULK_CLI.exists():
        b.rows.append(Row(dataset, "bulk-loader CLI", note="falkordb-bulk-insert not installed (pip install .[bench])"))
        return
    folder = Path(tempfile.mkdtemp(prefix="ig-bulkcsv-", dir="/tmp"))
    b.graph_no += 1
    graph = f"bench_{b.graph_no}"
    try:
        files = write_csvs(data, folder)
        cmd = [str(BULK_CLI), graph, "-u", f"unix://{b.server.socket}", "--enforce-schema", *files]
        with b.step(Row(dataset, "bulk-loader CLI", len(data.entities), len(data.relations))) as row:
            t = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            row.seconds = time.perf_counter() - t
            row.note = "falkordb-bulk-insert, no indexes" if proc.returncode == 0 else f"FAILED: {proc.stderr[-300:]}"
        if proc.returncode == 0:
            st = FalkorStore(b.server.home, graph=graph)
            n = st.query("MATCH (n) RETURN count(n)").rows[0][0]
            m = st.query("MATCH ()-[r]->() RETURN count(r)").rows[0][0]
            assert (n, m) == (len(data.entities), len(data.relations)), (n, m)
            st.clear()
            st.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _q(v: Any) -> str:
    """The peer method's value quoting: interpolated into the statement text (what the project never does)."""
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(v, list):
        return "[" + ", ".join(_q(x) for x in v) + "]"
    return repr(v)


def peer_method(b: Bench, data: GraphData, dataset: str, rows: int) -> None:
    """One string-built statement per row, no index: entities then relations of a sample."""
    ents = data.entities[: rows // 2]
    ids = {e.id for e in ents}
    rels = [r for r in data.relations if r.source in ids and r.target in ids][: rows - len(ents)]
    if len(rels) < rows // 10:  # sparse sample: take relations first, then their endpoints
        rels = data.relations[: rows // 2]
        ids = {x for r in rels for x in (r.source, r.target)}
        ents = [e for e in data.entities if e.id in ids]
    st = b.store()
    try:
        with b.step(Row(dataset, "peer (1 statement/row)", len(ents), len(rels))) as row:
            t = time.perf_counter()
            for e in ents:
                body = ", ".join(f"{k}: {_q(v)}" for k, v in entity_props(e).items())
                st.query(f"CREATE (:Entity:{e.type.value} {{{body}}})", write=True)
            te = time.perf_counter() - t
            t = time.perf_counter()
            for r in rels:
                props = ", ".join(f"{k}: {_q(v)}" for k, v in relation_props(r).items())
                st.query(
                    f"MATCH (p:Entity), (q:Entity) WHERE p.id = {_q(r.source)} AND q.id = {_q(r.target)} "
                    f"CREATE (p)-[:{r.type.value} {{{props}}}]->(q)",
                    write=True,
                )
            tr = time.perf_counter() - t
            row.seconds, row.ent_rate, row.rel_rate = te + tr, len(ents) / te, len(rels) / tr if rels else None
            row.note = f"sample of {len(ents) + len(rels)} rows"
    finally:
        st.clear()
        st.close()


# -- queries and analysis -------------------------------------------------------------------------
def latency(fn: Callable[[Any], Any], args: list[Any]) -> tuple[float, float]:
    for a in args[:5]:
        fn(a)  # warm the plan cache
    times = []
    for a in args:
        t = time.perf_counter()
        fn(a)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


UP_ANCHORED = "MATCH (s:Entity {id: $id})<-[:PART_OF_CHAIN*1..%d]-(u:Sector) RETURN DISTINCT u.id AS id, u.name AS name"


def query_steps(b: Bench, data: GraphData, dataset: str, n: int) -> None:
    st = b.store()
    try:
        st.write(data, mode="auto")
        targets = sorted({r.target for r in data.relations if r.chain in ("chainkg", "synthetic")})
        starts = random.Random(3).sample(targets, min(n, len(targets)))
        for hops in (1, 2):
            with b.step(Row(dataset, f"neighbours up {hops} hop{'s' if hops > 1 else ''}")) as row:
                row.p50_ms, row.p95_ms = latency(lambda i, h=hops: st.query(UP_ANCHORED % h, {"id": i}), starts)
                row.note = f"anchored Cypher, {len(starts)} products"
        from graph import cypherlib

        if "neighbours_up" in cypherlib.library("falkordb"):
            for hops in (1, 2):
                with b.step(Row(dataset, f"named neighbours_up {hops} hop{'s' if hops > 1 else ''}")) as row:
                    few = starts[: max(5, n // 10)]
                    row.p50_ms, row.p95_ms = latency(
                        lambda i, h=hops: st.run("neighbours_up", {"sectors": [i], "hops": h}), few
                    )
                    row.note = f"library query, {len(few)} products"
    finally:
        st.clear()
        st.close()


def seed_query(b: Bench, n: int) -> None:
    from loaders import LoadErrors, load_paths

    try:
        seed = load_paths(None)
    except LoadErrors as exc:
        b.rows.append(Row("seed", "sectors_in_place", note=f"seed data invalid right now ({len(exc.errors)} errors)"))
        return
    st = b.store()
    try:
        st.write(seed)
        with b.step(Row("seed", "sectors_in_place cn-420100", len(seed.entities), len(seed.relations))) as row:
            row.p50_ms, row.p95_ms = latency(lambda _: st.run("sectors_in_place", {"place": "cn-420100"}), [0] * n)
            row.note = f"{len(st.run('sectors_in_place', {'place': 'cn-420100'}).rows)} sectors"
    finally:
        st.clear()
        st.close()


def analysis_step(b: Bench, data: GraphData, dataset: str) -> None:
    with b.step(Row(dataset, "to_networkx + pagerank", len(data.entities), len(data.relations))) as row:
        t = time.perf_counter()
        g = to_networkx(data)
        t_nx = time.perf_counter() - t
        pr = nx.pagerank(nx.DiGraph(g))
        row.seconds = time.perf_counter() - t
        row.note = f"to_networkx {t_nx:.2f} s, pagerank {row.seconds - t_nx:.2f} s over {len(pr)} nodes"


# -- the table ------------------------------------------------------------------------------------
WRITE_STEPS = ("merge", "create/", "bulk-loader", "peer", "import end to end")


def table(rows: list[Row]) -> str:
    cli = {r.dataset: r.rate for r in rows if r.step == "bulk-loader CLI" and r.rate}
    head = (
        "| data | step | entities | relations | seconds | bench CPU s | records/s | entities/s | relations/s "
        "| vs bulk-loader | p50 ms | p95 ms | peak RSS bench MiB | peak RSS server MiB | note |"
    )
    out = [head, "|" + "---|" * 15]

    def f(v: float | None, d: int = 0) -> str:
        return "" if v is None else f"{v:,.{d}f}"

    for r in rows:
        write = r.step.startswith(WRITE_STEPS)
        ratio = f"{r.rate / cli[r.dataset]:.0%}" if write and r.rate and cli.get(r.dataset) else ""
        out.append(
            f"| {r.dataset} | {r.step} | {f(r.entities or None)} | {f(r.relations or None)} "
            f"| {f(r.seconds or None, 2)} | {f(r.cpu_s or None, 2)} | {f(r.rate if r.seconds else None)} "
            f"| {f(r.ent_rate)} | {f(r.rel_rate)} | {ratio} | {f(r.p50_ms, 2)} | {f(r.p95_ms, 2)} "
            f"| {r.bench_mib:,.0f} | {r.server_mib:,.0f} | {r.note} |"
        )
    return "\n".join(out)


def machine(server: EmbeddedServer) -> str:
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln),
        "?",
    )
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    import redis

    r = redis.Redis(unix_socket_path=str(server.socket))
    mods = {m[b"name"].decode(): m[b"ver"] for m in r.module_list()}
    r.close()
    ver = mods.get("graph")
    version = f"{ver // 10000}.{ver // 100 % 100}.{ver % 100} ({ver})" if isinstance(ver, int) else "?"
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (
        f"nproc {os.cpu_count()}; CPU {cpu}; memory {mem[1].split()[1] if len(mem) > 1 else '?'} total; "
        f"Python {platform.python_version()}; FalkorDB module {version}; "
        f"load average at the end {' '.join(load)}"
    )


# Steps --steps can pick (default: all); the read of a data set always runs (the steps need its records).
STEPS = {
    "import": "import end to end (ChainKG), in-process and as a CLI process; into Neo4j too with neo4j",
    "merge": "merge, merge again",
    "merge-only": "merge with MERGE for every id (before issue 15), merge again",
    "ids-first": "merge, name indexes after",
    "create": "create/cypher",
    "bulk": "create/bulk (fast path)",
    "bulk-loader": "falkordb-bulk-insert",
    "neo4j": "Neo4j merge, merge again, create",
    "peer": "one statement per row",
    "queries": "neighbour queries (ChainKG) and sectors_in_place (seed)",
    "analysis": "to_networkx + PageRank (ChainKG)",
}


def parse_steps(text: str | None) -> set[str]:
    """``--steps merge,peer`` as a set; all steps when not given.

    >>> sorted(parse_steps("merge, peer"))
    ['merge', 'peer']
    """
    if not text:
        return set(STEPS)
    chosen = {s.strip() for s in text.split(",") if s.strip()}
    unknown = chosen - set(STEPS)
    if unknown:
        raise SystemExit(f"unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--short", action="store_true", help="small sizes for CI")
    ap.add_argument("--relations", type=int, help="relations of the synthetic graph (default 1,000,000; short 20,000)")
    ap.add_argument("--batch-size", type=int, default=10_000)
    ap.add_argument("--peer-rows", type=int, help="rows of the peer-method sample (default 5,000; short 500)")
    ap.add_argument("--queries", type=int, help="query runs per latency figure (default 200; short 30)")
    ap.add_argument("--skip", action="append", default=[], help="skip a data set: chainkg or synthetic")
    ap.add_argument(
        "--no-neo4j", action="store_true", help="leave out the Neo4j rows (default: on when the local Neo4j is built)"
    )
    ap.add_argument(
        "--steps",
        help="comma-separated steps to run (default all): " + "; ".join(f"{k}: {v}" for k, v in STEPS.items()),
    )
    args = ap.parse_args(argv)
    steps = parse_steps(args.steps)
    n_rel = args.relations or (20_000 if args.short else 1_000_000)
    peer_rows = args.peer_rows or (500 if args.short else 5_000)
    n_q = args.queries or (30 if args.short else 200)

    started = time.perf_counter()
    home = Path(tempfile.mkdtemp(prefix="ig-bench-", dir="/tmp"))
    server = EmbeddedServer(home)
    server.start()
    b = Bench(server, args.batch_size)
    stack = contextlib.ExitStack()
    neo = None
    if not args.no_neo4j and "neo4j" in steps:
        from tests.support.neo4j_server import built

        if os.environ.get("NEO4J_URI") or built():
            neo = stack.enter_context(neo4j_server())
        else:
            b.rows.append(Row("neo4j", "(skipped)", note="the local Neo4j is not built: make neo4j-server"))
    try:
        sets: list[tuple[str, Callable[[], GraphData]]] = []
        if "chainkg" not in args.skip:
            if (CHAINKG / "company.json").is_file():

                def read_ckg() -> GraphData:
                    from loaders.chainkg import read_chainkg

                    folder = CHAINKG
                    if args.short:
                        folder = chainkg_sample(SHORT_LINES, Path(tempfile.mkdtemp(prefix="ig-ckg-", dir="/tmp")))
                        _TEMP_DIRS.append(folder)
                    b.chainkg_folder = folder
                    if "import" in steps:
                        import_end_to_end(b, folder, "chainkg")
                    with b.step(Row("chainkg", "read + validate files")) as row:
                        t = time.perf_counter()
                        data, _ = read_chainkg(folder)
                        row.seconds = time.perf_counter() - t
                        row.entities, row.relations = len(data.entities), len(data.relations)
                        row.note = f"sample: first {SHORT_LINES:,} lines of each file" if args.short else "whole set"
                    return data

                sets.append(("chainkg", read_ckg))
            else:
                b.rows.append(Row("chainkg", "(skipped)", note=f"data set not found at {CHAINKG}"))
        if "synthetic" not in args.skip:

            def make_syn() -> GraphData:
                with b.step(Row("synthetic", "generate + validate")) as row:
                    t = time.perf_counter()
                    data = synthetic(n_rel)
                    row.seconds = time.perf_counter() - t
                    row.entities, row.relations = len(data.entities), len(data.relations)
                return data

            sets.append(("synthetic", make_syn))

        for name, make in sets:
            print(f"{name}:", flush=True)
            data = make()
            if "merge-only" in steps:
                write_phases(b, data, name, "merge, MERGE only", "merge", bulk=False, inserts=False)
            if "merge" in steps:
                write_phases(b, data, name, "merge", "merge", bulk=False)
            if "ids-first" in steps:
                merge_ids_first(b, data, name)
            if "create" in steps:
                write_phases(b, data, name, "create/cypher", "create", bulk=False)
            if "bulk" in steps:
                write_phases(b, data, name, "create/bulk (fast path)", "create", bulk=True)
            if "bulk-loader" in steps:
                bulk_loader_cli(b, data, name)
            if neo is not None:
                neo4j_phases(b, data, name, neo)
                if name == "chainkg" and "import" in steps:
                    neo4j_import(b, b.chainkg_folder, name, neo)
            if "peer" in steps:
                peer_method(b, data, name, peer_rows)
            if name == "chainkg" and "queries" in steps:
                query_steps(b, data, name, n_q)
            if name == "chainkg" and "analysis" in steps:
                analysis_step(b, data, name)
            del data
        if "queries" in steps:
            seed_query(b, n_q)
    finally:
        where = machine(server)
        stack.close()
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
        for d in _TEMP_DIRS:
            shutil.rmtree(d, ignore_errors=True)
    print()
    print(table(b.rows))
    print()
    print(f"machine: {where}")
    print(f"command: {' '.join([Path(sys.executable).name, 'bench/load_bench.py', *(argv or sys.argv[1:])])}")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
