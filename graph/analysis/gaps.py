"""Who works on each step of a chain template in a place: the players, and strong / weak / missing steps.

A *player* of a step is an entity that SPECIALISES_IN one of the step's sectors or a narrower sector
(the sector hierarchy, as in :mod:`graph.analysis.neighbours`), located in the place (transitively);
with no place, every such entity. A step is ``strong`` with at least :data:`STRONG` players, ``weak``
with one or two, ``missing`` with none. Players are listed by how central the step is to them (the
weight of their link, e.g. ChainKnowledgeGraph's revenue share; unknown last), then name.

:func:`chain_players` works over any :class:`~graph.analysis.chainview.ChainView`: a networkx graph or a
store, fetching only the template's sectors, their narrower sectors, their specialists and where those are.

>>> from graph.nxgraph import to_networkx
>>> from graph.model import Entity, GraphData, Relation
>>> from graph.analysis.chainview import GraphView
>>> from loaders.templates import ChainTemplate
>>> ref = {"doc": "ref:demo"}
>>> t = ChainTemplate.model_validate({"id": "demo", "name": "Demo", "name_zh": "示例", "layout": "chain",
...     "source": ref, "steps": [
...       {"id": "a", "stage": 1, "name": "Cells", "name_zh": "电芯", "sectors": ["s:cells"], "source": ref},
...       {"id": "b", "stage": 2, "name": "Packs", "name_zh": "电池包", "sectors": ["s:packs"], "source": ref}]})
>>> G = to_networkx(GraphData(
...     entities=[Entity(id="s:cells", type="Sector", name="Cells"), Entity(id="s:packs", type="Sector", name="Packs"),
...               Entity(id="c:x", type="Company", name="X"), Entity(id="cn-1", type="City", name="Here")],
...     relations=[Relation(source="c:x", type="SPECIALISES_IN", target="s:cells"),
...                Relation(source="c:x", type="LOCATED_IN", target="cn-1")]))
>>> report = chain_players(GraphView(G), t, "cn-1")
>>> [(s.id, s.status, [p.name for p in s.players]) for s in report.steps]
[('a', 'weak', ['X']), ('b', 'missing', [])]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graph.analysis.chainview import ChainView, descendants
from graph.analysis.common import EntityRef, ref_fields
from graph.gcpause import gc_paused
from loaders.templates import ChainTemplate

__all__ = ["STRONG", "ChainPlayers", "Player", "StepPlayers", "chain_players"]

# a step with this many local players or more is strong; one or two is weak; none is missing
STRONG = 3
Status = Literal["strong", "weak", "missing"]


@dataclass(frozen=True)
class Player(EntityRef):
    """An entity working on a step: its :class:`EntityRef`, where it is, and through which sector.

    Attributes
    ----------
    places : tuple of EntityRef
        What it is directly LOCATED_IN (empty when unlocated).
    sector : str
        The sector (the step's own or a narrower one) it specialises in.
    weight : float or None
        The weight of that link (ChainKnowledgeGraph: the product's share of revenue).
    """

    places: tuple[EntityRef, ...]
    sector: str
    weight: float | None


@dataclass(frozen=True)
class StepPlayers:
    """One step of the template with its players and status."""

    id: str
    stage: int
    name: str
    name_zh: str
    sectors: tuple[str, ...]
    status: Status
    players: tuple[Player, ...]


@dataclass(frozen=True)
class ChainPlayers:
    """What :func:`chain_players` returns: the template, the place, and each step."""

    template: str
    name: str
    name_zh: str
    place: EntityRef | None
    steps: tuple[StepPlayers, ...]
    strong_from: int = STRONG


def _status(n: int) -> Status:
    return "strong" if n >= STRONG else "weak" if n else "missing"


@gc_paused()
def chain_players(view: ChainView, template: ChainTemplate, place: str | None = None) -> ChainPlayers:
    """The players of each step of ``template`` within ``place`` (module rules).

    Parameters
    ----------
    view : ChainView
        :class:`~graph.analysis.chainview.GraphView` or :class:`~graph.analysis.chainview.StoreView`.
    template : ChainTemplate
        The chain (:func:`loaders.templates.template`).
    place : str, optional
        Id of a place; None: players anywhere.

    Returns
    -------
    ChainPlayers
        One :class:`StepPlayers` per step in template order, each with its ``players``
        (:class:`Player`, most central first) and ``status``.

    Raises
    ------
    graph.errors.UnknownEntityError
        ``place`` is not in the graph.
    """
    within = view.within(place) if place is not None else None
    place_ref = view.refs([place])[place][0] if place is not None else None
    sectors = template.sectors()
    narrower = descendants(view, sectors)
    specialists = view.specialists({*sectors, *(x for d in narrower.values() for x in d)})
    found: dict[str, dict[str, tuple[EntityRef, str, float | None]]] = {}
    for step in template.steps:
        best: dict[str, tuple[EntityRef, str, float | None]] = {}
        for s in step.sectors:
            for sub in [s, *narrower[s]]:
                for ref, w in specialists.get(sub, ()):
                    if ref.type == "Sector" or (within is not None and ref.id not in within):
                        continue
                    old = best.get(ref.id)
                    if old is None or (w or 0) > (old[2] or 0):
                        best[ref.id] = (ref, sub, w)
        found[step.id] = best
    located = view.located_at({i for best in found.values() for i in best})
    steps = []
    for step in template.steps:
        rows = [
            Player(*ref_fields(ref), tuple(located.get(ref.id, ())), sub, w) for ref, sub, w in found[step.id].values()
        ]
        rows.sort(key=lambda p: (p.weight is None, -(p.weight or 0), p.name.casefold(), p.id))
        steps.append(
            StepPlayers(step.id, step.stage, step.name, step.name_zh, step.sectors, _status(len(rows)), tuple(rows))
        )
    return ChainPlayers(template.id, template.name, template.name_zh, place_ref, tuple(steps))
