"""``indgraph neighbours`` and ``indgraph analyse …``: supply-chain neighbours and networkx analysis.

A thin layer over :mod:`graph.analysis` and :mod:`graph.lookup`: every ENTITY/PLACE argument takes an
id, English or Chinese name or alias. ``neighbours`` asks the store in Cypher unless ``--offline``; the
``analyse`` commands run networkx over the store's graph (``store.dump()``) or over a node-link JSON file
(``--graph FILE``, no store needed), print rich tables and, with ``--json FILE``, write the full result.
``key-links``, ``communities`` and ``path`` also run inside Neo4j with ``--engine gds`` (Graph Data Science,
:mod:`graph.analysis.gds`): the same results, and the graph never leaves the server.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import networkx as nx
import typer
from rich.table import Table

from graph.analysis.chainview import DEFAULT_MIN_WEIGHT
from graph.cli.common import Format, FormatOpt, err, fail, opened, out, print_result, print_table
from graph.errors import ArgumentError
from graph.lookup import resolve
from graph.stores import QueryResult

if TYPE_CHECKING:
    from graph.analysis.centrality import RankedNode
    from graph.analysis.common import EntityRef
    from graph.analysis.neighbours import NeighbourReport
    from graph.analysis.paths import ConnectionPath
    from graph.stores import Store

GraphOpt = Annotated[
    Path | None,
    typer.Option("--graph", help="Analyse this node-link JSON file ('indgraph export') instead of the store."),
]
JsonOpt = Annotated[Path | None, typer.Option("--json", "-o", help="Also write the full result to this JSON file.")]


class DirectionName(StrEnum):
    up = "up"
    down = "down"
    both = "both"


class EngineName(StrEnum):
    networkx = "networkx"
    gds = "gds"


EngineOpt = Annotated[
    EngineName,
    typer.Option(
        "--engine",
        help="networkx: here, over the store's graph or --graph FILE; gds: inside Neo4j with Graph Data Science.",
    ),
]


def _load_graph(ctx: typer.Context, graph_file: Path | None) -> nx.MultiDiGraph:
    from graph.nxgraph import read_node_link, to_networkx

    if graph_file is not None:
        if not graph_file.is_file():
            raise fail(f"no such graph file: {graph_file}")
        return read_node_link(graph_file)
    with opened(ctx) as store:
        return to_networkx(store.dump())


@contextmanager
def _gds_store(ctx: typer.Context, graph_file: Path | None) -> Iterator[Store]:
    """The store for ``--engine gds``: a Neo4j one (checked before opening anything), never a file."""
    if graph_file is not None:
        raise ArgumentError("--engine gds runs inside Neo4j and cannot read --graph FILE; use --engine networkx")
    kind = (ctx.find_root().obj or {}).get("kind", "falkordb")
    if kind != "neo4j":
        raise ArgumentError(
            f"--engine gds runs inside Neo4j with Graph Data Science; the {kind} store has none: "
            "use --store neo4j, or --engine networkx"
        )
    with opened(ctx) as store:
        yield store


def _write_json(path: Path | None, result: Any) -> None:
    """The full result, as plain JSON (:func:`graph.analysis.common.jsonable`), to ``path``."""
    from graph.analysis.common import jsonable

    if path is None:
        return
    from graph.outfile import write_text

    write_text(path, json.dumps(jsonable(result), ensure_ascii=False, indent=2, default=str) + "\n")
    err.print(f"wrote {path}", style="dim", highlight=False)


def _types(text: str | None) -> list[str] | None:
    return [t for t in text.split(",") if t.strip()] if text else None


def _relations(text: str | None) -> list[str] | None:
    """Relation type names from a comma-separated option, case-insensitive."""
    from graph.model import RelType

    if not text:
        return None
    rels = []
    for r in (r.strip() for r in text.split(",")):
        try:
            rels.append(RelType(r.upper()).value)
        except ValueError:
            raise fail(f"unknown relation '{r}'; known: {', '.join(t.value for t in RelType)}") from None
    return rels


def _label(G: nx.Graph, node: str) -> str:
    return f"{G.nodes[node].get('name', node)} ({node})"


def _named(e: EntityRef) -> str:
    """``name (id)``."""
    return f"{e.name} ({e.id})"


def _typed(e: EntityRef) -> str:
    """``name (type)``."""
    return f"{e.name} ({e.type})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


# -- neighbours -------------------------------------------------------------------------------------------
def neighbours(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="A sector or entity: id, name, Chinese name or alias.")],
    direction: Annotated[DirectionName, typer.Option("--direction", "-d", help="Upstream, downstream or both.")] = (
        DirectionName.both
    ),
    hops: Annotated[int, typer.Option("--hops", "-n", min=1, help="Chain links to cross at most (store: 8).")] = 2,
    within: Annotated[str | None, typer.Option("--within", "-w", help="Keep only what is present in this place.")] = (
        None
    ),
    types: Annotated[
        str | None, typer.Option("--types", "-t", help="Keep only these entity types, e.g. company,base,sector.")
    ] = None,
    fmt: FormatOpt = Format.table,
    offline: Annotated[
        bool, typer.Option("--offline", help="Compute with networkx over the exported graph instead of Cypher.")
    ] = False,
    graph_file: GraphOpt = None,
    include_recipes: Annotated[
        bool, typer.Option("--include-recipes", help="Also follow ChainKnowledgeGraph's recipe-ingredient links.")
    ] = False,
    min_weight: Annotated[
        float,
        typer.Option(
            "--min-weight", min=0, help="Weighted links (ChainKnowledgeGraph's industry links) from this weight."
        ),
    ] = DEFAULT_MIN_WEIGHT,
    chain: Annotated[
        str | None, typer.Option("--chain", help="Follow only this chain template's links, e.g. lithium-battery.")
    ] = None,
) -> None:
    """Supply-chain neighbours: sectors up/downstream along the chains, and who works in them."""
    from graph.analysis.common import jsonable
    from graph.analysis.neighbours import neighbours, store_neighbours

    options: dict[str, Any] = {"include_recipes": include_recipes, "min_weight": min_weight}
    if chain is not None:
        from loaders.templates import template

        options["chain"] = template(chain).chain_name
    report: NeighbourReport
    if offline or graph_file is not None:
        G = _load_graph(ctx, graph_file)
        eid = resolve(G, entity)
        place = resolve(G, within) if within else None
        report = neighbours(G, eid, direction.value, hops, place, _types(types), **options)
    else:
        with opened(ctx) as store:
            eid = resolve(store, entity)
            place = resolve(store, within) if within else None
            report = store_neighbours(store, eid, direction.value, hops, place, _types(types), **options)
    rows = report.rows
    if fmt is not Format.table:
        cols = ["direction", "hops", "type", "id", "name", "name_zh", "path", "path_ids"]
        records = [jsonable(r) for r in rows]
        print_result(QueryResult(cols, [[rec[c] for c in cols] for rec in records]), fmt)
        return
    title = f"{direction.value}stream neighbours" if direction is not DirectionName.both else "neighbours"
    title += f" of {_named(report.start)}, up to {_plural(hops, 'link')}"
    if report.within is not None:
        title += f", within {report.within.name}"
    # ids stay out of the table (rich would cut them short on a narrow terminal); -f json/csv carry them
    table = Table("dir", "hops", "type", "name", "path", title=title, title_justify="left")
    for r in rows:
        table.add_row(r.direction, str(r.hops), r.type, r.name, " → ".join(r.path))
    print_table(table)
    summary = _plural(len(rows), "result")
    if report.left_out:
        summary += "; left out: " + ", ".join(f"{n} {k}" for k, n in report.left_out.items())
    out.print(summary, style="dim", highlight=False)
    if report.note:
        out.print(f"why: {report.note}", highlight=False)


# -- analyse ----------------------------------------------------------------------------------------------
def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def coverage(
    ctx: typer.Context,
    place: Annotated[str, typer.Argument(help="The place: id, name, Chinese name or alias.")],
    show_all: Annotated[bool, typer.Option("--all", help="Also list chains the place has no sector of.")] = False,
    links: Annotated[bool, typer.Option("--links", help="Also list every link of each chain with its status.")] = False,
    graph_file: GraphOpt = None,
    json_file: JsonOpt = None,
) -> None:
    """Which sectors and links of each industry chain a place covers, and the gaps."""
    from graph.analysis.chains import chain_coverage

    G = _load_graph(ctx, graph_file)
    result = chain_coverage(G, resolve(G, place))
    _write_json(json_file, result)
    chains = [c for c in result.chains if show_all or c.sectors_covered]
    table = Table(
        "chain",
        "sectors",
        "links",
        "coverage",
        "covered sectors (entities in the place)",
        "gaps",
        title=f"chain coverage of {_named(result.place)}",
        title_justify="left",
    )
    for c in chains:
        covered = [f"{s.name} ({len(s.entities)})" for s in c.sectors if s.covered]
        gaps = [s.name for s in c.sectors if not s.covered]
        table.add_row(
            c.chain,
            f"{c.sectors_covered}/{c.sectors_total}",
            f"{c.links_covered}/{c.links_total}",
            _pct(c.coverage),
            ", ".join(covered),
            ", ".join(gaps) or "—",
        )
    print_table(table)
    hidden = len(result.chains) - len(chains)
    note = _plural(len(chains), "chain")
    if hidden:
        note += f"; {hidden} more with nothing in the place (--all lists them)"
    out.print(note, style="dim")
    if links:
        for c in chains:
            lt = Table("upstream", "downstream", "status", title=f"links of {c.chain}", title_justify="left")
            for link in c.links:
                lt.add_row(link.upstream_name, link.downstream_name, link.status)
            print_table(lt)


def key_links(
    ctx: typer.Context,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many of each ranking.")] = 10,
    samples: Annotated[
        int | None,
        typer.Option("--samples", min=1, help="Source nodes for betweenness on big graphs (default: automatic)."),
    ] = None,
    engine: EngineOpt = EngineName.networkx,
    graph_file: GraphOpt = None,
    json_file: JsonOpt = None,
) -> None:
    """The most central sectors, chain links and entities (betweenness, PageRank)."""
    from graph.analysis.centrality import KeyLinksReport, key_links

    result: KeyLinksReport
    if engine is EngineName.gds:
        from graph.analysis.gds import key_links_gds

        with _gds_store(ctx, graph_file) as store:
            result = key_links_gds(store, top, samples=samples)
    else:
        result = key_links(_load_graph(ctx, graph_file), top, samples=samples)
    _write_json(json_file, result)

    c, f = result.chain_graph, result.full_graph
    links = engine is EngineName.networkx  # GDS has no link (edge) betweenness: no column for it
    ct = Table(
        "#",
        "sector betweenness",
        *(["link betweenness"] if links else []),
        "sector PageRank",
        title=f"chain graph: {c.nodes} sectors on chains, {c.edges} links",
        title_justify="left",
    )
    for i in range(max(len(c.betweenness), len(c.link_betweenness), len(c.pagerank))):
        link = _scored(c.link_betweenness, i, lambda r: f"{r.upstream_name} → {r.downstream_name}")
        ct.add_row(
            str(i + 1), _scored(c.betweenness, i, _name), *([link] if links else []), _scored(c.pagerank, i, _name)
        )
    print_table(ct)
    ft = Table(
        "#",
        "betweenness (undirected)",
        "PageRank (directed)",
        title=f"full graph: {f.nodes} entities, {f.edges} relations",
        title_justify="left",
    )
    for i in range(max(len(f.betweenness), len(f.pagerank))):
        ft.add_row(str(i + 1), _scored(f.betweenness, i, _typed), _scored(f.pagerank, i, _typed))
    print_table(ft)
    for label, part in (("chain graph", c), ("full graph", f)):
        if part.sampled_k:
            out.print(
                f"{label}: betweenness estimated from k={part.sampled_k} sampled source nodes "
                "(graph above the exact limit; --samples for more)",
                style="dim",
            )
    if engine is EngineName.gds:
        out.print(
            "link betweenness: not in Graph Data Science; --engine networkx computes it", style="dim", highlight=False
        )
        out.print(f"engine: {', '.join(result.backends)}, inside Neo4j", style="dim", highlight=False)
    else:
        out.print(f"networkx backends: {', '.join(result.backends)}", style="dim")


def _name(r: RankedNode) -> str:
    return r.name


class _Score(Protocol):
    @property
    def score(self) -> float: ...


Scored = TypeVar("Scored", bound=_Score)


def _scored(rows: Sequence[Scored], i: int, label: Callable[[Scored], str]) -> str:
    """Row ``i`` of a ranking as ``label  score``; empty past its end."""
    return f"{label(rows[i])}  {rows[i].score:.3f}" if i < len(rows) else ""


def fragile(
    ctx: typer.Context,
    place: Annotated[str, typer.Argument(help="The place: id, name, Chinese name or alias.")],
    graph_file: GraphOpt = None,
    json_file: JsonOpt = None,
) -> None:
    """Sectors a place holds through one entity only, and the cut points of its chains and network."""
    from graph.analysis.chains import fragile_links

    G = _load_graph(ctx, graph_file)
    result = fragile_links(G, resolve(G, place))
    _write_json(json_file, result)
    name = _named(result.place)
    st = Table(
        "sector", "only entity", "chains", title=f"sectors {name} holds through one entity", title_justify="left"
    )
    for r in result.single_entity_sectors:
        st.add_row(r.name, _typed(r.entity), ", ".join(r.chains) or "—")
    print_table(st)
    ct = Table(
        "sector",
        "pieces",
        f"covered by {result.place.name}",
        title="chain cut points (whole chain graph)",
        title_justify="left",
    )
    for cp in result.chain_cut_points:
        ct.add_row(cp.name, str(cp.pieces), "yes" if cp.covered else "no")
    print_table(ct)
    nt = Table("entity", "type", "pieces", title=f"cut points of the industry network of {name}", title_justify="left")
    for n in result.network_cut_points:
        nt.add_row(n.name, n.type, str(n.pieces))
    print_table(nt)


def communities(
    ctx: typer.Context,
    with_relations: Annotated[
        str | None,
        typer.Option("--with", help="Also join entities by these relations, e.g. OPERATES,PART_OF."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Louvain seed.")] = 42,
    resolution: Annotated[float, typer.Option(help="Louvain resolution (>1: smaller communities).")] = 1.0,
    engine: EngineOpt = EngineName.networkx,
    graph_file: GraphOpt = None,
    json_file: JsonOpt = None,
) -> None:
    """Partnership communities (Louvain over PARTNERS_WITH), with their members."""
    from graph.analysis.communities import CommunityReport, partnership_communities

    rels = ["PARTNERS_WITH", *(_relations(with_relations) or [])]
    result: CommunityReport
    if engine is EngineName.gds:
        from graph.analysis.gds import communities_gds

        with _gds_store(ctx, graph_file) as store:
            result = communities_gds(store, rels, seed=seed, resolution=resolution)
    else:
        result = partnership_communities(_load_graph(ctx, graph_file), rels, seed=seed, resolution=resolution)
    _write_json(json_file, result)
    table = Table(
        "#",
        "size",
        "links",
        "members (best connected first)",
        title=f"communities over {', '.join(result.relations)}: {result.nodes} entities, "
        f"modularity {result.modularity:.2f}",
        title_justify="left",
    )
    for c in result.communities:
        names = [m.name for m in c.members]
        shown = ", ".join(names[:8]) + (f", … (+{len(names) - 8})" if len(names) > 8 else "")
        table.add_row(str(c.id), str(c.size), str(c.internal_links), shown)
    print_table(table)
    if engine is EngineName.gds:
        algorithm = (
            "Louvain" if resolution == 1.0 else f"Leiden with gamma {resolution:g} (GDS's Louvain has no resolution)"
        )
        out.print(f"computed inside Neo4j by Graph Data Science: {algorithm}", style="dim", highlight=False)


def path_text(p: ConnectionPath) -> str:
    """A path in words, one arrow per step: the relations along the path when there are some, else those
    against it: ``Wuhan University -PARTNERS_WITH-> Cyber Base <-OPERATES- Zone``.
    """
    text = p.names[0]
    for step, name in zip(p.steps, p.names[1:], strict=True):
        forward = [r.type for r in step.relations if r.direction == "->"]
        backward = [r.type for r in step.relations if r.direction == "<-"]
        arrow = f" -{'|'.join(forward)}-> " if forward else f" <-{'|'.join(backward)}- "
        text += arrow + name
    return text


def path(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="First entity: id, name, Chinese name or alias.")],
    b: Annotated[str, typer.Argument(help="Second entity.")],
    k: Annotated[int, typer.Option("-k", min=1, help="How many shortest paths.")] = 3,
    relations: Annotated[
        str | None, typer.Option("--relations", help="Use only these relations, e.g. PARTNERS_WITH,LOCATED_IN.")
    ] = None,
    engine: EngineOpt = EngineName.networkx,
    graph_file: GraphOpt = None,
    json_file: JsonOpt = None,
) -> None:
    """How two entities are connected: the k shortest paths, relations and directions spelled out."""
    from graph.analysis.paths import connection_paths

    rels = _relations(relations)
    if engine is EngineName.gds:
        from graph.analysis.gds import entity_refs, paths_gds

        with _gds_store(ctx, graph_file) as store:
            ia, ib = resolve(store, a), resolve(store, b)
            result = paths_gds(store, ia, ib, k, rels)
            refs = entity_refs(store, [ia, ib])
        la, lb = _named(refs[ia]), _named(refs[ib])
    else:
        G = _load_graph(ctx, graph_file)
        ia, ib = resolve(G, a), resolve(G, b)
        result = connection_paths(G, ia, ib, k, rels)
        la, lb = _label(G, ia), _label(G, ib)
    _write_json(json_file, result)
    if not result:
        out.print(f"{la} and {lb} are not connected")
        return
    table = Table("#", "hops", "path", title=f"{la} to {lb}", title_justify="left")
    for i, p in enumerate(result, 1):
        table.add_row(str(i), str(p.hops), path_text(p))
    print_table(table)
