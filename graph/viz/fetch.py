"""What a picture of part of the graph needs from the store, fetched with Cypher instead of a dump.

``viz chain`` and ``viz around`` draw a neighbourhood; on a national store (100,000+ entities) dumping
everything to networkx first took 40–90 s. :func:`view_graph` asks the store for the ids the view
needs — the chain's sectors level by level, their specialists, an entity's neighbours hop by hop, the
place's contents — and returns their induced subgraph, on which :func:`graph.viz.select.view` gives the
same picture as on the whole graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from graph import cypherlib
from graph.analysis.chainview import StoreView, descendants
from graph.errors import UnknownEntityError
from graph.lookup import resolve
from graph.nxgraph import to_networkx

if TYPE_CHECKING:
    from graph.stores.base import Store

__all__ = ["view_graph"]

_SECTOR = "Sector"


def _chain_ids(store: Store, sector: str, hops: int | None) -> set[str]:
    view = StoreView(store)
    starts = {sector, *descendants(view, [sector])[sector]}
    sectors = set(starts)
    for direction in ("down", "up"):
        frontier, seen, n = set(starts), set(starts), 0
        while frontier and (hops is None or n < hops):
            n += 1
            nxt = set()
            for link in view.links(frontier):
                u, v = (link.source, link.target) if direction == "down" else (link.target, link.source)
                if u in frontier and v not in seen:
                    nxt.add(v)
            seen |= nxt
            frontier = nxt
        sectors |= seen
    return sectors


def _around_ids(store: Store, entity: str, hops: int) -> set[str]:
    seen, frontier = {entity}, {entity}
    for _ in range(hops):
        if not frontier:
            break
        rows = store.query(cypherlib.statement("read/neighbour_ids"), {"ids": sorted(frontier)}, timeout_ms=None).rows
        frontier = {r[0] for r in rows} - seen
        seen |= frontier
    return seen


def view_graph(
    store: Store, name: str, target: str | None, hops: int | None, place: str | None
) -> tuple[nx.MultiDiGraph, str | None, str | None]:
    """The part of the store a ``chain`` or ``around`` view needs, as a networkx graph.

    Returns ``(graph, target, place)`` with the target and place resolved to ids (a chain's name stays a
    name). Raises :class:`graph.errors.UnknownEntityError` or ``AmbiguousEntityError`` as
    :func:`graph.lookup.resolve` does.
    """
    ids: set[str] = set()
    where = resolve(store, place) if place else None
    if name == "around":
        assert target is not None
        target = resolve(store, target)
        ids = _around_ids(store, target, 1 if hops is None else hops)
    else:
        assert target is not None
        try:
            target = resolve(store, target, types=[_SECTOR])
        except UnknownEntityError as exc:
            rows = store.query(cypherlib.statement("read/chain_sectors"), {"chain": target}, timeout_ms=None).rows
            if not rows:
                names = [r[0] for r in store.query(cypherlib.statement("read/chain_names"), timeout_ms=None).rows]
                raise UnknownEntityError(f"{exc} (nor a chain: {', '.join(n for n in names if n) or 'none'})") from None
            ids = {x for r in rows for x in r}
        else:
            ids = _chain_ids(store, target, 3 if hops is None else hops)
        ids |= {ref.id for rows in StoreView(store).specialists(sorted(ids)).values() for ref, _ in rows}
    if where is not None:
        ids |= StoreView(store).within(where)
    return to_networkx(store.subgraph(ids)), target, where
