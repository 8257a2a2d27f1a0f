"""The documents hold: the README is short, every CLI example runs and prints what it shows, the Python
examples of docs/python-api.md run, links point at files that exist, and the reliability figures are the
recorded ones."""

from __future__ import annotations

import doctest
import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests.support.docs_examples import (
    DOCS,
    MAX_LINES,
    README,
    ROOT,
    DocsEnv,
    Example,
    docs_env,
    documents,
    mismatch,
    parse,
    run,
    shown_lines,
    trimmed,
)

EXAMPLES = [(doc, ex) for doc in documents() for ex in parse(doc.read_text(encoding="utf-8"))]


def _id(item: tuple[Path, Example]) -> str:
    doc, ex = item
    return f"{doc.name}:{ex.line}:{ex.command[9:50]}"


@pytest.fixture(scope="module")
def denv() -> Iterator[DocsEnv]:
    with docs_env() as e:
        yield e


# -- the README --------------------------------------------------------------------------------------
def test_readme_is_read_in_five_minutes() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"README.md has {lines} lines; move reference material to docs/"


def test_readme_has_the_two_quick_start_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text[text.index("## Quick start") :]
    quick = quick[: quick.index("\n## ", 3)]
    assert re.findall(r"^make \w+$", quick, re.M) == ["make demo", "make test"]


# -- the CLI examples --------------------------------------------------------------------------------
def test_every_cli_command_has_an_example_in_docs_cli() -> None:
    from typer.main import get_command

    from graph.cli import app

    root = get_command(app)
    paths = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        paths += [f"{name} {s}" for s in subs] if subs else [name]
    examples = parse((DOCS / "cli.md").read_text(encoding="utf-8"))
    shown = [f" {ex.command[len('indgraph') :].strip()} " for ex in examples]
    missing = [p for p in paths if not any(f" {p} " in s for s in shown)]
    assert not missing, f"docs/cli.md has no example for: {missing}"


@pytest.mark.parametrize("item", EXAMPLES, ids=_id)
def test_example_shows_at_most_a_dozen_lines(item: tuple[Path, Example]) -> None:
    doc, ex = item
    n = shown_lines(ex.expected)
    assert n <= MAX_LINES, f"{doc.name}:{ex.line} shows {n} output lines; trim it (see tests/support/docs_examples.py)"


@pytest.mark.store
@pytest.mark.parametrize("item", [e for e in EXAMPLES if e[1].mode != "skip"], ids=_id)
def test_example(item: tuple[Path, Example], denv: DocsEnv, tmp_path: Path) -> None:
    doc, ex = item
    code, printed = run(ex.command, denv.env(doc), tmp_path)
    assert code == 0, printed
    if ex.mode == "compare":
        problem = mismatch(ex.expected, printed)
        assert problem is None, (
            f"{doc.name}:{ex.line}: {problem}\n\nrun `python -m tests.support.docs_examples --update`"
        )


def test_trimming_is_exact_for_what_it_shows() -> None:
    printed = "\n".join(["title", "┏━┓", *(f"│ {i} │" for i in range(20)), "└─┘", "20 rows"]) + "\n"
    shown = trimmed(printed)
    assert shown_lines(shown) == MAX_LINES and shown.endswith("[… 13 more lines]\n└─┘\n20 rows\n")
    assert mismatch(shown, printed) is None
    assert mismatch(shown, printed.replace("│ 3 │", "│ x │")) is not None  # a shown line differs
    assert mismatch(shown, printed.replace("│ 15 │\n", "")) is not None  # one line fewer left out
    assert mismatch(shown, printed.replace("20 rows", "19 rows")) is not None  # a last line differs
    assert trimmed(printed, shown) == shown  # an update keeps the document's choice
    shorter = trimmed(printed, shown.replace("│ 6 │\n", "", 1).replace("│ 5 │\n", "", 1))
    assert shown_lines(shorter) == MAX_LINES - 2 and "[… 15 more lines]" in shorter
    assert trimmed("a\nb\n", shown) == "a\nb\n"  # short again: shown whole


# -- the Python examples -----------------------------------------------------------------------------
class _MarkdownParser(doctest.DocTestParser):
    """Doctest over Markdown: a code fence line ends the example before it (it is not expected output)."""

    def parse(self, string: str, name: str = "<string>") -> list:
        return super().parse(re.sub(r"^```.*$", "", string, flags=re.M), name)


@pytest.mark.store
@pytest.mark.parametrize("doc", [README, DOCS / "python-api.md"], ids=lambda p: p.name)
def test_python_examples_run(doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``>>>`` examples of a document as a doctest, against a real embedded store in a new, short home."""
    import shutil
    import tempfile

    from graph.stores.embedded import EmbeddedServer

    home = Path(tempfile.mkdtemp(prefix="ig-api-", dir="/tmp"))  # unix socket paths must stay short
    monkeypatch.setenv("INDGRAPH_HOME", str(home))
    monkeypatch.delenv("INDGRAPH_GRAPH", raising=False)
    monkeypatch.delenv("INDGRAPH_STORE", raising=False)
    (tmp_path / "data").symlink_to(ROOT / "data")  # the examples run as if in a checkout
    monkeypatch.chdir(tmp_path)
    try:
        result = doctest.testfile(
            str(doc),
            module_relative=False,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
            verbose=False,
            report=True,
            parser=_MarkdownParser(),
        )
    finally:
        server = EmbeddedServer(home)
        if server.ping():
            server.stop()
        shutil.rmtree(home, ignore_errors=True)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {doc.name} failed (see above)"


# -- links and figures -------------------------------------------------------------------------------
_LINK = re.compile(r"\]\((?!https?://|mailto:)([^)#\s]*)(?:#([^)\s]*))?\)")


def _without_code(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)


def _anchors(md: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    headings = re.findall(r"^#+ (.+)$", _without_code(md.read_text(encoding="utf-8")), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("doc", documents(), ids=lambda p: p.name)
def test_links_point_at_files_and_headings_that_exist(doc: Path) -> None:
    broken = []
    for target, anchor in _LINK.findall(_without_code(doc.read_text(encoding="utf-8"))):
        path = doc.parent / target if target else doc
        if not path.exists():
            broken.append(target)
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{target}#{anchor}")
    assert not broken, f"{doc.name} links to missing files or headings: {broken}"


def test_reliability_figures_are_the_recorded_ones() -> None:
    """The figures of docs/reliability.md come from bench/reliability_figures.json (tests/support/figures.py)."""
    figures = json.loads((ROOT / "bench" / "reliability_figures.json").read_text(encoding="utf-8"))
    text = (DOCS / "reliability.md").read_text(encoding="utf-8")
    section = text[text.index("## Reliability") :]
    fuzz = [f for f in figures.values() if set(f) <= {"clean", "refused"}]
    clean, refused = sum(f.get("clean", 0) for f in fuzz), sum(f.get("refused", 0) for f in fuzz)
    trips = sum(figures[f"round_trip_{k}"]["graphs"] for k in ("store", "yaml", "csv", "cli"))
    crash, readers = figures["crash_sigkill_mid_load"], figures["concurrency_readers_during_load"]
    bench = figures["concurrency_bench_short"]

    def ms(x: float) -> str:  # one decimal, rounded half up as people do (8.25 -> 8.3)
        return str(Decimal(str(x)).quantize(Decimal("0.1"), ROUND_HALF_UP))

    expected = [
        f"{clean + refused:,} inputs tried: {clean:,} loaded cleanly, {refused:,} refused",
        f"{trips:,} random graphs, all unchanged",
        f"{crash['crashes_survived']} crashes survived",
        f"{figures['crash_concurrent_starts']['processes']} `indgraph` processes starting at once",
        f"{readers['queries_answered']} answers, {readers['errors']} errors",
        f"{bench['queries_served']} queries at {bench['queries_per_second']:.0f} queries/s, "
        f"p50 {ms(bench['p50_ms'])} ms, p95 {ms(bench['p95_ms'])} ms, {bench['errors']} errors",
        f"{figures['query_read_only']['write_statements_refused']} write statements refused",
        f"{figures['query_audit']['python_files_audited']} modules audited",
        f"{figures['secrets_scan']['files_scanned']} files, no password",
        f"{figures['store_hardening']['attacks_held']} attacks held",
    ]
    missing = [e for e in expected if e not in section]
    assert not missing, f"docs/reliability.md does not show the recorded figures: {missing}"
