"""The README's CLI examples: parse them, run them against the seed graph, and (with --update) rewrite
their output from a real run, so the README always shows what the tool prints.

Examples are fenced blocks whose info string starts with ``console``; each ``$ indgraph …`` line is a
command and the lines after it, up to the next ``$``, its output. ``console {run-only}`` blocks are run
but their output (paths, pids, timings) is not compared; ``console {skip}`` blocks are not run.

    python -m tests.readme_examples --update      # refresh the README's outputs
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

README = Path(__file__).resolve().parent.parent / "README.md"
WIDTH = "100"
_FENCE = re.compile(r"^```console(?P<opts>[^\n]*)\n(?P<body>.*?)^```$", re.M | re.S)


@dataclass
class Example:
    command: str
    expected: str
    mode: str  # "compare", "run-only" or "skip"
    start: int  # offset of the output in the README
    end: int


def parse(text: str) -> list[Example]:
    out: list[Example] = []
    for m in _FENCE.finditer(text):
        opts = m.group("opts")
        mode = "skip" if "{skip}" in opts else "run-only" if "{run-only}" in opts else "compare"
        body_start = m.start("body")
        pos = 0
        body = m.group("body")
        lines = body.splitlines(keepends=True)
        offsets = []
        for line in lines:
            offsets.append(pos)
            pos += len(line)
        cmd_idx = [i for i, line in enumerate(lines) if line.startswith("$ ")]
        for n, i in enumerate(cmd_idx):
            j = cmd_idx[n + 1] if n + 1 < len(cmd_idx) else len(lines)
            out_start = body_start + (offsets[i + 1] if i + 1 < len(lines) else pos)
            out_end = body_start + (offsets[j] if j < len(lines) else pos)
            out.append(Example(lines[i][2:].strip(), "".join(lines[i + 1 : j]), mode, out_start, out_end))
    return out


@contextlib.contextmanager
def seeded_env() -> Iterator[dict[str, str]]:
    """A fresh embedded server holding the seed graph; yields the environment for the CLI."""
    from graph.stores.falkordb import FalkorStore
    from loaders import load_paths

    home = Path(tempfile.mkdtemp(prefix="ig-readme-", dir="/tmp"))
    store = FalkorStore(home, graph="readme")
    try:
        store.write(load_paths(None))
        yield {"INDGRAPH_HOME": str(home), "INDGRAPH_GRAPH": "readme", "COLUMNS": WIDTH, "INDGRAPH_STORE": "falkordb"}
    finally:
        store.close()
        store.server.destroy()
        shutil.rmtree(home, ignore_errors=True)


def run(command: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run one ``indgraph …`` command in-process; return its exit code and what it printed."""
    from graph.cli import app

    argv = shlex.split(command)
    assert argv[0] == "indgraph", command
    # Examples name files relative to the repository (data/...) and write outputs beside them.
    for name in ("data", "cypher"):
        link = cwd / name
        if not link.exists():
            link.symlink_to(README.parent / name)
    (cwd / "docs").mkdir(exist_ok=True)  # outputs such as docs/partnerships.png land here, not in the repo
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, argv[1:], env=env, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def update(readme: Path = README) -> int:
    text = readme.read_text(encoding="utf-8")
    examples = parse(text)
    with seeded_env() as env, tempfile.TemporaryDirectory() as cwd:
        outputs = []
        for ex in examples:
            if ex.mode == "skip":
                outputs.append(None)
                continue
            code, printed = run(ex.command, env, Path(cwd))
            if code != 0:
                print(f"FAILED ({code}): {ex.command}\n{printed}", file=sys.stderr)
                return 1
            outputs.append(printed if ex.mode == "compare" else None)
    for ex, printed in reversed(list(zip(examples, outputs, strict=True))):
        if printed is not None:
            body = "\n".join(line.rstrip() for line in printed.rstrip("\n").splitlines()) + "\n"
            text = text[: ex.start] + body + text[ex.end :]
    readme.write_text(text, encoding="utf-8")
    print(f"updated {sum(o is not None for o in outputs)} outputs in {readme}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    sys.exit(update())
