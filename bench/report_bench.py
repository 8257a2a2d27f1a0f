"""The investment-promotion questions on the national store: how long each answer takes (p50 of repeated runs).

A store is built in a temporary home with the national backbone, ChainKnowledgeGraph (from
``../shared/data/chainkg``, never copied; --short uses the first 3,000 lines of each file), the
companies located, the seed and the chain templates; then each question is asked ``--runs`` times:

* ``gap report``: :func:`graph.analysis.gaps.gap_report` for Wuhan on the lithium-battery chain (target ≤ 3 s);
* ``compare 5 places``: :func:`graph.analysis.gaps.compare` of Wuhan, Hunan, Shenzhen, Fujian, Jiangxi (≤ 5 s);
* ``chain map``: the lithium-battery chain map of the whole country written as PNG (≤ 5 s);
* ``typo``: the suggestions for a misspelt name, ``碳酸理`` and ``Wuhn`` (≤ 1 s);
* ``neighbours``: upstream of 碳酸锂, 2 hops, from the store.

    .venv/bin/python bench/report_bench.py            # the whole data set (a few minutes to build)
    .venv/bin/python bench/report_bench.py --short    # a sample, for CI
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# the bench folder is on the path when this runs as a script; load_bench makes the same sample
from load_bench import CHAINKG, chainkg_sample  # noqa: E402

from graph.analysis.chainview import StoreView  # noqa: E402
from graph.analysis.gaps import compare, gap_report  # noqa: E402
from graph.analysis.neighbours import store_neighbours  # noqa: E402
from graph.errors import UnknownEntityError  # noqa: E402
from graph.ingest import import_admin, import_chainkg, import_chains, load, locate_companies  # noqa: E402
from graph.lookup import resolve  # noqa: E402
from graph.stores.embedded import EmbeddedServer  # noqa: E402
from graph.stores.falkordb import FalkorStore  # noqa: E402
from loaders.templates import template  # noqa: E402

SHORT_LINES = 3000
PLACES = ["cn-420100", "cn-430000", "cn-440300", "cn-350000", "cn-360000"]
TARGETS = {"gap report (Wuhan, lithium battery)": 3.0, "compare 5 places": 5.0, "chain map (PNG)": 5.0,
           "typo suggestions": 1.0}  # fmt: skip


def p50(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median and max wall seconds of ``runs`` calls (one warm-up call first)."""
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), max(times)


def typo(store: FalkorStore) -> None:
    for text in ("碳酸理", "Wuhn"):
        with contextlib.suppress(UnknownEntityError):
            resolve(store, text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--short", action="store_true", help="a sample of the data set, for CI")
    ap.add_argument("--runs", type=int, help="runs per figure (default 10; short 3)")
    args = ap.parse_args(argv)
    if not (CHAINKG / "company.json").is_file():
        print(f"skipped: ChainKnowledgeGraph is not at {CHAINKG}")
        return 0
    runs = args.runs or (3 if args.short else 10)
    home = Path(tempfile.mkdtemp(prefix="igr-", dir="/tmp"))
    server = EmbeddedServer(home)
    server.start()
    try:
        store = FalkorStore(home, graph="national")
        t0 = time.perf_counter()
        folder = chainkg_sample(SHORT_LINES, Path(tempfile.mkdtemp(prefix="ckg-"))) if args.short else CHAINKG
        import_admin(store)
        import_chainkg(store, folder)
        locate_companies(store)
        load(store)
        import_chains(store)
        built = time.perf_counter() - t0
        stats = store.stats()
        view = StoreView(store)
        lithium = template("lithium-battery")
        out = Path(tempfile.mkdtemp(prefix="map-")) / "lithium.png"
        questions: list[tuple[str, Callable[[], Any]]] = [
            ("gap report (Wuhan, lithium battery)", lambda: gap_report(view, lithium, "cn-420100")),
            ("compare 5 places", lambda: compare(view, lithium, PLACES)),
            ("typo suggestions", lambda: typo(store)),
            ("neighbours 碳酸锂 up, 2 hops", lambda: store_neighbours(store, "sector:lithium-carbonate", "up", 2)),
        ]
        try:
            from graph.viz.chainmap import write_chain_map

            questions.insert(
                2, ("chain map (PNG)", lambda: write_chain_map(gap_report(view, lithium, "country:cn"), out))
            )
        except ImportError:
            pass
        entities = sum(stats["entities"].values())
        relations = sum(stats["relations"].values())
        print(f"national store: {entities:,} entities, {relations:,} relations, built in {built:.0f} s")
        print(f"{'question':40} {'p50 s':>7} {'max s':>7} {'target':>7}")
        for name, fn in questions:
            med, worst = p50(fn, runs)
            target = TARGETS.get(name)
            print(f"{name:40} {med:7.2f} {worst:7.2f} {'≤ ' + format(target, 'g') if target else '':>7}", flush=True)
        avg = Path("/proc/loadavg").read_text().split()[:3]
        print(f"runs per figure: {runs}; nproc {os.cpu_count()}; load average at the end {' '.join(avg)}")
        store.close()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
