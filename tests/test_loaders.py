"""Every class of bad input is reported at once, naming file, line and field; nothing is written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loaders import LoadErrors, load_paths

GOOD = """\
doc: demo.txt
entities:
  - id: cn-420000
    type: Province
    name: Hubei Province
    name_zh: 湖北省
  - id: cn-420100
    type: City
    name: Wuhan
    name_zh: 武汉市
    aliases: [Jiangcheng]
  - id: sector:cells
    type: Sector
    name: Battery cells
  - id: sector:storage
    type: Sector
    name: Energy storage
  - id: company:acme
    type: Company
    name: "Acme \\"Cells\\" `Co`"
    attributes: {investment_cny: 1.5e9}
    sources: ["Acme builds cells."]
relations:
  - {from: cn-420100, type: LOCATED_IN, to: cn-420000}
  - {from: company:acme, type: LOCATED_IN, to: cn-420100}
  - {from: company:acme, type: SPECIALISES_IN, to: sector:cells, weight: 0.8}
  - {from: sector:cells, type: PART_OF_CHAIN, to: sector:storage, chain: battery}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def errors_of(*paths: Path) -> list[str]:
    with pytest.raises(LoadErrors) as info:
        load_paths(paths)
    return [str(e) for e in info.value.errors]


def test_good_yaml_loads(tmp_path: Path) -> None:
    data = load_paths([write(tmp_path, "good.yaml", GOOD)])
    assert len(data.entities) == 5 and len(data.relations) == 4
    acme = data.by_id()["company:acme"]
    assert acme.name == 'Acme "Cells" `Co`'
    assert acme.sources[0].doc == "demo.txt" and acme.sources[0].quote == "Acme builds cells."
    assert acme.attributes.investment_cny == 1.5e9


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("entities:\n  - id: a\n    type: [City\n", 4, "", "malformed YAML"),
        ("entities:\n  - {id: x:a, type: Town, name: A}\n", 2, "type", "Input should be"),
        ("entities:\n  - id: x:a\n    type: City\n", 2, "name", "required field is missing"),
        (
            "entities:\n  - id: x:a\n    type: City\n    name: A\n    attributes:\n      area_km2: large\n",
            6,
            "attributes.area_km2",
            "valid number",
        ),
        ("entities:\n  - id: x:a\n    type: City\n    name: A\n    colour: red\n", 5, "colour", "unknown field"),
        (
            "entities:\n  - id: x:a\n    type: Base\n    name: A\n    attributes:\n"
            "      memory_layers_mass_produced: [128, '232']\n",
            6,
            "attributes.memory_layers_mass_produced",
            "all numbers or all text",
        ),
        ("entities:\n  - id: x:a\n    type: City\n    name: A\n    name: B\n", 5, "name", "duplicate key"),
        ("entities:\n  - {id: 'x a', type: City, name: A}\n", 2, "id", "an id is"),
        ("relations:\n  - {from: a, type: OWNS, to: b}\n", 2, "type", "Input should be"),
        # the model's own name for 'from' is no field of a data file: named as written, not as 'from'
        (
            "relations:\n  - from: a\n    to: b\n    type: PART_OF\n    source: a\n",
            5,
            "source",
            "source: unknown field",
        ),
        ("relations:\n  - {from: a, type: PART_OF_CHAIN, to: b}\n", 2, "(record)", "needs 'chain'"),
        ("entities: {a: 1}\n", 1, "entities", "must be a list"),
        ("nodes: []\n", 1, "nodes", "unknown top-level key"),
    ],
)
def test_bad_yaml_names_line_and_field(tmp_path: Path, text: str, line: int, field: str, message: str) -> None:
    p = write(tmp_path, "bad.yaml", text)
    errs = errors_of(p)
    assert any(e.startswith(f"{p}:{line}: ") and field in e and message in e for e in errs), errs


def test_cross_record_errors_all_reported_at_once(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    bad = write(
        tmp_path,
        "more.yaml",
        """\
        entities:
          - {id: cn-420100, type: City, name: Wuhan again}
          - {id: org:x, type: Organization, name: X, aliases: [Jiangcheng]}
        relations:
          - {from: company:acme, type: LOCATED_IN, to: cn-999999}
          - {from: sector:cells, type: LOCATED_IN, to: cn-420100}
          - {from: cn-420100, type: LOCATED_IN, to: cn-420000}
        """,
    )
    errs = errors_of(good, bad)
    expected = [
        f"{bad}:2: id: duplicate id 'cn-420100'",
        f"{bad}:3: aliases: alias 'Jiangcheng' is also claimed by 'cn-420100'",
        f"{bad}:5: to: no entity with id 'cn-999999'",
        f"{bad}:6: type: Sector -LOCATED_IN-> City is not allowed",
        f"{bad}:7: type: duplicate relation cn-420100 -LOCATED_IN-> cn-420000",
    ]
    for prefix in expected:
        assert any(e.startswith(prefix) for e in errs), (prefix, errs)


def test_quote_longer_than_one_sentence_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "q.yaml", 'doc: d.txt\nentities:\n  - {id: x:a, type: City, name: A, sources: ["One. Two."]}\n')
    assert any("at most one sentence" in e for e in errors_of(p))


def test_source_without_document_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "q.yaml", 'entities:\n  - {id: x:a, type: City, name: A, sources: ["Evidence."]}\n')
    assert any(":2: sources.0.doc: no document" in e for e in errors_of(p))


def test_missing_path_and_unknown_file_kind(tmp_path: Path) -> None:
    other = write(tmp_path, "notes.txt", "hello")
    errs = errors_of(tmp_path / "nope.yaml", other)
    assert any("no such file or folder" in e for e in errs)
    assert any("unknown kind of file" in e for e in errs)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "latin.yaml"
    p.write_bytes("entities:\n  - {id: x:a, type: City, name: Caf\xe9}\n".encode("latin-1"))
    assert any(e.startswith(f"{p}:2: ") and "not UTF-8" in e for e in errors_of(p))


def test_empty_yaml_loads_nothing(tmp_path: Path) -> None:
    assert load_paths([write(tmp_path, "empty.yaml", "")]).entities == []


# -- CSV ---------------------------------------------------------------------------------------------
ENTITIES_CSV = '''\
id,type,name,name_zh,aliases,kind,source_doc,source_quote,attr:area_km2
cn-420100,City,Wuhan,武汉市,Jiangcheng|江城,,demo.txt,Wuhan is a city.,8569.15
zone:elz,District,East Lake,东湖高新区,Optics Valley,development_zone,,,518
sector:a,Sector,"Chips, ""memory""",,,,,,
'''
RELATIONS_CSV = """\
from,type,to,chain,weight,role,since_year,source_doc,source_quote
zone:elz,LOCATED_IN,cn-420100,,,,,demo.txt,East Lake is in Wuhan.
zone:elz,SPECIALISES_IN,sector:a,,0.5,,,,
"""


def test_good_csv_loads(tmp_path: Path) -> None:
    write(tmp_path, "entities.csv", ENTITIES_CSV)
    write(tmp_path, "relations.csv", RELATIONS_CSV)
    data = load_paths([tmp_path])
    e = data.by_id()
    assert e["cn-420100"].aliases == ["Jiangcheng", "江城"]
    assert e["zone:elz"].kind.value == "development_zone" and e["zone:elz"].attributes.area_km2 == 518
    assert e["sector:a"].name == 'Chips, "memory"'
    assert [r.weight for r in data.relations] == [None, 0.5]


@pytest.mark.parametrize(
    ("entities", "relations", "expected"),
    [
        (ENTITIES_CSV + "x:b,Town,B,,,,,,\n", RELATIONS_CSV, "entities.csv:5: type: Input should be"),
        (ENTITIES_CSV + "x:b,City,,,,,,,\n", RELATIONS_CSV, "entities.csv:5: name: required field is missing"),
        (ENTITIES_CSV + "x:b,City,B,,,,,,huge\n", RELATIONS_CSV, "entities.csv:5: attr:area_km2: Input should be"),
        (ENTITIES_CSV + "cn-420100,City,W,,,,,,\n", RELATIONS_CSV, "entities.csv:5: id: duplicate id"),
        (ENTITIES_CSV + "x:b,City,B,,江城,,,,\n", RELATIONS_CSV, "entities.csv:5: aliases: alias '江城'"),
        (ENTITIES_CSV + 'x:b,City,"B\n', RELATIONS_CSV, "entities.csv:5: malformed CSV"),
        (ENTITIES_CSV + "x:b,City\n", RELATIONS_CSV, "entities.csv:5: row has 2 cells"),
        (ENTITIES_CSV.replace("attr:area_km2", "attr:areakm"), RELATIONS_CSV, "entities.csv:2: attr:areakm: unknown"),
        (ENTITIES_CSV, RELATIONS_CSV + "zone:elz,BUYS,cn-420100,,,,,,\n", "relations.csv:4: type: Input should be"),
        (ENTITIES_CSV, RELATIONS_CSV + "zone:elz,LOCATED_IN,x:none,,,,,,\n", "relations.csv:4: to: no entity"),
        (ENTITIES_CSV, RELATIONS_CSV + "zone:elz,SPECIALISES_IN,cn-420100,,,,,,\n", "relations.csv:4: type: District"),
        (ENTITIES_CSV, RELATIONS_CSV + "sector:a,PART_OF_CHAIN,sector:a,x,,,,,\n", "relations.csv:4: (record)"),
    ],
)
def test_bad_csv_names_row_and_field(tmp_path: Path, entities: str, relations: str, expected: str) -> None:
    write(tmp_path, "entities.csv", entities)
    write(tmp_path, "relations.csv", relations)
    errs = errors_of(tmp_path)
    assert any(expected in e for e in errs), errs


def test_csv_with_bom_loads(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_bytes(b"\xef\xbb\xbf" + ENTITIES_CSV.encode())
    assert len(load_paths([tmp_path / "entities.csv"]).entities) == 3
