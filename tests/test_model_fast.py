"""The records bulk readers build without pydantic's per-record machinery must be exactly the model's.

`graph.model.entity_fast` and `relation_fast` build a record directly when plain checks vouch for the
fields, and answer None otherwise (the caller then validates with the model). Two ways to be wrong: build a
record the model would refuse (a check missing: say a validator was added to the model and not here), or
build one that differs from the model's. Both are tested on generated fields, including the edges the
model's validators care about (blank text, lengths at and over the limits, id characters, duplicate aliases,
chain rules, self-loops). The CSV reader's relations (`loaders.csv_loader._FastRelations`, which also
shares each validated source) are compared with the model's path on generated rows, errors included.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from graph.attributes import Attributes
from graph.model import Entity, EntityType, Relation, RelType, entity_fast, relation_fast
from loaders import csv_loader
from loaders.csv_loader import SOURCE_COLUMNS
from loaders.records import Parsed

EXAMPLES = int(os.environ.get("INDGRAPH_FAST_EXAMPLES", "400"))

# text near every edge the model checks: blank, whitespace only, control characters, quotes, Chinese,
# lengths 199-201 (ids) and 499-501 (names)
edge_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "\t", "\u3000", "a b", "a'b", 'a"b', "a\nb", "a\x00b", "锂电池", "x:y.z-1/2+(3)", "h-1"]),
    st.builds(lambda n, c: c * n, st.sampled_from([1, 199, 200, 201, 499, 500, 501]), st.sampled_from("a锂 ")),
)
ids = st.one_of(edge_text, st.builds(lambda a, b: f"{a}:{b}", st.sampled_from(["s", "ckg:product"]), edge_text))
attributes = st.sampled_from([Attributes(), Attributes(level=4, description="product"), {"level": 4}, {"level": "x"}])


def model_or_none(cls: type, **fields: Any) -> Any:
    try:
        return cls(**fields)
    except ValidationError:
        return None


# A valid record with one or two fields replaced by edge values: what a missing check would let through.
VALID_ENTITY = {
    "id": "s:lithium",
    "type": EntityType.SECTOR,
    "name": "锂",
    "name_zh": "锂",
    "aliases": ["Li"],
    "attributes": Attributes(level=4),
}
ENTITY_EDGES = {
    "id": ids,
    "type": st.sampled_from([*EntityType, "Sector", "Nope"]),
    "name": edge_text,
    "name_zh": st.one_of(st.none(), edge_text),
    "aliases": st.lists(edge_text, max_size=3),
    "attributes": attributes,
}
VALID_RELATION = {"source": "a", "type": RelType.PART_OF_CHAIN, "target": "b", "chain": "lithium", "weight": None}
RELATION_EDGES = {
    "source": ids,
    "type": st.sampled_from([*RelType, "PART_OF"]),
    "target": ids,
    "chain": st.one_of(st.none(), edge_text),
    "weight": st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans()),
}


def perturbed(valid: dict[str, Any], edges: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    keys = st.lists(st.sampled_from(sorted(edges)), min_size=1, max_size=2, unique=True)
    return keys.flatmap(lambda ks: st.fixed_dictionaries({k: edges[k] for k in ks}).map(lambda d: {**valid, **d}))


@settings(max_examples=EXAMPLES, deadline=None)
@given(fields=perturbed(VALID_ENTITY, ENTITY_EDGES))
def test_entity_fast_is_the_model_or_defers_to_it(fields: dict[str, Any]) -> None:
    fast = entity_fast(
        fields["id"], fields["type"], fields["name"], fields["name_zh"], list(fields["aliases"]), fields["attributes"]
    )
    if fast is None:
        return  # the caller validates with the model: nothing to compare
    model = model_or_none(Entity, **fields)
    assert model is not None, "entity_fast built a record the model refuses"
    assert fast == model
    assert fast.model_dump() == model.model_dump()


@settings(max_examples=EXAMPLES, deadline=None)
@given(fields=perturbed(VALID_RELATION, RELATION_EDGES), same=st.booleans())
def test_relation_fast_is_the_model_or_defers_to_it(fields: dict[str, Any], same: bool) -> None:
    if same:
        fields["target"] = fields["source"]
    fast = relation_fast(fields["source"], fields["type"], fields["target"], fields["chain"], fields["weight"])
    if fast is None:
        return
    model = model_or_none(Relation, **fields)
    assert model is not None, "relation_fast built a record the model refuses"
    assert fast == model
    assert fast.model_dump() == model.model_dump()


def test_the_fast_path_is_taken_for_ordinary_records() -> None:
    # the point of it: the usual ChainKnowledgeGraph product and chain link do not fall back to the model
    product = Attributes(level=4, description="product")
    assert entity_fast("ckg:product:碳酸锂", EntityType.SECTOR, "碳酸锂", "碳酸锂", [], product) is not None
    assert relation_fast("ckg:product:锂", RelType.PART_OF_CHAIN, "ckg:product:碳酸锂", "chainkg", None) is not None
    assert relation_fast("ckg:company:600519.SH", RelType.SPECIALISES_IN, "ckg:product:酒", None, 0.9) is not None


# -- relations.csv: rows the CSV reader builds with relation_fast -------------------------------------
CSV_HEADER = ["from", "type", "to", "chain", "weight", "role", "since_year", *SOURCE_COLUMNS]
csv_text = st.one_of(
    edge_text.filter(lambda t: "\r" not in t),
    st.sampled_from(["0", "1", "0.5", " 2.5 ", "+1", "-1", ".5", "1.", "1e5", "1E-3", "1e-400", "1e400", "inf"]),
    st.sampled_from(["nan", "1_000", "0x10", "1,5", "0.1234567890123456789", "00", "-0", "1e", "e5", "٣"]),
    st.sampled_from(["doc.txt", "ref:GB/T 2260", "It is here.", "One. Two more.", "stated", "inferred", "x"]),
)
VALID_ROW = {"from": "s:a", "type": "PART_OF_CHAIN", "to": "s:b", "chain": "lithium", "weight": "0.5"}
VALID_ROW |= {"role": "", "since_year": "", "source_doc": "doc.txt", "source_quote": "It is here."}
VALID_ROW |= {"source_support": "", "source_reason": ""}
ROW_EDGES = {c: csv_text for c in CSV_HEADER} | {"type": st.sampled_from([*RelType, "Nope", " PART_OF ", ""])}


def read_relations(path: Path, fast: bool) -> tuple[list[Relation], list[str]]:
    parsed = Parsed()
    real = csv_loader._FastRelations.__call__
    csv_loader._FastRelations.__call__ = real if fast else (lambda self, row: None)  # type: ignore[method-assign]
    try:
        records = [r for r, _ in csv_loader.iter_relations_csv(path, parsed)]
    finally:
        csv_loader._FastRelations.__call__ = real  # type: ignore[method-assign]
    return records, [str(e) for e in parsed.errors]


@settings(max_examples=EXAMPLES, deadline=None)
@given(rows=st.lists(perturbed(VALID_ROW, ROW_EDGES), min_size=1, max_size=4))
def test_csv_relations_read_fast_are_the_models(rows: list[dict[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "relations.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, CSV_HEADER)
            writer.writeheader()
            writer.writerows(rows)
        fast, fast_errors = read_relations(path, fast=True)
        slow, slow_errors = read_relations(path, fast=False)
    assert fast_errors == slow_errors
    assert fast == slow
    assert [r.model_dump() for r in fast] == [r.model_dump() for r in slow]


def test_ordinary_csv_relations_take_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "relations.csv"
    path.write_text(
        "from,type,to,chain,weight,source_doc,source_quote\n"
        "s:a,PART_OF_CHAIN,s:b,lithium,0.5,doc.txt,It is here.\n"
        "company:x,SPECIALISES_IN,s:b,,,ref:GB/T 4754,\n",
        encoding="utf-8",
    )
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fast = csv_loader._FastRelations(list(rows[0]))
    assert all(fast(row) is not None for row in rows)
    # a quote on every row: the validated sources kept stay bounded
    for i in range(csv_loader._SOURCES_KEPT + 10):
        assert fast({**rows[0], "source_quote": f"Row {i} says so."}) is not None
    assert len(fast.sources) <= csv_loader._SOURCES_KEPT
