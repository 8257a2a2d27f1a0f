"""``indgraph analyse gaps`` and ``analyse compare``: a place's chain report, for people and for tools.

A thin layer over :mod:`graph.analysis.gaps`: the store answers the few questions the report needs
(:class:`graph.analysis.chainview.StoreView`), or ``--graph FILE`` a node-link export.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from graph.cli.common import Format, FormatOpt, csv_text, err, opened, out, print_table
from graph.cli.viz import LabelLang
from graph.lookup import resolve

if TYPE_CHECKING:
    from graph.analysis.chainview import ChainView
    from graph.analysis.gaps import Candidate, GapReport, Player

ChainOpt = Annotated[str, typer.Option("--chain", "-c", help="The chain template: id or name, e.g. lithium-battery.")]
GraphFileOpt = Annotated[
    Path | None, typer.Option("--graph", help="Use this node-link JSON file ('indgraph export') instead of the store.")
]


@contextmanager
def _view(ctx: typer.Context, graph_file: Path | None) -> Iterator[tuple[ChainView, object]]:
    """The view to ask, and what names are resolved against (the store, or the file's graph)."""
    from graph.analysis.chainview import GraphView, StoreView

    if graph_file is not None:
        from graph.cli.common import fail
        from graph.nxgraph import read_node_link

        if not graph_file.is_file():
            raise fail(f"no such graph file: {graph_file}")
        G = read_node_link(graph_file)
        yield GraphView(G), G
        return
    with opened(ctx) as store:
        yield StoreView(store), store


def _where(places: tuple) -> str:
    return "/".join(p.name for p in places) or "unlocated"


def _player(p: Player) -> str:
    return f"{p.name} ({_where(p.places)})"


def _candidate(c: Candidate) -> str:
    where = c.province.name if c.province else "unlocated"
    return f"{c.name} ({where}) {c.score:.2f}"


def _for_tools(fmt: Format, result: object, columns: list[str], rows: Iterable[list[Any]]) -> bool:
    """``-f json``: the whole result; ``-f csv``: ``rows`` for spreadsheets (:func:`graph.cli.common.csv_text`).
    True when one of them was printed; False for ``-f table``, which each command draws itself."""
    from graph.analysis.common import jsonable
    from graph.stores import QueryResult

    if fmt is Format.json:
        sys.stdout.write(json.dumps(jsonable(result), ensure_ascii=False, indent=2) + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(csv_text(QueryResult(columns, list(rows))))
    else:
        return False
    return True


GAP_COLUMNS = ["step", "stage", "name_zh", "status", "players", "kind", "rank", "id", "name", "where", "sector",
               "centrality", "nearness", "local_links", "chain_steps", "score"]  # fmt: skip
COMPARE_COLUMNS = ["place_id", "place", "step", "name_zh", "players", "companies", "location_quotient"]


def _gap_rows(report: GapReport) -> Iterator[list[object]]:
    for s in report.steps:
        yield [s.id, s.stage, s.name_zh, s.status, s.players, "", "", "", "", "", "", "", "", "", "", ""]
        for i, p in enumerate(s.top_players, 1):
            yield [s.id, s.stage, s.name_zh, s.status, s.players, "player", i, p.id, p.name, _where(p.places),
                   p.sector, p.weight, "", "", "", ""]  # fmt: skip
        for i, c in enumerate(s.candidates, 1):
            yield [s.id, s.stage, s.name_zh, s.status, s.players, "candidate", i, c.id, c.name,
                   c.province.name if c.province else "", c.sector, c.centrality, c.nearness, c.local_links,
                   c.chain_steps, c.score]  # fmt: skip


def gaps(
    ctx: typer.Context,
    place: Annotated[str, typer.Argument(help="The place: id, name, Chinese name or alias.")],
    chain: ChainOpt,
    top: Annotated[int, typer.Option(min=0, help="Local players named per step.")] = 3,
    candidates: Annotated[int, typer.Option(min=0, help="Candidates listed per weak or missing step.")] = 3,
    fmt: FormatOpt = Format.table,
    picture: Annotated[
        Path | None, typer.Option("--picture", "-o", help="Also draw the chain map: .html, .png or .svg.")
    ] = None,
    labels: Annotated[LabelLang, typer.Option("--labels", help="Picture labels: en or zh.")] = LabelLang.en,
    graph_file: GraphFileOpt = None,
) -> None:
    """Which steps of a chain a place holds (strong, weak, missing), and who elsewhere could fill the gaps."""
    from graph.analysis.gaps import STRONG, WEIGHTS, gap_report
    from loaders.templates import template

    tpl = template(chain)
    with _view(ctx, graph_file) as (view, names):
        report = gap_report(view, tpl, resolve(names, place), top=top, candidates=candidates)
    if picture is not None:
        from graph.viz.chainmap import write_chain_map

        write_chain_map(report, picture, labels=labels.value)
        err.print(f"wrote {picture}", style="dim", highlight=False)
    if _for_tools(fmt, report, GAP_COLUMNS, _gap_rows(report)):
        return
    title = f"{report.name} ({report.name_zh}) chain in {report.place.name}"
    table = Table("stage", "step", "status", "players", "local players", "candidates elsewhere (score)",
                  title=title, title_justify="left")  # fmt: skip
    for s in report.steps:
        table.add_row(
            str(s.stage),
            f"{s.name} {s.name_zh}",
            s.status,
            str(s.players),
            ", ".join(_player(p) for p in s.top_players) or "—",
            ", ".join(_candidate(c) for c in s.candidates) or "—",
        )
    print_table(table)
    parts = " + ".join(f"{w:g}·{k.replace('_', ' ')}" for k, w in WEIGHTS.items())
    out.print(
        f"strong: {STRONG}+ local players, weak: 1–2, missing: none; candidate score = {parts} "
        "(each 0..1; -f json or -f csv shows the parts)",
        style="dim",
        highlight=False,
    )


def compare(
    ctx: typer.Context,
    places: Annotated[list[str], typer.Argument(help="Two or more places: ids, names, Chinese names or aliases.")],
    chain: ChainOpt,
    fmt: FormatOpt = Format.table,
    picture: Annotated[
        Path | None, typer.Option("--picture", "-o", help="Also draw the heat map: .png, .svg or .pdf.")
    ] = None,
    labels: Annotated[LabelLang, typer.Option("--labels", help="Picture labels: en or zh.")] = LabelLang.en,
    graph_file: GraphFileOpt = None,
) -> None:
    """Places side by side on one chain: steps covered, players per step, location quotients."""
    from graph.analysis.gaps import compare as compare_places
    from loaders.templates import template

    tpl = template(chain)
    with _view(ctx, graph_file) as (view, names):
        ids = list(dict.fromkeys(resolve(names, p) for p in places))
        result = compare_places(view, tpl, ids)
    if picture is not None:
        from graph.viz.heatmap import write_heatmap

        write_heatmap(result, picture, labels=labels.value)
        err.print(f"wrote {picture}", style="dim", highlight=False)
    rows = (
        [p.place.id, p.place.name, sid, zh, n, c, q]
        for p in result.places
        for (sid, _, zh), n, c, q in zip(result.steps, p.players, p.companies, p.quotients, strict=True)
    )
    if _for_tools(fmt, result, COMPARE_COLUMNS, rows):
        return
    table = Table(
        "place",
        "steps",
        *(zh for _, _, zh in result.steps),
        title=(f"{result.name} ({result.name_zh}): players · location quotient per step"),
        title_justify="left",
    )
    for p in result.places:
        cells = [f"{n} · {q:g}" if q else str(n) for n, q in zip(p.players, p.quotients, strict=True)]
        table.add_row(p.place.name, f"{p.steps_covered}/{len(result.steps)}", *cells)
    print_table(table)
    if result.all_located_companies:
        note = (
            "location quotient: the place's share of a step's located companies over its share of all "
            f"{result.all_located_companies} located companies (1 = as expected; -f csv has every figure)"
        )
    else:
        note = "no company is located: quotients need located companies ('import chainkg', 'import locations')"
    out.print(note, style="dim", highlight=False)
