"""Run every benchmark in bench/ one after the other, each printing its own table.

    python bench/run_all.py            # full figures (minutes)
    python bench/run_all.py --short    # small sizes, as CI runs them

Figures worth keeping go into bench/RESULTS.md with the command and the machine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    extra = [a for a in argv if a == "--short"]
    scripts = sorted(p for p in HERE.glob("*_bench.py"))
    failed = []
    for script in scripts:
        print(f"\n== {script.name} {' '.join(extra)}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, str(script), *extra], cwd=HERE.parent)
        print(f"== {script.name}: exit {code} after {time.perf_counter() - t0:.1f} s", flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
