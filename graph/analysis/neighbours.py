"""Supply-chain neighbours: what lies upstream and downstream of a sector or an entity along the industry chains.

Two implementations give one answer: :func:`neighbours` over a networkx graph (breadth-first search) and
:func:`store_neighbours` over a store (the named queries ``neighbours_start``, ``neighbours_up``,
``neighbours_down``, ``neighbours_players`` and ``located_in``). Both hand their findings to the same
Python post-processing, so the rules below hold for both.

The rules
---------
* **Start sectors.** For a Sector, the sector itself; for any other entity, the sectors it
  SPECIALISES_IN (directly). An entity without sectors has no neighbours.
* **Hops** are the number of PART_OF_CHAIN links crossed from the nearest start sector; the start
  sectors are at hop 0 and are never results. Downstream follows PART_OF_CHAIN edges forwards
  (upstream -> downstream), upstream follows them backwards.
* **Sector results**: every sector 1..``hops`` links away, at its minimum hop count.
* **Entity results**: every entity (other than the start) that SPECIALISES_IN a sector result; its hop
  count and path are those of the nearest such sector. Entities sharing only a start sector with the
  start (its peers) are not neighbours.
* **Paths** run from the start outwards: ``[start entity,] start sector, ..., sector[, entity]``, as names
  (``path``) and ids (``path_ids``). Among shortest paths the one whose id sequence sorts first is chosen.
* **within=PLACE** keeps entities located in the place (the place itself, or transitively through
  LOCATED_IN/PART_OF, as ``indgraph run located_in``), and keeps a sector when at least one entity in
  the place specialises in it: an analyst asking "what is upstream of battery cells in Hunan" wants
  the links the region is present in. Paths may still cross sectors outside the place.
* **types** keeps results of those entity types (case-insensitive, e.g. ``company,base``).
* ``direction="both"`` lists upstream then downstream; a node may appear once in each direction.
  Results are sorted by direction, hops, sectors before other entities, name and id.

Both return a :class:`NeighbourReport`: the start entity and the ``within`` place, named, and the
:class:`Neighbour` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from graph.analysis.common import (
    EntityRef,
    node_info,
    nodes_within,
    out_neighbours,
    ref_fields,
    require_node,
    sector_players,
)
from graph.errors import ArgumentError, UnknownEntityError
from graph.gcpause import gc_paused
from graph.lookup import normalise_types
from graph.model import EntityType

if TYPE_CHECKING:
    from graph.stores.base import Store

__all__ = ["MAX_STORE_HOPS", "Direction", "Neighbour", "NeighbourReport", "neighbours", "store_neighbours"]

Direction = Literal["up", "down", "both"]
# the Cypher cannot take a variable-length bound as a parameter, so the queries stop at 4 links
MAX_STORE_HOPS = 4
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
    """

    start: EntityRef
    within: EntityRef | None
    rows: tuple[Neighbour, ...]


def _directions(direction: str) -> list[str]:
    d = _ALIASES.get(str(direction).strip().casefold())
    if d is None:
        raise ArgumentError(f"direction is up, down or both, not '{direction}'")
    return ["up", "down"] if d == "both" else [d]


def _check_hops(hops: int) -> None:
    if not isinstance(hops, int) or hops < 1:
        raise ArgumentError(f"hops must be a whole number of at least 1, not {hops!r}")


def _pick(paths: Iterable[Path], starts: set[str]) -> dict[str, Path]:
    """For each end node, the shortest path whose ids sort first; ends that are start sectors are dropped."""
    best: dict[str, Path] = {}
    for p in paths:
        end = p[-1]
        if end in starts:
            continue
        old = best.get(end)
        if old is None or (len(p), p) < (len(old), old):
            best[end] = p
    return best


def _assemble(
    start: EntityRef,
    sector_paths: Mapping[str, Mapping[str, Path]],
    players: Mapping[str, Iterable[str]],
    info: Mapping[str, EntityRef],
    within: EntityRef | None,
    within_ids: set[str] | None,
    wanted: frozenset[str] | None,
) -> NeighbourReport:
    """The shared post-processing: sector and entity results, ``within`` and ``types``, paths, order."""
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
        nearest: dict[str, Path] = {}  # entity -> path to its nearest sector result
        for sector, path in paths.items():
            if within_ids is None or any(f in within_ids for f in players.get(sector, ())):
                add(sector, d, len(path) - 1, prefix + path)
            for f in players.get(sector, ()):
                if f == start_id:
                    continue
                old = nearest.get(f)
                if old is None or (len(path), path) < (len(old), old):
                    nearest[f] = path
        for f, path in nearest.items():
            if within_ids is None or f in within_ids:
                add(f, d, len(path) - 1, prefix + path + (f,))

    order = {"up": 0, "down": 1}
    out.sort(key=lambda r: (order[r.direction], r.hops, r.type != _SECTOR, r.name.casefold(), r.id))
    return NeighbourReport(start, within, tuple(out))


# -- networkx -------------------------------------------------------------------------------------------
def _bfs(G: nx.Graph, starts: list[str], direction: str, hops: int) -> dict[str, Path]:
    """Shortest chain paths from the start sectors, ties broken by the id sequence (level by level)."""
    adjacent = G.pred if direction == "up" else G.succ
    best: dict[str, Path] = {s: (s,) for s in starts}
    frontier = list(starts)
    for _ in range(hops):
        level: dict[str, Path] = {}
        for u in frontier:
            pu = best[u]
            for v in adjacent[u]:
                if v in best or G.nodes[v].get("type") != _SECTOR:
                    continue
                a, b = (v, u) if direction == "up" else (u, v)
                if not any(d.get("type") == "PART_OF_CHAIN" for d in _edge_dicts(G, a, b)):
                    continue
                cand = (*pu, v)
                if v not in level or cand < level[v]:
                    level[v] = cand
        if not level:
            break
        best.update(level)
        frontier = list(level)
    return {n: p for n, p in best.items() if len(p) > 1}


def _edge_dicts(G: nx.Graph, u: str, v: str) -> Iterable[Mapping[str, Any]]:
    return G[u][v].values() if G.is_multigraph() else [G[u][v]]


@gc_paused()
def neighbours(
    G: nx.Graph,
    entity_id: str,
    direction: Direction = "both",
    hops: int = 2,
    within: str | None = None,
    types: Iterable[str] | str | None = None,
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

    Returns
    -------
    NeighbourReport
        ``start`` and ``within`` as :class:`~graph.analysis.common.EntityRef`, and ``rows``: one
        :class:`Neighbour` per (node, direction) with ``id``, ``type``, ``name``, ``name_zh``,
        ``direction`` ("up"/"down"), ``hops``, ``path`` (names from the start) and ``path_ids``.

    Raises
    ------
    graph.errors.UnknownEntityError
        ``entity_id`` or ``within`` is not in the graph.
    graph.errors.ArgumentError
        A bad ``direction``, ``hops`` or type name.

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
    """
    dirs = _directions(direction)
    _check_hops(hops)
    wanted = normalise_types(types)
    require_node(G, entity_id)
    start = node_info(G, entity_id)
    if start.type == _SECTOR:
        starts = [entity_id]
    else:
        starts = [s for s in out_neighbours(G, entity_id, "SPECIALISES_IN") if G.nodes[s].get("type") == _SECTOR]
    sector_paths = {d: _bfs(G, starts, d, hops) for d in dirs}
    reached = {s for paths in sector_paths.values() for s in paths}
    players = {s: sector_players(G, s) for s in reached}
    within_ids = nodes_within(G, within) if within is not None else None
    place = node_info(G, within) if within is not None else None

    named = {entity_id, *reached, *(f for fs in players.values() for f in fs)}
    named.update(n for paths in sector_paths.values() for p in paths.values() for n in p)
    info = {n: node_info(G, n) for n in named}
    return _assemble(start, sector_paths, players, info, place, within_ids, wanted)


# -- the store --------------------------------------------------------------------------------------------
def _entity(store: Store, entity_id: str) -> tuple[EntityRef, list[str]]:
    """An entity of the store and the sectors it specialises in (``neighbours_start``)."""
    rows = store.run("neighbours_start", {"entity": entity_id}).records()
    if not rows:
        raise UnknownEntityError(f"no entity with id '{entity_id}' (look names up with graph.lookup.resolve)")
    r = rows[0]
    return EntityRef(r["id"], r["type"], r["name"], r["name_zh"]), sorted(set(r["sectors"] or ()))


def store_neighbours(
    store: Store,
    entity_id: str,
    direction: Direction = "both",
    hops: int = 2,
    within: str | None = None,
    types: Iterable[str] | str | None = None,
) -> NeighbourReport:
    """Supply-chain neighbours computed by the store's Cypher; the same answer as :func:`neighbours`.

    Parameters
    ----------
    store : Store
        An open store.
    entity_id, direction, hops, within, types
        As for :func:`neighbours`; ``hops`` is at most :data:`MAX_STORE_HOPS` (4).

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
    dirs = _directions(direction)
    _check_hops(hops)
    if hops > MAX_STORE_HOPS:
        raise ArgumentError(
            f"the store follows at most {MAX_STORE_HOPS} chain links; use the networkx version for more"
        )
    wanted = normalise_types(types)
    start, sectors = _entity(store, entity_id)
    starts = [entity_id] if start.type == _SECTOR else sectors
    names: dict[str, str] = {}  # sectors on the paths
    names_zh: dict[str, str | None] = {}  # the sectors the paths end at
    sector_paths: dict[str, dict[str, Path]] = {}
    for d in dirs:
        found = store.run(f"neighbours_{d}", {"sectors": starts, "hops": hops}).records() if starts else []
        # a path back to a start sector is no result; FalkorDB may also list the names of such a closed
        # path in another order than its ids, so its names are not read either
        found = [r for r in found if r["ids"][-1] not in starts]
        for r in found:
            for i, n in zip(r["ids"], r["names"], strict=True):
                names.setdefault(i, n)
            names_zh[r["ids"][-1]] = r["name_zh"]
        sector_paths[d] = _pick((tuple(r["ids"]) for r in found), set(starts))
    info: dict[str, EntityRef] = {i: EntityRef(i, _SECTOR, n, names_zh.get(i)) for i, n in names.items()}
    info[entity_id] = start
    reached = sorted({s for paths in sector_paths.values() for s in paths})
    players: dict[str, list[str]] = {}
    if reached:
        for r in store.run("neighbours_players", {"sectors": reached}).records():
            players.setdefault(r["sector"], []).append(r["id"])
            if r["id"] not in info:
                info[r["id"]] = EntityRef(r["id"], r["type"], r["name"], r["name_zh"])
    place, within_ids = None, None
    if within is not None:
        place, _ = _entity(store, within)
        within_ids = {within} | {r[0] for r in store.run("located_in", {"place": within}).rows}
    return _assemble(start, sector_paths, players, info, place, within_ids, wanted)
