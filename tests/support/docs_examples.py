"""The CLI examples of the README and of ``docs/*.md``: parse them, run them against the seed graph, and (with
--update) rewrite their output from a real run, so the documents always show what the tool prints.

Examples are fenced blocks whose info string starts with ``console``; each ``$ indgraph …`` line is a
command and the lines after it, up to the next ``$``, its output. ``console {run-only}`` blocks are run
but their output (paths, pids, timings) is not compared; ``console {skip}`` blocks are not run.

Each document's examples run in order against a graph of their own, freshly loaded with the seed data,
so an example may rely on what earlier examples of the same document did (``import admin``, then a query).

An output longer than :data:`MAX_LINES` lines is trimmed: the document shows its first lines, a line
``[… N more lines]`` and its last lines (e.g. a table's bottom border and row count). The comparison is
exact for what is shown: the first and last lines must be the output's, and ``N`` must be the number of
lines left out. ``--update`` keeps the number of first and last lines a document chose; a new long output
gets the first lines up to a whole table row, the marker, and the table's last border and footer.

    python -m tests.support.docs_examples --update      # refresh the outputs of every document
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

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
WIDTH = "100"  # terminal width of the examples: the widest table fits a rendered page without breaking ids
MAX_LINES = 12  # at most this many output lines shown per example, the trim marker included
_FENCE = re.compile(r"^```console(?P<opts>[^\n]*)\n(?P<body>.*?)^```$", re.M | re.S)
_MARKER = re.compile(r"^\[… (\d+) more lines?\]$")
_ROW_CONTINUES = re.compile(r"^│ +│")  # a wrapped table row's next line: its first cell is empty


def documents() -> list[Path]:
    """The documents whose examples are run: the README, then ``docs/*.md`` by name."""
    return [README, *sorted(DOCS.glob("*.md"))]


@dataclass
class Example:
    command: str
    expected: str
    mode: str  # "compare", "run-only" or "skip"
    start: int  # offset of the output in the document
    end: int
    line: int = 0  # line number of the command in the document


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
        first_line = text.count("\n", 0, body_start) + 1
        for n, i in enumerate(cmd_idx):
            j = cmd_idx[n + 1] if n + 1 < len(cmd_idx) else len(lines)
            out_start = body_start + (offsets[i + 1] if i + 1 < len(lines) else pos)
            out_end = body_start + (offsets[j] if j < len(lines) else pos)
            expected = "".join(lines[i + 1 : j])
            out.append(Example(lines[i][2:].strip(), expected, mode, out_start, out_end, first_line + i))
    return out


# -- comparing, with trimmed outputs ---------------------------------------------------------------
def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def normalise(text: str) -> str:
    return "\n".join(_lines(text))


def split_trimmed(expected: str) -> tuple[list[str], int | None, list[str]]:
    """``(first lines, lines left out, last lines)`` of a shown output; ``None`` left out if not trimmed."""
    lines = _lines(expected)
    marks = [i for i, line in enumerate(lines) if _MARKER.match(line)]
    if not marks:
        return lines, None, []
    assert len(marks) == 1, f"more than one trim marker in:\n{expected}"
    i = marks[0]
    match = _MARKER.match(lines[i])
    assert match is not None
    return lines[:i], int(match.group(1)), lines[i + 1 :]


def mismatch(expected: str, printed: str) -> str | None:
    """Why ``printed`` is not what the document shows (``expected``), or None when it is."""
    head, left_out, tail = split_trimmed(expected)
    actual = _lines(printed)
    if left_out is None:
        return None if actual == head else f"expected:\n{normalise(expected)}\n\ngot:\n{normalise(printed)}"
    n = len(actual) - len(head) - len(tail)
    if n < 1 or actual[: len(head)] != head or actual[len(actual) - len(tail) :] != tail or n != left_out:
        return (
            f"expected (first {len(head)} lines, {left_out} left out, last {len(tail)}):\n{normalise(expected)}"
            f"\n\ngot ({len(actual)} lines):\n{normalise(printed)}"
        )
    return None


def _default_tail(lines: list[str]) -> int:
    """How many last lines a new trim keeps: a table's bottom border and what follows it, or a closing bracket."""
    for k in range(1, min(3, len(lines)) + 1):
        if lines[-k].startswith("└"):
            return k
    return 1 if lines and lines[-1] in ("]", "}") else 0


def trimmed(printed: str, previous: str = "") -> str:
    """``printed`` as a document shows it: whole when short, else first lines, the marker and last lines.

    A ``previous`` trimmed output (what the document showed) keeps its number of first and last lines.
    """
    lines = _lines(printed)
    if len(lines) <= MAX_LINES:
        return "\n".join(lines) + "\n"
    head, left_out, tail = split_trimmed(previous)
    n_tail = len(tail) if left_out is not None else _default_tail(lines)
    n_head = len(head) if left_out is not None else MAX_LINES
    n_head = max(0, min(n_head, MAX_LINES - 1 - n_tail))
    whole_row = n_head
    while whole_row > 1 and _ROW_CONTINUES.match(lines[whole_row]):
        whole_row -= 1  # end on a whole table row …
    if lines[whole_row - 1].startswith("│"):
        n_head = whole_row  # … unless that leaves no row at all
    left = len(lines) - n_head - n_tail
    shown = [*lines[:n_head], f"[… {left} more line{'s' if left != 1 else ''}]", *lines[len(lines) - n_tail :]]
    return "\n".join(shown) + "\n"


def shown_lines(expected: str) -> int:
    """How many lines a document shows for an output, the trim marker included."""
    return len(_lines(expected)) if expected.strip() else 0


# -- running ---------------------------------------------------------------------------------------
class DocsEnv:
    """One embedded server; each document gets a graph of its own, loaded with the seed data on first use."""

    def __init__(self, home: Path):
        self.home = home
        self.envs: dict[Path, dict[str, str]] = {}

    def env(self, doc: Path) -> dict[str, str]:
        if doc not in self.envs:
            from graph.stores.falkordb import FalkorStore
            from loaders import load_paths

            name = "docs_" + re.sub(r"\W", "_", doc.stem)
            with FalkorStore(self.home, graph=name) as store:
                store.clear()
                store.write(load_paths(None))
            self.envs[doc] = {
                "INDGRAPH_HOME": str(self.home),
                "INDGRAPH_GRAPH": name,
                "COLUMNS": WIDTH,
                "INDGRAPH_STORE": "falkordb",
            }
        return self.envs[doc]


@contextlib.contextmanager
def docs_env() -> Iterator[DocsEnv]:
    """A fresh embedded server in a short temporary folder, stopped and removed afterwards."""
    from graph.stores.embedded import EmbeddedServer

    home = Path(tempfile.mkdtemp(prefix="ig-docs-", dir="/tmp"))
    try:
        yield DocsEnv(home)
    finally:
        server = EmbeddedServer(home)
        if server.ping():
            server.stop()
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
            link.symlink_to(ROOT / name)
    (cwd / "docs").mkdir(exist_ok=True)  # outputs such as docs/partnerships.png land here, not in the repo
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, argv[1:], env=env, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


def update(docs: list[Path] | None = None) -> int:
    """Rewrite the outputs of every compared example from a real run."""
    docs = documents() if docs is None else docs
    with docs_env() as denv, tempfile.TemporaryDirectory() as cwd:
        for doc in docs:
            text = doc.read_text(encoding="utf-8")
            examples = parse(text)
            outputs: list[str | None] = []
            for ex in examples:
                if ex.mode == "skip":
                    outputs.append(None)
                    continue
                code, printed = run(ex.command, denv.env(doc), Path(cwd))
                if code != 0:
                    print(f"FAILED ({code}) {doc.name}:{ex.line}: {ex.command}\n{printed}", file=sys.stderr)
                    return 1
                outputs.append(trimmed(printed, ex.expected) if ex.mode == "compare" else None)
            for ex, body in reversed(list(zip(examples, outputs, strict=True))):
                if body is not None:
                    text = text[: ex.start] + body + text[ex.end :]
            doc.write_text(text, encoding="utf-8")
            if examples:
                print(f"updated {sum(o is not None for o in outputs)} outputs in {doc.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    sys.exit(update())
