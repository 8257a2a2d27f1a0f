"""What the CLI's command modules share: opening the store, errors, parameters, progress and output."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from graph.attributes import format_figure
from graph.errors import IndustryGraphError, Interrupted, LoadErrors
from graph.stores import QueryResult, Store, open_store

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    r"""``text`` with control characters (terminal escapes, backspace, BEL ...) shown as ``\x1b``-style
    escapes, so that a name can never move the cursor, change colours or retitle the terminal.
    Newlines are kept.

    >>> visible("Bad\x1b[31m Co\x08")
    'Bad\\x1b[31m Co\\x08'
    """
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class _PlainConsole(Console):
    """A console that prints text as it is: no Rich markup (an entity called ``Bad [/bold] Co`` or
    ``[link=…]`` is a name, not a style), no ``:emoji:`` codes, and control characters made visible.
    Every string the CLI prints, table cells and titles included, passes through ``render_str``."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs["markup"] = kwargs["emoji"] = False
        return super().render_str(visible(text), **kwargs)


out = _PlainConsole(soft_wrap=True, markup=False, emoji=False)
err = _PlainConsole(stderr=True, soft_wrap=True, markup=False, emoji=False)


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
    """Print ``error: message`` (the message as plain text, never markup) and return the exit to raise."""
    err.print(Text.assemble(("error:", "bold red"), " ", visible(message)), highlight=False)
    return typer.Exit(code)


MAX_LISTED_ERRORS = 100


def report(exc: IndustryGraphError) -> typer.Exit:
    """The one place a library error becomes output: bad input lists every problem (exit 1), else one line (2)."""
    if isinstance(exc, LoadErrors):
        for e in exc.errors[:MAX_LISTED_ERRORS]:
            err.print(str(e), highlight=False, markup=False)
        if len(exc.errors) > MAX_LISTED_ERRORS:
            err.print(f"… and {len(exc.errors) - MAX_LISTED_ERRORS} more", highlight=False, markup=False)
        return fail(f"{len(exc.errors)} problem(s) found; nothing was loaded", 1)
    if isinstance(exc, Interrupted):
        return fail(str(exc), 130)  # the shell's status for a command stopped by a signal
    return fail(str(exc))


@contextmanager
def opened(ctx: typer.Context) -> Iterator[Store]:
    """The store the global options name, closed on the way out."""
    opts = dict(ctx.find_root().obj or {"kind": "falkordb"})
    kind = opts.pop("kind")
    store = open_store(kind, **opts)
    message = getattr(store, "start_message", "")  # the embedded server's: whether it started one
    if message.startswith(("started", "removed")):
        err.print(message, style="dim", highlight=False)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def progress_bar(what: str, total: int, *, min_total: int = 0) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for long writes; yields the callback a store's ``write`` takes.

    Hidden below ``min_total`` rows, where it would only flicker.
    """
    with Progress(
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=total < min_total,
    ) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INT64 = (-(2**63), 2**63 - 1)


def _json_value(key: str, text: str) -> Any:
    """``text`` read as JSON, refusing numbers no store holds as written (like the loaders do)."""

    def number(kind: str) -> Callable[[str], Any]:
        def parse(s: str) -> Any:
            shown = s if len(s) <= 40 else f"{s[:20]}…({len(s)} characters)"
            if kind == "int":
                if not _INT64[0] <= int(s) <= _INT64[1]:
                    raise fail(f"--param {key}: {shown} is beyond the 64-bit integers a store holds (-2^63 to 2^63-1)")
                return int(s)
            f = float(s)
            if f in (float("inf"), float("-inf")):
                raise fail(f"--param {key}: {shown} is beyond the largest number a store holds (about 1.8e308)")
            if f == 0 and any(c in "123456789" for c in s.lower().partition("e")[0]):
                raise fail(f"--param {key}: {shown} is too close to zero: a store would hold it as 0")
            return f

        return parse

    def constant(s: str) -> Any:
        raise fail(f"--param {key}: {s} is not a number a store can hold; quote it as text: {key}='\"{s}\"'")

    try:
        value = json.loads(text, parse_int=number("int"), parse_float=number("float"), parse_constant=constant)
    except (json.JSONDecodeError, RecursionError):
        return text
    _check_keys(key, value)
    return value


def _check_keys(key: str, value: Any) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if "`" in k:
                raise fail(f"--param {key}: a map key cannot hold a backtick (`), got '{k}'")
            _check_keys(f"{key}.{k}", v)
    elif isinstance(value, list):
        for v in value:
            _check_keys(key, v)


def parse_params(pairs: list[str] | None) -> dict[str, Any]:
    """``k=v`` pairs; a value that reads as JSON (numbers, lists, true) is taken as JSON, else as text.

    Numbers a store cannot hold as written (beyond 64-bit integers, beyond or below the range of a
    float, NaN, Infinity) and map keys holding a backtick are refused with one line.
    """
    params: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise fail(f"--param takes key=value, got '{pair}'")
        if not _PARAM_NAME.match(key):
            raise fail(f"--param {key!r}: a parameter name is letters, digits and _ (as in $name)")
        params[key] = _json_value(key, value)
    return params


PATH_COLUMNS = {"path", "names", "ids", "relations", "path_ids"}


def cell(v: Any, column: str = "") -> str:
    """A value as table text: figures with their unit (from the column's name), paths joined with arrows,
    other lists with commas, maps as ``key: value`` pairs.

    >>> cell(30_000_000_000.0, "investment_usd"), cell(["a", "b"], "path"), cell({"area_km2": 12.5})
    ('30 billion USD', 'a → b', 'area_km2: 12.5 km²')
    """
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int | float):
        return format_figure(v, column)
    if isinstance(v, list) and all(isinstance(x, str | int | float) for x in v):
        return (" → " if column in PATH_COLUMNS else ", ").join(cell(x, column) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {cell(x, k)}" for k, x in v.items())
    if isinstance(v, list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


# -- tables that fit ---------------------------------------------------------------------------------
MAX_WORD = 48  # a word longer than this is shortened with "…" rather than widening its column further
_CJK_WORD = 8  # CJK text has no spaces and may break between characters; keep a few on each line


def _is_wide(ch: str) -> bool:
    return cell_len(ch) == 2


def _min_width(text: str) -> int:
    """The narrowest a column can be without breaking a word of ``text`` in the middle."""
    widths = [0]
    for word in text.split():
        w = cell_len(word)
        widths.append(min(w, _CJK_WORD) if any(_is_wide(c) for c in word) else w)
    return max(widths)


def _is_id_column(name: str) -> bool:
    return name in ("id", "ids", "path_ids") or name.endswith("_id")


def _natural_width(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def print_table(table: Table, console: Console | None = None) -> list[str]:
    """Print ``table`` without breaking an id or a name in the middle of a word.

    Each column gets at least the width of its longest word (CJK text may break between characters);
    the room left is shared out in proportion to what each column would like. When even the narrowest
    columns cannot fit the terminal, the rightmost ones are left out and a note says which
    (``-f json``/``csv`` have them all). Returns the names of the columns left out.
    """
    console = console or out
    columns = list(table.columns)
    texts = [[str(col.header), *(c.plain if isinstance(c, Text) else str(c) for c in col._cells)] for col in columns]
    longest = [max(_min_width(t) for t in col) for col in texts]
    mins = [min(n, MAX_WORD) for n in longest]
    wants = [max(m, *(_natural_width(t) for t in col)) for m, col in zip(mins, texts, strict=True)]
    left, right = (table.padding[3], table.padding[1]) if table.padding else (0, 0)
    per_column = left + right + (1 if table.box else 0)
    edges = 1 if table.box else 0

    def room(n: int) -> int:
        return console.width - per_column * n - edges

    # ids are for tools (JSON and CSV carry them): they go first, then columns from the right
    order = sorted(range(len(columns)), key=lambda i: (not _is_id_column(str(columns[i].header)), -i))
    keep = list(range(len(columns)))
    while len(keep) > 1 and sum(mins[i] for i in keep) > room(len(keep)):
        keep.remove(next(i for i in order if i in keep))
    dropped = [str(col.header) for i, col in enumerate(columns) if i not in keep]
    columns = [columns[i] for i in keep]
    mins, wants, longest = ([xs[i] for i in keep] for xs in (mins, wants, longest))
    n = len(columns)
    if sum(wants) > room(n):
        # share what is left above the minimums in proportion to how much more each column wants
        spare, extra = max(room(n) - sum(mins), 0), [w - m for w, m in zip(wants, mins, strict=True)]
        total = sum(extra) or 1
        widths = [m + spare * e // total for m, e in zip(mins, extra, strict=True)]
        for col, w in zip(columns, widths, strict=True):
            col.width = w
    for col, n_longest in zip(columns, longest, strict=True):
        col.overflow = "ellipsis" if n_longest > MAX_WORD else "fold"
    if dropped:
        table.columns[:] = columns
    console.print(table)
    if dropped:
        console.print(
            f"not shown at this width: {', '.join(dropped)} (-f json or -f csv has every column)",
            style="dim",
            highlight=False,
        )
    return dropped


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), +cmd|…, @SUM(…)).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(v: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: text starting like a formula gets a leading ``'``
    (OWASP's advice); numbers, including negative ones, stay numbers.

    >>> [spreadsheet_cell(v) for v in ("=1+2", "-2+3", "@SUM(A1)", "Wuhan", -2, "'quoted")]
    ["'=1+2", "'-2+3", "'@SUM(A1)", 'Wuhan', -2, "'quoted"]
    """
    if isinstance(v, list | dict):
        v = json.dumps(v, ensure_ascii=False)
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def csv_text(result: QueryResult) -> str:
    """``result`` as CSV for spreadsheets: see :func:`spreadsheet_cell` (``-f json`` has the values as they are)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([spreadsheet_cell(c) for c in result.columns])
    for row in result.rows:
        w.writerow([spreadsheet_cell(v) for v in row])
    return buf.getvalue()


def print_result(result: QueryResult, fmt: Format, title: str | None = None) -> None:
    """Rows as a tidy table (people), JSON (tools) or CSV (spreadsheets: formula-like text neutralised)."""
    if fmt is Format.json:
        sys.stdout.write(result.to_json() + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(csv_text(result))
    else:
        table = Table(title=title, title_justify="left")
        for c in result.columns:
            table.add_column(c)
        for row in result.rows:
            table.add_row(*(cell(v, c) for v, c in zip(row, result.columns, strict=True)))
        print_table(table)
        out.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}", style="dim")


ParamOpt = Annotated[list[str] | None, typer.Option("--param", "-p", help="Query parameter key=value (repeatable).")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
