"""One sector vocabulary: seed sectors and ChainKnowledgeGraph products/industries that name one thing.

``data/sector_vocabulary.yaml`` lists concepts (see its header). :func:`read_vocabulary` reads and checks
it; :func:`concept_graph` builds the concepts' Sector entities (a seed sector keeps its seed record and
gains the vocabulary's synonyms as aliases) and their ``PART_OF`` parents; :func:`apply_vocabulary`
rewrites a ChainKnowledgeGraph read so each concept is one node. Nothing here touches a store.

>>> vocab = read_vocabulary()
>>> vocab.concept_of("动力电池系统"), vocab.concept_of("动力锂电池")
('sector:power-battery-systems', 'sector:power-battery-systems')
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.errors import LoadError, LoadErrors
from graph.model import Entity, EntityType, GraphData, Relation, RelType, Source
from graph.resources import data_dir
from loaders.errors import Origin, display_path
from loaders.records import validation_errors
from loaders.yaml_loader import LineDict, _line_of, parse_yaml

__all__ = [
    "VOCABULARY_SOURCE",
    "Concept",
    "Vocabulary",
    "VocabularyReport",
    "apply_vocabulary",
    "concept_graph",
    "duplicate_names",
    "names_count",
    "read_vocabulary",
    "with_synonyms",
]

# The source of the links the vocabulary itself adds (narrower -> concept, concept -> parent).
VOCABULARY_SOURCE = Source(doc="ref:industry-graph data/sector_vocabulary.yaml")
_CKG_PREFIXES = ("ckg:product:", "ckg:industry:")


class Concept(BaseModel):
    """One concept of the vocabulary (the fields of ``data/sector_vocabulary.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^sector:[a-z0-9][a-z0-9-]*$")
    name: str | None = None
    name_zh: str | None = None
    same: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()
    distinct: tuple[str, ...] = ()
    part_of: str | None = None
    source: Source | None = None

    @field_validator("same", "narrower", "distinct")
    @classmethod
    def _names(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if any(not n.strip() for n in v):
            raise ValueError("a name must not be blank")
        if len(set(v)) != len(v):
            raise ValueError("a name is listed twice")
        return v


@dataclass(frozen=True)
class Vocabulary:
    """The checked vocabulary: concepts in file order and where each was read."""

    concepts: tuple[Concept, ...]
    origins: Mapping[str, Origin]
    file: str

    def concept_of(self, name: str) -> str | None:
        """The concept a ChainKnowledgeGraph name is the same as (``same``), or None."""
        return self._same().get(name)

    def _same(self) -> dict[str, str]:
        return {n: c.id for c in self.concepts for n in c.same}

    def synonyms(self) -> dict[str, list[str]]:
        """Concept id -> its ``same`` names (they become aliases of the concept's node)."""
        return {c.id: list(c.same) for c in self.concepts}


def read_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Read and check the vocabulary (default: the one shipped in ``data/``).

    Raises :class:`graph.errors.LoadErrors` naming file, line and field for every problem: a bad field,
    a concept listed twice, a name claimed by two concepts (or as ``same`` and ``narrower``), a new
    concept without ``name``/``name_zh``/``source``, or a ``part_of`` that is no concept.
    """
    p = Path(path) if path is not None else data_dir() / "sector_vocabulary.yaml"
    file = display_path(p)
    top, errors = parse_yaml(p)
    if errors:
        raise LoadErrors(errors)
    items = top.get("concepts") if isinstance(top, dict) else None
    if not isinstance(items, list):
        raise LoadErrors([LoadError(file, 1, "concepts", "expected a top-level 'concepts' list")])
    concepts: list[Concept] = []
    origins: dict[str, Origin] = {}
    for i, raw in enumerate(items):
        line = getattr(raw, "line", 0)
        origin = Origin(file, line)
        if not isinstance(raw, LineDict):
            errors.append(LoadError(file, line, f"concepts[{i}]", "must be a mapping"))
            continue
        try:
            c = Concept.model_validate(dict(raw))
        except ValidationError as exc:
            errors.extend(validation_errors(exc, origin, partial(_line_of, raw, default=line)))
            continue
        if c.id in origins:
            errors.append(LoadError(file, line, "id", f"'{c.id}' is listed twice (first at line {origins[c.id].line})"))
            continue
        concepts.append(c)
        origins[c.id] = origin
    claimed: dict[str, str] = {}
    for c in concepts:
        line = origins[c.id].line
        for n in (*c.same, *c.narrower, *c.distinct):
            if n in claimed and claimed[n] != c.id:
                errors.append(LoadError(file, line, "same", f"'{n}' is also listed under {claimed[n]}"))
            elif n in claimed:
                errors.append(LoadError(file, line, "same", f"'{n}' is listed twice in {c.id}"))
            claimed[n] = c.id
        if c.part_of is not None and c.part_of not in origins:
            errors.append(LoadError(file, line, "part_of", f"no concept '{c.part_of}' in the vocabulary"))
    if errors:
        raise LoadErrors(errors)
    return Vocabulary(tuple(concepts), origins, file)


def with_synonyms(entities: Iterable[Entity], vocab: Vocabulary) -> list[Entity]:
    """``entities`` with each concept's ``same`` names added to its aliases (other entities unchanged)."""
    syn = vocab.synonyms()
    out = []
    for e in entities:
        extra = [n for n in syn.get(e.id, ()) if n not in e.names()]
        out.append(e.model_copy(update={"aliases": [*e.aliases, *extra]}) if extra else e)
    return out


def concept_graph(vocab: Vocabulary, curated: GraphData) -> GraphData:
    """Every concept as a Sector entity, with its ``part_of`` link; seed concepts from ``curated``.

    A concept whose id is a curated Sector is that record with the synonyms added; a new concept is
    built from ``name``, ``name_zh`` and ``source``.

    Raises
    ------
    graph.errors.LoadErrors
        A concept without ``name``/``name_zh``/``source`` that is not in ``curated``, or a concept whose
        id is a curated entity of another type.
    """
    by_id = curated.by_id()
    errors: list[LoadError] = []
    entities: list[Entity] = []
    for c in vocab.concepts:
        o = vocab.origins[c.id]
        seed = by_id.get(c.id)
        if seed is not None:
            if seed.type is not EntityType.SECTOR:
                errors.append(LoadError(o.file, o.line, "id", f"{c.id} is a {seed.type} in the curated data"))
                continue
            entities.append(seed)
            continue
        missing = [f for f in ("name", "name_zh", "source") if getattr(c, f) is None]
        if missing:
            what = ", ".join(missing)
            errors.append(LoadError(o.file, o.line, missing[0], f"a new concept needs {what} (or use a seed id)"))
            continue
        assert c.name is not None and c.source is not None
        entities.append(Entity(id=c.id, type=EntityType.SECTOR, name=c.name, name_zh=c.name_zh, sources=[c.source]))
    if errors:
        raise LoadErrors(errors)
    relations = [
        Relation(source=c.id, type=RelType.PART_OF, target=c.part_of, sources=[VOCABULARY_SOURCE])
        for c in vocab.concepts
        if c.part_of is not None
    ]
    return GraphData(entities=with_synonyms(entities, vocab), relations=relations)


@dataclass
class VocabularyReport:
    """What :func:`apply_vocabulary` did, for the import summary and the coverage figures in the docs.

    Attributes
    ----------
    concepts : how many concepts the vocabulary has.
    merged : concept id -> the ChainKnowledgeGraph node ids that became it.
    narrower : concept id -> the ChainKnowledgeGraph node ids linked to it by PART_OF.
    product_is_industry : products named exactly as an industry, merged into the industry's node.
    not_in_data : vocabulary names (same/narrower) that name no node of the data set.
    relations_moved : relations whose endpoint was a merged node.
    self_loops_dropped : relations that joined two merged nodes of one concept (e.g. 动力电池 -> 动力电池系统).
    duplicates_merged : relations that became equal after the merge (kept once, the larger weight).
    homonyms : names a concept shares with a node that means something else (``distinct``), both kept.
    """

    concepts: int = 0
    merged: dict[str, list[str]] = field(default_factory=dict)
    narrower: dict[str, list[str]] = field(default_factory=dict)
    product_is_industry: int = 0
    not_in_data: list[str] = field(default_factory=list)
    relations_moved: int = 0
    self_loops_dropped: int = 0
    duplicates_merged: int = 0
    homonyms: list[str] = field(default_factory=list)

    @property
    def concepts_matched(self) -> int:
        """Concepts with at least one ChainKnowledgeGraph node merged into or linked below them."""
        return len(set(self.merged) | set(self.narrower))

    def as_dict(self) -> dict[str, Any]:
        return {
            "concepts": self.concepts,
            "concepts_matched": self.concepts_matched,
            "nodes_merged": sum(len(v) for v in self.merged.values()),
            "narrower_linked": sum(len(v) for v in self.narrower.values()),
            "product_is_industry": self.product_is_industry,
            "not_in_data": len(self.not_in_data),
            "relations_moved": self.relations_moved,
            "self_loops_dropped": self.self_loops_dropped,
            "duplicates_merged": self.duplicates_merged,
            "homonyms": len(self.homonyms),
        }


def apply_vocabulary(data: GraphData, vocab: Vocabulary, concepts: GraphData) -> tuple[GraphData, VocabularyReport]:
    """A ChainKnowledgeGraph read with every concept as one node.

    Parameters
    ----------
    data : the :func:`loaders.chainkg.read_chainkg` graph.
    vocab : the vocabulary.
    concepts : :func:`concept_graph` of the vocabulary (entities written in place of merged nodes).

    Returns
    -------
    (GraphData, VocabularyReport). Products named as an industry become the industry's node; nodes
    named in a concept's ``same`` become the concept (their names its aliases); nodes named in
    ``narrower`` get a PART_OF link to it. Relations follow their endpoints; self-loops this creates are
    dropped and relations that become equal are kept once (with the larger weight), both counted.
    """
    report = VocabularyReport(concepts=len(vocab.concepts))
    ckg = [e for e in data.entities if e.id.startswith(_CKG_PREFIXES)]
    by_name: dict[str, list[str]] = defaultdict(list)
    for e in ckg:
        by_name[e.name].append(e.id)
    industries = {e.name: e.id for e in ckg if e.id.startswith("ckg:industry:")}
    target: dict[str, str] = {}
    for e in ckg:
        if e.id.startswith("ckg:product:") and e.name in industries:
            target[e.id] = industries[e.name]
            report.product_is_industry += 1
    extra: list[Relation] = []
    for c in vocab.concepts:
        for n in c.same:
            ids = by_name.get(n, [])
            if not ids:
                report.not_in_data.append(n)
            for i in ids:
                target[i] = c.id
                report.merged.setdefault(c.id, []).append(i)
        for n in c.narrower:
            ids = [i for i in by_name.get(n, []) if i not in target]  # a product-industry pair: its industry
            if not by_name.get(n):
                report.not_in_data.append(n)
            for i in ids:
                extra.append(Relation(source=i, type=RelType.PART_OF, target=c.id, sources=[VOCABULARY_SOURCE]))
                report.narrower.setdefault(c.id, []).append(i)
        report.homonyms.extend(n for n in c.distinct if n in by_name)
    # a concept's node carries the merged nodes' attributes it does not have (e.g. an industry's code)
    entities = [e for e in data.entities if e.id not in target]
    present = {e.id for e in entities}
    entities += [e for e in concepts.entities if e.id not in present]
    rels: dict[tuple[str, str, str, str], Relation] = {}
    moved = target.get
    for r in [*data.relations, *extra, *concepts.relations]:
        s, t = moved(r.source, r.source), moved(r.target, r.target)
        if (s, t) != (r.source, r.target):
            report.relations_moved += 1
            if s == t:
                report.self_loops_dropped += 1
                continue
            r = r.model_copy(update={"source": s, "target": t})
        key = r.key
        old = rels.get(key)
        if old is None:
            rels[key] = r
            continue
        report.duplicates_merged += 1
        if (r.weight or 0) > (old.weight or 0):
            rels[key] = r
    # every record is a validated model already (moved ends are checked above): constructing GraphData
    # would run each record's after-validators again, 0.5 s on ChainKG
    return GraphData.model_construct(entities=entities, relations=list(rels.values())), report


def duplicate_names(data: GraphData, allowed: Iterable[str] = ()) -> dict[str, list[str]]:
    """Names (name or Chinese name) that more than one Sector carries, except the ``allowed`` homonyms."""
    owners: dict[str, set[str]] = defaultdict(set)
    for e in data.entities:
        if e.type is EntityType.SECTOR:
            for n in {e.name, e.name_zh} - {None}:
                assert n is not None
                owners[n].add(e.id)
    skip = set(allowed)
    return {n: sorted(ids) for n, ids in owners.items() if len(ids) > 1 and n not in skip}


def names_count(vocab: Vocabulary) -> Counter[str]:
    """How many names each field of the vocabulary lists (for the docs' coverage figures)."""
    return Counter({f: sum(len(getattr(c, f)) for c in vocab.concepts) for f in ("same", "narrower", "distinct")})
