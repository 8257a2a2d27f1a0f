"""Reading and loading large data files: time and peak memory of `indgraph load` on a big CSV and a big YAML.

Generated files (deterministic, in a temporary folder, deleted after):
  csv   ``entities.csv`` with --csv-entities Companies and Sectors (attributes, a source with a quote) and
        ``relations.csv`` with --csv-relations rows (PART_OF_CHAIN and SPECIALISES_IN with weights)
  yaml  one file with --yaml-entities entities (aliases, attributes, a source with a quote) and as many
        relations

Each is run through the real CLI in a fresh process against its own embedded FalkorDB folder:
``indgraph load FOLDER --dry-run`` (read and validate only), then ``indgraph load FOLDER --mode auto`` into
the empty store (validate, then write). Peak memory is the child process's maximum RSS (``wait4``); the
server's memory is not included.

    .venv/bin/python bench/files_bench.py            # 100k entities + 1M relations CSV, 100k-entity YAML
    .venv/bin/python bench/files_bench.py --short    # CI: small files, seconds
    .venv/bin/python bench/files_bench.py --only yaml --baseline f49d725   # one format, against a commit
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INDGRAPH = Path(sys.executable).with_name("indgraph")
QUOTE = "The park hosts {n} enterprises in the electronic information industry."


def write_csv(folder: Path, n_ent: int, n_rel: int, seed: int = 11) -> None:
    rnd = random.Random(seed)
    n_sec = n_ent // 2
    with (folder / "entities.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["id", "type", "name", "name_zh", "aliases", "attr:code", "attr:level", "source_doc", "source_quote"]
        )
        for i in range(n_sec):
            w.writerow([f"b:s{i}", "Sector", f"Sector {i}", f"产业{i}", "", "", 4, "bench.txt", ""])
        for i in range(n_ent - n_sec):
            w.writerow(
                [
                    f"b:c{i}",
                    "Company",
                    f"Company {i}",
                    f"公司{i}",
                    f"Co {i}|C{i}",
                    f"{600000 + i}",
                    "",
                    "bench.txt",
                    QUOTE.format(n=i),
                ]
            )
    seen: set[tuple[int, int]] = set()
    with (folder / "relations.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["from", "type", "to", "chain", "weight", "source_doc", "source_quote"])
        n = 0
        while n < n_rel:
            chain = n % 5 < 3
            a = rnd.randrange(n_sec) if chain else rnd.randrange(n_ent - n_sec)
            b = rnd.randrange(n_sec)
            key = (a if chain else -1 - a, b)
            if (chain and a == b) or key in seen:
                continue
            seen.add(key)
            if chain:
                w.writerow([f"b:s{a}", "PART_OF_CHAIN", f"b:s{b}", "bench", "", "bench.txt", ""])
            else:
                w.writerow([f"b:c{a}", "SPECIALISES_IN", f"b:s{b}", "", round(rnd.random(), 4), "bench.txt", ""])
            n += 1


def write_yaml(folder: Path, n_ent: int, seed: int = 13) -> None:
    rnd = random.Random(seed)
    n_sec = n_ent // 2
    with (folder / "big.yaml").open("w", encoding="utf-8") as fh:
        fh.write("doc: bench.txt\nentities:\n")
        for i in range(n_sec):
            fh.write(f"  - id: y:s{i}\n    type: Sector\n    name: Sector {i}\n    name_zh: 产业{i}\n")
            fh.write("    attributes: {level: 4}\n")
        for i in range(n_ent - n_sec):
            fh.write(
                f'  - id: y:c{i}\n    type: Company\n    name: "Company {i}"\n    name_zh: 公司{i}\n'
                f'    aliases: ["Co {i}", C{i}]\n    attributes:\n      code: "{600000 + i}"\n'
                f"      exchange: 上海证券交易所\n    sources:\n      - {QUOTE.format(n=i)}\n"
            )
        fh.write("relations:\n")
        seen: set[tuple[int, int]] = set()
        for i in range(n_ent):
            if i % 2:
                a, b = rnd.randrange(n_ent - n_sec), rnd.randrange(n_sec)
                while (a, b) in seen:
                    a, b = rnd.randrange(n_ent - n_sec), rnd.randrange(n_sec)
                seen.add((a, b))
                fh.write(f"  - {{from: y:c{a}, type: SPECIALISES_IN, to: y:s{b}, weight: {round(rnd.random(), 4)}}}\n")
            else:
                fh.write(
                    f"  - {{from: y:s{i // 2}, type: PART_OF_CHAIN, to: y:s{(i // 2 + 1) % n_sec}, chain: bench}}\n"
                )


@dataclass
class Run:
    what: str
    command: str
    seconds: float
    peak_mib: float
    cpu_s: float
    ok: bool
    out: str


def indgraph(code: Path | None) -> tuple[list[str], Path]:
    """The command and working folder running the CLI of this work tree, or of a copy of another commit."""
    if code is None:
        return [str(INDGRAPH)], ROOT
    return [sys.executable, "-c", "from graph.cli import main; main()"], code


def baseline_copy(ref: str, into: Path) -> Path:
    """The project's files at commit ``ref`` (git archive), to run the same steps with the code as it was."""
    into.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run(what: str, args: list[str], home: Path, code: Path | None = None) -> Run:
    env = {**os.environ, "INDGRAPH_HOME": str(home), "COLUMNS": "200"}
    cmd, cwd = indgraph(code)
    t = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([*cmd, *args], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace").strip().splitlines()
    last = text[-1] if text else ""
    shown = " ".join(["indgraph", *[Path(a).name if "/" in a else a for a in args]])
    return Run(
        what, shown, seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, proc.returncode == 0, last
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--short", action="store_true", help="small files for CI")
    ap.add_argument("--csv-entities", type=int)
    ap.add_argument("--csv-relations", type=int)
    ap.add_argument("--yaml-entities", type=int)
    ap.add_argument("--no-write", action="store_true", help="dry runs only")
    ap.add_argument("--only", choices=["csv", "yaml"], help="one format only")
    ap.add_argument("--baseline", metavar="REF", help="also run every step with the code of commit REF, side by side")
    args = ap.parse_args(argv)
    n_ce = args.csv_entities or (2_000 if args.short else 100_000)
    n_cr = args.csv_relations or (20_000 if args.short else 1_000_000)
    n_ye = args.yaml_entities or (2_000 if args.short else 100_000)
    tmp = Path(tempfile.mkdtemp(prefix="ig-files-", dir="/tmp"))
    rows: list[Run] = []
    try:
        (tmp / "csv").mkdir()
        (tmp / "yaml").mkdir()
        t = time.perf_counter()
        if args.only != "yaml":
            write_csv(tmp / "csv", n_ce, n_cr)
        if args.only != "csv":
            write_yaml(tmp / "yaml", n_ye)
        print(f"files written in {time.perf_counter() - t:.1f} s", flush=True)
        variants: list[tuple[str, Path | None]] = [("now", None)]
        if args.baseline:
            variants.insert(0, (args.baseline, baseline_copy(args.baseline, tmp / "baseline")))
        for name, folder, size in (
            ("csv", tmp / "csv", f"{n_ce:,} entities + {n_cr:,} relations"),
            ("yaml", tmp / "yaml", f"{n_ye:,} entities + {n_ye:,} relations"),
        ):
            if args.only not in (None, name):
                continue
            steps = [("dry run", ["load", str(folder), "--dry-run"])]
            if not args.no_write:
                steps.append(("load (auto: empty store)", ["load", str(folder), "--mode", "auto"]))
            for step, cmd in steps:
                for label, code in variants:
                    home = tmp / f"home-{name}-{label}"
                    r = run(f"{name} ({size}) {step}, code: {label}", cmd, home, code)
                    rows.append(r)
                    print(
                        f"  {r.what}: {r.seconds:.1f} s, peak {r.peak_mib:,.0f} MiB, ok={r.ok}: {r.out[:150]}",
                        flush=True,
                    )
            for label, _ in variants:
                env = {**os.environ, "INDGRAPH_HOME": str(tmp / f"home-{name}-{label}")}
                subprocess.run([str(INDGRAPH), "db", "stop"], env=env, capture_output=True, check=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("| data and step | seconds | CPU s | peak RSS MiB | exit | last line |")
    print("|---|---:|---:|---:|---|---|")
    for r in rows:
        status = "ok" if r.ok else "FAILED"
        print(f"| {r.what} | {r.seconds:.1f} | {r.cpu_s:.1f} | {r.peak_mib:,.0f} | {status} | {r.out[:120]} |")
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"\nmachine: nproc {os.cpu_count()}; Python {platform.python_version()}; load average {' '.join(load)}")
    print(f"command: python bench/files_bench.py {' '.join(argv if argv is not None else sys.argv[1:])}")
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
