"""The data model: entity and relation types, which triples are allowed, and the pydantic records.

Everything that reaches a store passes through these classes, and labels and relationship types
written to a store come only from :class:`EntityType` and :class:`RelType`.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.attributes import Attributes, Figure
from graph.support import Support, default_support, is_reference

_ATTRIBUTES: type[BaseModel] = Attributes
_M = TypeVar("_M", bound=BaseModel)
_T_co = TypeVar("_T_co", covariant=True)

__all__ = [
    "ALLOWED",
    "ID_PATTERN",
    "PLACE_TYPES",
    "DistrictKind",
    "Entity",
    "EntityType",
    "GraphData",
    "Records",
    "RelType",
    "Relation",
    "Source",
    "allowed_targets",
    "is_allowed",
]


class EntityType(StrEnum):
    """Node labels. Each entity carries its type's label and the shared label ``Entity``."""

    COUNTRY = "Country"
    PROVINCE = "Province"
    CITY = "City"
    DISTRICT = "District"
    BASE = "Base"
    PARK = "Park"
    PROJECT = "Project"
    COMPANY = "Company"
    UNIVERSITY = "University"
    ORGANIZATION = "Organization"
    SECTOR = "Sector"


class RelType(StrEnum):
    """Relationship types."""

    LOCATED_IN = "LOCATED_IN"  # geography: where something is
    PARTNERS_WITH = "PARTNERS_WITH"  # cooperation between two parties
    PART_OF_CHAIN = "PART_OF_CHAIN"  # Sector -> Sector, upstream -> downstream, with the chain's name
    PART_OF = "PART_OF"  # a park or phase of a base, a project of a programme, a sub-sector of a sector
    SPECIALISES_IN = "SPECIALISES_IN"  # any entity -> the Sector it works in
    DESIGNATED_BY = "DESIGNATED_BY"  # a base or zone -> the ministry that designated it
    OPERATES = "OPERATES"  # a company or organization -> the project, park or facility it runs


class DistrictKind(StrEnum):
    ADMINISTRATIVE_DISTRICT = "administrative_district"
    COUNTY = "county"
    COUNTY_LEVEL_CITY = "county_level_city"
    DEVELOPMENT_ZONE = "development_zone"
    NEW_AREA = "new_area"
    GROUPING = "grouping"  # a named group of zones and sites, e.g. Wuhan's "Five Valleys"


E = EntityType
PLACE_TYPES = frozenset({E.COUNTRY, E.PROVINCE, E.CITY, E.DISTRICT})
SITE_TYPES = frozenset({E.BASE, E.PARK})
ACTORS = frozenset({E.COMPANY, E.UNIVERSITY, E.ORGANIZATION})
NON_SECTOR = frozenset(E) - {E.SECTOR}


def _triples(sources: frozenset[EntityType] | set[EntityType], rel: RelType, targets) -> set:
    return {(s, rel, t) for s in sources for t in targets}


# The allowed (source type, relation, target type) triples.
ALLOWED: frozenset[tuple[EntityType, RelType, EntityType]] = frozenset(
    # geography: countries contain provinces contain cities contain districts; a zone may sit in a district
    _triples({E.PROVINCE}, RelType.LOCATED_IN, {E.COUNTRY})
    | _triples({E.CITY}, RelType.LOCATED_IN, {E.PROVINCE, E.COUNTRY})
    | _triples({E.DISTRICT}, RelType.LOCATED_IN, {E.CITY, E.PROVINCE, E.DISTRICT})
    | _triples(SITE_TYPES | {E.PROJECT} | ACTORS, RelType.LOCATED_IN, PLACE_TYPES | SITE_TYPES)
    # cooperation between any two non-sector parties
    | _triples(NON_SECTOR, RelType.PARTNERS_WITH, NON_SECTOR)
    | {(E.SECTOR, RelType.PART_OF_CHAIN, E.SECTOR)}
    | _triples({E.PARK}, RelType.PART_OF, {E.BASE, E.PARK, E.DISTRICT})
    | _triples({E.DISTRICT, E.BASE}, RelType.PART_OF, {E.DISTRICT})  # members of a grouping (Five Valleys)
    | _triples({E.BASE}, RelType.PART_OF, {E.BASE})
    | _triples({E.PROJECT}, RelType.PART_OF, {E.PROJECT, E.BASE, E.PARK})
    | _triples({E.COMPANY}, RelType.PART_OF, {E.COMPANY})
    | _triples({E.ORGANIZATION}, RelType.PART_OF, {E.ORGANIZATION, E.UNIVERSITY})
    | {(E.SECTOR, RelType.PART_OF, E.SECTOR)}  # sector hierarchy: sub-sector -> sector
    | _triples(NON_SECTOR, RelType.SPECIALISES_IN, {E.SECTOR})
    | _triples(SITE_TYPES | {E.DISTRICT, E.PROJECT}, RelType.DESIGNATED_BY, {E.ORGANIZATION})
    | _triples(ACTORS, RelType.OPERATES, SITE_TYPES | {E.PROJECT, E.ORGANIZATION})
)


def is_allowed(source: EntityType, rel: RelType, target: EntityType) -> bool:
    return (source, rel, target) in ALLOWED


def allowed_targets(source: EntityType, rel: RelType) -> list[EntityType]:
    return sorted((t for s, r, t in ALLOWED if s == source and r == rel), key=list(EntityType).index)


# Ids are stable, whitespace-free and free of quote characters; letters of any script are fine
# (imported Chinese product names become ids).
ID_PATTERN = re.compile(r"^[\w][\w:.\-/+()]*$")
_SENTENCE_END = re.compile(r"[.!?。！？](?=\s+\S)")
MAX_QUOTE_CHARS = 400


MAX_REASON_CHARS = 300


class Source(BaseModel):
    """Where a fact comes from: a document's file name, a short evidence quote (one sentence at most), and
    how well it supports the fact (:class:`~graph.support.Support`).

    ``support`` defaults to ``background`` for a ``ref:`` reference and ``stated`` otherwise; ``inferred``
    needs a one-line ``reason``, and ``background`` needs a ``ref:`` reference.

    >>> Source(doc="ref:GB/T 2260").support, Source(doc="000.txt", quote="It is here.").support
    (<Support.BACKGROUND: 'background'>, <Support.STATED: 'stated'>)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str = Field(min_length=1, max_length=200)
    quote: str | None = Field(default=None, max_length=MAX_QUOTE_CHARS)
    support: Support = Support.STATED
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)

    @model_validator(mode="before")
    @classmethod
    def _default_support(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("support") in (None, "") and isinstance(data.get("doc"), str):
            data = {**data, "support": default_support(data["doc"])}
        return data

    @field_validator("reason")
    @classmethod
    def _one_line(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = " ".join(v.split())
        return v or None

    @model_validator(mode="after")
    def _support_rules(self) -> Source:
        if self.support is Support.INFERRED and not self.reason:
            raise ValueError("an inferred source needs a one-line 'reason'")
        if self.support is Support.BACKGROUND and not is_reference(self.doc):
            raise ValueError("a background source cites a 'ref:' reference, not a document")
        if self.support is not Support.BACKGROUND and is_reference(self.doc):
            raise ValueError(f"a 'ref:' reference is background knowledge, not {self.support.value}")
        return self

    @field_validator("quote")
    @classmethod
    def _one_sentence(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = " ".join(v.split())
        if not v:
            return None
        # "No." / "Co." abbreviations aside, a second sentence means the quote is too long
        stripped = re.sub(r"\b(?:Co|Ltd|No|St|Inc|e\.g|i\.e|vs)\.", "", v)
        if _SENTENCE_END.search(stripped):
            raise ValueError("a source quote is at most one sentence")
        return v


class Entity(BaseModel):
    """A node: a place, site, actor or sector."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    type: EntityType
    name: str = Field(min_length=1, max_length=500)
    name_zh: str | None = Field(default=None, max_length=500)
    aliases: list[str] = Field(default_factory=list)
    kind: DistrictKind | None = None
    attributes: Attributes = Field(default_factory=Attributes)
    # qualifiers, period and support of attribute values, by attribute name (only where there is any)
    figures: dict[str, Figure] = Field(default_factory=dict)
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _inline_figures(cls, data: Any) -> Any:
        """An attribute written as ``{value: …, qualifier: …, period: …}`` is its value plus a :class:`Figure`."""
        if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
            return data
        attrs = dict(data["attributes"])
        figures = dict(data.get("figures") or {})
        for name, v in data["attributes"].items():
            if isinstance(v, dict) and "value" in v:
                attrs[name] = v["value"]
                figures[name] = {k: x for k, x in v.items() if k != "value"}
        return {**data, "attributes": attrs, "figures": figures}

    @model_validator(mode="after")
    def _figures_of_set_attributes(self) -> Entity:
        unset = [n for n in self.figures if getattr(self.attributes, n, None) is None]
        if unset:
            raise ValueError(f"figures given for attributes that are not set: {', '.join(sorted(unset))}")
        self.figures = {n: f for n, f in self.figures.items() if not f.is_plain()}
        return self

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError(
                "an id is letters, digits and : . - _ / + ( ) with no spaces or quotes, e.g. 'base:memory'"
            )
        return v

    @field_validator("name", "name_zh")
    @classmethod
    def _not_blank(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("must not be blank")
        return v

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, v: list[str]) -> list[str]:
        seen: list[str] = []
        for a in v:
            if not a.strip():
                raise ValueError("an alias must not be blank")
            if a not in seen:
                seen.append(a)
        return seen

    @model_validator(mode="after")
    def _kind_only_for_districts(self) -> Entity:
        if self.kind is not None and self.type is not EntityType.DISTRICT:
            raise ValueError("'kind' is only for District entities")
        return self

    def names(self) -> list[str]:
        """Every name this entity answers to: English name, Chinese name, aliases."""
        out = [self.name]
        if self.name_zh:
            out.append(self.name_zh)
        out.extend(self.aliases)
        return out


class Relation(BaseModel):
    """A relationship between two entities, by id."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: str = Field(alias="from", min_length=1)
    type: RelType
    target: str = Field(alias="to", min_length=1)
    chain: str | None = Field(default=None, min_length=1, max_length=200)
    weight: float | None = None
    role: str | None = Field(default=None, max_length=500)
    since_year: int | None = Field(default=None, ge=1800, le=2100)
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _chain_rules(self) -> Relation:
        if self.type is RelType.PART_OF_CHAIN and not self.chain:
            raise ValueError("a PART_OF_CHAIN relation needs 'chain', the chain's name")
        if self.type is not RelType.PART_OF_CHAIN and self.chain:
            raise ValueError("'chain' is only for PART_OF_CHAIN relations")
        if self.source == self.target:
            raise ValueError("a relation cannot point at its own source")
        return self

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity of a relation: endpoints, type and (for chain links) the chain's name."""
        # _value_ rather than .value: the enum's property costs more than the rest (270,000 keys a bulk read)
        return (self.source, self.type._value_, self.target, self.chain or "")


# -- records built without pydantic's per-record overhead ----------------------------------------------
# A bulk reader (ChainKnowledgeGraph: 270,000 records) spends most of its time in pydantic's per-record
# machinery for records it built itself. These two build the record directly when plain checks show the
# model would accept the fields unchanged, and return None otherwise, so that the caller validates with
# the model and reports the model's own error. They must accept nothing the model refuses:
# tests/test_model_fast.py compares them with the model on generated fields; keep them in step with the
# validators above.
# BaseModel's slots, set directly (what BaseModel.model_construct does, without its per-field loop).
_SLOT_SETTERS = tuple(BaseModel.__dict__[slot].__set__ for slot in ("__pydantic_extra__", "__pydantic_private__"))
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__


def _assemble(cls: type[_M], values: dict[str, Any], given: set[str]) -> _M:
    record = cls.__new__(cls)
    object.__setattr__(record, "__dict__", values)
    _SET_FIELDS_SET(record, given)
    for setter in _SLOT_SETTERS:
        setter(record, None)
    return record


def _text_ok(v: object, max_len: int) -> bool:
    return type(v) is str and 0 < len(v) <= max_len and not v.isspace()


_ENTITY_GIVEN = frozenset({"id", "type", "name", "name_zh", "aliases", "attributes"})


def entity_fast(
    id: str, type: EntityType, name: str, name_zh: str | None, aliases: list[str], attributes: BaseModel
) -> Entity | None:
    """``Entity(id=…, type=…, name=…, name_zh=…, aliases=…, attributes=…)`` when plain checks show the model
    accepts these fields unchanged (no ``kind``, no sources, distinct aliases, validated ``attributes``);
    else None: then build it with :class:`Entity` for the model's error.

    >>> from graph.attributes import Attributes
    >>> entity_fast("s:lithium", EntityType.SECTOR, "锂", None, [], Attributes(level=4)) == Entity(
    ...     id="s:lithium", type="Sector", name="锂", attributes={"level": 4})
    True
    >>> entity_fast("s:lithium", EntityType.SECTOR, " ", None, [], Attributes()) is None
    True
    """
    if not (
        builtins.type(id) is str
        and 0 < len(id) <= 200
        and ID_PATTERN.match(id)
        and isinstance(type, EntityType)
        and _text_ok(name, 500)
        and (name_zh is None or _text_ok(name_zh, 500))
        and isinstance(attributes, _ATTRIBUTES)
        and isinstance(aliases, list)
    ):
        return None
    if aliases and not (all(_text_ok(a, 1 << 62) for a in aliases) and len(set(aliases)) == len(aliases)):
        return None
    values: dict[str, Any] = {
        "id": id,
        "type": type,
        "name": name,
        "name_zh": name_zh,
        "aliases": aliases,
        "kind": None,
        "attributes": attributes,
        "figures": {},
        "sources": [],
    }
    return _assemble(Entity, values, set(_ENTITY_GIVEN))


_RELATION_GIVEN = frozenset({"source", "type", "target", "chain", "weight"})


def relation_fast(
    source: str,
    type: RelType,
    target: str,
    chain: str | None,
    weight: float | None,
    sources: list[Source] | None = None,
) -> Relation | None:
    """``Relation(source=…, type=…, target=…, chain=…, weight=…, sources=…)`` when plain checks show the model
    accepts these fields unchanged (``sources``: validated :class:`Source` records); else None: then build it
    with :class:`Relation` for the model's error.

    >>> relation_fast("a", RelType.PART_OF_CHAIN, "b", "lithium", None) == Relation(
    ...     source="a", type="PART_OF_CHAIN", target="b", chain="lithium")
    True
    >>> relation_fast("a", RelType.PART_OF, "b", "lithium", None) is None   # 'chain' is only for chain links
    True
    """
    if not (
        builtins.type(source) is str
        and builtins.type(target) is str
        and source
        and target
        and source != target
        and isinstance(type, RelType)
        and (weight is None or builtins.type(weight) is float)
        and (sources is None or (builtins.type(sources) is list and all(builtins.type(x) is Source for x in sources)))
    ):
        return None
    if type is RelType.PART_OF_CHAIN:
        if not (builtins.type(chain) is str and 0 < len(chain) <= 200):
            return None
    elif chain is not None:
        return None
    values: dict[str, Any] = {
        "source": source,
        "type": type,
        "target": target,
        "chain": chain,
        "weight": weight,
        "role": None,
        "since_year": None,
        "sources": [] if sources is None else sources,
    }
    return _assemble(Relation, values, set(_RELATION_GIVEN) if sources is None else {*_RELATION_GIVEN, "sources"})


class Rows(Protocol[_T_co]):
    """Records to count and iterate: a list, or a load's records read again from its files."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[_T_co]: ...


class Records(Protocol):
    """What a store's write reads: entities and relations to count and iterate (a :class:`GraphData`, or a
    load's records read from its files as they are written, :meth:`loaders.Scan.data`)."""

    @property
    def entities(self) -> Rows[Entity]: ...

    @property
    def relations(self) -> Rows[Relation]: ...


class GraphData(BaseModel):
    """A whole graph (or a load of one): entities and relations."""

    entities: list[Entity] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)

    def by_id(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}

    def sorted(self) -> GraphData:
        """A copy in a canonical order, for comparisons."""
        return GraphData(
            entities=sorted(self.entities, key=lambda e: e.id),
            relations=sorted(self.relations, key=lambda r: r.key),
        )

    def stated_only(self) -> GraphData:
        """A copy with only what a source states: entities and relations with a ``stated`` source (keeping
        those sources), relations between kept entities, and attributes whose figure is stated.

        >>> s = Source(doc="d.txt", quote="A is upstream of B.")
        >>> i = Source(doc="d.txt", support="inferred", reason="listed together")
        >>> a, b = (Entity(id=x, type="Sector", name=x, sources=[s]) for x in ("s:a", "s:b"))
        >>> data = GraphData(entities=[a, b], relations=[
        ...     Relation(source="s:a", type="PART_OF_CHAIN", target="s:b", chain="c", sources=[s]),
        ...     Relation(source="s:b", type="PART_OF", target="s:a", sources=[i])])
        >>> [r.type.value for r in data.stated_only().relations]
        ['PART_OF_CHAIN']
        """
        entities = []
        for e in self.entities:
            sources = [s for s in e.sources if s.support is Support.STATED]
            if not sources:
                continue
            dropped = {n for n, f in e.figures.items() if f.support is not Support.STATED}
            attrs = {k: v for k, v in e.attributes.model_dump(exclude_none=True).items() if k not in dropped}
            figures = {n: f for n, f in e.figures.items() if n not in dropped}
            entities.append(
                e.model_copy(update={"sources": sources, "attributes": Attributes(**attrs), "figures": figures})
            )
        kept = {e.id for e in entities}
        relations = [
            r.model_copy(update={"sources": [s for s in r.sources if s.support is Support.STATED]})
            for r in self.relations
            if r.source in kept and r.target in kept and any(s.support is Support.STATED for s in r.sources)
        ]
        return GraphData(entities=entities, relations=relations)

    def merged(self, other: GraphData) -> GraphData:
        return GraphData(entities=self.entities + other.entities, relations=self.relations + other.relations)
