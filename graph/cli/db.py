"""``indgraph db start | stop | status``: the embedded FalkorDB server."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from graph.cli.common import fail, out, print_table
from graph.stores.embedded import EmbeddedServer


def _server(ctx: typer.Context) -> EmbeddedServer:
    obj = ctx.find_root().obj or {}
    if obj.get("kind", "falkordb") != "falkordb":
        raise fail("'db' manages the embedded store; Neo4j runs with 'docker compose up -d'")
    return EmbeddedServer(obj.get("home"))


def start(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option("--repair", help="First cut a damaged append-only log at its damage (what follows is lost)."),
    ] = False,
) -> None:
    """Start the embedded server (harmless if it is running)."""
    out.print(_server(ctx).start(repair=repair), highlight=False)


def stop(ctx: typer.Context) -> None:
    """Stop the embedded server, flushing its data."""
    out.print(_server(ctx).stop(), highlight=False)


def status(ctx: typer.Context) -> None:
    """Say whether the embedded server is running, where, and how much it holds."""
    s = _server(ctx).status()
    table = Table("", "", show_header=False, box=None)
    table.add_row("status", s.message)
    table.add_row("pid", str(s.pid or ""))
    table.add_row("socket", str(s.socket))
    table.add_row("data", str(s.home))
    print_table(table)
    if not s.running:
        raise typer.Exit(3)
