"""Time and memory of the networkx analyses on a graph of ChainKnowledgeGraph's size (~150k nodes).

The graph is built straight from ``../shared/data/chainkg`` (JSON lines; not copied into the project)
in the node/edge layout of :func:`graph.nxgraph.to_networkx`:

* products become Sectors; 上游材料 (X's upstream material is Y) becomes ``Y -PART_OF_CHAIN-> X``,
  下游产品 (X's downstream product is Y) ``X -PART_OF_CHAIN-> Y``, 产品小类 (sub-category) ``Y -PART_OF-> X``;
* listed companies become Companies that SPECIALISES_IN their main products (weight = revenue share)
  and their Shenwan industries (Sectors too, with the industry hierarchy as PART_OF);
* the data has no geography, so each company is put in one of 31 **synthetic** provinces by a hash of
  its stock code, to give ``chain_coverage``/``fragile_links`` a region of realistic size.

Each function runs twice: once timed (wall and CPU seconds: CPU time is steadier on a shared machine),
once under ``tracemalloc`` for its peak memory (tracing slows Python down, so the runs are separate).

    .venv/bin/python bench/analysis_bench.py            # the whole graph
    .venv/bin/python bench/analysis_bench.py --short    # ~10% of it, for CI
    NETWORKX_BACKEND_PRIORITY=parallel INDGRAPH_NX_JOBS=2 python bench/analysis_bench.py --only key_links --no-memory
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.analysis.centrality import KeyLinksReport, configured_backends, key_links  # noqa: E402
from graph.analysis.chains import CoverageReport, FragilityReport, chain_coverage, fragile_links  # noqa: E402
from graph.analysis.common import chain_graph  # noqa: E402
from graph.analysis.communities import CommunityReport, partnership_communities  # noqa: E402
from graph.analysis.neighbours import NeighbourReport, neighbours  # noqa: E402
from graph.analysis.paths import ConnectionPath, connection_paths  # noqa: E402
from graph.errors import UnknownEntityError  # noqa: E402
from graph.lookup import GraphResolver, resolve  # noqa: E402

CHAINKG = Path(os.environ.get("INDGRAPH_CHAINKG", ROOT.parent / "shared" / "data" / "chainkg"))
PROVINCES = 31


def rows(name: str, limit: int | None = None) -> Iterator[dict[str, Any]]:
    with (CHAINKG / name).open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit is not None and i >= limit:
                return
            if line.strip():
                yield json.loads(line)


def build(short: bool) -> nx.MultiDiGraph:
    """The chainkg graph in the layout of graph.nxgraph.to_networkx (``short``: about a tenth of it)."""
    G = nx.MultiDiGraph()
    links = 11_000 if short else None
    companies = 5_000 if short else None

    def sector(sid: str, name: str) -> None:
        if sid not in G:
            G.add_node(sid, type="Sector", name=name, name_zh=name, aliases=[])

    for i in range(PROVINCES):
        G.add_node(f"prov:{i:02d}", type="Province", name=f"Synthetic Province {i:02d}", name_zh=None, aliases=[])
    if not short:
        for r in rows("product.json"):
            sector(f"p:{r['name']}", r["name"])
    for r in rows("product_product.json", links):
        a, b = f"p:{r['from_entity']}", f"p:{r['to_entity']}"
        sector(a, r["from_entity"])
        sector(b, r["to_entity"])
        if a == b:
            continue
        if r["rel"] == "上游材料":
            G.add_edge(b, a, key="PART_OF_CHAIN:chainkg", type="PART_OF_CHAIN", chain="chainkg")
        elif r["rel"] == "下游产品":
            G.add_edge(a, b, key="PART_OF_CHAIN:chainkg", type="PART_OF_CHAIN", chain="chainkg")
        else:  # 产品小类
            G.add_edge(b, a, key="PART_OF", type="PART_OF")
    for r in rows("industry.json"):
        sector(f"ind:{r['code']}", r["name"])
    for r in rows("industry_industry.json"):
        G.add_edge(f"ind:{r['from_code']}", f"ind:{r['to_code']}", key="PART_OF", type="PART_OF")
    codes = {}
    for r in rows("company.json", companies):
        code = r["code"].split(".")[0]  # the file mixes "688268" and "002898.SZ"
        cid = f"co:{code}"
        codes[code] = cid
        G.add_node(cid, type="Company", name=r["name"], name_zh=r["fullname"], aliases=[])
        province = f"prov:{zlib.crc32(code.encode()) % PROVINCES:02d}"
        G.add_edge(cid, province, key="LOCATED_IN", type="LOCATED_IN")
    for r in rows("company_product.json"):
        cid = codes.get(r["company_code"].split(".")[0])
        pid = f"p:{r['product_name']}"
        if cid and (pid in G or not short):
            sector(pid, r["product_name"])
            G.add_edge(cid, pid, key="SPECIALISES_IN", type="SPECIALISES_IN", weight=r.get("rel_weight"))
    for r in rows("company_industry.json"):
        cid = codes.get(r["company_code"].split(".")[0])
        if cid:
            sector(f"ind:{r['industry_code']}", r["industry_name"])
            G.add_edge(cid, f"ind:{r['industry_code']}", key="SPECIALISES_IN", type="SPECIALISES_IN")
    return G


def measure(fn: Callable[[], Any], memory: bool = True) -> tuple[float, float, float, Any]:
    """Wall and CPU seconds of one run, and peak MiB of a second, traced run (NaN without ``memory``)."""
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    if not memory:
        return seconds, cpu, float("nan"), result
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, cpu, peak / 2**20, result


def hub_sector(G: nx.MultiDiGraph) -> str:
    """The sector with the most chain links among those some company works in (a worst case for neighbours)."""
    C = chain_graph(G)
    worked = {v for _, v, t in G.edges(data="type") if t == "SPECIALISES_IN"}
    return max((n for n in C if n in worked), key=lambda n: (C.degree(n), n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--short", action="store_true", help="about a tenth of the graph, for CI")
    ap.add_argument("--only", metavar="TEXT", help="run only the functions whose name contains TEXT")
    ap.add_argument("--no-memory", action="store_true", help="skip the traced run (peak memory)")
    args = ap.parse_args()
    if not (CHAINKG / "product_product.json").is_file():
        print(f"chainkg data not found in {CHAINKG}; set INDGRAPH_CHAINKG", file=sys.stderr)
        raise SystemExit(2)

    t = time.perf_counter()
    gc.disable()  # a 100k-node build otherwise spends most of its time in full collections
    G = build(args.short)
    gc.enable()
    build_s = time.perf_counter() - t
    hub = hub_sector(G)
    companies = sorted(n for n, a in G.nodes(data=True) if a["type"] == "Company")
    place = "prov:07"
    resolver = GraphResolver(G)

    def lookup_miss() -> list[str]:
        try:
            resolve(resolver, "锂电池正极材料x")
        except UnknownEntityError as exc:
            return [c.id for c in exc.candidates]
        return []

    def covered(r: CoverageReport) -> str:
        return f"{sum(c.sectors_covered for c in r.chains)} of {sum(c.sectors_total for c in r.chains)}"

    def fragile(r: FragilityReport) -> str:
        return f"{len(r.single_entity_sectors)} single-entity sectors, {len(r.chain_cut_points)} chain cuts"

    def sampled(r: KeyLinksReport) -> str:
        return f"k={r.chain_graph.sampled_k} (chain), k={r.full_graph.sampled_k} (full)"

    def communities(r: CommunityReport) -> str:
        return f"{len(r.communities)} communities, Q={r.modularity:.2f}"

    def hops(r: list[ConnectionPath]) -> str:
        return f"hops {[p.hops for p in r]}"

    def count(r: NeighbourReport) -> str:
        return f"{len(r.rows)} results"

    cases: list[tuple[str, Callable[[], Any], Callable[[Any], str]]] = [
        ("resolve (index + hit)", lambda: resolve(GraphResolver(G), G.nodes[hub]["name"]), str),
        ("resolve (miss, suggestions)", lookup_miss, lambda r: f"{len(r)} suggestions"),
        ("chain_graph", lambda: chain_graph(G), lambda C: f"{len(C)} sectors, {C.number_of_edges()} links"),
        ("neighbours (hub, 2 hops)", lambda: neighbours(G, hub, "both", 2), count),
        ("neighbours (hub, 3 hops, within)", lambda: neighbours(G, hub, "both", 3, within=place), count),
        ("chain_coverage (province)", lambda: chain_coverage(G, place), covered),
        ("fragile_links (province)", lambda: fragile_links(G, place), fragile),
        ("key_links (top 10)", lambda: key_links(G, 10), sampled),
        ("communities (SPECIALISES_IN)", lambda: partnership_communities(G, ["SPECIALISES_IN"]), communities),
        ("connection_paths (k=3)", lambda: connection_paths(G, companies[0], companies[-1], 3), hops),
    ]  # fmt: skip

    print(f"# analysis bench ({'short' if args.short else 'full'} chainkg graph)")
    print()
    print(f"- graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges (built in {build_s:.1f} s)")
    print(f"- hub sector: {hub} ({G.nodes[hub]['name']}); place: {place} (synthetic)")
    print(f"- python {platform.python_version()}, networkx {nx.__version__}, backends {configured_backends()}")
    print(f"- cores: {os.cpu_count()}")
    print()
    print("| function | wall (s) | CPU (s) | peak memory (MiB) | result |")
    print("|---|---:|---:|---:|---|")
    for name, fn, describe in cases:
        if args.only and args.only not in name:
            continue
        seconds, cpu, mib, result = measure(fn, memory=not args.no_memory)
        print(f"| {name} | {seconds:.2f} | {cpu:.2f} | {mib:.1f} | {describe(result)} |", flush=True)


if __name__ == "__main__":
    main()
