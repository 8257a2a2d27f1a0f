"""Entity lookup: find an entity by id, English name, Chinese name or alias, ignoring case.

Every command that takes an entity goes through :func:`resolve`, against a store (the named queries
``lookup`` and ``entity_names``) or against a networkx graph built by :func:`graph.nxgraph.to_networkx`.
The rules are the same for both:

1. the text is trimmed and compared case-insensitively (``str.casefold``);
2. an exact id match wins (an id that matches with its case too wins over one that matches without);
3. otherwise the entities whose name, Chinese name or an alias equals the text;
4. one match is the answer; several raise :class:`AmbiguousEntityError` listing them (id, type, name,
   where located); none raises :class:`UnknownEntityError` with near matches (substrings, then
   :func:`difflib.get_close_matches` over every name and alias).

``types`` restricts the matches to some entity types (case-insensitive: ``["sector"]``).

The store compares with Cypher's ``toLower`` and Python re-checks with ``casefold``; the two differ
only for a few characters (``ß`` folds to ``ss``), which a store lookup therefore matches only as written.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("cn-420100", type="City", name="Wuhan", name_zh="武汉市", aliases=["Wuhan City"])
>>> resolve(g, "  wuhan city ")
'cn-420100'
"""

from __future__ import annotations

import difflib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.errors import AmbiguousEntityError, ArgumentError, UnknownEntityError
from graph.gcpause import gc_paused
from graph.model import EntityType

if TYPE_CHECKING:
    from graph.cypherlib import NamedQuery
    from graph.stores.base import Store

__all__ = [
    "Candidate",
    "GraphResolver",
    "Resolver",
    "StoreResolver",
    "normalise_types",
    "resolve",
    "resolve_params",
    "resolver_for",
]

MAX_SUGGESTIONS = 8
# at most this many entities sharing pieces of a misspelt name are fetched for suggestions (most shared first)
NEAR_LIMIT = 2_000


@dataclass(frozen=True)
class Candidate:
    """An entity as lookup reports it."""

    id: str
    type: str
    name: str
    name_zh: str | None = None
    aliases: tuple[str, ...] = ()
    located_in: tuple[str, ...] = ()

    def names(self) -> list[str]:
        return [self.name, *([self.name_zh] if self.name_zh else []), *self.aliases]

    def describe(self) -> str:
        text = f"{self.id} ({self.type}) {self.name}"
        if self.name_zh:
            text += f" / {self.name_zh}"
        if self.located_in:
            text += f", in {', '.join(self.located_in)}"
        return text


def normalise_types(types: Iterable[str | EntityType] | str | None) -> frozenset[str] | None:
    """Entity type names from user input, case-insensitively (``"company,base"`` or a list).

    Parameters
    ----------
    types : str, iterable of str, or None
        Type names such as ``"company"`` or ``EntityType.BASE``; a string may hold several, comma-separated.

    Returns
    -------
    frozenset of str or None
        The canonical type names (``{"Company", "Base"}``), or None for "any type".

    Raises
    ------
    graph.errors.ArgumentError
        For a name that is not an entity type; the message lists the known ones.

    Example
    -------
    >>> sorted(normalise_types("company, BASE"))
    ['Base', 'Company']
    """
    if types is None:
        return None
    if isinstance(types, str):
        types = types.split(",")
    known = {t.value.casefold(): t.value for t in EntityType}
    out: set[str] = set()
    for t in types:
        key = str(t).strip().casefold()
        if not key:
            continue
        if key not in known:
            raise ArgumentError(
                f"unknown entity type '{str(t).strip()}'; known: {', '.join(t.value for t in EntityType)}"
            )
        out.add(known[key])
    return frozenset(out) or None


class Resolver(ABC):
    """Where lookup finds entities: exact matches of a folded text, and every name for suggestions."""

    @abstractmethod
    def matches(self, text: str) -> list[Candidate]:
        """Entities whose id, name, Chinese name or an alias equals ``text`` ignoring case (``text`` trimmed)."""

    @abstractmethod
    def everything(self) -> list[Candidate]:
        """Every entity, for suggestions (only called when a lookup fails); ``located_in`` may be left out."""

    def near(self, key: str) -> list[Candidate]:
        """The entities a suggestion for ``key`` may come from: by default :meth:`everything`."""
        return self.everything()

    def complete(self, candidates: list[Candidate]) -> list[Candidate]:
        """The few candidates that will be shown, with ``located_in`` filled in."""
        return candidates


def _fold(s: str | None) -> str:
    return s.casefold() if s else ""


def _answers_to(c: Candidate, key: str) -> bool:
    return _fold(c.id) == key or any(_fold(n) == key for n in c.names())


class StoreResolver(Resolver):
    """Lookup against a store through the named queries ``lookup`` and ``entity_names``.

    >>> resolve(StoreResolver(store), "Wuhan")        # doctest: +SKIP
    'cn-420100'
    """

    def __init__(self, store: Store):
        self.store = store

    @staticmethod
    def _candidates(rows: list[dict[str, Any]]) -> list[Candidate]:
        return [
            Candidate(
                id=r["id"],
                type=r["type"],
                name=r["name"],
                name_zh=r.get("name_zh"),
                aliases=tuple(r.get("aliases") or ()),
                located_in=tuple(sorted(set(r.get("located_in") or ()))),
            )
            for r in rows
        ]

    def matches(self, text: str) -> list[Candidate]:
        rows = self.store.run("lookup", {"needle": text.lower()}).records()
        key = text.casefold()
        # toLower found them; casefold has the last word so both resolvers agree
        return [c for c in self._candidates(rows) if _answers_to(c, key)]

    def everything(self) -> list[Candidate]:
        return self._candidates(self.store.run("entity_names", {}).records())

    def near(self, key: str) -> list[Candidate]:
        """Entities sharing a two-character piece with ``key`` (one character for a 1–2 character key),
        found by the store (``name_candidates``) instead of fetching every name; at most
        :data:`NEAR_LIMIT`, which keeps a national store's suggestions well under a second."""
        grams = sorted({key[i : i + 2] for i in range(len(key) - 1)} if len(key) > 2 else set(key))
        params = {"grams": grams, "least": max(1, len(grams) // 3), "limit": NEAR_LIMIT}
        rows = self.store.run("name_candidates", params).records()
        return self._candidates(rows)

    def complete(self, candidates: list[Candidate]) -> list[Candidate]:
        if not candidates:
            return candidates
        rows = self.store.run("entity_places", {"ids": [c.id for c in candidates]}).records()
        places = {r["id"]: tuple(sorted(set(r["located_in"] or ()))) for r in rows}
        return [replace(c, located_in=places.get(c.id, ())) for c in candidates]


class GraphResolver(Resolver):
    """Lookup against a networkx graph of :func:`graph.nxgraph.to_networkx`; the index is built once.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("sector:5g", type="Sector", name="5G", aliases=["5G Technology"])
    >>> [c.id for c in GraphResolver(g).matches("5g technology")]
    ['sector:5g']
    """

    def __init__(self, graph: nx.Graph):
        self.graph = graph
        self._index: dict[str, set[str]] | None = None

    def _candidate(self, node: str) -> Candidate:
        a = self.graph.nodes[node]
        places = set()
        for _, target, d in self.graph.out_edges(node, data=True):
            if d.get("type") in ("LOCATED_IN", "PART_OF"):
                places.add(self.graph.nodes[target].get("name", target))
        return Candidate(
            id=node,
            type=a.get("type", ""),
            name=a.get("name", node),
            name_zh=a.get("name_zh"),
            aliases=tuple(a.get("aliases") or ()),
            located_in=tuple(sorted(places)),
        )

    def _build(self) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        with gc_paused():
            for node, a in self.graph.nodes(data=True):
                for n in (node, a.get("name"), a.get("name_zh"), *(a.get("aliases") or ())):
                    if n:
                        index.setdefault(n.casefold(), set()).add(node)
        return index

    def matches(self, text: str) -> list[Candidate]:
        if self._index is None:
            self._index = self._build()
        return [self._candidate(n) for n in sorted(self._index.get(text.casefold(), ()))]

    def everything(self) -> list[Candidate]:
        # no located_in here: looking at every node's edges would cost more than the suggestions
        return [
            Candidate(n, a.get("type", ""), a.get("name", n), a.get("name_zh"), tuple(a.get("aliases") or ()))
            for n, a in sorted(self.graph.nodes(data=True), key=lambda na: na[0])
        ]

    def complete(self, candidates: list[Candidate]) -> list[Candidate]:
        return [self._candidate(c.id) for c in candidates]


def resolver_for(source: Store | nx.Graph | Resolver) -> Resolver:
    """The resolver for a store, a networkx graph, or a resolver (returned as is)."""
    if isinstance(source, Resolver):
        return source
    if isinstance(source, nx.Graph):
        return GraphResolver(source)
    return StoreResolver(source)


def _suggest(everything: list[Candidate], key: str, types: frozenset[str] | None) -> list[Candidate]:
    by_name: dict[str, list[Candidate]] = {}
    for c in everything:
        if types is None or c.type in types:
            for n in {c.id, *c.names()}:
                by_name.setdefault(n.casefold(), []).append(c)
    names = list(by_name)
    # substrings first ("memory" -> "National Memory Base"), shortest names first
    contained = {n for n in names if key in n}
    if len(key) >= 3:
        contained.update(n for n in names if len(n) >= 3 and n in key)
    # then close spellings of whole names of about the same length (difflib is slow: keep its pool small)
    lo, hi = len(key) / 2, len(key) * 2
    close = difflib.get_close_matches(key, [n for n in names if lo <= len(n) <= hi], n=MAX_SUGGESTIONS, cutoff=0.6)
    # then close spellings of single words of many-word names ("memroy" -> "National Memory Base")
    near_words: list[str] = []
    if len(key) >= 4:
        by_word: dict[str, list[str]] = {}
        for n in names:
            if " " in n:  # many-word names (ids and Chinese names are matched whole)
                for w in re.findall(r"\w{4,}", n):
                    if lo <= len(w) <= hi:
                        by_word.setdefault(w, []).append(n)
        words = difflib.get_close_matches(key, list(by_word), n=3, cutoff=0.75)
        near_words = sorted({n for w in words for n in by_word[w]}, key=lambda n: (len(n), n))
    out: dict[str, Candidate] = {}
    for n in [*sorted(contained, key=lambda n: (len(n), n)), *close, *near_words]:
        for c in by_name[n]:
            out.setdefault(c.id, c)
        if len(out) >= MAX_SUGGESTIONS:
            break
    return list(out.values())[:MAX_SUGGESTIONS]


def resolve(
    source: Store | nx.Graph | Resolver,
    text: str,
    types: Iterable[str | EntityType] | str | None = None,
) -> str:
    """The id of the one entity that ``text`` names: an id, English name, Chinese name or alias.

    Parameters
    ----------
    source : Store, networkx graph or Resolver
        Where to look: a store (named query ``lookup``), a graph of :func:`graph.nxgraph.to_networkx`,
        or a :class:`Resolver` to reuse (a :class:`GraphResolver` indexes its graph once).
    text : str
        What the user typed; surrounding whitespace and case are ignored.
    types : str or iterable of str, optional
        Accept only entities of these types (case-insensitive), e.g. ``["Sector"]``.

    Returns
    -------
    str
        The entity's id.

    Raises
    ------
    AmbiguousEntityError
        Several entities answer to ``text``; ``.candidates`` lists them.
    UnknownEntityError
        None does; ``.candidates`` holds near matches, and the message names them.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("base:national-memory-base", type="Base", name="National Memory Base", aliases=[])
    >>> resolve(g, "NATIONAL memory base")
    'base:national-memory-base'
    """
    wanted = normalise_types(types)
    resolver = resolver_for(source)
    needle = text.strip()
    if not needle:
        raise UnknownEntityError("an empty name names no entity")
    key = needle.casefold()
    found = resolver.matches(needle)
    fitting = [c for c in found if wanted is None or c.type in wanted]
    id_hits = [c for c in fitting if c.id.casefold() == key]
    hits = [c for c in id_hits if c.id == needle] or id_hits or fitting
    if len(hits) == 1:
        return hits[0].id
    if hits:
        listing = "\n".join(f"  {c.describe()}" for c in hits)
        raise AmbiguousEntityError(f"'{needle}' names {len(hits)} entities; use an id:\n{listing}", hits)
    kind = f" of type {' or '.join(sorted(wanted))}" if wanted else ""
    if found:  # right name, wrong type
        listing = "\n".join(f"  {c.describe()}" for c in found)
        raise UnknownEntityError(f"no entity{kind} is called '{needle}'; that name belongs to:\n{listing}", found)
    with gc_paused():
        near = resolver.complete(_suggest(resolver.near(key), key, wanted))
    message = f"no entity{kind} is called '{needle}'"
    if near:
        message += "; did you mean:\n" + "\n".join(f"  {c.describe()}" for c in near)
    raise UnknownEntityError(message, near)


def _param_entity(description: str) -> tuple[bool, frozenset[str] | None]:
    """Whether a ``// param`` description names an entity ("id of the sector ..."), and its type if it says."""
    words = re.findall(r"\w+", description.casefold())
    if words[:2] != ["id", "of"]:
        return False, None
    rest = [w for w in words[2:] if w not in ("the", "a", "an", "first", "second")]
    known = {t.value.casefold(): t.value for t in EntityType}
    return True, (frozenset({known[rest[0]]}) if rest and rest[0] in known else None)


def resolve_params(source: Store | nx.Graph | Resolver, query: NamedQuery, params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters of a named query with names turned into ids, for ``indgraph run``.

    A parameter is an entity when its ``// param`` description starts with "id of"; a type word in the
    description ("id of the sector") restricts the lookup to that type. Other values pass unchanged.

    Parameters
    ----------
    source : Store, networkx graph or Resolver
        Where to look names up.
    query : NamedQuery
        The query, from :func:`graph.cypherlib.library`.
    params : mapping
        Parameters as parsed from ``--param``.

    Returns
    -------
    dict
        The parameters, entity names replaced by ids.

    Example
    -------
    >>> q = library("falkordb")["located_in"]                # doctest: +SKIP
    >>> resolve_params(store, q, {"place": "Wuhan"})         # doctest: +SKIP
    {'place': 'cn-420100'}
    """
    resolver = resolver_for(source)
    out = dict(params)
    for name, desc in query.params.items():
        is_entity, types = _param_entity(desc)
        if is_entity and isinstance(out.get(name), str):
            out[name] = resolve(resolver, out[name], types)
    return out
