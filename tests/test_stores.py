"""The store contract, run against every store: the embedded FalkorDB and a real Neo4j.

Each test builds its own small graph. The Neo4j runs use the local Neo4j of the tests (or the one
NEO4J_URI points at) and clear it before and after each test: never point NEO4J_URI at real data.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from graph import cypherlib
from graph.cli.common import parse_params
from graph.model import Entity, EntityType, GraphData, Relation, RelType, Source
from graph.stores import ReadOnlyError, Store, StoreError

READ_ONLY_MESSAGE = "this statement writes to the graph; queries are read-only unless --write is given"


# -- a small graph -----------------------------------------------------------------------------------
def ent(id: str, type: EntityType, name: str, **kw: Any) -> Entity:
    return Entity(id=id, type=type, name=name, **kw)


def rel(source: str, type: RelType, target: str, **kw: Any) -> Relation:
    return Relation(source=source, type=type, target=target, **kw)


E, R = EntityType, RelType
DOC = "test-doc.md"
NEV, ESS = "new-energy-vehicles", "energy-storage"


def small_graph() -> GraphData:
    """Twenty entities around Wuhan carrying the ids the named queries' examples use."""
    entities = [
        ent("cn", E.COUNTRY, "China", name_zh="中国"),
        ent("cn-420000", E.PROVINCE, "Hubei", name_zh="湖北省"),
        ent(
            "cn-420100",
            E.CITY,
            "Wuhan",
            name_zh="武汉市",
            aliases=["Jiangcheng", "江城"],
            attributes={"code": "420100"},
        ),
        ent(
            "zone:east-lake",
            E.DISTRICT,
            "East Lake High-tech Zone",
            kind="development_zone",
            attributes={"area_km2": 518.06, "designated_year": 1991},
        ),
        ent(
            "base:national-cybersecurity-base",
            E.BASE,
            "National Cybersecurity Base",
            name_zh="国家网络安全人才与创新基地",
            sources=[Source(doc=DOC, quote="The base trains cybersecurity talent."), Source(doc="other.md")],
        ),
        ent("park:cyber-talent-park", E.PARK, "Cyber Talent Park"),
        ent("project:cyber-school", E.PROJECT, "Cybersecurity School", attributes={"status": "operating", "phase": 1}),
        ent("company:qihoo", E.COMPANY, "Qihoo 360"),
        ent("univ:wuhan-university", E.UNIVERSITY, "Wuhan University", name_zh="武汉大学"),
        ent(
            "base:national-memory-base",
            E.BASE,
            "National Memory Base",
            name_zh="国家存储器基地",
            attributes={
                "investment_usd": 24_000_000_000.0,
                "capacity_chips_per_month": 300_000,
                "memory_layers_mass_produced": [64, 128],
                "designation": "national base",
            },
            sources=[Source(doc=DOC, quote="Total investment is 24 billion US dollars.")],
        ),
        ent("org:ndrc", E.ORGANIZATION, "National Development and Reform Commission"),
        ent("org:display-alliance", E.ORGANIZATION, "Display Industry Alliance"),
        ent("company:ymtc", E.COMPANY, "YMTC"),
        ent("company:boe", E.COMPANY, "BOE"),
        ent("company:csot", E.COMPANY, "CSOT"),
        ent("company:tianma", E.COMPANY, "Tianma"),
        ent("sector:cybersecurity", E.SECTOR, "Cybersecurity"),
        ent("sector:semiconductors", E.SECTOR, "Semiconductors"),
        ent("sector:memory-chips", E.SECTOR, "Memory chips", attributes={"level": 2}),
        ent("sector:display-panels", E.SECTOR, "Display panels"),
        ent("sector:lithium-mining", E.SECTOR, "Lithium mining"),
        ent("sector:cathode-materials", E.SECTOR, "Cathode materials"),
        ent("sector:battery-cells", E.SECTOR, "Battery cells"),
        ent("sector:ev-manufacturing", E.SECTOR, "EV manufacturing"),
    ]
    relations = [
        rel("cn-420000", R.LOCATED_IN, "cn"),
        rel("cn-420100", R.LOCATED_IN, "cn-420000"),
        rel("zone:east-lake", R.LOCATED_IN, "cn-420100"),
        rel("base:national-cybersecurity-base", R.LOCATED_IN, "cn-420100"),
        rel("park:cyber-talent-park", R.PART_OF, "base:national-cybersecurity-base"),
        rel("project:cyber-school", R.LOCATED_IN, "park:cyber-talent-park"),
        rel("company:qihoo", R.OPERATES, "park:cyber-talent-park", role="operator", since_year=2019),
        rel("univ:wuhan-university", R.LOCATED_IN, "cn-420100"),
        rel(
            "univ:wuhan-university",
            R.PARTNERS_WITH,
            "base:national-cybersecurity-base",
            role="runs the School of Cyber Science",
            sources=[Source(doc=DOC, quote="Wuhan University runs a school at the base.")],
        ),
        rel("base:national-memory-base", R.LOCATED_IN, "zone:east-lake"),
        rel("base:national-memory-base", R.DESIGNATED_BY, "org:ndrc", since_year=2016),
        rel("company:ymtc", R.LOCATED_IN, "base:national-memory-base"),
        rel("company:boe", R.LOCATED_IN, "zone:east-lake"),
        rel("company:csot", R.LOCATED_IN, "cn-420100"),
        rel("company:tianma", R.LOCATED_IN, "zone:east-lake"),
        rel("base:national-cybersecurity-base", R.SPECIALISES_IN, "sector:cybersecurity"),
        rel("project:cyber-school", R.SPECIALISES_IN, "sector:cybersecurity"),
        rel("base:national-memory-base", R.SPECIALISES_IN, "sector:memory-chips"),
        rel("company:ymtc", R.SPECIALISES_IN, "sector:memory-chips", weight=0.9),
        rel("company:boe", R.SPECIALISES_IN, "sector:display-panels"),
        rel("company:csot", R.SPECIALISES_IN, "sector:display-panels"),
        rel("company:tianma", R.SPECIALISES_IN, "sector:display-panels"),
        rel("org:display-alliance", R.SPECIALISES_IN, "sector:display-panels"),
        rel("sector:memory-chips", R.PART_OF, "sector:semiconductors"),
        rel("sector:lithium-mining", R.PART_OF_CHAIN, "sector:cathode-materials", chain=NEV),
        rel("sector:cathode-materials", R.PART_OF_CHAIN, "sector:battery-cells", chain=NEV, weight=0.5),
        # the same two sectors linked in a second chain: the chain's name is part of the identity
        rel("sector:cathode-materials", R.PART_OF_CHAIN, "sector:battery-cells", chain=ESS),
        rel("sector:battery-cells", R.PART_OF_CHAIN, "sector:ev-manufacturing", chain=NEV),
    ]
    return GraphData(entities=entities, relations=relations)


EXPECTED_STATS = {
    "entities": {
        "Base": 2,
        "City": 1,
        "Company": 5,
        "Country": 1,
        "District": 1,
        "Organization": 2,
        "Park": 1,
        "Project": 1,
        "Province": 1,
        "Sector": 8,
        "University": 1,
    },
    "relations": {
        "DESIGNATED_BY": 1,
        "LOCATED_IN": 11,
        "OPERATES": 1,
        "PARTNERS_WITH": 1,
        "PART_OF": 2,
        "PART_OF_CHAIN": 4,
        "SPECIALISES_IN": 8,
    },
}


def rows_sorted(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows in a canonical order, for queries without ORDER BY (UNION, shortest paths)."""
    return sorted(rows, key=lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True, default=str))


# -- write, dump, reload -----------------------------------------------------------------------------
def test_small_graph_is_what_the_expectations_describe() -> None:
    data = small_graph()
    counted: dict[str, dict[str, int]] = {"entities": {}, "relations": {}}
    for e in data.entities:
        counted["entities"][e.type.value] = counted["entities"].get(e.type.value, 0) + 1
    for r in data.relations:
        counted["relations"][r.type.value] = counted["relations"].get(r.type.value, 0) + 1
    assert counted == {k: dict(sorted(v.items())) for k, v in EXPECTED_STATS.items()}


def test_write_then_dump_round_trips(store: Store) -> None:
    data = small_graph()
    summary = store.write(data, batch_size=3)
    assert summary.mode == "merge"
    assert sum(summary.entities.values()) == len(data.entities)
    assert sum(summary.relations.values()) == len(data.relations)
    assert summary.batches > len(EXPECTED_STATS["entities"])  # batch_size=3 splits the bigger types
    assert store.dump().sorted() == data.sorted()


def test_reload_changes_nothing(store: Store) -> None:
    data = small_graph()
    store.write(data)
    stats, dump = store.stats(), store.dump()
    store.write(data, batch_size=5)
    assert store.stats() == stats == EXPECTED_STATS
    # sorted: read/relations orders by (source, type, target), so two chain links of one pair may swap
    assert store.dump().sorted() == dump.sorted()


def test_reload_replaces_changed_properties(store: Store) -> None:
    data = small_graph()
    store.write(data)
    changed = data.model_copy(deep=True)
    memory = changed.by_id()["base:national-memory-base"]
    memory.name_zh = None
    memory.attributes = memory.attributes.model_copy(update={"investment_usd": None, "capacity_chips_per_month": 1})
    chain = next(r for r in changed.relations if r.chain == NEV and r.source == "sector:cathode-materials")
    chain.weight = None
    store.write(changed)
    dumped = store.dump().sorted()
    assert dumped == changed.sorted()
    props = store.run("entity", {"id": "base:national-memory-base"}).records()[0]["properties"]
    assert "name_zh" not in props and "investment_usd" not in props
    assert props["capacity_chips_per_month"] == 1


def test_create_fast_path_gives_the_same_graph_as_merge(store: Store) -> None:
    data = small_graph()
    assert store.write(data, mode="create").mode == "create"
    created = store.dump().sorted()
    assert created == data.sorted()
    store.clear()
    assert store.write(data, mode="auto").mode == "create"  # empty store: auto picks create
    assert store.dump().sorted() == created
    assert store.write(data, mode="auto").mode == "merge"  # not empty any more
    assert store.dump().sorted() == created
    store.clear()
    assert store.write(data, mode="merge").mode == "merge"
    assert store.dump().sorted() == created


def test_stats(store: Store) -> None:
    assert store.stats() == {"entities": {}, "relations": {}}
    store.write(small_graph())
    assert store.stats() == EXPECTED_STATS


def test_known_types(store: Store) -> None:
    assert store.known_types(["cn-420100"]) == {}
    store.write(small_graph())
    got = store.known_types(["cn-420100", "sector:battery-cells", "company:ymtc", "no:such-id", "cn-420100"])
    assert got == {"cn-420100": E.CITY, "sector:battery-cells": E.SECTOR, "company:ymtc": E.COMPANY}
    assert all(isinstance(t, EntityType) for t in got.values())


def test_clear(store: Store) -> None:
    store.write(small_graph())
    assert not store.is_empty()
    store.clear()
    assert store.is_empty()
    assert store.stats() == {"entities": {}, "relations": {}}
    assert store.dump() == GraphData()
    # the store is usable after a clear: the schema comes back with the next write
    store.write(small_graph())
    assert store.stats() == EXPECTED_STATS


# -- reads -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "statement",
    [
        "CREATE (:Entity {id: 'intruder', type: 'City', name: 'X'})",
        "MATCH (n:Entity {id: 'cn-420100'}) SET n.name = 'changed'",
        "MERGE (n:Entity {id: 'intruder'})",
        "MATCH (n:Entity {id: 'cn'}) DETACH DELETE n",
    ],
)
def test_writes_are_refused_without_write(store: Store, statement: str) -> None:
    store.write(small_graph())
    before = store.dump()
    with pytest.raises(ReadOnlyError) as info:
        store.query(statement)
    assert str(info.value) == READ_ONLY_MESSAGE
    assert store.dump() == before


def test_write_true_allows_writes(store: Store) -> None:
    res = store.query(
        "CREATE (n:Entity:City {id: $id, type: 'City', name: $name}) RETURN n.id AS id",
        {"id": "cn-420200", "name": "Huangshi"},
        write=True,
    )
    assert res.records() == [{"id": "cn-420200"}]
    assert store.known_types(["cn-420200"]) == {"cn-420200": E.CITY}


def test_a_bad_statement_is_a_store_error(store: Store) -> None:
    store.write(small_graph())  # FalkorDB answers nothing at all for a graph that does not exist yet
    with pytest.raises(StoreError) as info:
        store.query("MATCH (n RETURN n")
    assert not isinstance(info.value, ReadOnlyError)
    assert str(info.value)


def test_nodes_relations_and_paths_come_back_plain(store: Store) -> None:
    store.write(small_graph())
    res = store.query(
        "MATCH p = (a:Entity {id: $a})-[r:OPERATES]->(b:Entity) RETURN a, r, p, b.id AS target",
        {"a": "company:qihoo"},
    )
    qihoo = {"labels": ["Company"], "id": "company:qihoo", "type": "Company", "name": "Qihoo 360"}
    park = {"labels": ["Park"], "id": "park:cyber-talent-park", "type": "Park", "name": "Cyber Talent Park"}
    operates = {"type": "OPERATES", "role": "operator", "since_year": 2019}
    assert res.columns == ["a", "r", "p", "target"]
    assert res.rows == [[qihoo, operates, {"nodes": [qihoo, park], "relations": [operates]}, park["id"]]]
    # lists and maps of values convert too
    res = store.query("MATCH (a:Entity {id: 'company:qihoo'}) RETURN [a] AS xs, {n: a, k: 1} AS m")
    assert res.rows == [[[qihoo], {"n": qihoo, "k": 1}]]


# Expected rows of each named query (with its `// example:` parameters) on the small graph, the same
# on every store. Queries without ORDER BY are compared in a canonical order.
UNORDERED = {"base_profile", "chain_around", "connection", "entity"}
MEMORY_BASE_PROPS = {
    "id": "base:national-memory-base",
    "type": "Base",
    "name": "National Memory Base",
    "name_zh": "国家存储器基地",
    "investment_usd": 24_000_000_000.0,
    "capacity_chips_per_month": 300_000,
    "memory_layers_mass_produced": [64, 128],
    "designation": "national base",
    "source_docs": [DOC],
    "source_quotes": ["Total investment is 24 billion US dollars."],
}
CYBER = "National Cybersecurity Base"
LITHIUM_CATHODE_BATTERY = ["Lithium mining", "Cathode materials", "Battery cells"]
EXPECTED_ROWS: dict[str, tuple[list[str], list[list[Any]]]] = {
    "base_profile": (
        ["relation", "id", "type", "name", "via"],
        [
            ["member", "park:cyber-talent-park", "Park", "Cyber Talent Park", CYBER],
            ["member", "project:cyber-school", "Project", "Cybersecurity School", CYBER],
            ["operator", "company:qihoo", "Company", "Qihoo 360", "Cyber Talent Park"],
            ["partner", "univ:wuhan-university", "University", "Wuhan University", CYBER],
            ["sector", "sector:cybersecurity", "Sector", "Cybersecurity", CYBER],
            ["sector", "sector:cybersecurity", "Sector", "Cybersecurity", "Cybersecurity School"],
        ],
    ),
    "chain_around": (
        ["direction", "hops", "id", "name", "path", "chains"],
        [
            ["upstream", 1, "sector:cathode-materials", "Cathode materials", LITHIUM_CATHODE_BATTERY[1:], [NEV]],
            ["upstream", 1, "sector:cathode-materials", "Cathode materials", LITHIUM_CATHODE_BATTERY[1:], [ESS]],
            ["upstream", 2, "sector:lithium-mining", "Lithium mining", LITHIUM_CATHODE_BATTERY, [NEV, NEV]],
            ["upstream", 2, "sector:lithium-mining", "Lithium mining", LITHIUM_CATHODE_BATTERY, [NEV, ESS]],
            [
                "downstream",
                1,
                "sector:ev-manufacturing",
                "EV manufacturing",
                ["Battery cells", "EV manufacturing"],
                [NEV],
            ],
        ],
    ),
    "chain_links": (
        ["chain", "upstream", "downstream"],
        [
            [ESS, "Cathode materials", "Battery cells"],
            [NEV, "Battery cells", "EV manufacturing"],
            [NEV, "Cathode materials", "Battery cells"],
            [NEV, "Lithium mining", "Cathode materials"],
        ],
    ),
    "connection": (
        ["hops", "names", "ids", "relations"],
        [
            [
                2,
                ["Wuhan University", "Wuhan", "Hubei"],
                ["univ:wuhan-university", "cn-420100", "cn-420000"],
                ["LOCATED_IN", "LOCATED_IN"],
            ]
        ],
    ),
    "entity": (
        ["id", "type", "properties", "relations"],
        [["base:national-memory-base", "Base", MEMORY_BASE_PROPS, 4]],
    ),
    "located_in": (
        ["id", "type", "name", "name_zh"],
        [
            ["base:national-cybersecurity-base", "Base", CYBER, "国家网络安全人才与创新基地"],
            ["base:national-memory-base", "Base", "National Memory Base", "国家存储器基地"],
            ["company:boe", "Company", "BOE", None],
            ["company:csot", "Company", "CSOT", None],
            ["company:tianma", "Company", "Tianma", None],
            ["company:ymtc", "Company", "YMTC", None],
            ["zone:east-lake", "District", "East Lake High-tech Zone", None],
            ["park:cyber-talent-park", "Park", "Cyber Talent Park", None],
            ["project:cyber-school", "Project", "Cybersecurity School", None],
            ["univ:wuhan-university", "University", "Wuhan University", "武汉大学"],
        ],
    ),
    "partners": (
        ["id", "type", "name", "name_zh", "role", "source_docs"],
        [
            [
                "univ:wuhan-university",
                "University",
                "Wuhan University",
                "武汉大学",
                "runs the School of Cyber Science",
                [DOC],
            ]
        ],
    ),
    "sector_players": (
        ["id", "type", "name", "located_in"],
        [
            ["company:boe", "Company", "BOE", ["East Lake High-tech Zone"]],
            ["company:csot", "Company", "CSOT", ["Wuhan"]],
            ["company:tianma", "Company", "Tianma", ["East Lake High-tech Zone"]],
            ["org:display-alliance", "Organization", "Display Industry Alliance", []],
        ],
    ),
    "sectors_in_place": (
        ["id", "sector", "entities"],
        [
            ["sector:display-panels", "Display panels", 3],
            ["sector:cybersecurity", "Cybersecurity", 2],
            ["sector:memory-chips", "Memory chips", 2],
        ],
    ),
}


def final_return_columns(text: str) -> list[str]:
    """The column names of a query's last RETURN clause (its `AS` aliases), for queries added later."""
    last = re.split(r"\bRETURN\b", text, flags=re.IGNORECASE)[-1]
    last = re.split(r"\b(?:ORDER\s+BY|LIMIT|SKIP)\b", last, flags=re.IGNORECASE)[0]
    return re.findall(r"\bAS\s+(\w+)", last, flags=re.IGNORECASE)


@pytest.mark.parametrize("name", sorted(cypherlib.library("falkordb")))
def test_named_query_with_its_example(store: Store, name: str) -> None:
    library = cypherlib.library(store.dialect)
    if name not in library:
        pytest.fail(f"named query '{name}' has no {store.dialect} variant")
    q = library[name]
    assert set(q.example) == set(q.params), f"{name}: '// example:' must give every parameter"
    store.write(small_graph())
    # example values read as `--param k=v` does: JSON where they parse as JSON (lists, numbers), else text
    res = store.run(name, parse_params([f"{k}={v}" for k, v in q.example.items()]))
    if name not in EXPECTED_ROWS:
        # A query added since these expectations were written: it must run and name its columns.
        assert res.columns == final_return_columns(q.text)
        return
    columns, rows = EXPECTED_ROWS[name]
    assert res.columns == columns
    if name in UNORDERED:
        assert rows_sorted(res.rows) == rows_sorted(rows)
    else:
        assert res.rows == rows


def test_every_dialect_has_the_same_named_queries() -> None:
    assert set(cypherlib.library("falkordb")) == set(cypherlib.library("neo4j"))


# -- the CLI without a server ------------------------------------------------------------------------
# neo4j:// too: its routing driver logs "Unable to retrieve routing information" on the way, which
# must not reach the terminal beside the error.
@pytest.mark.parametrize("uri", ["bolt://127.0.0.1:1", "neo4j://127.0.0.1:1"])
def test_cli_neo4j_without_a_server_says_so_in_one_line(tmp_path, uri: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "INDGRAPH_"))}
    env |= {"NEO4J_URI": uri, "NEO4J_PASSWORD": "irrelevant", "COLUMNS": "80"}
    proc = subprocess.run(
        [sys.executable, "-m", "graph.cli", "--store", "neo4j", "stats"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # no .env here to fall back on
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        f"error: cannot reach Neo4j at {uri}: start it with 'docker compose up -d' (see docs/neo4j.md) or set NEO4J_URI"
    ]


def test_a_mixed_type_list_is_refused_before_anything_is_written(store: Store, tmp_path, cli) -> None:
    # Neo4j refuses a list of numbers and text only when the batch holding it is written, after the
    # earlier batches committed: validation must refuse the whole load first, on either store.
    rows = "".join(f"  - {{id: 's:{i}', type: Sector, name: 'S {i}'}}\n" for i in range(50))
    bad = "  - {id: 'base:x', type: Base, name: X, attributes: {memory_layers_mass_produced: [128, '232']}}\n"
    path = tmp_path / "mixed.yaml"
    path.write_text("entities:\n" + rows + bad, encoding="utf-8")
    result = cli("load", str(path), "--batch-size", "10")
    assert result.exit_code == 1
    assert f"{path}:52: attributes.memory_layers_mass_produced:" in result.stderr
    assert "all numbers or all text" in result.stderr and "nothing was loaded" in result.stderr
    assert store.is_empty()


def test_connection_of_an_entity_with_itself_is_the_path_of_no_hops(store: Store) -> None:
    # Neo4j refuses shortestPath with one node at both ends; both stores answer the same instead
    store.write(small_graph())
    same = store.run("connection", {"from": "cn-420100", "to": "cn-420100"})
    assert same.columns == ["hops", "names", "ids", "relations"]
    assert same.rows == [[0, ["Wuhan"], ["cn-420100"], []]]
    other = store.run("connection", {"from": "cn-420100", "to": "cn-420000"})
    assert other.rows == [[1, ["Wuhan", "Hubei"], ["cn-420100", "cn-420000"], ["LOCATED_IN"]]]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "9223372036854775808",
            "--param x: 9223372036854775808 is beyond the 64-bit integers a store holds (-2^63 to 2^63-1)",
        ),
        ("NaN", "--param x: NaN is not a number a store can hold; quote it as text: x='\"NaN\"'"),
        (
            "[1, -Infinity]",
            "--param x: -Infinity is not a number a store can hold; quote it as text: x='\"-Infinity\"'",
        ),
    ],
)
def test_a_parameter_no_store_can_hold_is_one_clear_line(cli, store: Store, value: str, message: str) -> None:
    # FalkorDB would clamp the integer without a word; the Neo4j driver would end in a traceback
    result = cli("query", "RETURN $x AS x", "-p", f"x={value}")
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"
