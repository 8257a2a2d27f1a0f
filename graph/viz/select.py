"""Choosing the part of the graph to draw: plain functions over the networkx graph of the store.

Every view returns an *induced* subgraph of the input (``g.subgraph(nodes)``): a node set is chosen and
every relation between chosen nodes comes along, so the counts a picture shows are
``sub.number_of_nodes()`` and ``sub.number_of_edges()``.

>>> from graph.model import Entity, GraphData, Relation
>>> from graph.nxgraph import to_networkx
>>> g = to_networkx(GraphData(
...     entities=[Entity(id="c:a", type="City", name="A"), Entity(id="u:b", type="University", name="B"),
...               Entity(id="p:x", type="Province", name="X")],
...     relations=[Relation(source="u:b", type="PARTNERS_WITH", target="c:a"),
...                Relation(source="c:a", type="LOCATED_IN", target="p:x")]))
>>> sorted(partnerships(g).nodes)
['c:a', 'p:x', 'u:b']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import networkx as nx

from graph.analysis.common import nodes_within
from graph.errors import ArgumentError, UnknownEntityError
from graph.lookup import resolve
from graph.model import EntityType, RelType

__all__ = [
    "VIEWS",
    "around",
    "chain",
    "chain_names",
    "partnerships",
    "resolve",
    "view",
    "within",
]

_CONTEXT = (RelType.LOCATED_IN.value, RelType.PART_OF.value)
_SECTOR = EntityType.SECTOR.value


def _edges_of_type(g: nx.MultiDiGraph, types: Iterable[str]) -> nx.DiGraph:
    """A simple directed graph of ``g``'s nodes with only the relations of these types."""
    keep = set(types)
    d = nx.DiGraph()
    d.add_nodes_from(g.nodes)
    d.add_edges_from((u, v) for u, v, t in g.edges(data="type") if t in keep)
    return d


def _within_hops(d: nx.DiGraph, starts: Iterable[str], hops: int | None, reverse: bool = False) -> set[str]:
    """Nodes reachable from ``starts`` in at most ``hops`` steps along (or against) the edges of ``d``."""
    seen = set(starts)
    frontier = set(seen)
    step = d.predecessors if reverse else d.successors
    depth = 0
    while frontier and (hops is None or depth < hops):
        frontier = {m for n in frontier for m in step(n)} - seen
        seen |= frontier
        depth += 1
    return seen


def partnerships(g: nx.MultiDiGraph, context_hops: int = 1) -> nx.MultiDiGraph:
    """The cooperation view: every ``PARTNERS_WITH`` link, its two parties, and where they sit.

    The parties (universities, bases, parks, companies, foreign countries ...) come with
    ``context_hops`` steps of outgoing ``LOCATED_IN`` / ``PART_OF`` so the picture reads (the district a
    base is in, the base a park belongs to).

    Parameters
    ----------
    g : MultiDiGraph
        The whole graph.
    context_hops : int
        Steps of location context to add (0 for the parties alone).

    Returns
    -------
    MultiDiGraph
        The induced subgraph of ``g`` (a view; copy it to change it).

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("base:x", "univ:y", type="PARTNERS_WITH"), g.add_edge("base:x", "d:z", type="LOCATED_IN")
    >>> sorted(partnerships(g, context_hops=0).nodes)
    ['base:x', 'univ:y']
    """
    parties = {n for u, v, t in g.edges(data="type") if t == RelType.PARTNERS_WITH.value for n in (u, v)}
    nodes = _within_hops(_edges_of_type(g, _CONTEXT), parties, context_hops)
    return g.subgraph(nodes)


def chain_names(g: nx.MultiDiGraph) -> list[str]:
    """The names of the industry chains in the graph (the ``chain`` of ``PART_OF_CHAIN`` relations)."""
    return sorted({c for _, _, c in g.edges(data="chain") if c})


def chain(g: nx.MultiDiGraph, sector: str, hops: int | None = 3, specialists: bool = True) -> nx.MultiDiGraph:
    """An industry chain around a sector: sectors up- and downstream, and who specialises in them.

    From ``sector`` and its sub-sectors (``PART_OF`` the sector, at any depth) the walk goes upstream
    against ``PART_OF_CHAIN`` and downstream along it, each direction for at most ``hops`` steps, so
    the picture shows suppliers of suppliers but not a supplier's other customers. ``sector`` may also
    be a chain's name (``new-energy-battery``): then every sector on that chain is taken.

    Parameters
    ----------
    g : MultiDiGraph
        The whole graph.
    sector : str
        A Sector id, or the name of a chain.
    hops : int or None
        Steps up- and downstream; ``None`` for the whole chain.
    specialists : bool
        Add the entities that ``SPECIALISES_IN`` the chosen sectors (bases, parks, companies ...).

    Returns
    -------
    MultiDiGraph
        The induced subgraph of ``g``.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edges_from([("s:a", "s:b"), ("s:b", "s:c")], type="PART_OF_CHAIN", chain="x")
    >>> sorted(chain(g, "s:b", hops=1).nodes), sorted(chain(g, "x").nodes)
    (['s:a', 's:b', 's:c'], ['s:a', 's:b', 's:c'])
    """
    links = _edges_of_type(g, [RelType.PART_OF_CHAIN.value])
    if sector in g:
        subs = {n for n in _within_hops(_edges_of_type(g, [RelType.PART_OF.value]), [sector], None, reverse=True)}
        starts = {n for n in subs if g.nodes[n].get("type", _SECTOR) == _SECTOR}
        sectors = _within_hops(links, starts, hops) | _within_hops(links, starts, hops, reverse=True)
    else:
        sectors = {n for u, v, c in g.edges(data="chain") if c == sector for n in (u, v)}
        if not sectors:
            raise UnknownEntityError(f"no sector or chain '{sector}'; chains: {', '.join(chain_names(g)) or 'none'}")
    nodes = set(sectors)
    if specialists:
        nodes |= {u for u, v, t in g.in_edges(sectors, data="type") if t == RelType.SPECIALISES_IN.value}
    return g.subgraph(nodes)


def around(g: nx.MultiDiGraph, entity: str, hops: int = 1) -> nx.MultiDiGraph:
    """The neighbourhood of an entity: everything within ``hops`` relations of it, in either direction.

    Parameters
    ----------
    g : MultiDiGraph
        The whole graph.
    entity : str
        The id of the centre.
    hops : int
        Radius, counting relations in either direction.

    Returns
    -------
    MultiDiGraph
        The induced subgraph of ``g`` (networkx's ego graph, undirected).

    Example
    -------
    >>> g = nx.MultiDiGraph([("a", "b"), ("c", "b"), ("c", "d")])
    >>> sorted(around(g, "b", 1).nodes), sorted(around(g, "b", 2).nodes)
    (['a', 'b', 'c'], ['a', 'b', 'c', 'd'])
    """
    if entity not in g:
        raise UnknownEntityError(f"no entity with id '{entity}'")
    nodes = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), entity, cutoff=hops)
    return g.subgraph(nodes)


def within(
    g: nx.MultiDiGraph,
    sub: nx.MultiDiGraph,
    place: str,
    partners: bool = True,
    sectors: Literal["all", "linked"] = "all",
) -> nx.MultiDiGraph:
    """Narrow a view to one place: the nodes of ``sub`` located in ``place``, the place itself and sectors.

    Parameters
    ----------
    g : MultiDiGraph
        The whole graph (locations are looked up in it, not only in ``sub``).
    sub : MultiDiGraph
        The view to narrow.
    place : str
        The id of a place (or of a base or park: what is located in it counts).
    partners : bool
        Also keep the ``PARTNERS_WITH`` counterparts of kept nodes that are in ``sub`` even if they are
        elsewhere (a foreign country cooperating with the city stays in the picture).
    sectors : "all" or "linked"
        Keep every sector of ``sub`` (a chain keeps its shape), or only those related to a kept entity
        (the whole graph narrowed to a city shows that city's sectors, not all of them).

    Returns
    -------
    MultiDiGraph
        The induced subgraph of ``g``.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edges_from([("u:a", "city:w"), ("u:b", "city:x")], type="LOCATED_IN")
    >>> sorted(within(g, g, "city:w").nodes)
    ['city:w', 'u:a']
    """
    if place not in g:
        raise UnknownEntityError(f"no place with id '{place}'")
    inside = nodes_within(g, place)
    keep = {n for n in sub if n in inside and sub.nodes[n].get("type") != _SECTOR}
    keep.add(place)
    all_sectors = {n for n in sub if sub.nodes[n].get("type") == _SECTOR}
    if sectors == "all":
        keep |= all_sectors
    else:
        keep |= {m for u, v in sub.edges() if u in keep or v in keep for m in (u, v) if m in all_sectors}
    if partners:
        keep |= {
            m
            for u, v, t in sub.edges(data="type")
            if t == RelType.PARTNERS_WITH.value and (u in inside or v in inside)
            for m in (u, v)
        }
    return g.subgraph(keep)


VIEWS = ("all", "partnerships", "chain", "around")


def view(
    g: nx.MultiDiGraph,
    name: str = "all",
    target: str | None = None,
    hops: int | None = None,
    place: str | None = None,
) -> tuple[nx.MultiDiGraph, str]:
    """Choose a view by name, resolving names to ids, and give it a title.

    Parameters
    ----------
    g : MultiDiGraph
        The whole graph.
    name : "all", "partnerships", "chain" or "around"
        The view.
    target : str, optional
        For ``chain`` a sector (id, name, alias) or a chain's name; for ``around`` any entity.
    hops : int, optional
        ``chain``: steps up/downstream (default 3); ``around``: radius (default 1);
        ``partnerships``: steps of location context (default 1).
    place : str, optional
        Keep only what is located in this place (see :func:`within`).

    Returns
    -------
    (MultiDiGraph, str)
        The subgraph (induced in ``g``) and a title for it.

    Raises
    ------
    graph.errors.ArgumentError
        An unknown view, or a target missing or given where none is wanted.
    graph.errors.UnknownEntityError, graph.errors.AmbiguousEntityError
        ``target`` or ``place`` names no entity, or several (see :func:`graph.lookup.resolve`).

    Example
    -------
    >>> g = nx.MultiDiGraph(); g.add_node("s:a", type="Sector", name="Chips", aliases=[])
    >>> sub, title = view(g, "chain", "chips"); list(sub.nodes), title
    (['s:a'], 'Chain: Chips (3 hops up/downstream)')
    """
    if name not in VIEWS:
        raise ArgumentError(f"unknown view '{name}'; views: {', '.join(VIEWS)}")
    needs_target = name in ("chain", "around")
    if needs_target and not target:
        raise ArgumentError(f"the '{name}' view needs {'a sector' if name == 'chain' else 'an entity'}")
    if not needs_target and target:
        raise ArgumentError(f"the '{name}' view takes no argument (got '{target}')")

    def plural(n: int) -> str:
        return f"{n} hop{'s' if n != 1 else ''}"

    if name == "partnerships":
        n = 1 if hops is None else hops
        sub, title = partnerships(g, context_hops=n), "Partnerships"
    elif name == "chain":
        n = 3 if hops is None else hops
        try:
            sector = resolve(g, target or "", types=[_SECTOR])
        except UnknownEntityError as exc:
            if target not in chain_names(g):
                raise UnknownEntityError(f"{exc} (nor a chain: {', '.join(chain_names(g)) or 'none'})") from None
            sub, title = chain(g, target, hops=None), f"Chain: {target}"
        else:
            sub = chain(g, sector, hops=n)
            title = f"Chain: {g.nodes[sector].get('name', sector)} ({plural(n)} up/downstream)"
    elif name == "around":
        n = 1 if hops is None else hops
        centre = resolve(g, target or "")
        sub, title = around(g, centre, hops=n), f"Around {g.nodes[centre].get('name', centre)} ({plural(n)})"
    else:
        sub, title = g, "Industry graph"
    if place:
        where = resolve(g, place)
        sub = within(g, sub, where, sectors="all" if name == "chain" else "linked")
        title += f" in {g.nodes[where].get('name', where)}"
    return sub, title
