"""Named queries from several processes at once against the embedded store: throughput, latency, errors.

Every worker process opens its own connection and runs the query library's named queries with their
documented example parameters, round-robin, until the planned number of queries is done or the time
is up (whichever comes first). The graph is the curated seed graph, loaded into a graph of its own
that is deleted afterwards (``--graph`` names an existing graph to use as it is). Target: zero errors.

    .venv/bin/python bench/concurrency_bench.py              # 4 processes, 4000 queries, at most 120 s
    .venv/bin/python bench/concurrency_bench.py --short      # 2 processes, 300 queries, at most 60 s (CI)
    .venv/bin/python bench/concurrency_bench.py --json       # the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import cypherlib  # noqa: E402
from graph.cli.common import parse_params  # noqa: E402
from graph.ingest import load  # noqa: E402
from graph.stores.embedded import EmbeddedServer  # noqa: E402
from graph.stores.falkordb import FalkorStore  # noqa: E402

Planned = list[tuple[str, dict[str, Any]]]


def planned_queries() -> tuple[Planned, list[str]]:
    """The named queries with example values for all their parameters, and the names left out."""
    runnable, skipped = [], []
    for name, q in cypherlib.library("falkordb").items():
        if all(p in q.example for p in q.params):
            runnable.append((name, parse_params([f"{k}={v}" for k, v in q.example.items() if k in q.params])))
        else:
            skipped.append(name)
    return runnable, skipped


def worker(home: str, graph: str, plan: Planned, first: int, n: int, deadline: float) -> dict[str, Any]:
    """Run ``n`` queries of ``plan`` round-robin from ``first``; stop early at ``deadline`` (epoch seconds)."""
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    done = 0
    with FalkorStore(home, graph=graph, start=False) as store:
        for i in range(first, first + n):
            if time.time() > deadline:
                break
            name, params = plan[i % len(plan)]
            t = time.perf_counter()
            try:
                store.run(name, params)
            except Exception as exc:  # every failure is a figure of the bench, not a crash of it
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
            latencies.setdefault(name, []).append((time.perf_counter() - t) * 1000)
            done += 1
    return {"done": done, "latencies": latencies, "errors": errors}


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] if ordered else 0.0


def bench(
    home: Path | None = None,
    graph: str | None = None,
    processes: int = 4,
    queries: int = 4000,
    seconds: float = 120.0,
    data: list[Path] | None = None,
) -> dict[str, Any]:
    """Run the benchmark and return its figures.

    Parameters
    ----------
    home : data folder of the embedded server (default ``$INDGRAPH_HOME`` or ``./.indgraph``); the server
        is started if needed and then stopped again.
    graph : a graph to query as it is; default: a graph of its own holding ``data``, deleted afterwards.
    processes : worker processes, each with its own connection.
    queries : queries in all, shared among the workers.
    seconds : stop early after this long.
    data : files to load into the bench's own graph (default the curated seed data).

    Returns
    -------
    dict : ``queries``, ``planned``, ``errors``, ``error_samples``, ``seconds``, ``queries_per_second``,
        ``p50_ms``, ``p95_ms``, ``per_query`` (count, p50, p95 per named query), ``skipped`` and the set-up.

    Example
    -------
    >>> figures = bench(processes=2, queries=200)          # doctest: +SKIP
    >>> figures["errors"]
    0
    """
    server = EmbeddedServer(home)
    started = server.start().startswith(("started", "removed"))
    own_graph = graph is None
    graph = graph or f"bench_concurrency_{os.getpid()}"
    setup = FalkorStore(server.home, graph=graph)
    try:
        if own_graph or setup.is_empty():
            own_graph = True
            load(setup, data)
        plan, skipped = planned_queries()
        per_worker = [queries // processes + (1 if w < queries % processes else 0) for w in range(processes)]
        deadline = time.time() + seconds
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=processes) as pool:
            futures = [
                pool.submit(worker, str(server.home), graph, plan, w * 7, n, deadline) for w, n in enumerate(per_worker)
            ]
            results = [f.result() for f in futures]
        wall = time.perf_counter() - t0
    finally:
        if own_graph:
            setup.clear()
        setup.close()
        if started:
            server.stop()
    by_query: dict[str, list[float]] = {}
    for r in results:
        for name, values in r["latencies"].items():
            by_query.setdefault(name, []).extend(values)
    every = [v for values in by_query.values() for v in values]
    errors = [e for r in results for e in r["errors"]]
    done = sum(r["done"] for r in results)
    return {
        "queries": done,
        "planned": queries,
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": round(wall, 2),
        "queries_per_second": round(done / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(every, 0.50), 2),
        "p95_ms": round(percentile(every, 0.95), 2),
        "mean_ms": round(statistics.fmean(every), 2) if every else 0.0,
        "per_query": {
            name: {"count": len(v), "p50_ms": round(percentile(v, 0.5), 2), "p95_ms": round(percentile(v, 0.95), 2)}
            for name, v in sorted(by_query.items())
        },
        "skipped": skipped,
        "processes": processes,
        "graph": "own copy of the data" if own_graph else graph,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--short", action="store_true", help="2 processes, 300 queries, at most 60 s (for CI)")
    ap.add_argument("--processes", type=int, help="worker processes (default 4)")
    ap.add_argument("--queries", type=int, help="queries in all (default 4000)")
    ap.add_argument("--seconds", type=float, help="stop after this long (default 120)")
    ap.add_argument("--home", type=Path, help="data folder of the embedded server (default $INDGRAPH_HOME)")
    ap.add_argument("--graph", help="an existing graph to query (default: a copy of the seed graph)")
    ap.add_argument("--data", type=Path, nargs="*", help="files to load into the bench's graph (default: seed)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    short = {"processes": 2, "queries": 300, "seconds": 60.0}
    full = {"processes": 4, "queries": 4000, "seconds": 120.0}
    defaults = short if args.short else full
    figures = bench(
        home=args.home,
        graph=args.graph,
        processes=args.processes or defaults["processes"],
        queries=args.queries or defaults["queries"],
        seconds=args.seconds or defaults["seconds"],
        data=args.data or None,
    )
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        print(
            f"{figures['queries']} named queries ({figures['planned']} planned) from {figures['processes']} processes "
            f"in {figures['seconds']} s: {figures['queries_per_second']} queries/s, "
            f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, {figures['errors']} errors"
        )
        for name, f in figures["per_query"].items():
            print(f"  {name:<20} {f['count']:>6}  p50 {f['p50_ms']:>8} ms  p95 {f['p95_ms']:>8} ms")
        for e in figures["error_samples"]:
            print(f"  error: {e}")
        if figures["skipped"]:
            print(f"  skipped (no example parameters): {', '.join(figures['skipped'])}")
        print(f"  machine: {figures['machine']}")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
