"""``indgraph import chainkg DIR``: the ChainKnowledgeGraph data set into the store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.cliutil import WriteModeName, err, fail, opened, out
from graph.commands.importers import import_app
from loaders import LoadErrors
from loaders.chainkg import ImportSummary, read_chainkg


def summary_table(summary: ImportSummary) -> Table:
    """The import summary as a rich table: rows read, records made, and every quirk with what was done."""
    table = Table(
        "section", "what", "count", "action / examples", title="ChainKnowledgeGraph import", title_justify="left"
    )
    for f, n in summary.rows.items():
        table.add_row("rows read", f, str(n), "")
    for kind, n in sorted(summary.entities.items()):
        table.add_row("entities", kind, str(n), "")
    for kind, n in summary.relations.items():
        table.add_row("relations", kind, str(n), "")
    for q in summary.quirks.values():
        if q.count:
            example = "; ".join(q.examples)
            table.add_row("quirk", q.what, str(q.count), f"{q.action}" + (f" — e.g. {example}" if example else ""))
    return table


@import_app.command("chainkg")
def import_chainkg(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder with the ChainKnowledgeGraph JSON-lines files.")],
    mode: Annotated[
        WriteModeName,
        typer.Option(help="merge: idempotent upsert; create: fast path for an empty store; auto: create when empty."),
    ] = WriteModeName.auto,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per write transaction (Cypher paths).")] = 10_000,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and validate only; write nothing.")] = False,
) -> None:
    """Import ChainKnowledgeGraph (A-share companies, Shenwan industries, products and their chains)."""
    if not folder.is_dir():
        raise fail(f"{folder} is not a folder")
    started = time.perf_counter()
    try:
        data, summary = read_chainkg(folder)
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    except LoadErrors as exc:
        for e in exc.errors[:50]:
            err.print(str(e), highlight=False, markup=False)
        raise fail(f"{len(exc.errors)} problem(s) found; nothing was imported", 1) from None
    read_s = time.perf_counter() - started
    out.print(summary_table(summary))
    if dry_run:
        out.print(
            f"valid: {len(data.entities)} entities, {len(data.relations)} relations "
            f"(read in {read_s:.1f} s; dry run, nothing written)"
        )
        return
    total = len(data.entities) + len(data.relations)
    bar = Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True
    )
    with opened(ctx) as store, bar:
        task = bar.add_task("import", total=total)
        started = time.perf_counter()
        written = store.write(data, batch_size=batch_size, mode=mode.value, progress=lambda n: bar.advance(task, n))
        write_s = time.perf_counter() - started
    rate = total / write_s if write_s else float("inf")
    out.print(
        f"imported {len(data.entities)} entities and {len(data.relations)} relations into {store.name} "
        f"({written.mode}, {written.method}) in {write_s:.1f} s ({rate:,.0f} records/s); read in {read_s:.1f} s",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Nothing to add: the command hangs on ``import_app`` (registered by graph.commands.importers)."""
