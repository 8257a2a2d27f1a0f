"""Fuzzed bad input: a corrupted YAML or CSV file either loads cleanly or is refused with errors naming
the file (and the line and field where the corruption has one), never any other exception, and a
refused load leaves the store exactly as it was. Odd text (quotes, backticks, newlines, Cypher
fragments, Chinese) round-trips unchanged through the store, YAML, CSV and the CLI.

Examples per property: ``INDGRAPH_FUZZ_EXAMPLES`` (default 30); ``INDGRAPH_RECORD_FIGURES=1`` writes the
counts to ``bench/reliability_figures.json``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import resource
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graph.attributes import ATTRIBUTES
from graph.errors import ArgumentError
from graph.ingest import validate
from graph.model import Entity, GraphData, Relation, RelType, Source
from graph.nxgraph import from_networkx, read_node_link
from graph.stores import Store
from graph.stores.falkordb import FalkorStore
from loaders import LoadErrors, load_paths
from loaders.errors import display_path
from loaders.records import control_character
from tests.support.figures import count, record_figures  # noqa: F401 - the module fixture writes the figures

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("INDGRAPH_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the store is a real server on a busy machine
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

INJECTIONS = [
    '"}) DETACH DELETE n //',
    "'; MATCH (n) DELETE n",
    "`) DETACH DELETE n //",
    'x"})-[:LOCATED_IN]->(m) DETACH DELETE m //',
    '\\"}) MATCH (n) DETACH DELETE n //',
    "$rows",
    "CYPHER rows=[] MATCH (n) DELETE n",
    "武汉 \"光谷\" `存储` '芯片'",
    "line one\nline two",
    "carriage\r\nreturn",
    "tab\there",
    "\u2028separator\u2029",
    "{{}}[]()<>&|\\",
]

# -- the graph already in the store, and the valid files that get corrupted ---------------------------
BASE = GraphData(
    entities=[
        Entity(id="cn-420000", type="Province", name="Hubei Province", name_zh="湖北省"),
        Entity(id="cn-420100", type="City", name="Wuhan", name_zh="武汉市", aliases=["Jiangcheng"]),
        Entity(
            id="univ:pre-university",
            type="University",
            name="Pre University",
            attributes={"code": "10486"},
            sources=[Source(doc="pre.txt", quote="A university.")],
        ),
        Entity(id="sector:pre", type="Sector", name="Pre sector"),
    ],
    relations=[
        Relation(source="cn-420100", type="LOCATED_IN", target="cn-420000"),
        Relation(source="univ:pre-university", type="LOCATED_IN", target="cn-420100", sources=[Source(doc="p.txt")]),
    ],
)

VALID_YAML = """\
doc: fuzz-source.txt
entities:
  - id: company:fuzz-cells
    type: Company
    name: Fuzz "Cells" `Co`
    name_zh: 模糊电池公司
    aliases:
      - FuzzCells
    attributes:
      enterprise_count: 12
      investment_cny: 1.5e+9
      memory_layers_mass_produced: [128, 232]
    sources:
      - quote: Fuzz Cells builds battery cells in Wuhan.
  - id: sector:fuzz-anode
    type: Sector
    name: Anode materials
    name_zh: 负极材料
  - id: sector:fuzz-cells
    type: Sector
    name: Battery cells
  - id: zone:fuzz-zone
    type: District
    name: Fuzz Development Zone
    kind: development_zone
relations:
  - from: company:fuzz-cells
    type: LOCATED_IN
    to: cn-420100
    sources:
      - {doc: other.txt, quote: Located in Wuhan.}
  - from: company:fuzz-cells
    type: SPECIALISES_IN
    to: sector:fuzz-cells
    weight: 0.8
  - from: sector:fuzz-anode
    type: PART_OF_CHAIN
    to: sector:fuzz-cells
    chain: battery
  - from: zone:fuzz-zone
    type: LOCATED_IN
    to: cn-420100
    since_year: 2001
  - from: company:fuzz-cells
    type: PARTNERS_WITH
    to: univ:pre-university
    role: joint lab
"""

VALID_ENTITIES_CSV = """\
id,type,name,name_zh,aliases,kind,source_doc,source_quote,attr:enterprise_count,attr:area_km2
company:fuzz-cells,Company,"Fuzz ""Cells"" `Co`",模糊电池公司,FuzzCells|FC,,fuzz.txt,Fuzz Cells builds cells.,12,
sector:fuzz-anode,Sector,Anode materials,负极材料,,,,,,
zone:fuzz-zone,District,Fuzz Development Zone,,,development_zone,,,,33.5
"""

VALID_RELATIONS_CSV = """\
from,type,to,chain,weight,role,since_year,source_doc,source_quote
company:fuzz-cells,LOCATED_IN,cn-420100,,,,,other.txt,Located in Wuhan.
sector:fuzz-anode,PART_OF_CHAIN,sector:pre,battery,,,,,
zone:fuzz-zone,LOCATED_IN,cn-420100,,,,2001,,
company:fuzz-cells,PARTNERS_WITH,univ:pre-university,,0.5,joint lab,2019,,
"""

# Fields of the YAML records and values of the wrong type for them.
ENTITY_FIELDS = ["id", "type", "name", "name_zh", "aliases", "kind", "attributes", "sources"]
RELATION_FIELDS = ["from", "type", "to", "chain", "weight", "role", "since_year", "sources"]
ATTRIBUTE_FIELDS = ["enterprise_count", "investment_cny", "memory_layers_mass_produced"]
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
    st.sampled_from([10**400, -(10**400), 2**63, 2**63 - 1, -(2**63) - 1, "1e400", "nan", "", " ", "\x00"]),
)
KNOWN_KEYS = {*ENTITY_FIELDS, *RELATION_FIELDS, *ATTRIBUTES, "doc", "entities", "relations", "quote"}
UNKNOWN_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
    lambda k: k not in KNOWN_KEYS | {"source_doc", "source_quote"}
)


# -- helpers --------------------------------------------------------------------------------------------
def snapshot(store: FalkorStore) -> tuple[GraphData, list[Any], list[Any]]:
    """The store as model records, plus the raw labels and properties the records do not show."""
    nodes = store.query("MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props ORDER BY id")
    rels = store.query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p ORDER BY a, t, b"
    )
    return store.dump().sorted(), [[r[0], sorted(r[1]), r[2]] for r in nodes.rows], sorted(map(str, rels.rows))


def merged(before: GraphData, loaded: GraphData) -> GraphData:
    """What the store should hold after an upsert of ``loaded`` onto ``before``."""
    ents = {e.id: e for e in before.entities} | {e.id: e for e in loaded.entities}
    rels = {r.key: r for r in before.relations} | {r.key: r for r in loaded.relations}
    return GraphData(entities=list(ents.values()), relations=list(rels.values())).sorted()


def reset(store: FalkorStore) -> None:
    # delete the nodes rather than the graph: the indexes stay, so the next write skips creating them
    store.query("MATCH (n) DETACH DELETE n", write=True)
    store.write(BASE)


def attempt(store: FalkorStore, paths: list[Path], test: str) -> LoadErrors | None:
    """Load ``paths`` into ``store`` as ``indgraph load`` does; check the outcome either way.

    A refused load must name the file in every error and leave the store as it was; a clean load must
    leave the store holding exactly what it held plus what the files say. Anything else escapes.
    """
    before = snapshot(store)
    try:
        data = validate(paths, store)
    except LoadErrors as exc:
        names = {display_path(p) for p in paths}
        assert exc.errors, "LoadErrors without errors"
        for e in exc.errors:
            assert e.file in names, f"error does not name a loaded file: {e}"
            assert e.message.strip(), f"error without a message: {e}"
            assert "\n" not in str(e), f"an error should be one line: {e!r}"
        assert snapshot(store) == before, "a refused load changed the store"
        count(test, "refused")
        return exc
    store.write(data)
    assert store.dump().sorted() == merged(before[0], data), "a clean load did not store exactly its facts"
    count(test, "clean")
    reset(store)
    return None


def key_span(text: str, path: tuple[Any, ...]) -> tuple[int, int]:
    """First and last line (1-based) of the key ``path`` and its value in a YAML text."""
    node = yaml.compose(text)
    key_node = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            key_node, node = next((k, v) for k, v in node.value if k.value == part)
        else:
            node = node.value[part]
            key_node = node
    assert key_node is not None
    return key_node.start_mark.line + 1, node.end_mark.line + 1


def field_root(field: str) -> str:
    return re.split(r"[.\[]", field, maxsplit=1)[0]


@pytest.fixture
def base_store(store: FalkorStore) -> FalkorStore:
    store.write(BASE)
    return store


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def write_file(folder: Path, name: str, data: bytes | str) -> Path:
    p = folder / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def dump_yaml(doc: Any) -> str:
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10**6)
    if yaml.safe_load(text) != doc:
        # PyYAML's emitter writes U+0085 (NEL) unescaped in a quoted scalar, where YAML reads it as a line
        # break ('0\x85' comes back as '0 '): a bug of the writer, so write such documents in ASCII escapes.
        text = yaml.safe_dump(doc, allow_unicode=False, sort_keys=False, default_flow_style=False, width=10**6)
    return text


# -- the valid inputs really are valid ------------------------------------------------------------------
def test_the_valid_inputs_load_cleanly(base_store: FalkorStore, workdir: Path) -> None:
    assert attempt(base_store, [write_file(workdir, "valid.yaml", VALID_YAML)], "valid") is None
    csvs = [
        write_file(workdir, "entities.csv", VALID_ENTITIES_CSV),
        write_file(workdir, "relations.csv", VALID_RELATIONS_CSV),
    ]
    assert attempt(base_store, csvs, "valid") is None
    (workdir / "entities.csv").unlink()
    (workdir / "relations.csv").unlink()


# -- YAML -----------------------------------------------------------------------------------------------
@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(VALID_YAML.encode())))
def test_yaml_truncated_at_any_byte(base_store: FalkorStore, workdir: Path, cut: int) -> None:
    data = VALID_YAML.encode()[:cut]
    exc = attempt(base_store, [write_file(workdir, "cut.yaml", data)], "yaml_truncated")
    if exc is not None:
        last_line = data.count(b"\n") + 1
        for e in exc.errors:
            # A cut through a Chinese character is a decoding error; anything else has a line in the file.
            assert 1 <= e.line <= last_line, f"line out of the file: {e}"


@FUZZ
@given(data=st.data())
def test_yaml_fields_of_the_wrong_type(base_store: FalkorStore, workdir: Path, data: st.DataObject) -> None:
    doc = yaml.safe_load(VALID_YAML)
    section = data.draw(st.sampled_from(["entities", "relations", "attributes"]))
    if section == "attributes":
        index, field = 0, data.draw(st.sampled_from(ATTRIBUTE_FIELDS))
        path: tuple[Any, ...] = ("entities", 0, "attributes", field)
        doc["entities"][0]["attributes"][field] = value = data.draw(ODD_VALUES)
    else:
        index = data.draw(st.integers(0, len(doc[section]) - 1))
        field = data.draw(st.sampled_from(ENTITY_FIELDS if section == "entities" else RELATION_FIELDS))
        path = (section, index, field)
        doc[section][index][field] = value = data.draw(ODD_VALUES)
    text = dump_yaml(doc)
    exc = attempt(base_store, [write_file(workdir, "types.yaml", text)], "yaml_wrong_types")
    if exc is None:
        return
    first, last = key_span(text, path)
    named = [e for e in exc.errors if field_root(e.field) in {path[2], field}]
    if field in {"id", "type", "from", "to", "name", "aliases"} and not named:
        # an id, type or name that validates but breaks a cross-record rule: the rule's errors say so
        assert all(e.line >= 1 for e in exc.errors), exc
        return
    assert named, f"no error names field {field!r} set to {value!r}: {exc}"
    if field in {"from", "to", "type"} and section == "relations":
        # a cross-record check (no such entity, triple not allowed) knows the record's line, not the field's
        first = key_span(text, (section, index))[0]
    assert any(first <= e.line <= last for e in named), f"no error at lines {first}-{last}: {exc}"


@FUZZ
@given(data=st.data(), key=UNKNOWN_KEYS)
def test_yaml_unknown_fields_are_named(base_store: FalkorStore, workdir: Path, data: st.DataObject, key: str) -> None:
    doc = yaml.safe_load(VALID_YAML)
    where = data.draw(st.sampled_from(["top", "entity", "relation", "attributes", "source"]))
    targets: dict[str, tuple[dict, tuple]] = {
        "top": (doc, ()),
        "entity": (doc["entities"][1], ("entities", 1)),
        "relation": (doc["relations"][2], ("relations", 2)),
        "attributes": (doc["entities"][0]["attributes"], ("entities", 0, "attributes")),
        "source": (doc["relations"][0]["sources"][0], ("relations", 0, "sources", 0)),
    }
    target, prefix = targets[where]
    if key in target:
        return
    target[key] = data.draw(ODD_VALUES)
    text = dump_yaml(doc)
    exc = attempt(base_store, [write_file(workdir, "unknown.yaml", text)], "yaml_unknown_fields")
    assert exc is not None, "an unknown field was accepted"
    line, _ = key_span(text, (*prefix, key))
    assert any(e.field.endswith(key) and e.line == line for e in exc.errors), exc


INVALID_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf", b"\x80"]
LATIN1 = ["Café", "Düsseldorf", "Ångström", "naïve"]


@FUZZ
@given(data=st.data())
def test_yaml_bad_encodings_and_boms(base_store: FalkorStore, workdir: Path, data: st.DataObject) -> None:
    raw = VALID_YAML.encode()
    kind = data.draw(st.sampled_from(["encoding", "latin1", "invalid", "bom"]))
    expect_line = None
    if kind == "encoding":
        enc = data.draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "gb18030", "big5", "cp1252"]))
        body = VALID_YAML.encode(enc, errors="replace")
    elif kind in {"latin1", "invalid"}:
        pos = data.draw(st.integers(0, len(raw)))
        if kind == "latin1":
            bad = data.draw(st.sampled_from(LATIN1)).encode("latin-1")
        else:
            bad = data.draw(st.sampled_from(INVALID_UTF8))
        body = raw[:pos] + bad + raw[pos:]
        # the text around is valid UTF-8 without newlines in characters: the error is on this line
        expect_line = raw[:pos].count(b"\n") + 1
    else:
        boms = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\xef\xbb\xbf" * 2]
        body = data.draw(st.sampled_from(boms)) + raw
    exc = attempt(base_store, [write_file(workdir, "enc.yaml", body)], "yaml_encodings")
    if exc is None:
        return
    assert all(e.line >= 1 for e in exc.errors), exc
    if expect_line is not None:
        assert [(e.line, "not UTF-8" in e.message) for e in exc.errors] == [(expect_line, True)], exc


@FUZZ
@given(data=st.data())
def test_yaml_duplicate_keys(base_store: FalkorStore, workdir: Path, data: st.DataObject) -> None:
    lines = VALID_YAML.splitlines(keepends=True)
    # scalar "key: value" lines of records (not list items, not block openers)
    candidates = [i for i, ln in enumerate(lines) if re.match(r"^ {4}\w+: \S", ln)]
    i = data.draw(st.sampled_from(candidates))
    same = data.draw(st.booleans())
    copy = lines[i] if same else re.sub(r": .*", ": something else", lines[i])
    text = "".join([*lines[: i + 1], copy, *lines[i + 1 :]])
    exc = attempt(base_store, [write_file(workdir, "dup.yaml", text)], "yaml_duplicate_keys")
    assert exc is not None, "a duplicate key was accepted"
    key = lines[i].split(":")[0].strip()
    assert [(e.line, e.field, e.message) for e in exc.errors] == [(i + 2, key, "duplicate key")]


ODD_TEXT = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40),
    st.text(alphabet="\"'`\\{}()[]:;/$\n\r\t 武汉光谷存储芯片", min_size=1, max_size=30),
)


@FUZZ
@given(data=st.data(), text=ODD_TEXT)
def test_yaml_odd_text_in_names_round_trips(
    base_store: FalkorStore, workdir: Path, data: st.DataObject, text: str
) -> None:
    doc = yaml.safe_load(VALID_YAML)
    where = data.draw(st.sampled_from(["name", "name_zh", "alias", "role", "chain", "description", "quote"]))
    if where == "alias":
        doc["entities"][0]["aliases"] = [text]
    elif where in {"name", "name_zh"}:
        doc["entities"][1][where] = text
    elif where == "role":
        doc["relations"][4]["role"] = text
    elif where == "chain":
        doc["relations"][2]["chain"] = text
    elif where == "description":
        doc["entities"][3]["attributes"] = {"description": text}
    else:
        doc["entities"][0]["sources"][0]["quote"] = text
    path = write_file(workdir, "odd.yaml", dump_yaml(doc))
    before = base_store.dump().sorted()
    exc = attempt(base_store, [path], "yaml_odd_text")
    if exc is not None:
        # only blank text is refused here (a name, an alias), an alias that collides with a name, or a
        # name holding a control character (a newline, a terminal escape)
        named = where in {"name", "name_zh", "alias"}
        assert not text.strip() or where == "alias" or (named and control_character(text)), exc
        return
    # attempt() compared the store with the validated records; here: the text itself came back unchanged
    loaded = load_paths([path], known={e.id: e.type for e in before.entities})
    got = {
        "name": loaded.entities[1].name,
        "name_zh": loaded.entities[1].name_zh,
        "alias": loaded.entities[0].aliases[0],
        "role": loaded.relations[4].role,
        "chain": loaded.relations[2].chain,
        "description": loaded.entities[3].attributes.description,  # type: ignore[attr-defined]
        "quote": loaded.entities[0].sources[0].quote,
    }[where]
    # a quote is one line by design (and a blank one is no quote); everything else comes back as written
    assert got == ((" ".join(text.split()) or None) if where == "quote" else text)


@FUZZ
@given(bad_id=st.one_of(st.sampled_from(INJECTIONS), st.text(alphabet=" \"'`\n\t;{}$", min_size=1, max_size=10)))
def test_yaml_injection_in_ids_is_refused(base_store: FalkorStore, workdir: Path, bad_id: str) -> None:
    doc = yaml.safe_load(VALID_YAML)
    doc["entities"][2]["id"] = bad_id
    doc["relations"][1]["to"] = bad_id
    text = dump_yaml(doc)
    exc = attempt(base_store, [write_file(workdir, "inject.yaml", text)], "yaml_injected_ids")
    assert exc is not None
    line, _ = key_span(text, ("entities", 2, "id"))
    assert any(e.field == "id" and e.line == line for e in exc.errors), exc


@pytest.mark.parametrize(
    "content",
    [b"", b"\n", b"   \n\n", b"---\n", b"~\n", b"# only a comment\n", b"\xef\xbb\xbf", b"[]\n", b"{}\n", b"...\n"],
    ids=["empty", "newline", "blank", "doc-start", "null", "comment", "bom-only", "list", "map", "doc-end"],
)
def test_empty_files(base_store: FalkorStore, workdir: Path, content: bytes) -> None:
    exc = attempt(base_store, [write_file(workdir, "empty.yaml", content)], "empty_files")
    assert exc is None or all(e.line == 1 for e in exc.errors), exc
    exc = attempt(base_store, [write_file(workdir, "entities.csv", content)], "empty_files")
    assert exc is None, exc  # a CSV with no rows loads nothing
    (workdir / "entities.csv").unlink()


def block_nest(depth: int) -> str:
    return "entities:\n" + "".join("  " * i + "-\n" for i in range(1, depth)) + "  " * depth + "x\n"


@pytest.mark.parametrize("depth", [50, 300, 2000, 20000])
@pytest.mark.parametrize("where", ["top", "entities", "attribute", "block"])
def test_deeply_nested_yaml(base_store: FalkorStore, workdir: Path, depth: int, where: str) -> None:
    nest = "[" * depth + "]" * depth
    text = {
        "top": nest,
        "entities": f"entities: {nest}\n",
        "attribute": "entities:\n  - {id: x, type: City, name: X, attributes: {memory_layers_mass_produced: "
        + nest
        + "}}\n",
        "block": block_nest(min(depth, 1000)),
    }[where]
    exc = attempt(base_store, [write_file(workdir, "deep.yaml", text)], "deep_yaml")
    assert exc is not None  # none of these is a valid record


BOMBS = {
    "billion-laughs": 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    + "entities:\n  - {id: x, type: City, name: X, aliases: *i}\n",
    "merge-keys": "a0: &a0 {k: 1}\n"
    + "".join(f"a{i + 1}: &a{i + 1} {{<<: [*a{i}, *a{i}, *a{i}], k{i}: 1}}\n" for i in range(30))
    + "entities:\n  - {id: x, type: City, name: X, attributes: *a30}\n",
    "quadratic": "big: &big ["
    + ",".join(["x"] * 2000)
    + "]\nentities:\n"
    + "".join(f"  - {{id: e{i}, type: City, name: E, aliases: *big}}\n" for i in range(2000)),
    "recursive": "entities: &e [*e]\n",
    "recursive-map": "entities:\n  - &m {id: x, type: City, name: X, attributes: *m}\n",
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_alias_bombs_are_refused_without_blowing_up(name: str, tmp_path: Path) -> None:
    # In a child process with a 2 GB address-space cap: an expansion would die of MemoryError, not pass.
    path = write_file(tmp_path, f"{name}.yaml", BOMBS[name])
    code = textwrap.dedent(
        f"""
        from loaders import LoadErrors, load_paths
        try:
            load_paths([{str(path)!r}])
        except LoadErrors as exc:
            print("\\n".join(map(str, exc.errors)))
            raise SystemExit(1)
        """
    )

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, preexec_fn=cap, cwd=ROOT
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stdout.startswith(str(path)), proc.stdout
    if name not in {"recursive", "recursive-map"}:
        assert "aliases (*name) expand to more than" in proc.stdout
    count("alias_bombs", "refused")


def test_ordinary_aliases_still_work(base_store: FalkorStore, workdir: Path) -> None:
    text = VALID_YAML.replace("      - quote: Fuzz Cells", "      - &src\n        quote: Fuzz Cells").replace(
        "    kind: development_zone\n", "    kind: development_zone\n    sources: [*src]\n"
    )
    assert attempt(base_store, [write_file(workdir, "alias.yaml", text)], "valid") is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("attributes.description", "x" * (1 << 20), None),  # 1 MB of text is fine where no limit is set
        ("name", "x" * (1 << 20), "at most 500 characters"),
        ("id", "x" * (1 << 20), "at most 200 characters"),
        ("attributes.enterprise_count", "1" + "0" * 400, "integer out of range"),
        ("attributes.enterprise_count", "-1" + "0" * 400, "integer out of range"),
        ("attributes.enterprise_count", str(2**63), "integer out of range"),
        ("attributes.enterprise_count", str(2**63 - 1), None),
        ("attributes.enterprise_count", str(-(2**63)), None),
        ("attributes.investment_cny", "1" + "0" * 400, "valid number"),
        ("attributes.investment_cny", "1.0e+400", "finite number"),
        ("attributes.investment_cny", "-.inf", "finite number"),
        ("attributes.investment_cny", ".nan", "finite number"),
        ("attributes.investment_cny", "1.7976931348623157e+308", "too large"),
        ("attributes.investment_cny", "1.79769313486231e+308", None),
        ("attributes.investment_cny", "0.30000000000000004", "15 significant digits"),
        ("attributes.investment_cny", "0.333333333333333", None),
        ("name", '"a\\0b"', "NUL character"),
        ("name", '"a\\ud800b"', "valid string"),
    ],
    ids=lambda v: v[:24] if isinstance(v, str) else str(v),
)
def test_huge_and_unstorable_values(
    base_store: FalkorStore, workdir: Path, field: str, value: str, message: str | None
) -> None:
    record = {"id": "company:huge", "type": "Company", "name": "Huge"}
    lines = ["entities:"]
    for i, (key, default) in enumerate(record.items()):
        lines.append(("  - " if i == 0 else "    ") + f"{key}: {value if key == field else default}")
    if field.startswith("attributes."):
        lines += ["    attributes:", f"      {field.split('.')[1]}: {value}"]
    text = "\n".join(lines) + "\n"
    exc = attempt(base_store, [write_file(workdir, "huge.yaml", text)], "huge_values")
    if message is None:
        assert exc is None, exc
        return
    assert exc is not None
    line = {"id": 2, "name": 4}.get(field, 6)
    assert [(e.line, e.field) for e in exc.errors] == [(line, field)], exc
    assert message in exc.errors[0].message


def test_a_huge_integer_would_be_clamped_by_the_store(falkor_store: FalkorStore) -> None:
    """Why the loaders (and ``Store.query``) refuse integers beyond 64 bits: FalkorDB would store 2^63-1
    and say nothing."""
    falkor_store.query("CREATE (:Probe)", write=True)
    assert falkor_store._query("RETURN $v AS v", {"v": 10**30}, write=False, timeout_ms=None).rows == [[2**63 - 1]]
    with pytest.raises(ArgumentError, match="beyond the 64-bit integers"):
        falkor_store.query("RETURN $v AS v", {"v": 10**30})


# -- CSV ------------------------------------------------------------------------------------------------
def csv_files(folder: Path, entities: bytes | str, relations: bytes | str) -> list[Path]:
    return [write_file(folder, "entities.csv", entities), write_file(folder, "relations.csv", relations)]


@FUZZ
@given(which=st.sampled_from(["entities", "relations"]), data=st.data())
def test_csv_truncated_at_any_byte(base_store: FalkorStore, workdir: Path, which: str, data: st.DataObject) -> None:
    ents, rels = VALID_ENTITIES_CSV.encode(), VALID_RELATIONS_CSV.encode()
    if which == "entities":
        ents = ents[: data.draw(st.integers(0, len(ents)))]
    else:
        rels = rels[: data.draw(st.integers(0, len(rels)))]
    exc = attempt(base_store, csv_files(workdir, ents, rels), "csv_truncated")
    if exc is not None:
        assert all(e.line >= 1 for e in exc.errors), exc


CSV_ODD_CELLS = st.one_of(
    st.sampled_from(
        ["abc", "1.5", "1e400", "-1e400", "nan", "inf", "1" + "0" * 400, str(2**63), "0x10", "NaN", "Nope"]
    ),
    st.text(max_size=12).filter(lambda s: "\x00" not in s),
)


@FUZZ
@given(data=st.data())
def test_csv_cells_of_the_wrong_type(base_store: FalkorStore, workdir: Path, data: st.DataObject) -> None:
    which = data.draw(st.sampled_from(["entities", "relations"]))
    text = VALID_ENTITIES_CSV if which == "entities" else VALID_RELATIONS_CSV
    rows = list(csv.reader(io.StringIO(text)))
    r = data.draw(st.integers(1, len(rows) - 1))
    c = data.draw(st.integers(0, len(rows[0]) - 1))
    rows[r][c] = data.draw(CSV_ODD_CELLS)
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    files = csv_files(
        workdir,
        buf.getvalue() if which == "entities" else VALID_ENTITIES_CSV,
        buf.getvalue() if which == "relations" else VALID_RELATIONS_CSV,
    )
    exc = attempt(base_store, files, "csv_wrong_types")
    if exc is None:
        return
    column = rows[0][c]
    root = {"source_doc": "sources", "source_quote": "sources"}.get(column, column)
    # an emptied cell can break a rule of the record ("a PART_OF_CHAIN relation needs 'chain'")
    named = [
        e for e in exc.errors if field_root(e.field) == root or (e.field == "(record)" and f"'{column}'" in e.message)
    ]
    if column in {"id", "type", "from", "to", "name", "aliases", "name_zh"} and not named:
        return  # a cross-record rule broke (a relation to a changed id, an alias that collides, ...)
    assert named, f"no error names column {column!r}: {exc}"
    # the row starts after as many physical lines as the rows before it take (cells may hold newlines)
    before = io.StringIO()
    csv.writer(before).writerows(rows[:r])
    line = len(io.StringIO(before.getvalue(), newline="").readlines()) + 1
    assert any(e.line == line for e in named), (line, exc)


@FUZZ
@given(data=st.data(), key=UNKNOWN_KEYS)
def test_csv_unknown_and_duplicate_columns(
    base_store: FalkorStore, workdir: Path, data: st.DataObject, key: str
) -> None:
    which = data.draw(st.sampled_from(["entities", "relations"]))
    rows = list(csv.reader(io.StringIO(VALID_ENTITIES_CSV if which == "entities" else VALID_RELATIONS_CSV)))
    duplicate = data.draw(st.booleans())
    col = data.draw(st.sampled_from(rows[0])) if duplicate else key
    for i, row in enumerate(rows):
        row.append(col if i == 0 else "")
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    files = csv_files(
        workdir,
        buf.getvalue() if which == "entities" else VALID_ENTITIES_CSV,
        buf.getvalue() if which == "relations" else VALID_RELATIONS_CSV,
    )
    exc = attempt(base_store, files, "csv_unknown_columns")
    assert exc is not None
    message = "column appears twice in the header" if duplicate else "unknown column"
    assert any(e.line == 1 and e.field == col and e.message == message for e in exc.errors), exc


@FUZZ
@given(data=st.data())
def test_csv_bad_encodings_nul_and_quotes(base_store: FalkorStore, workdir: Path, data: st.DataObject) -> None:
    raw = VALID_ENTITIES_CSV.encode()
    kind = data.draw(st.sampled_from(["encoding", "invalid", "bom", "nul", "quote"]))
    pos = data.draw(st.integers(0, len(raw)))
    expect_line = raw[:pos].count(b"\n") + 1
    if kind == "encoding":
        enc = data.draw(st.sampled_from(["utf-16", "utf-32", "gb18030", "big5"]))
        body = VALID_ENTITIES_CSV.encode(enc, errors="replace")
        expect_line = None
    elif kind == "invalid":
        body = raw[:pos] + data.draw(st.sampled_from(INVALID_UTF8 + [s.encode("latin-1") for s in LATIN1])) + raw[pos:]
    elif kind == "bom":
        body = data.draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + raw
        expect_line = 1
    elif kind == "nul":
        body = raw[:pos] + b"\x00" + raw[pos:]
        expect_line = None
    else:
        body = raw[:pos] + data.draw(st.sampled_from([b'"', b'x"y', b'"""', b"\r", b"\r\n"])) + raw[pos:]
        expect_line = None
    exc = attempt(base_store, csv_files(workdir, body, VALID_RELATIONS_CSV), "csv_encodings")
    if exc is None:
        return
    assert all(e.line >= 1 for e in exc.errors), exc
    if kind == "invalid" or (kind == "bom" and body[:3] != b"\xef\xbb\xbf"):
        # (relations to the unreadable file's entities fail too, in relations.csv)
        errors = [e for e in exc.errors if e.file.endswith("entities.csv")]
        assert [(e.line, "not UTF-8" in e.message) for e in errors] == [(expect_line, True)], exc


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("attr:area_km2", "1e400", "finite number"),
        ("attr:area_km2", "nan", "finite number"),
        ("attr:area_km2", "-inf", "finite number"),
        ("attr:enterprise_count", "1" + "0" * 400, "integer out of range"),
        ("attr:enterprise_count", str(2**63), "integer out of range"),
        ("name", "a\x00b", "NUL character"),
        ("name", "x" * (1 << 20), "at most 500 characters"),  # a cell past csv's 128 KB still parses
    ],
    ids=lambda v: v[:16] if isinstance(v, str) else str(v),
)
def test_csv_huge_and_unstorable_values(
    base_store: FalkorStore, workdir: Path, column: str, value: str, message: str
) -> None:
    rows = list(csv.reader(io.StringIO(VALID_ENTITIES_CSV)))
    rows[2][rows[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    exc = attempt(base_store, csv_files(workdir, buf.getvalue(), VALID_RELATIONS_CSV), "csv_huge_values")
    assert exc is not None
    # (relations to the refused row's entity fail too, in relations.csv)
    errors = [e for e in exc.errors if e.file.endswith("entities.csv")]
    assert len(errors) == 1 and errors[0].line == 3 and message in errors[0].message, exc
    assert errors[0].field in {column, ""}


# -- round trips ----------------------------------------------------------------------------------------
NAMES = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=60),
).filter(lambda s: s.strip())
# what the loaders take as a name: no control characters (a store written another way may hold them)
LOADABLE_NAMES = NAMES.filter(lambda s: not control_character(s))


def graph_with_names(names: list[str]) -> GraphData:
    ents = [
        Entity(id=f"company:n{i}", type="Company", name=n, name_zh=n[::-1], aliases=[f"{n} (#{i})"])
        for i, n in enumerate(names)
    ]
    # an alias belongs to one entity (the loaders refuse a clash): skip the rare draws that clash
    claimed = {x.casefold() for e in ents for x in (e.name, e.name_zh or "")}
    if claimed & {a.casefold() for e in ents for a in e.aliases}:
        assume(False)
    rels = [
        Relation(source=f"company:n{i}", type=RelType.PARTNERS_WITH, target=f"company:n{i + 1}", role=n)
        for i, n in enumerate(names[:-1])
    ]
    return GraphData(entities=ents, relations=rels).sorted()


@FUZZ
@given(names=st.lists(NAMES, min_size=2, max_size=6))
def test_names_round_trip_through_the_store(store: FalkorStore, names: list[str]) -> None:
    data = graph_with_names(names)
    store.query("MATCH (n) DETACH DELETE n", write=True)
    store.write(data)
    assert store.dump().sorted() == data
    count("round_trip_store", "graphs")


@FUZZ
@given(names=st.lists(LOADABLE_NAMES, min_size=2, max_size=6))
def test_names_round_trip_through_yaml(store: FalkorStore, workdir: Path, names: list[str]) -> None:
    data = graph_with_names(names)
    doc = {
        "entities": [e.model_dump(mode="json", exclude_defaults=True) for e in data.entities],
        "relations": [r.model_dump(mode="json", by_alias=True, exclude_defaults=True) for r in data.relations],
    }
    path = write_file(workdir, "names.yaml", dump_yaml(doc))
    store.query("MATCH (n) DETACH DELETE n", write=True)
    store.write(load_paths([path]))
    assert store.dump().sorted() == data
    count("round_trip_yaml", "graphs")


CSV_NAMES = LOADABLE_NAMES.filter(lambda s: s.strip() == s and "|" not in s)


@FUZZ
@given(names=st.lists(CSV_NAMES, min_size=2, max_size=6))
def test_names_round_trip_through_csv(store: FalkorStore, workdir: Path, names: list[str]) -> None:
    data = graph_with_names(names)
    ebuf, rbuf = io.StringIO(), io.StringIO()
    ew, rw = csv.writer(ebuf), csv.writer(rbuf)  # "\r\n" rows: cells holding \r or \n get quoted
    ew.writerow(["id", "type", "name", "name_zh", "aliases"])
    for e in data.entities:
        ew.writerow([e.id, e.type.value, e.name, e.name_zh, "|".join(e.aliases)])
    rw.writerow(["from", "type", "to", "role"])
    for r in data.relations:
        rw.writerow([r.source, r.type.value, r.target, r.role])
    store.query("MATCH (n) DETACH DELETE n", write=True)
    store.write(load_paths(csv_files(workdir, ebuf.getvalue(), rbuf.getvalue())))
    assert store.dump().sorted() == data
    count("round_trip_csv", "graphs")


def test_names_round_trip_through_the_cli(cli, tmp_path: Path) -> None:
    names = [*(n for n in INJECTIONS if not control_character(n)), '模糊 "电池" `公司`', "Ünïcødé ñame ✓ 😀"]
    data = graph_with_names(names)
    doc = {
        "entities": [e.model_dump(mode="json", exclude_defaults=True) for e in data.entities],
        "relations": [r.model_dump(mode="json", by_alias=True, exclude_defaults=True) for r in data.relations],
    }
    path = write_file(tmp_path, "names.yaml", dump_yaml(doc))
    r = cli("load", str(path))
    assert r.exit_code == 0, r.stderr
    out = tmp_path / "export.json"
    r = cli("export", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert from_networkx(read_node_link(out)).sorted() == data
    count("round_trip_cli", "graphs")


# -- the CLI --------------------------------------------------------------------------------------------
BAD_FILE = """\
entities:
  - id: company:bad
    type: Company
    name: "Bad\\0name"
    attributes:
      enterprise_count: 1{zeros}
      area_km2: .inf
      colour: red
  - id: "x}}) DETACH DELETE n //"
    type: Company
    name: Injected
relations:
  - from: company:bad
    type: LOCATED_IN
    to: nowhere
"""
LINE_RE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<field>[^ ]+): (?P<message>.+)$")


def check_cli_errors(stderr: str, path: Path) -> None:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert "Traceback" not in stderr
    *errors, summary = lines
    assert summary.startswith("error: ") and "nothing was loaded" in summary
    parsed = [LINE_RE.match(ln) for ln in errors]
    assert all(parsed), errors
    assert {m["file"] for m in parsed if m} == {display_path(path)}
    got = {(int(m["line"]), m["field"]) for m in parsed if m}
    assert got == {
        (4, "name"),  # NUL
        (6, "attributes.enterprise_count"),  # 10^400
        (7, "attributes.area_km2"),  # inf
        (8, "attributes.colour"),  # unknown
        (9, "id"),  # Cypher fragment
        # (no "from" error: company:bad was refused above, and a second "no entity" would mislead)
        (13, "to"),  # no entity 'nowhere' (cross-record errors name the record's line)
    }, errors


def test_cli_load_of_a_bad_file(cli, store: FalkorStore, tmp_path: Path) -> None:
    store.write(BASE)
    path = write_file(tmp_path, "bad.yaml", BAD_FILE.format(zeros="0" * 400))
    before = snapshot(store)
    r = cli("load", str(path))
    assert r.exit_code == 1, (r.stdout, r.stderr)
    check_cli_errors(r.stderr, path)
    assert "Traceback" not in r.stdout
    assert snapshot(store) == before


def test_cli_load_of_a_bad_file_as_a_subprocess(store: Store, store_env: dict[str, str], tmp_path: Path) -> None:
    store.write(BASE)
    path = write_file(tmp_path, "bad.yaml", BAD_FILE.format(zeros="0" * 400))
    before = snapshot(store)
    proc = subprocess.run(
        [sys.executable, "-m", "graph.cli", "load", str(path)],
        env=store_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    check_cli_errors(proc.stderr, path)
    assert snapshot(store) == before


def test_reloading_an_id_with_another_type_is_refused(base_store: FalkorStore, workdir: Path) -> None:
    """The stores add a label on upsert and never remove one: a changed type would leave two labels."""
    text = "entities:\n  - id: cn-420100\n    type: Sector\n    name: Wuhan\n"
    exc = attempt(base_store, [write_file(workdir, "retype.yaml", text)], "retype")
    assert exc is not None
    assert [(e.line, e.field) for e in exc.errors] == [(2, "type")]
    assert "already a City" in exc.errors[0].message
    # the same entity with its own type still reloads
    assert attempt(base_store, [write_file(workdir, "same.yaml", text.replace("Sector", "City"))], "retype") is None


def test_floats_of_15_significant_digits_survive_exactly(store: FalkorStore) -> None:
    values = [0.1, 0.333333333333333, 1.79769313486231e308, 5e-324, -0.0, 123456789.123457, 2.5e9, -1e-300]
    data = GraphData(
        entities=[
            Entity(id=f"s:{i}", type="Sector", name="S", attributes={"area_km2": v}) for i, v in enumerate(values)
        ]
    )
    store.write(data)
    got = [e.attributes.area_km2 for e in store.dump().sorted().entities]  # type: ignore[attr-defined]
    assert [(v, math.copysign(1, v)) for v in got] == [(v, math.copysign(1, v)) for v in values]


def test_the_store_answers_15_significant_digits(falkor_store: FalkorStore) -> None:
    """Why the loaders refuse longer floats: FalkorDB would give back another number (or inf)."""
    falkor_store.query("CREATE (:Probe)", write=True)
    assert falkor_store.query("RETURN $a AS a, $b AS b", {"a": 1 / 3, "b": 1.7976931348623157e308}).rows == [
        [0.333333333333333, math.inf]
    ]
