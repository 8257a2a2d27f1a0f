"""Supply-chain neighbours: what lies upstream and downstream of a sector or an entity along the industry chains.

Two implementations give one answer: :func:`neighbours` over a networkx graph (breadth-first search) and
:func:`store_neighbours` over a store (the named queries ``neighbours_start``, ``neighbours_up``,
``neighbours_down``, ``neighbours_players`` and ``located_in``). Both hand their findings to the same
Python post-processing, so the rules below hold for both.

The rules
---------
* **Start sectors.** For a Sector, the sector itself; for any other entity, the sectors it
  SPECIALISES_IN (directly). An entity without sectors has no neighbours.
* **The sector hierarchy is followed.** A sector is part of its broader sectors (PART_OF between
  sectors, transitively): its chain links include theirs (Memory Chips is part of Chips, so what is
  downstream of Chips is downstream of Memory Chips), and an entity that specialises in a narrower
  sector works in the broader one too. Paths show these hierarchy steps; they cost no hop. Links are
  not inherited through ChainKnowledgeGraph's industry classification (``ckg:industry:…``), which
  groups companies rather than chain steps.
* **Hops** are the number of PART_OF_CHAIN links crossed from the nearest start sector; the start
  sectors and their broader sectors are at hop 0 and are never results. Downstream follows
  PART_OF_CHAIN edges forwards (upstream -> downstream), upstream follows them backwards.
* **Which links**: all, except ChainKnowledgeGraph's recipe-ingredient links and its industry links
  below ``min_weight`` (:class:`graph.analysis.chainview.LinkFilter`), which are left out and counted;
  ``chain`` keeps only the links of one chain (e.g. ``template:lithium-battery``).
* **Sector results**: every sector 1..``hops`` links away, at its minimum hop count.
* **Entity results**: every entity (other than the start) that SPECIALISES_IN a sector result or one of
  its narrower sectors; its hop count and path are those of the nearest such sector. Entities sharing
  only a start sector with the start (its peers) are not neighbours.
* **Paths** run from the start outwards: ``[start entity,] start sector, ..., sector[, entity]``, as names
  (``path``) and ids (``path_ids``). Among shortest paths (fewest hops, then fewest steps) the one whose id
  sequence sorts first is chosen.
* **within=PLACE** keeps entities located in the place (the place itself, or transitively through
  LOCATED_IN/PART_OF, as ``indgraph run located_in``), and keeps a sector when at least one entity in
  the place specialises in it: an analyst asking "what is upstream of battery cells in Hunan" wants
  the links the region is present in. Paths may still cross sectors outside the place.
* **types** keeps results of those entity types (case-insensitive, e.g. ``company,base``).
* ``direction="both"`` lists upstream then downstream; a node may appear once in each direction.
  Results are sorted by direction, hops, sectors before other entities, name and id.

Both return a :class:`NeighbourReport`: the start entity and the ``within`` place, named, the
:class:`Neighbour` rows, the links left out, and when there are no rows, a ``note`` saying why (no
sector, no chain link from its sectors, nothing within the place, nothing of those types).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import networkx as nx

from graph.analysis.chainview import (
    DEFAULT_MIN_WEIGHT,
    ChainView,
    GraphView,
    LinkFilter,
    StoreView,
    ancestors,
    descendants,
)
from graph.analysis.common import EntityRef, ref_fields
from graph.errors import ArgumentError, UnknownEntityError
from graph.gcpause import gc_paused
from graph.lookup import normalise_types
from graph.model import EntityType

if TYPE_CHECKING:
    from graph.stores.base import Store

__all__ = [
    "MAX_STORE_HOPS",
    "Direction",
    "Neighbour",
    "NeighbourReport",
    "neighbours",
    "search",
    "store_neighbours",
]

Direction = Literal["up", "down", "both"]
# the store answers level by level; more than 8 links is no longer a neighbourhood
MAX_STORE_HOPS = 8
_SECTOR = EntityType.SECTOR.value
_ALIASES = {"up": "up", "upstream": "up", "down": "down", "downstream": "down", "both": "both"}

Path = tuple[str, ...]


@dataclass(frozen=True)
class Neighbour(EntityRef):
    """One supply-chain neighbour: an :class:`~graph.analysis.common.EntityRef` (``id``, ``type``, ``name``,
    ``name_zh``) and how it was reached.

    Attributes
    ----------
    direction : {"up", "down"}
        Upstream or downstream of the start.
    hops : int
        Chain links crossed from the nearest start sector (>= 1).
    path : tuple of str
        Names from the start outwards: ``[start entity,] start sector, ..., sector[, this entity]``.
    path_ids : tuple of str
        The same path as ids.
    """

    direction: Literal["up", "down"]
    hops: int
    path: tuple[str, ...]
    path_ids: tuple[str, ...]


@dataclass(frozen=True)
class NeighbourReport:
    """What :func:`neighbours` and :func:`store_neighbours` return.

    Attributes
    ----------
    start : EntityRef
        The sector or entity the search started from.
    within : EntityRef or None
        The place results were kept to, if any.
    rows : tuple of Neighbour
        The neighbours, in the order of the module docstring.
    left_out : dict
        Chain links not followed, by reason (e.g. ``{"recipe-ingredient links": 3}``).
    note : str or None
        Why there are no rows, when there are none.
    """

    start: EntityRef
    within: EntityRef | None
    rows: tuple[Neighbour, ...]
    left_out: dict[str, int] = field(default_factory=dict)
    note: str | None = None


def _directions(direction: str) -> list[str]:
    d = _ALIASES.get(str(direction).strip().casefold())
    if d is None:
        raise ArgumentError(f"direction is up, down or both, not '{direction}'")
    return ["up", "down"] if d == "both" else [d]


def _check_hops(hops: int) -> None:
    if not isinstance(hops, int) or hops < 1:
        raise ArgumentError(f"hops must be a whole number of at least 1, not {hops!r}")


def _shorter(a: tuple[int, Path], b: tuple[int, Path] | None) -> bool:
    """Whether (hops, path) ``a`` beats ``b``: fewer hops, then fewer steps, then ids."""
    return b is None or (a[0], len(a[1]), a[1]) < (b[0], len(b[1]), b[1])


# ChainKnowledgeGraph's Shenwan industry tree classifies companies; it is no chain hierarchy: inheriting
# the links of 半导体 or 电子 would list every electronic product downstream of a memory chip.
_CLASSIFICATION = "ckg:industry:"


def _with_broader(view: ChainView, paths: dict[str, Path]) -> dict[str, Path]:
    """``paths`` plus every broader sector of their ends, reached by the hierarchy steps (not through
    ChainKnowledgeGraph's industry classification)."""
    out = dict(paths)
    for n, up in ancestors(view, paths).items():
        for a, hp in up.items():
            if any(x.startswith(_CLASSIFICATION) for x in hp[1:]):
                continue
            cand = paths[n] + hp[1:]
            if a not in out or (len(cand), cand) < (len(out[a]), out[a]):
                out[a] = cand
    return out


def _walk(
    view: ChainView, starts: list[str], direction: str, hops: int, links: LinkFilter
) -> dict[str, tuple[int, Path]]:
    """Chain results of one direction: sector -> (hops, path from a start sector) (module rules)."""
    frontier = _with_broader(view, {s: (s,) for s in starts})
    seen = set(frontier)
    found: dict[str, tuple[int, Path]] = {}
    for hop in range(1, hops + 1):
        level: dict[str, Path] = {}
        for link in view.links(frontier):
            u, v = (link.source, link.target) if direction == "down" else (link.target, link.source)
            if u not in frontier or v in seen or not links.keep(link):
                continue
            cand = (*frontier[u], v)
            if v not in level or (len(cand), cand) < (len(level[v]), level[v]):
                level[v] = cand
        if not level:
            break
        found.update((v, (hop, p)) for v, p in level.items())
        seen |= set(level)
        nxt = _with_broader(view, level)
        frontier = {n: p for n, p in nxt.items() if n in level or n not in seen}
        seen |= set(frontier)
    return found


def _names(names: Iterable[str]) -> str:
    items = list(names)
    shown = ", ".join(items[:4]) + (f" and {len(items) - 4} more" if len(items) > 4 else "")
    return shown


def _left_out_hint(counts: Mapping[str, int]) -> str:
    if not counts:
        return ""
    parts = ", ".join(f"{n} {k}" for k, n in counts.items())
    return f"; left out: {parts} (see --include-recipes and --min-weight)"


@gc_paused()
def search(
    view: ChainView,
    entity_id: str,
    direction: Direction = "both",
    hops: int = 2,
    within: str | None = None,
    types: Iterable[str] | str | None = None,
    *,
    include_recipes: bool = False,
    min_weight: float = DEFAULT_MIN_WEIGHT,
    chain: str | None = None,
) -> NeighbourReport:
    """Supply-chain neighbours over any :class:`~graph.analysis.chainview.ChainView` (the shared engine of
    :func:`neighbours` and :func:`store_neighbours`; parameters as there)."""
    dirs = _directions(direction)
    _check_hops(hops)
    wanted = normalise_types(types)
    links = LinkFilter(include_recipes, min_weight, frozenset({chain}) if chain else None)
    refs = view.refs([entity_id])
    if entity_id not in refs:
        raise UnknownEntityError(f"no entity with id '{entity_id}' (look names up with graph.lookup.resolve)")
    start, own = refs[entity_id]
    place = None
    within_ids = None
    if within is not None:
        within_ids = view.within(within)
        place = view.refs([within])[within][0]
    starts = [entity_id] if start.type == _SECTOR else own
    if not starts:
        note = f"{start.name} works in no sector (it has no SPECIALISES_IN link), so it has no chain neighbours"
        return NeighbourReport(start, place, (), {}, note)

    sector_paths = {d: _walk(view, starts, d, hops, links) for d in dirs}
    reached = sorted({s for paths in sector_paths.values() for s in paths})
    narrower = descendants(view, reached)
    specialists = view.specialists({*reached, *(x for d in narrower.values() for x in d)})
    info: dict[str, EntityRef] = {}
    players: dict[str, list[tuple[str, Path]]] = {}  # sector -> (entity, path from the sector down to it)
    for s in reached:
        rows: list[tuple[str, Path]] = []
        for sub, p in [(s, (s,)), *narrower[s].items()]:
            for ref, _w in specialists.get(sub, ()):
                info.setdefault(ref.id, ref)
                rows.append((ref.id, (*p, ref.id)))
        players[s] = rows

    on_paths = {n for paths in sector_paths.values() for _, p in paths.values() for n in p}
    on_paths |= {n for rows in players.values() for _, p in rows for n in p[:-1]}
    for i, (ref, _) in view.refs(on_paths - set(info)).items():
        info[i] = ref
    info[entity_id] = start
    report = _assemble(start, sector_paths, players, info, place, within_ids, wanted)
    counts = links.counts()
    if report.rows:
        return NeighbourReport(start, place, report.rows, counts)
    info.update((i, ref) for i, (ref, _) in view.refs(set(starts) - set(info)).items())
    names = [info[s].name if s in info else s for s in starts]
    way = {"up": "upstream", "down": "downstream"}
    if not reached:
        what = " or ".join(way[d] for d in dirs)
        note = f"no {what} chain link from {_names(names)} or the sectors they are part of{_left_out_hint(counts)}"
    else:
        n = len(reached)
        linked = f"{n} linked sector{'s' if n != 1 else ''}"
        if within is not None and place is not None:
            note = f"{linked}, but nothing within {place.name} works in {'them' if n != 1 else 'it'}"
            note += _left_out_hint(counts)
        else:
            note = f"{linked}, but nothing of the types asked for"
    return NeighbourReport(start, place, (), counts, note)


def _assemble(
    start: EntityRef,
    sector_paths: Mapping[str, Mapping[str, tuple[int, Path]]],
    players: Mapping[str, list[tuple[str, Path]]],
    info: Mapping[str, EntityRef],
    within: EntityRef | None,
    within_ids: set[str] | None,
    wanted: frozenset[str] | None,
) -> NeighbourReport:
    """Sector and entity results, ``within`` and ``types``, paths, order."""
    start_id = start.id
    prefix: Path = () if start.type == _SECTOR else (start_id,)
    out: list[Neighbour] = []

    def add(node: str, direction: Literal["up", "down"], hops: int, path_ids: Path) -> None:
        i = info[node]
        if wanted is not None and i.type not in wanted:
            return
        path = tuple(info[p].name for p in path_ids)
        out.append(Neighbour(*ref_fields(i), direction, hops, path, path_ids))

    for direction, paths in sector_paths.items():
        d: Literal["up", "down"] = "up" if direction == "up" else "down"
        nearest: dict[str, tuple[int, Path]] = {}  # entity -> (hops, path to it)
        for sector, (hops, path) in paths.items():
            ents = players.get(sector, ())
            if within_ids is None or any(f in within_ids for f, _ in ents):
                add(sector, d, hops, prefix + path)
            for f, down in ents:
                if f == start_id:
                    continue
                cand = (hops, path + down[1:])
                if _shorter(cand, nearest.get(f)):
                    nearest[f] = cand
        for f, (h, path) in nearest.items():
            if within_ids is None or f in within_ids:
                add(f, d, h, prefix + path)

    order = {"up": 0, "down": 1}
    out.sort(key=lambda r: (order[r.direction], r.hops, r.type != _SECTOR, r.name.casefold(), r.id))
    return NeighbourReport(start, within, tuple(out))


# -- the two engines ------------------------------------------------------------------------------------
def neighbours(
    G: nx.Graph,
    entity_id: str,
    direction: Direction = "both",
    hops: int = 2,
    within: str | None = None,
    types: Iterable[str] | str | None = None,
    *,
    include_recipes: bool = False,
    min_weight: float = DEFAULT_MIN_WEIGHT,
    chain: str | None = None,
) -> NeighbourReport:
    """Supply-chain neighbours of a sector or entity over a networkx graph (rules in the module docstring).

    Parameters
    ----------
    G : networkx graph
        The graph of :func:`graph.nxgraph.to_networkx` (``store.dump()`` or a node-link file).
    entity_id : str
        Id of the sector or entity to start from (names: :func:`graph.lookup.resolve`).
    direction : {"up", "down", "both"}
        Upstream (towards raw materials), downstream (towards end products) or both.
    hops : int
        How many PART_OF_CHAIN links to cross at most (>= 1).
    within : str, optional
        Id of a place: keep only results present in it (see the module docstring).
    types : str or iterable of str, optional
        Keep only results of these entity types, e.g. ``"company,base"`` or ``["Sector"]``.
    include_recipes : bool
        Follow ChainKnowledgeGraph's recipe-ingredient links too.
    min_weight : float
        Weighted chain links (ChainKnowledgeGraph's industry links) count from this weight.
    chain : str, optional
        Follow only the links of this chain (e.g. ``template:lithium-battery``).

    Returns
    -------
    NeighbourReport
        ``start`` and ``within`` as :class:`~graph.analysis.common.EntityRef`, ``rows``: one
        :class:`Neighbour` per (node, direction) with ``id``, ``type``, ``name``, ``name_zh``,
        ``direction`` ("up"/"down"), ``hops``, ``path`` (names from the start) and ``path_ids``;
        ``left_out`` and, when there are no rows, ``note``.

    Raises
    ------
    graph.errors.UnknownEntityError
        ``entity_id`` or ``within`` is not in the graph.
    graph.errors.ArgumentError
        A bad ``direction``, ``hops``, ``min_weight`` or type name.

    Example
    -------
    >>> from graph.nxgraph import to_networkx
    >>> from graph.model import Entity, GraphData, Relation
    >>> G = to_networkx(GraphData(
    ...     entities=[Entity(id="s:cells", type="Sector", name="Battery Cells"),
    ...               Entity(id="s:storage", type="Sector", name="Energy Storage"),
    ...               Entity(id="c:x", type="Company", name="X")],
    ...     relations=[Relation(source="s:cells", type="PART_OF_CHAIN", target="s:storage", chain="battery"),
    ...                Relation(source="c:x", type="SPECIALISES_IN", target="s:cells")]))
    >>> report = neighbours(G, "c:x")
    >>> report.start.name, [(r.id, r.direction, r.hops, r.path) for r in report.rows]
    ('X', [('s:storage', 'down', 1, ('X', 'Battery Cells', 'Energy Storage'))])
    >>> neighbours(G, "c:x", "up").note
    'no upstream chain link from Battery Cells or the sectors they are part of'
    """
    return search(
        GraphView(G), entity_id, direction, hops, within, types,
        include_recipes=include_recipes, min_weight=min_weight, chain=chain,
    )  # fmt: skip


def store_neighbours(
    store: Store,
    entity_id: str,
    direction: Direction = "both",
    hops: int = 2,
    within: str | None = None,
    types: Iterable[str] | str | None = None,
    *,
    include_recipes: bool = False,
    min_weight: float = DEFAULT_MIN_WEIGHT,
    chain: str | None = None,
) -> NeighbourReport:
    """Supply-chain neighbours from the store's Cypher; the same answer as :func:`neighbours`.

    The store is asked level by level for the chain links, the sector hierarchy and the specialists
    around the start (:class:`graph.analysis.chainview.StoreView`), never for the whole graph.

    Parameters
    ----------
    store : Store
        An open store.
    entity_id, direction, hops, within, types, include_recipes, min_weight, chain
        As for :func:`neighbours`; ``hops`` is at most :data:`MAX_STORE_HOPS` (8).

    Returns
    -------
    NeighbourReport
        As for :func:`neighbours`.

    Raises
    ------
    graph.errors.UnknownEntityError
        ``entity_id`` or ``within`` is not in the store.
    graph.errors.ArgumentError
        A bad ``direction``, ``hops`` (more than :data:`MAX_STORE_HOPS` too) or type name.

    Example
    -------
    >>> report = store_neighbours(store, "sector:battery-cells", "up", hops=1)       # doctest: +SKIP
    >>> report.start.name, [r.id for r in report.rows]                               # doctest: +SKIP
    ('Battery Cells', ['sector:anode-materials', 'sector:cathode-materials'])
    """
    _check_hops(hops)
    if hops > MAX_STORE_HOPS:
        raise ArgumentError(
            f"the store follows at most {MAX_STORE_HOPS} chain links; use the networkx version for more"
        )
    return search(
        StoreView(store), entity_id, direction, hops, within, types,
        include_recipes=include_recipes, min_weight=min_weight, chain=chain,
    )  # fmt: skip
