"""``indgraph viz``: draw a part of the graph to HTML, PNG/SVG/PDF, GraphML/GEXF or Mermaid."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from graph.cli.common import err, fail, opened, out
from graph.lookup import resolve

_DRAWN = (".html", ".png", ".svg", ".pdf", ".gexf")  # the formats that carry positions


class View(StrEnum):
    all = "all"
    partnerships = "partnerships"
    chain = "chain"
    around = "around"


class LabelLang(StrEnum):
    en = "en"
    zh = "zh"


def _chain_map(ctx: typer.Context, target: str, within: str | None, output: Path, labels: LabelLang) -> bool:
    """``viz chain TEMPLATE``: the template's chain map for a place (default: the whole country), as
    ``analyse gaps`` draws it. False when ``target`` names no chain template (then it is a sector)."""
    from graph.analysis.chainview import StoreView
    from graph.analysis.gaps import gap_report
    from graph.errors import ArgumentError
    from graph.viz.chainmap import write_chain_map
    from loaders.templates import template

    try:
        tpl = template(target)
    except ArgumentError:
        return False
    with opened(ctx) as store:
        place = resolve(store, within) if within else "country:cn"
        report = gap_report(StoreView(store), tpl, place)
    write_chain_map(report, output, labels=labels.value)
    out.print(f"wrote the {tpl.name} chain map of {report.place.name} to {output}", highlight=False)
    return True


def viz(
    ctx: typer.Context,
    view: Annotated[
        View, typer.Argument(help="What to draw: all, partnerships, chain SECTOR, around ENTITY.")
    ] = View.all,
    target: Annotated[
        str | None,
        typer.Argument(
            help="chain: a chain template (its map), a sector or a chain name; around: the entity. Id or name."
        ),
    ] = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="File to write; the extension picks the format: .html .png .svg .pdf .graphml .gexf .mmd",
        ),
    ] = Path("graph.html"),
    hops: Annotated[
        int | None,
        typer.Option(
            min=0, help="chain: steps up/downstream (3); around: radius (1); partnerships: context steps (1)."
        ),
    ] = None,
    within: Annotated[
        str | None, typer.Option("--within", help="Keep only what is located in this place (id or name).")
    ] = None,
    labels: Annotated[
        LabelLang, typer.Option("--labels", help="Node labels: English or Chinese names.")
    ] = LabelLang.en,
    title: Annotated[str | None, typer.Option(help="Title of the picture (default: the view's).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Write a Mermaid chart even above 100 nodes.")] = False,
) -> None:
    """Draw the graph or a part of it: partnerships, an industry chain, or the neighbourhood of an entity."""
    from graph.model import RelType
    from graph.nxgraph import to_networkx
    from graph.outfile import check_target
    from graph.viz import FORMATS, render
    from graph.viz.layout import layout
    from graph.viz.select import view as choose

    if output.suffix.lower() not in FORMATS:
        raise fail(f"can't write '{output.name}': use one of {', '.join(FORMATS)}")
    check_target(output, create_parents=True)  # before the store is read and the picture drawn
    if view is View.chain and target and _chain_map(ctx, target, within, output, labels):
        return
    with opened(ctx) as store:
        if view in (View.chain, View.around) and target:
            from graph.viz.fetch import view_graph

            # only the part the view needs: a national store is too big to dump for one picture
            g, target, within = view_graph(store, view.value, target, hops, within)
        else:
            g = to_networkx(store.dump())
    sub, default_title = choose(g, view.value, target, hops=hops, place=within)
    if sub.number_of_nodes() == 0:
        raise fail(f"the {view.value} view is empty: nothing to draw (is the graph loaded?)", 1)
    # a chain reads upstream to downstream, left to right
    pos = (
        layout(sub, flow=RelType.PART_OF_CHAIN.value)
        if view is View.chain and output.suffix.lower() in _DRAWN
        else None
    )
    render(
        sub,
        output,
        labels=labels.value,
        title=title or default_title,
        max_mermaid_nodes=None if force else 100,
        pos=pos,
    )
    if sub.number_of_nodes() > 1000 and output.suffix.lower() in (".png", ".svg", ".pdf"):
        err.print("note: a static figure of over 1000 entities is hard to read; try .html or narrow the view")
    out.print(
        f"wrote {default_title}: {sub.number_of_nodes()} entities, {sub.number_of_edges()} relations to {output}",
        highlight=False,
    )
