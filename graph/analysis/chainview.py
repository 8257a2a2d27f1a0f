"""What the chain analyses read, from a networkx graph or a store: one interface, two sources.

The chain analyses (:mod:`graph.analysis.neighbours`, :mod:`graph.analysis.gaps`) ask a few small
questions — the names of some entities, the chain links at some sectors, the sector hierarchy around
them, who specialises in them, what lies within a place — and compute the answer in Python. A
:class:`GraphView` answers them from a networkx graph; a :class:`StoreView` answers them with the named
queries of ``cypher/queries`` (``entity_refs``, ``chain_links_from``, ``sector_parents``,
``sector_specialists``, ``located_in``), fetching only what the analysis needs instead of the whole
store. Both return the same plain data, so the two engines give one answer.

Which chain links count (:class:`LinkFilter`): by default every link except ChainKnowledgeGraph's
recipe-ingredient links (chain ``chainkg-recipe``) and its industry-level links (``chainkg-industry``)
seen fewer than :data:`DEFAULT_MIN_WEIGHT` times; those are left out and counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import networkx as nx

from graph.analysis.common import EntityRef, edge_types, nodes_within
from graph.errors import ArgumentError, UnknownEntityError
from loaders.chainkg import CHAIN_INDUSTRIES as INDUSTRY_CHAIN
from loaders.chainkg_links import RECIPE_CHAIN

if TYPE_CHECKING:
    from graph.stores.base import Store

__all__ = [
    "DEFAULT_MIN_WEIGHT",
    "INDUSTRY_CHAIN",
    "RECIPE_CHAIN",
    "ChainLink",
    "ChainView",
    "GraphView",
    "LinkFilter",
    "StoreView",
    "ancestors",
    "descendants",
]

# ChainKnowledgeGraph's industry links carry how often the upstream industry was seen (1-9; 94% are
# 1 or 2, and 锂电池's include 大众出版 and 其他酒类 at 1): 3 keeps 305 of 5,256.
DEFAULT_MIN_WEIGHT = 3.0
_SECTOR = "Sector"
_MAX_DEPTH = 12  # sector hierarchy levels followed (ChainKnowledgeGraph's deepest is 5)


@dataclass(frozen=True)
class ChainLink:
    """One PART_OF_CHAIN link: upstream ``source`` -> downstream ``target``."""

    source: str
    target: str
    chain: str
    weight: float | None


@dataclass
class LinkFilter:
    """Which chain links an analysis follows, and how many it left out (by reason).

    Parameters
    ----------
    include_recipes : follow ChainKnowledgeGraph's recipe-ingredient links too.
    min_weight : links that carry a weight (ChainKnowledgeGraph's industry links) count from this weight.
    chains : follow only links of these chains (e.g. ``["template:lithium-battery"]``); None: all.
    """

    include_recipes: bool = False
    min_weight: float = DEFAULT_MIN_WEIGHT
    chains: frozenset[str] | None = None
    left_out: dict[str, set[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(set))

    def __post_init__(self) -> None:
        if self.min_weight != self.min_weight or self.min_weight < 0:
            raise ArgumentError(f"min_weight must be a number >= 0, not {self.min_weight!r}")

    def keep(self, link: ChainLink) -> bool:
        """Whether to follow ``link``; a link left out is counted under its reason."""
        reason = None
        if self.chains is not None and link.chain not in self.chains:
            return False  # another chain: not a "left out" link, just not asked for
        if link.chain == RECIPE_CHAIN and not self.include_recipes:
            reason = "recipe-ingredient links"
        elif link.weight is not None and link.weight < self.min_weight:
            reason = f"links below weight {self.min_weight:g}"
        if reason is None:
            return True
        self.left_out[reason].add((link.source, link.target, link.chain))
        return False

    def counts(self) -> dict[str, int]:
        """How many distinct links were left out, by reason."""
        return {k: len(v) for k, v in sorted(self.left_out.items()) if v}


class ChainView(Protocol):
    """The questions the chain analyses ask (see the module docstring)."""

    def refs(self, ids: Iterable[str]) -> dict[str, tuple[EntityRef, list[str]]]:
        """For each known id: its :class:`EntityRef` and the sectors it SPECIALISES_IN directly."""
        ...

    def links(self, sectors: Iterable[str]) -> list[ChainLink]:
        """Every PART_OF_CHAIN link starting or ending at one of ``sectors``."""
        ...

    def hierarchy(self, sectors: Iterable[str]) -> list[tuple[str, str]]:
        """``(child, parent)`` PART_OF pairs between sectors with either end among ``sectors``."""
        ...

    def specialists(self, sectors: Iterable[str]) -> dict[str, list[tuple[EntityRef, float | None]]]:
        """For each sector, the entities that SPECIALISES_IN it directly, with the link's weight."""
        ...

    def within(self, place: str) -> set[str]:
        """The place and everything located in it (transitively), sectors excepted."""
        ...

    def located_at(self, ids: Iterable[str]) -> dict[str, list[EntityRef]]:
        """For each id, what it is directly LOCATED_IN."""
        ...

    def provinces(self, ids: Iterable[str]) -> dict[str, EntityRef]:
        """For each located id, its provincial-level division (``cn-XX0000``), through LOCATED_IN."""
        ...

    def partners(self, ids: Iterable[str]) -> dict[str, set[str]]:
        """For each id, its PARTNERS_WITH partners (either direction)."""
        ...

    def located_companies(self, place: str | None) -> int:
        """How many companies are located in ``place`` (transitively), or anywhere when None."""
        ...


Path = tuple[str, ...]


def _closure(view: ChainView, sectors: Iterable[str], up: bool) -> dict[str, dict[str, Path]]:
    """sector -> {broader (or narrower) sector: the shortest PART_OF path to it, ties by ids}."""
    sectors = list(dict.fromkeys(sectors))
    step: dict[str, set[str]] = defaultdict(set)
    asked: set[str] = set()
    frontier = set(sectors)
    for _ in range(_MAX_DEPTH):
        todo = frontier - asked
        if not todo:
            break
        asked |= todo
        found = view.hierarchy(sorted(todo))
        for c, p in found:
            if up:
                step[c].add(p)
            else:
                step[p].add(c)
        frontier = {x for s in todo for x in step.get(s, ())}
    out: dict[str, dict[str, Path]] = {}
    for s in sectors:
        paths: dict[str, Path] = {}
        level: dict[str, Path] = {s: (s,)}
        for _ in range(_MAX_DEPTH):
            nxt: dict[str, Path] = {}
            for y, py in sorted(level.items()):
                for x in sorted(step.get(y, ())):
                    if x != s and x not in paths and (x not in nxt or (*py, x) < nxt[x]):
                        nxt[x] = (*py, x)
            if not nxt:
                break
            paths.update(nxt)
            level = nxt
        out[s] = paths
    return out


def ancestors(view: ChainView, sectors: Iterable[str]) -> dict[str, dict[str, Path]]:
    """For each sector, its broader sectors (PART_OF, transitively), each with the path up to it.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for n in ("s:memory", "s:chips", "s:ic"): G.add_node(n, type="Sector", name=n)
    >>> _ = G.add_edge("s:memory", "s:chips", type="PART_OF"); _ = G.add_edge("s:chips", "s:ic", type="PART_OF")
    >>> ancestors(GraphView(G), ["s:memory"])
    {'s:memory': {'s:chips': ('s:memory', 's:chips'), 's:ic': ('s:memory', 's:chips', 's:ic')}}
    """
    return _closure(view, sectors, up=True)


def descendants(view: ChainView, sectors: Iterable[str]) -> dict[str, dict[str, Path]]:
    """For each sector, its narrower sectors (PART_OF, transitively), each with the path down to it."""
    return _closure(view, sectors, up=False)


def _provincial(node_id: str) -> bool:
    """Whether an id is a provincial-level division of the backbone (``cn-XX0000``)."""
    return len(node_id) == 9 and node_id.startswith("cn-") and node_id.endswith("0000")


# -- networkx -------------------------------------------------------------------------------------------
class GraphView:
    """A :class:`ChainView` over a networkx graph of :func:`graph.nxgraph.to_networkx`."""

    def __init__(self, G: nx.Graph):
        self.G = G

    def _ref(self, n: str) -> EntityRef:
        a = self.G.nodes[n]
        return EntityRef(n, a.get("type"), a.get("name", n), a.get("name_zh"))

    def _edges(self, u: str, v: str) -> list[Mapping]:
        d = self.G[u][v]
        return list(d.values()) if self.G.is_multigraph() else [d]

    def refs(self, ids: Iterable[str]) -> dict[str, tuple[EntityRef, list[str]]]:
        out = {}
        for n in ids:
            if n in self.G:
                sectors = sorted(
                    v
                    for v in self.G.succ[n]
                    if "SPECIALISES_IN" in edge_types(self.G, n, v) and self.G.nodes[v].get("type") == _SECTOR
                )
                out[n] = (self._ref(n), sectors)
        return out

    def links(self, sectors: Iterable[str]) -> list[ChainLink]:
        out: set[ChainLink] = set()
        for s in sectors:
            if s not in self.G:
                continue
            pairs = [(s, v) for v in self.G.succ[s]] + [(u, s) for u in self.G.pred[s]]
            for u, v in pairs:
                if self.G.nodes[u].get("type") != _SECTOR or self.G.nodes[v].get("type") != _SECTOR:
                    continue
                for d in self._edges(u, v):
                    if d.get("type") == "PART_OF_CHAIN":
                        out.add(ChainLink(u, v, d.get("chain") or "", d.get("weight")))
        return sorted(out, key=lambda x: (x.source, x.target, x.chain))

    def hierarchy(self, sectors: Iterable[str]) -> list[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for s in sectors:
            if s not in self.G:
                continue
            for u, v in [(s, p) for p in self.G.succ[s]] + [(c, s) for c in self.G.pred[s]]:
                if (
                    self.G.nodes[u].get("type") == _SECTOR
                    and self.G.nodes[v].get("type") == _SECTOR
                    and "PART_OF" in edge_types(self.G, u, v)
                ):
                    out.add((u, v))
        return sorted(out)

    def specialists(self, sectors: Iterable[str]) -> dict[str, list[tuple[EntityRef, float | None]]]:
        out: dict[str, list[tuple[EntityRef, float | None]]] = {}
        for s in sectors:
            if s not in self.G:
                continue
            rows = []
            for f in sorted(self.G.pred[s]):
                for d in self._edges(f, s):
                    if d.get("type") == "SPECIALISES_IN":
                        rows.append((self._ref(f), d.get("weight")))
                        break
            if rows:
                out[s] = rows
        return out

    def within(self, place: str) -> set[str]:
        return nodes_within(self.G, place)  # raises UnknownEntityError for an unknown place

    def provinces(self, ids: Iterable[str]) -> dict[str, EntityRef]:
        out: dict[str, EntityRef] = {}
        for n in ids:
            seen, level = {n}, [n] if n in self.G else []
            for _ in range(7):
                hit = sorted(x for x in level if _provincial(x))
                if hit:
                    out[n] = self._ref(hit[0])
                    break
                level = [
                    p
                    for x in level
                    for p in self.G.succ[x]
                    if p not in seen and "LOCATED_IN" in edge_types(self.G, x, p)
                ]
                seen.update(level)
        return out

    def partners(self, ids: Iterable[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for n in ids:
            if n in self.G:
                pairs = [(n, v) for v in self.G.succ[n]] + [(u, n) for u in self.G.pred[n]]
                found = {v if u == n else u for u, v in pairs if "PARTNERS_WITH" in edge_types(self.G, u, v)}
                if found:
                    out[n] = found
        return out

    def located_companies(self, place: str | None) -> int:
        if place is not None:
            return sum(1 for n in self.within(place) if self.G.nodes[n].get("type") == "Company")
        return sum(
            1
            for n, a in self.G.nodes(data=True)
            if a.get("type") == "Company" and any("LOCATED_IN" in edge_types(self.G, n, p) for p in self.G.succ[n])
        )

    def located_at(self, ids: Iterable[str]) -> dict[str, list[EntityRef]]:
        out: dict[str, list[EntityRef]] = {}
        for n in ids:
            if n in self.G:
                at = [self._ref(p) for p in sorted(self.G.succ[n]) if "LOCATED_IN" in edge_types(self.G, n, p)]
                if at:
                    out[n] = at
        return out


# -- the store --------------------------------------------------------------------------------------------
_CHUNK = 2000


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(ids))
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class StoreView:
    """A :class:`ChainView` over a store: each question is one named query (in chunks of ids)."""

    def __init__(self, store: Store):
        self.store = store

    def refs(self, ids: Iterable[str]) -> dict[str, tuple[EntityRef, list[str]]]:
        out = {}
        for chunk in _chunks(ids):
            for r in self.store.run("entity_refs", {"ids": chunk}).records():
                out[r["id"]] = (EntityRef(r["id"], r["type"], r["name"], r["name_zh"]), sorted(set(r["sectors"] or ())))
        return out

    def links(self, sectors: Iterable[str]) -> list[ChainLink]:
        out: set[ChainLink] = set()
        for chunk in _chunks(sectors):
            for r in self.store.run("chain_links_from", {"sectors": chunk}).records():
                out.add(ChainLink(r["source"], r["target"], r["chain"] or "", r["weight"]))
        return sorted(out, key=lambda x: (x.source, x.target, x.chain))

    def hierarchy(self, sectors: Iterable[str]) -> list[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for chunk in _chunks(sectors):
            out.update(
                (r["child"], r["parent"]) for r in self.store.run("sector_parents", {"sectors": chunk}).records()
            )
        return sorted(out)

    def specialists(self, sectors: Iterable[str]) -> dict[str, list[tuple[EntityRef, float | None]]]:
        out: dict[str, list[tuple[EntityRef, float | None]]] = {}
        for chunk in _chunks(sectors):
            for r in self.store.run("sector_specialists", {"sectors": chunk}).records():
                ref = EntityRef(r["id"], r["type"], r["name"], r["name_zh"])
                out.setdefault(r["sector"], []).append((ref, r["weight"]))
        return out

    def within(self, place: str) -> set[str]:
        if not self.refs([place]):
            raise UnknownEntityError(f"no entity with id '{place}' (look names up with graph.lookup.resolve)")
        return {place} | {r[0] for r in self.store.run("located_in", {"place": place}).rows}

    def provinces(self, ids: Iterable[str]) -> dict[str, EntityRef]:
        out: dict[str, EntityRef] = {}
        for chunk in _chunks(ids):
            for r in sorted(self.store.run("provinces_of", {"ids": chunk}).records(), key=lambda r: r["province"]):
                out.setdefault(r["id"], EntityRef(r["province"], r["type"], r["name"], r["name_zh"]))
        return out

    def partners(self, ids: Iterable[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for chunk in _chunks(ids):
            for r in self.store.run("partners_of", {"ids": chunk}).records():
                out.setdefault(r["id"], set()).add(r["partner"])
        return out

    def located_companies(self, place: str | None) -> int:
        if place is None:
            return int(self.store.run("located_companies_all", {}).rows[0][0])
        return int(self.store.run("located_companies", {"place": place}).rows[0][0])

    def located_at(self, ids: Iterable[str]) -> dict[str, list[EntityRef]]:
        out: dict[str, list[EntityRef]] = {}
        for chunk in _chunks(ids):
            for r in self.store.run("located_at", {"ids": chunk}).records():
                out.setdefault(r["id"], []).append(EntityRef(r["place"], r["type"], r["name"], r["name_zh"]))
        return out
