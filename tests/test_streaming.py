"""Loads that keep no records: `scan_paths` checks files as `load_paths` does, `Scan.data()` reads them again.

`indgraph load` checks the whole load first (scan_paths: only ids, names and relation keys are kept), then
writes the records batch by batch as it reads the files a second time (bench/files_bench.py measures the
memory this saves). These tests hold the two readings to the one that keeps everything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.stores.base import Store
from loaders import LoadErrors, load_paths, scan_paths

ENTITIES = """id,type,name,name_zh,aliases,attr:level,source_doc,source_quote
s:li,Sector,Lithium,锂,Li,4,doc.txt,Lithium is mined here.
s:cell,Sector,Cells,电芯,,4,doc.txt,
c:one,Company,One Co,一公司,One|First,,doc.txt,
"""
RELATIONS = """from,type,to,chain,weight,source_doc,source_quote
s:li,PART_OF_CHAIN,s:cell,battery,,doc.txt,
c:one,SPECIALISES_IN,s:cell,,0.5,doc.txt,
"""
YAML = """doc: notes.txt
entities:
  - {id: s:pack, type: Sector, name: Packs, name_zh: 电池包}
relations:
  - {from: s:cell, type: PART_OF_CHAIN, to: s:pack, chain: battery}
  - {from: c:one, type: SPECIALISES_IN, to: s:pack, weight: 0.25}
"""
# every kind of problem: a bad cell, an unknown endpoint, a duplicate id, a claimed alias, a bad triple
BAD_ENTITIES = (
    ENTITIES + "s:li,Sector,Again,,,,doc.txt,\nc:two,Company,Two,,One,,doc.txt,\nc:three,City,X,,,x,doc.txt,\n"
)
BAD_RELATIONS = RELATIONS + "s:li,PART_OF_CHAIN,s:nowhere,battery,,doc.txt,\nc:one,LOCATED_IN,s:li,,,doc.txt,\n"


def folder(tmp_path: Path, entities: str = ENTITIES, relations: str = RELATIONS) -> Path:
    d = tmp_path / "load"
    d.mkdir(exist_ok=True)
    (d / "entities.csv").write_text(entities, encoding="utf-8")
    (d / "relations.csv").write_text(relations, encoding="utf-8")
    (d / "more.yaml").write_text(YAML, encoding="utf-8")
    return d


def test_a_scan_counts_what_a_load_reads_and_its_data_are_the_same_records(tmp_path: Path) -> None:
    d = folder(tmp_path)
    full = load_paths([d])
    scan = scan_paths([d])
    assert (scan.entities, scan.relations) == (len(full.entities), len(full.relations)) == (4, 4)
    data = scan.data()
    # read again on every iteration, in the same order as load_paths reads them
    for _ in range(2):
        assert list(data.entities) == full.entities
        assert list(data.relations) == full.relations


def test_a_scan_finds_the_same_problems_as_a_load(tmp_path: Path) -> None:
    d = folder(tmp_path, BAD_ENTITIES, BAD_RELATIONS)
    with pytest.raises(LoadErrors) as loaded:
        load_paths([d])
    with pytest.raises(LoadErrors) as scanned:
        scan_paths([d])
    assert scanned.value.errors == loaded.value.errors
    assert len(loaded.value.errors) >= 5


def test_a_scan_checks_against_the_store_like_a_load(tmp_path: Path) -> None:
    d = folder(tmp_path)
    (d / "relations.csv").write_text(RELATIONS + "c:one,LOCATED_IN,city:x,,,doc.txt,\n", encoding="utf-8")
    with pytest.raises(LoadErrors, match="no entity with id 'city:x'"):
        scan_paths([d], known={})
    assert scan_paths([d], known={"city:x": "City"}).relations == 5  # type: ignore[dict-item]
    # the store is asked about the same ids (and names) as load_paths asks
    asked: list[set[str]] = []
    load_paths([d], known=lambda ids: asked.append(set(ids)) or {"city:x": "City"})  # type: ignore[func-returns-value]
    scan_paths([d], known=lambda ids: asked.append(set(ids)) or {"city:x": "City"})  # type: ignore[func-returns-value]
    assert asked[0] == asked[1] and {"s:li", "s:cell", "s:pack", "c:one", "city:x"} <= asked[0]


def test_a_file_changed_after_the_check_is_not_written(tmp_path: Path) -> None:
    d = folder(tmp_path)
    scan = scan_paths([d])
    path = d / "relations.csv"
    path.write_text(RELATIONS + "c:one,SPECIALISES_IN,s:li,,2,doc.txt,\n", encoding="utf-8")
    with pytest.raises(LoadErrors, match="changed while it was being loaded"):
        list(scan.data().relations)
    # the same size and time is still caught when the new text does not check out
    scan = scan_paths([d])
    stamp = path.stat()
    path.write_text(RELATIONS + "c:one,SPECIALISES_IN,s:li,,x,doc.txt,\n", encoding="utf-8")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    with pytest.raises(LoadErrors, match="weight"):
        list(scan.data().relations)


@pytest.mark.store
@pytest.mark.parametrize("mode", ["merge", "create"])
def test_a_store_writes_file_data_as_it_writes_the_records(store: Store, tmp_path: Path, mode: str) -> None:
    d = folder(tmp_path)
    summary = store.write(scan_paths([d]).data(), batch_size=2, mode=mode)
    assert store.dump().sorted() == load_paths([d]).sorted()
    assert summary.entities == {"Sector": 3, "Company": 1}
    assert summary.relations == {"PART_OF_CHAIN": 2, "SPECIALISES_IN": 2}


@pytest.mark.store
def test_bulk_groups_of_one_label_with_different_properties_keep_their_relations(falkor_store: Store) -> None:
    # GRAPH.BULK sends one group per label and set of properties and numbers nodes in the order sent:
    # relations must name the nodes by that order, not by the order the records came in
    from graph.model import Entity, GraphData, Relation

    entities = [
        Entity(id="s:a", type="Sector", name="A"),
        Entity(id="c:b", type="Company", name="B"),
        Entity(id="s:c", type="Sector", name="C", aliases=["Cee"]),
        Entity(id="s:d", type="Sector", name="D"),
        Entity(id="s:e", type="Sector", name="E", name_zh="戊"),
        Entity(id="s:f", type="Sector", name="F"),
    ]
    chain = [("s:a", "s:c"), ("s:c", "s:d"), ("s:d", "s:e"), ("s:e", "s:f"), ("s:f", "s:a")]
    relations = [Relation(source=a, type="PART_OF_CHAIN", target=b, chain="x") for a, b in chain]
    relations += [
        Relation(source="c:b", type="SPECIALISES_IN", target=t, weight=w) for t, w in (("s:d", 0.5), ("s:f", None))
    ]
    data = GraphData(entities=entities, relations=relations)
    written = falkor_store.write(data, mode="create")
    assert written.method == "bulk"
    assert falkor_store.dump().sorted() == data.sorted()
