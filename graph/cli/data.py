"""``indgraph load | query | queries | run | stats | export`` and the global options."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graph import cypherlib
from graph.cli.common import (
    Format,
    FormatOpt,
    ParamOpt,
    StoreName,
    WriteModeName,
    opened,
    out,
    parse_params,
    print_result,
    print_table,
    progress_bar,
)
from graph.stores import QueryResult


# Options shared by the commands that open a store, kept on the root context.
def global_options(
    ctx: typer.Context,
    store: Annotated[StoreName, typer.Option(envvar="INDGRAPH_STORE", help="Which store to use.")] = StoreName.falkordb,
    home: Annotated[
        Path | None, typer.Option(envvar="INDGRAPH_HOME", help="Data folder of the embedded store.")
    ] = None,
    graph: Annotated[str | None, typer.Option(envvar="INDGRAPH_GRAPH", help="Graph name (FalkorDB).")] = None,
    uri: Annotated[str | None, typer.Option(envvar="NEO4J_URI", help="Neo4j URI.")] = None,
    username: Annotated[str | None, typer.Option(envvar="NEO4J_USERNAME", help="Neo4j user.")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="NEO4J_PASSWORD", help="Neo4j password.", show_default=False)
    ] = None,
    database: Annotated[str | None, typer.Option(envvar="NEO4J_DATABASE", help="Neo4j database.")] = None,
) -> None:
    if store is StoreName.falkordb:
        ctx.obj = {"kind": "falkordb", "home": home, "graph": graph}
    else:
        ctx.obj = {"kind": "neo4j", "uri": uri, "username": username, "password": password, "database": database}


def load(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="YAML/CSV files or folders; default the curated seed data.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per write transaction.")] = 2000,
    mode: Annotated[
        WriteModeName,
        typer.Option(help="merge: idempotent upsert; create: fast path for an empty store; auto: create when empty."),
    ] = WriteModeName.merge,
) -> None:
    """Validate data files and load them into the store (all or nothing)."""
    from graph.ingest import check_files

    with opened(ctx) as store:
        # Checked whole before anything is written, keeping no records; then written batch by batch as the
        # files are read again, so memory follows the batch, not the files.
        scan = check_files(paths or None, store)
        if dry_run:
            out.print(f"valid: {scan.entities} entities, {scan.relations} relations (dry run, nothing written)")
            return
        data = scan.data()
        total = scan.entities + scan.relations
        with progress_bar("loading", total, min_total=5000) as advance:
            summary = store.write(data, batch_size=batch_size, mode=mode.value, progress=advance)
        table = Table(
            "kind", "type", "written", title=f"loaded into {store.name} ({summary.mode})", title_justify="left"
        )
        for t, n in sorted(summary.entities.items()):
            table.add_row("entity", t, str(n))
        for t, n in sorted(summary.relations.items()):
            table.add_row("relation", t, str(n))
        print_table(table)


def query(
    ctx: typer.Context,
    cypher: Annotated[str, typer.Argument(help="A Cypher statement; use $name for parameters.")],
    param: ParamOpt = None,
    fmt: FormatOpt = Format.table,
    write: Annotated[bool, typer.Option("--write", help="Allow the statement to change the graph.")] = False,
    timeout: Annotated[
        int, typer.Option(help="Timeout in milliseconds; 0 means the maximum, 600000 (no query runs longer).")
    ] = 30_000,
) -> None:
    """Run a Cypher statement (read-only unless --write)."""
    with opened(ctx) as store:
        print_result(store.query(cypher, parse_params(param), write=write, timeout_ms=timeout), fmt)


def queries(ctx: typer.Context) -> None:
    """List the named queries of the library."""
    kind = (ctx.find_root().obj or {}).get("kind", "falkordb")
    table = Table("name", "parameters", "description", title="named queries", title_justify="left")
    for q in cypherlib.library(kind).values():
        table.add_row(q.name, ", ".join(q.params), q.description)
    print_table(table)


def run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name of a query (see 'indgraph queries').")],
    param: ParamOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Run a named query of the library. Entity parameters take an id, a name, a Chinese name or an alias."""
    from graph.lookup import resolve_params

    with opened(ctx) as store:
        params = parse_params(param)
        query = cypherlib.library(store.dialect).get(name)
        if query is not None:
            params = resolve_params(store, query, params)
        print_result(store.run(name, params), fmt, title=name)


def stats(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Count entities and relations by type."""
    with opened(ctx) as store:
        s = store.stats()
    rows = [["entity", t, n] for t, n in s["entities"].items()] + [
        ["relation", t, n] for t, n in s["relations"].items()
    ]
    rows += [["total", "entities", sum(s["entities"].values())], ["total", "relations", sum(s["relations"].values())]]
    print_result(QueryResult(["kind", "type", "count"], rows), fmt, title="graph statistics")


class ExportFormat(StrEnum):
    node_link = "node-link"
    graphml = "graphml"
    gexf = "gexf"


def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="node-link: networkx JSON; graphml: yEd, Cytoscape; gexf: Gephi."),
    ] = ExportFormat.node_link,
    stated_only: Annotated[
        bool, typer.Option("--stated-only", help="Only what a source states: no inferred or background facts.")
    ] = False,
) -> None:
    """Export the whole graph: networkx node-link JSON (what --graph FILE reads), GraphML or GEXF.

    The file is written to a temporary file and renamed: a failed export leaves an older file whole.
    """
    from graph.nxgraph import to_networkx, write_node_link
    from graph.outfile import check_target, output_file

    check_target(output)  # before the store is read
    with opened(ctx) as store:
        data = store.dump()
    if stated_only:
        data = data.stated_only()
    if fmt is ExportFormat.node_link:
        write_node_link(data, output)
    else:
        from graph.viz.files import write_gexf, write_graphml

        with output_file(output) as tmp:
            if fmt is ExportFormat.graphml:
                write_graphml(to_networkx(data), tmp)
            else:
                write_gexf(to_networkx(data), tmp, positions=False)
    out.print(f"wrote {len(data.entities)} nodes and {len(data.relations)} links to {output}")
