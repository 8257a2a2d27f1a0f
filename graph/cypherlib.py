"""Access to the Cypher in ``cypher/``: schema, write statements and the named query library.

All Cypher the project sends lives in ``cypher/`` as plain ``.cypher`` files. Where FalkorDB and Neo4j
differ, a query has two files side by side, ``NAME.falkordb.cypher`` and ``NAME.neo4j.cypher``
(see ``cypher/DIALECTS.md``). Labels and relationship types are substituted into templates only from
the model's enums, never from user input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from graph.model import EntityType, RelType
from graph.resources import cypher_dir

Dialect = Literal["falkordb", "neo4j"]
DIALECTS: tuple[Dialect, ...] = ("falkordb", "neo4j")

CYPHER_DIR = cypher_dir()

_HEADER = re.compile(r"^//\s*(name|description|param|example)\s*:?\s*(.*)$")


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name, one-line description, parameters and text."""

    name: str
    description: str
    text: str
    path: Path
    params: dict[str, str] = field(default_factory=dict)
    example: dict[str, str] = field(default_factory=dict)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def strip_comments(text: str) -> str:
    """The statement without its ``//`` comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")).strip()


def split_statements(text: str) -> list[str]:
    """Statements of a file separated by ``;`` at line ends (the schema files)."""
    body = strip_comments(text)
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", body) if s.strip()]


def parse_named(path: Path) -> NamedQuery:
    text = _read(path)
    meta: dict[str, str] = {}
    params: dict[str, str] = {}
    example: dict[str, str] = {}
    for line in text.splitlines():
        m = _HEADER.match(line.strip())
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "param":
            pname, _, desc = value.partition(":")
            params[pname.strip()] = desc.strip()
        elif key == "example":
            for pair in value.split():
                k, _, v = pair.partition("=")
                example[k] = v
        else:
            meta[key] = value
    stem = path.name.split(".")[0]
    name = meta.get("name", stem)
    if name != stem:
        raise ValueError(f"{path}: '// name: {name}' does not match the file name")
    return NamedQuery(name, meta.get("description", ""), strip_comments(text), path, params, example)


@cache
def library(dialect: Dialect = "falkordb") -> dict[str, NamedQuery]:
    """The named queries for one dialect, by name: ``NAME.<dialect>.cypher`` wins over ``NAME.cypher``."""
    out: dict[str, NamedQuery] = {}
    for path in sorted((CYPHER_DIR / "queries").glob("*.cypher")):
        parts = path.name.split(".")
        if len(parts) == 3 and parts[1] != dialect:
            continue
        q = parse_named(path)
        if len(parts) == 3 or q.name not in out:
            out[q.name] = q
    return dict(sorted(out.items()))


def schema(dialect: Dialect) -> list[str]:
    """Schema statements for a dialect, with per-label templates expanded for every EntityType."""
    out: list[str] = []
    for stmt in split_statements(_read(CYPHER_DIR / "schema" / f"{dialect}.cypher")):
        if "__LABEL__" in stmt:
            out.extend(stmt.replace("__LABEL__", t.value) for t in EntityType)
        else:
            out.append(stmt)
    return out


def statement(name: str) -> str:
    """A statement of ``cypher/write``, ``cypher/read`` or ``cypher/gds`` by path, e.g. ``read/entities``."""
    return strip_comments(_read(CYPHER_DIR / f"{name}.cypher"))


def upsert_entities(label: EntityType, create: bool = False) -> str:
    """The batched write for entities of one type (``create``: the empty-store fast path)."""
    label = EntityType(label)  # only the enum's values reach the text
    return statement("write/create_entities" if create else "write/upsert_entities").replace("__LABEL__", label.value)


def upsert_relations(rel: RelType, create: bool = False) -> str:
    """The batched write for relations of one type (``create``: the empty-store fast path)."""
    rel = RelType(rel)
    if create:
        return statement("write/create_relations").replace("__TYPE__", rel.value)
    if rel is RelType.PART_OF_CHAIN:
        return statement("write/upsert_chain_relations")
    return statement("write/upsert_relations").replace("__TYPE__", rel.value)


def register_relation_type(rel: RelType) -> str:
    """FalkorDB's statement that makes the relation type ``rel`` known to the store's schema (see the file)."""
    return statement("write/register_relation_type").replace("__TYPE__", RelType(rel).value)


def insert_entities(label: EntityType) -> str:
    """FalkorDB's batched write for entities of one type that the store did not hold when the load was
    checked: each row is created unless its id exists by then (see :func:`upsert_for`)."""
    label = EntityType(label)
    return statement("write/insert_entities").replace("__LABEL__", label.value)


@cache
def _upserts_of_inserts() -> dict[str, str]:
    return {insert_entities(t): upsert_entities(t) for t in EntityType}


def upsert_for(stmt: str) -> str | None:
    """The upsert to run again for a batch of the insert statement ``stmt`` that created fewer rows than it
    had (another writer created some of those ids after the load was checked); None for any other statement.

    >>> upsert_for(insert_entities(EntityType.CITY)) == upsert_entities(EntityType.CITY)
    True
    >>> upsert_for(upsert_entities(EntityType.CITY)) is None
    True
    """
    return _upserts_of_inserts().get(stmt)


def all_statements(dialect: Dialect) -> dict[str, str]:
    """Every statement the project can send to a store of this dialect, keyed by a readable id."""
    out: dict[str, str] = {}
    for i, s in enumerate(schema(dialect)):
        out[f"schema[{i}]"] = s
    for label in EntityType:
        out[f"upsert_entities[{label}]"] = upsert_entities(label)
        out[f"create_entities[{label}]"] = upsert_entities(label, create=True)
    for rel in RelType:
        out[f"upsert_relations[{rel}]"] = upsert_relations(rel)
        out[f"create_relations[{rel}]"] = upsert_relations(rel, create=True)
    if dialect == "falkordb":  # the merge path's writes of ids new to the store (graph/stores/falkordb.py)
        for label in EntityType:
            out[f"insert_entities[{label}]"] = insert_entities(label)
        for rel in RelType:  # the schema step's (graph/stores/falkordb.py)
            out[f"register_relation_type[{rel}]"] = register_relation_type(rel)
    for sub in ("read", "write"):
        for path in sorted((CYPHER_DIR / sub).glob("*.cypher")):
            text = statement(f"{sub}/{path.stem}")
            if "__" not in text:
                out[f"{sub}/{path.stem}"] = text
    for name, q in library(dialect).items():
        out[f"queries/{name}"] = q.text
    if dialect == "neo4j":  # Graph Data Science runs only inside Neo4j (graph/analysis/gds.py)
        for path in sorted((CYPHER_DIR / "gds").glob("*.cypher")):
            out[f"gds/{path.stem}"] = statement(f"gds/{path.stem}")
    return out
