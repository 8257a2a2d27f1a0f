"""Who works on each step of a chain template in a place: the players, and strong / weak / missing steps.

A *player* of a step is an entity that SPECIALISES_IN one of the step's sectors or a narrower sector
(the sector hierarchy, as in :mod:`graph.analysis.neighbours`), located in the place (transitively);
with no place, every such entity. Countries, provinces and cities are places, not players (a city
"specialising" in biomedicine says where the players are); districts and development zones count.
A step is ``strong`` with at least :data:`STRONG` players, ``weak`` with one or two, ``missing`` with
none. Players are listed by how central the step is to them (the
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

__all__ = [
    "NEARNESS",
    "STRONG",
    "WEIGHTS",
    "Candidate",
    "ChainPlayers",
    "Comparison",
    "GapReport",
    "GapStep",
    "PlaceSteps",
    "Player",
    "StepPlayers",
    "chain_players",
    "compare",
    "gap_report",
]

# a country, province or city that "specialises" in a sector is the place, not a player on the step
_NOT_PLAYERS = frozenset({"Sector", "Country", "Province", "City"})
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


Found = dict[str, dict[str, tuple[EntityRef, str, float | None]]]


def _all_players(view: ChainView, template: ChainTemplate) -> Found:
    """step id -> {entity id: (ref, the sector it works in, weight)} for every player anywhere."""
    sectors = template.sectors()
    narrower = descendants(view, sectors)
    specialists = view.specialists({*sectors, *(x for d in narrower.values() for x in d)})
    found: Found = {}
    for step in template.steps:
        best: dict[str, tuple[EntityRef, str, float | None]] = {}
        for s in step.sectors:
            for sub in [s, *narrower[s]]:
                for ref, w in specialists.get(sub, ()):
                    if ref.type in _NOT_PLAYERS:
                        continue
                    old = best.get(ref.id)
                    if old is None or (w or 0) > (old[2] or 0):
                        best[ref.id] = (ref, sub, w)
        found[step.id] = best
    return found


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
    everyone = _all_players(view, template)
    found = {step: {i: x for i, x in best.items() if within is None or i in within} for step, best in everyone.items()}
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


# -- the gap report -----------------------------------------------------------------------------------------
# How a candidate's score is made: each part is 0..1, weighted, summed; the parts are shown with the score.
WEIGHTS = {"centrality": 0.4, "nearness": 0.3, "local_links": 0.2, "chain_steps": 0.1}
NEARNESS = {"same province": 1.0, "neighbouring province": 0.5, "elsewhere": 0.0, "unlocated": 0.0}
LOCAL_LINKS_FULL = 3  # this many partnerships with entities in the place give the whole local-links part


@dataclass(frozen=True)
class Candidate(EntityRef):
    """A company elsewhere that works on a weak or missing step, with the parts of its score.

    Attributes
    ----------
    province : EntityRef or None
        Its provincial-level division (None when unlocated).
    places : tuple of EntityRef
        What it is directly LOCATED_IN.
    sector : str
        The sector of the step (or a narrower one) it works in.
    centrality : float or None
        How central the step is to its business: the weight of that link (ChainKnowledgeGraph: the
        product's share of revenue), None when unknown (counts as 0).
    nearness : str
        ``same province``, ``neighbouring province``, ``elsewhere`` or ``unlocated``.
    local_links : int
        Its partnerships (PARTNERS_WITH) with entities in the place.
    chain_steps : int
        How many steps of the chain it works on.
    score : float
        ``Σ WEIGHTS[part] × part`` with each part in 0..1 (see :data:`WEIGHTS`, :data:`NEARNESS`).
    """

    province: EntityRef | None
    places: tuple[EntityRef, ...]
    sector: str
    centrality: float | None
    nearness: str
    local_links: int
    chain_steps: int
    score: float


@dataclass(frozen=True)
class GapStep:
    """One step of the gap report: its status, local players (the top ones) and candidates."""

    id: str
    stage: int
    name: str
    name_zh: str
    sectors: tuple[str, ...]
    status: Status
    players: int
    top_players: tuple[Player, ...]
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class GapReport:
    """What :func:`gap_report` returns."""

    template: str
    name: str
    name_zh: str
    layout: str
    place: EntityRef
    province: EntityRef | None
    steps: tuple[GapStep, ...]
    strong_from: int = STRONG
    weights: tuple[tuple[str, float], ...] = tuple(WEIGHTS.items())


def _neighbouring() -> dict[str, set[str]]:
    import yaml

    from graph.resources import data_dir

    raw = yaml.safe_load((data_dir() / "province_neighbours.yaml").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for a, bs in raw["borders"].items():
        for b in bs:
            out.setdefault(str(a), set()).add(str(b))
            out.setdefault(str(b), set()).add(str(a))
    return out


def _nearness(province: EntityRef | None, home: EntityRef | None, borders: dict[str, set[str]]) -> str:
    if province is None:
        return "unlocated"
    if home is None:
        return "elsewhere"
    if province.id == home.id:
        return "same province"
    return "neighbouring province" if province.id[3:5] in borders.get(home.id[3:5], set()) else "elsewhere"


def _score(centrality: float | None, nearness: str, local_links: int, chain_steps: int, steps: int) -> float:
    parts = {
        "centrality": min(max(centrality or 0.0, 0.0), 1.0),
        "nearness": NEARNESS[nearness],
        "local_links": min(local_links, LOCAL_LINKS_FULL) / LOCAL_LINKS_FULL,
        "chain_steps": chain_steps / steps if steps else 0.0,
    }
    return round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4)


@gc_paused()
def gap_report(view: ChainView, template: ChainTemplate, place: str, *, top: int = 5, candidates: int = 5) -> GapReport:
    """For a place and a chain: each step's local players and status, and for weak and missing steps the
    companies elsewhere that could fill them, ranked by a score whose parts are shown.

    Parameters
    ----------
    view : ChainView
        :class:`~graph.analysis.chainview.GraphView` or :class:`~graph.analysis.chainview.StoreView`.
    template : ChainTemplate
        The chain (:func:`loaders.templates.template`).
    place : str
        Id of the place.
    top : int
        Local players listed per step (the count covers all of them).
    candidates : int
        Candidates listed per weak or missing step.

    Returns
    -------
    GapReport
        ``steps`` in template order: ``status`` (strong from :data:`STRONG` players, weak with 1–2,
        missing with none), ``players`` (how many), ``top_players`` (most central first, with where they
        are) and ``candidates`` (:class:`Candidate`: companies not in the place, best score first; ties by
        name). A candidate's score is ``0.4·centrality + 0.3·nearness + 0.2·local links + 0.1·chain steps``,
        each part 0..1: the step's weight in its business; 1 in the same province, 0.5 in a neighbouring
        one; partnerships with entities in the place (3 or more: 1); the share of the chain's steps it
        works on.

    Raises
    ------
    graph.errors.UnknownEntityError
        ``place`` is not in the graph.
    graph.errors.ArgumentError
        ``top`` or ``candidates`` is negative.
    """
    from graph.errors import ArgumentError

    if top < 0 or candidates < 0:
        raise ArgumentError("top and candidates must be 0 or more")
    within = view.within(place)
    place_ref = view.refs([place])[place][0]
    everyone = _all_players(view, template)
    steps_of: dict[str, int] = {}
    for best in everyone.values():
        for i in best:
            steps_of[i] = steps_of.get(i, 0) + 1
    local = {s: [x for i, x in best.items() if i in within] for s, best in everyone.items()}
    status = {s: _status(len(xs)) for s, xs in local.items()}
    outside = {
        s: [x for i, x in best.items() if i not in within and x[0].type == "Company"]
        for s, best in everyone.items()
        if status[s] != "strong"
    }
    cand_ids = {x[0].id for xs in outside.values() for x in xs}
    home = view.provinces([place]).get(place)
    provinces = view.provinces(cand_ids)
    partners = view.partners(cand_ids)
    borders = _neighbouring()

    def rank_players(xs: list[tuple[EntityRef, str, float | None]]) -> list[tuple[EntityRef, str, float | None]]:
        return sorted(xs, key=lambda x: (x[2] is None, -(x[2] or 0), x[0].name.casefold(), x[0].id))

    ranked: dict[str, list[Candidate]] = {}
    for s, xs in outside.items():
        rows = []
        for ref, sub, w in xs:
            near = _nearness(provinces.get(ref.id), home, borders)
            links = len(partners.get(ref.id, set()) & within)
            score = _score(w, near, links, steps_of[ref.id], len(template.steps))
            rows.append((ref, sub, w, near, links, score))
        rows.sort(key=lambda r: (-r[5], r[0].name.casefold(), r[0].id))
        ranked[s] = [
            Candidate(*ref_fields(ref), provinces.get(ref.id), (), sub, w, near, links, steps_of[ref.id], score)
            for ref, sub, w, near, links, score in rows[:candidates]
        ]
    shown_players = {s: rank_players(xs)[:top] for s, xs in local.items()}
    located = view.located_at(
        {x[0].id for xs in shown_players.values() for x in xs} | {c.id for cs in ranked.values() for c in cs}
    )
    steps = []
    for step in template.steps:
        players = tuple(
            Player(*ref_fields(ref), tuple(located.get(ref.id, ())), sub, w) for ref, sub, w in shown_players[step.id]
        )
        cands = tuple(
            Candidate(*ref_fields(c), c.province, tuple(located.get(c.id, ())), c.sector, c.centrality, c.nearness,
                      c.local_links, c.chain_steps, c.score)
            for c in ranked.get(step.id, ())
        )  # fmt: skip
        steps.append(
            GapStep(step.id, step.stage, step.name, step.name_zh, step.sectors, status[step.id],
                    len(local[step.id]), players, cands)
        )  # fmt: skip
    return GapReport(template.id, template.name, template.name_zh, template.layout, place_ref, home, tuple(steps))


# -- region comparison ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceSteps:
    """One place in a comparison.

    Attributes
    ----------
    place : EntityRef
    steps_covered : int
        Steps with at least one player in the place.
    players : tuple of int
        Players (any entity type) per step, in template order.
    companies : tuple of int
        Located companies per step in the place.
    quotients : tuple of float or None
        Location quotient per step: the place's share of the step's located companies over its share of
        all located companies (1 = as expected from its size; None when the place or the step has none).
    located_companies : int
        All located companies in the place.
    """

    place: EntityRef
    steps_covered: int
    players: tuple[int, ...]
    companies: tuple[int, ...]
    quotients: tuple[float | None, ...]
    located_companies: int


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` returns: the steps (ids and names) and one :class:`PlaceSteps` per place."""

    template: str
    name: str
    name_zh: str
    steps: tuple[tuple[str, str, str], ...]
    places: tuple[PlaceSteps, ...]
    step_companies: tuple[int, ...]
    all_located_companies: int


@gc_paused()
def compare(view: ChainView, template: ChainTemplate, places: list[str]) -> Comparison:
    """Places side by side on one chain: steps covered, players per step and location quotients.

    Parameters
    ----------
    view : ChainView
        :class:`~graph.analysis.chainview.GraphView` or :class:`~graph.analysis.chainview.StoreView`.
    template : ChainTemplate
        The chain.
    places : list of str
        Ids of the places, in the order to show them.

    Returns
    -------
    Comparison
        ``places``: per place ``steps_covered``, ``players`` and ``companies`` per step and the location
        quotient per step, ``(c_ps / c_s) / (c_p / c)`` with ``c_ps`` the located companies of step s in
        place p, ``c_s`` those of the step anywhere, ``c_p`` all located companies in p and ``c`` all
        located companies; rounded to 3 decimals.

    Raises
    ------
    graph.errors.UnknownEntityError
        A place is not in the graph.
    """
    everyone = _all_players(view, template)
    ids = {i for best in everyone.values() for i in best}
    located = set(view.located_at(ids))
    step_companies = {
        s: {i for i, x in best.items() if x[0].type == "Company" and i in located} for s, best in everyone.items()
    }
    total = view.located_companies(None)
    rows = []
    for place in places:
        within = view.within(place)
        ref = view.refs([place])[place][0]
        c_p = view.located_companies(place)
        players = tuple(sum(1 for i in everyone[s.id] if i in within) for s in template.steps)
        companies = tuple(len(step_companies[s.id] & within) for s in template.steps)
        quotients = []
        for s, c_ps in zip(template.steps, companies, strict=True):
            c_s = len(step_companies[s.id])
            ok = c_s and c_p and total
            quotients.append(round((c_ps / c_s) / (c_p / total), 3) if ok else None)
        rows.append(PlaceSteps(ref, sum(1 for n in players if n), players, companies, tuple(quotients), c_p))
    return Comparison(
        template.id,
        template.name,
        template.name_zh,
        tuple((s.id, s.name, s.name_zh) for s in template.steps),
        tuple(rows),
        tuple(len(step_companies[s.id]) for s in template.steps),
        total,
    )
