"""Helpers shared by the CLI's command modules: opening the store, parameters and output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from graph.stores import QueryResult, Store, StoreError, open_store
from graph.stores.embedded import ServerError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class StoreName(StrEnum):
    falkordb = "falkordb"
    neo4j = "neo4j"


class WriteModeName(StrEnum):
    auto = "auto"
    merge = "merge"
    create = "create"


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def opened(ctx: typer.Context) -> Iterator[Store]:
    opts = dict(ctx.obj or {"kind": "falkordb"})
    kind = opts.pop("kind")
    try:
        store = open_store(kind, **opts)
    except (StoreError, ServerError) as exc:
        raise fail(str(exc)) from None
    if getattr(store, "start_message", "").startswith(("started", "removed")):
        err.print(store.start_message, style="dim", highlight=False)
    try:
        yield store
    except StoreError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()


def parse_params(pairs: list[str] | None) -> dict[str, Any]:
    """``k=v`` pairs; a value that reads as JSON (numbers, lists, true) is taken as JSON, else as text."""
    params: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise fail(f"--param takes key=value, got '{pair}'")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


PATH_COLUMNS = {"path", "names", "ids", "relations", "path_ids"}


def cell(v: Any, column: str = "") -> str:
    """A value as table text: paths joined with arrows, other lists with commas, maps as JSON."""
    if v is None:
        return ""
    if isinstance(v, list) and all(isinstance(x, str | int | float) for x in v):
        return (" → " if column in PATH_COLUMNS else ", ").join(map(str, v))
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def print_result(result: QueryResult, fmt: Format, title: str | None = None) -> None:
    """Rows as a tidy table (people), JSON or CSV (other tools)."""
    if fmt is Format.json:
        sys.stdout.write(result.to_json() + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(result.to_csv())
    else:
        table = Table(title=title, title_justify="left")
        for c in result.columns:
            table.add_column(c, overflow="fold")
        for row in result.rows:
            table.add_row(*(cell(v, c) for v, c in zip(row, result.columns, strict=True)))
        out.print(table)
        out.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}", style="dim")


ParamOpt = Annotated[list[str] | None, typer.Option("--param", "-p", help="Query parameter key=value (repeatable).")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
