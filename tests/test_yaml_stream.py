"""A YAML data file is read one item of its lists at a time (loaders/yaml_stream.py), with the outcome of the
whole-document reader: the same records, the same errors, in the same order; aliases across items; a bad file
refused whole. bench/files_bench.py measures the memory this saves."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import Entity, Relation, Source
from loaders import LoadErrors, Scan, load_paths, scan_paths
from loaders.records import Parsed, Reread
from loaders.yaml_loader import iter_yaml, read_yaml
from loaders.yaml_stream import MAX_ALIAS_EXPANSION


def write(tmp_path: Path, text: str, name: str = "data.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def errors_of(path: Path) -> list[tuple[int, str, str]]:
    with pytest.raises(LoadErrors) as info:
        load_paths([path])
    return [(e.line, e.field, e.message) for e in info.value.errors]


ACROSS_ITEMS = """\
doc: notes.txt
entities:
  - id: s:cells
    type: Sector
    name: Cells
    attributes: &level {level: 4}
    sources:
      - &evidence {doc: other.txt, quote: Cells are made here.}
  - id: s:packs
    type: Sector
    name: Packs
    attributes: *level
    sources: [*evidence, Packs too.]
  - &company
    id: c:one
    type: Company
    name: One Co
relations:
  - {from: s:cells, type: PART_OF_CHAIN, to: s:packs, chain: battery, sources: [*evidence]}
  - {from: c:one, type: SPECIALISES_IN, to: s:packs}
"""


def test_an_anchor_serves_later_items_of_either_list(tmp_path: Path) -> None:
    p = write(tmp_path, ACROSS_ITEMS)
    evidence = Source(doc="other.txt", quote="Cells are made here.")
    expected_entities = [
        Entity(id="s:cells", type="Sector", name="Cells", attributes={"level": 4}, sources=[evidence]),
        Entity(
            id="s:packs",
            type="Sector",
            name="Packs",
            attributes={"level": 4},
            sources=[evidence, Source(doc="notes.txt", quote="Packs too.")],
        ),
        Entity(id="c:one", type="Company", name="One Co"),
    ]
    expected_relations = [
        Relation(source="s:cells", type="PART_OF_CHAIN", target="s:packs", chain="battery", sources=[evidence]),
        Relation(source="c:one", type="SPECIALISES_IN", target="s:packs"),
    ]
    data = load_paths([p])
    assert data.entities == expected_entities and data.relations == expected_relations
    scan = scan_paths([p])
    assert scan.hows == [None]  # read item by item, once
    assert list(scan.data().entities) == expected_entities and list(scan.data().relations) == expected_relations


def test_an_item_that_is_an_alias_of_another_is_a_duplicate(tmp_path: Path) -> None:
    p = write(tmp_path, ACROSS_ITEMS.replace("relations:\n", "  - *company\nrelations:\n"))
    # the second is where the anchored item is written, as the whole-document reader says
    assert [(line, field) for line, field, _ in errors_of(p)] == [(14, "id")]


def test_records_come_while_the_file_is_read_and_a_bad_end_voids_them(tmp_path: Path) -> None:
    good = "".join(f"  - {{id: x:{i}, type: City, name: X{i}}}\n" for i in range(3))
    p = write(tmp_path, "entities:\n" + good + "  - {id: x:bad, type: Town, name: B}\n  - {id: [x\n")
    parsed = Parsed()
    given = list(iter_yaml(p, parsed))
    # the first records come before the parser reaches the broken end; then they are voided, and read again
    # by PyYAML's own parser (which words the error), as the whole-document reader does
    shown = [g.how if isinstance(g, Reread) else g[0].id for g in given]
    assert shown == ["x:0", "x:1", "x:2", "pyyaml", "x:0", "x:1", "x:2", None]
    # as the whole-document reader: the file's one error, not the bad type of the item before it
    assert [(e.line, e.message.split(":")[0]) for e in parsed.errors] == [(7, "malformed YAML")]
    assert read_yaml(p).entities == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an error of the parser anywhere comes before a duplicate key, as yaml.load finds them
        ("entities:\n  - {id: a, id: b}\n  - {id: [x\n", [(4, "", "malformed YAML")]),
        ("entities:\n  - {id: a, id: b}\n  - {id: c}\n", [(2, "id", "duplicate key")]),
        # an undefined alias, or a second document, also after the items
        ("entities:\n  - {id: a, id: b}\n  - *nowhere\n", [(3, "", "malformed YAML")]),
        ("entities:\n  - {id: a, id: b}\n---\nx: 1\n", [(3, "", "malformed YAML")]),
        # the first construction error in the file's order
        ("entities:\n  - {id: a, id: b}\nrelations:\n  - {from: a, from: b}\n", [(2, "id", "duplicate key")]),
        ("entities: []\nentities: []\n", [(2, "entities", "duplicate key")]),
    ],
)
def test_a_bad_file_gets_the_error_of_the_whole_document_reader(
    tmp_path: Path, text: str, expected: list[tuple[int, str, str]]
) -> None:
    p = write(tmp_path, text)
    assert [(line, field, message.split(":")[0]) for line, field, message in errors_of(p)] == expected


def test_errors_keep_the_whole_reader_order(tmp_path: Path) -> None:
    # relations first in the file: their errors still come after the entities' (and the file's own first,
    # the unknown keys in the file's order)
    text = (
        "zeta: 1\nrelations:\n  - {from: x:a, type: OWNS, to: x:b}\nalpha: 2\n"
        "entities:\n  - {id: x:a, type: City, name: A, colour: red}\n  - {id: x:b, type: City, name: B}\n"
    )
    errors = read_yaml(write(tmp_path, text)).errors
    assert [(e.line, e.field) for e in errors] == [(1, "zeta"), (4, "alpha"), (6, "colour"), (3, "type")]


def test_doc_after_the_lists_reads_the_file_whole(tmp_path: Path) -> None:
    p = write(tmp_path, "entities:\n  - {id: x:a, type: City, name: A, sources: [Quoted.]}\ndoc: late.txt\n")
    expected = [Entity(id="x:a", type="City", name="A", sources=[Source(doc="late.txt", quote="Quoted.")])]
    assert load_paths([p]).entities == expected
    scan = scan_paths([p])
    assert scan.hows == ["whole"]
    assert list(scan.data().entities) == expected


def test_a_file_libyaml_refuses_is_read_by_pyyaml_both_times(tmp_path: Path) -> None:
    # a YAML version libyaml does not know, which PyYAML's own parser reads
    text = "%YAML 1.3\n---\nentities:\n  - {id: x:a, type: City, name: A}\n  - {id: x:b, type: City, name: B}\n"
    p = write(tmp_path, text)
    expected = [Entity(id="x:a", type="City", name="A"), Entity(id="x:b", type="City", name="B")]
    assert load_paths([p]).entities == expected
    scan = scan_paths([p])
    assert scan.hows == ["pyyaml"]
    assert list(scan.data().entities) == expected


def test_a_second_reading_that_would_need_another_way_is_refused_not_written_twice(tmp_path: Path) -> None:
    # the writer reads a file as it was checked; a file that now needs reading another way has changed
    p = write(tmp_path, "entities:\n  - {id: x:a, type: City, name: A, sources: [Quoted.]}\ndoc: late.txt\n")
    stat = p.stat()
    scan = Scan([p], 1, 0, [(stat.st_size, stat.st_mtime_ns)], [None])
    with pytest.raises(LoadErrors, match="changed while it was being loaded"):
        list(scan.data().entities)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int abc", "cannot read 'abc' as !!int"),
        ("!!bool maybe", "cannot read 'maybe' as !!bool"),
        ('!!float ""', "cannot read '' as !!float"),
    ],
)
@pytest.mark.parametrize("where", ["item", "whole"])
def test_explicit_tags_that_cannot_be_read_are_errors_not_tracebacks(
    tmp_path: Path, value: str, message: str, where: str
) -> None:
    text = f"entities:\n  - id: x:a\n    type: City\n    name: A\n    attributes: {{area_km2: {value}}}\n"
    if where == "whole":
        text += "doc: late.txt\n"
    assert errors_of(write(tmp_path, text)) == [(5, "", f"malformed YAML: {message}")]


def test_aliases_are_counted_as_they_come(tmp_path: Path) -> None:
    # each alias adds the 1,001 values of its list: the one that passes the limit is named
    big = "[" + ", ".join(["x"] * 1000) + "]"
    items = "".join(f"  - {{id: e{i}, type: City, name: E, aliases: *big}}\n" for i in range(200))
    p = write(tmp_path, f"big: &big {big}\nentities:\n{items}")
    first_past = MAX_ALIAS_EXPANSION // 1001 + 1  # the item whose alias passes the limit
    message = f"malformed YAML: aliases (*name) expand to more than {MAX_ALIAS_EXPANSION:,} extra values"
    assert errors_of(p) == [(2 + first_past, "", message)]
