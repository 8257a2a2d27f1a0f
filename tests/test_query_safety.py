"""Untrusted queries: ``indgraph query`` is read-only unless ``--write``, timeouts stop slow reads, and
labels and relationship types reach Cypher text only through the model's enums."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from graph import cypherlib
from graph.model import Entity, EntityType, GraphData, Relation, RelType
from graph.stores import Store
from tests.support.figures import count, record_figures  # noqa: F401 - the module fixture writes the figures

ROOT = Path(__file__).resolve().parent.parent
SMALL = GraphData(
    entities=[
        Entity(id="cn-420000", type="Province", name="Hubei"),
        Entity(id="cn-420100", type="City", name="Wuhan", name_zh="武汉市"),
        Entity(id="company:x", type="Company", name="X Co"),
    ],
    relations=[
        Relation(source="cn-420100", type="LOCATED_IN", target="cn-420000"),
        Relation(source="company:x", type="LOCATED_IN", target="cn-420100"),
    ],
)


def snapshot(store: Store) -> tuple[object, ...]:
    """Everything a statement could change: records, raw labels and properties, indexes."""
    nodes = store.query("MATCH (n) RETURN labels(n), properties(n) ORDER BY n.id").rows
    rels = store.query("MATCH (a)-[r]->(b) RETURN a.id, type(r), properties(r), b.id ORDER BY a.id, b.id").rows
    indexes = store.query(INDEXES[store.dialect]).rows
    return store.dump().sorted(), sorted(map(str, nodes)), sorted(map(str, rels)), sorted(map(str, indexes))


INDEXES = {
    "falkordb": "CALL db.indexes() YIELD label, properties, types RETURN label, properties, types",
    "neo4j": "SHOW INDEXES YIELD name, labelsOrTypes, properties, type RETURN name, labelsOrTypes, properties, type",
}

# (statement, a statement to run first with --write so that the statement has something to act on)
WRITES = [
    ("CREATE (:Entity:City {id: 'intruder', type: 'City', name: 'X'})", None),
    ("MATCH (n:Entity {id: 'company:x'}) DELETE n", "MATCH (n:Entity {id: 'company:x'})-[r]-() DELETE r"),
    ("MATCH (n) DETACH DELETE n", None),
    ("MATCH (n:Entity {id: 'cn-420100'}) SET n.name = 'changed'", None),
    ("MATCH (n:Entity {id: 'cn-420100'}) SET n:Sector", None),
    ("MERGE (n:Entity:City {id: 'cn-999999', type: 'City', name: 'X'})", None),
    ("MATCH (n:Entity {id: 'cn-420100'}) REMOVE n.name_zh", None),
    ("MATCH (n:Entity {id: 'cn-420100'}) REMOVE n:City", None),
    ("MATCH (a:Entity {id: 'company:x'})-[r:LOCATED_IN]->() DELETE r", None),
    ("UNWIND range(1, 3) AS i CREATE (:Entity:Sector {id: 's' + toString(i), type: 'Sector', name: 'S'})", None),
    ("CREATE INDEX FOR (n:City) ON (n.name_zh)", None),
]
# Schema changes are spelt differently in each dialect.
SCHEMA_WRITES = {
    "falkordb": [
        ("CALL db.idx.fulltext.createNodeIndex('City', 'name')", None),
        ("CALL db.idx.fulltext.drop('City')", "CALL db.idx.fulltext.createNodeIndex('City', 'name')"),
        ("DROP INDEX ON :City(id)", None),
    ],
    "neo4j": [
        ("CREATE FULLTEXT INDEX city_names FOR (n:City) ON EACH [n.name]", None),
        ("DROP INDEX city_names", "CREATE FULLTEXT INDEX city_names FOR (n:City) ON EACH [n.name]"),
        ("CREATE CONSTRAINT city_code FOR (n:City) REQUIRE n.code IS UNIQUE", None),
        ("CREATE INDEX located_since FOR ()-[r:LOCATED_IN]-() ON (r.since_year)", None),
    ],
}
CASES = [
    pytest.param(kind, statement, setup, id=f"{kind}-{statement[:40]}", marks=[pytest.mark.neo4j] * (kind == "neo4j"))
    for kind in ("falkordb", "neo4j")
    for statement, setup in WRITES + SCHEMA_WRITES[kind]
]


@pytest.mark.parametrize(("store", "statement", "setup"), CASES, indirect=["store"])
def test_query_refuses_writes_without_write(cli, store: Store, statement: str, setup: str | None) -> None:
    store.write(SMALL)
    if setup:
        assert cli("query", setup, "--write").exit_code == 0
    before = snapshot(store)
    r = cli("query", statement)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "read-only unless --write" in r.stderr and "Traceback" not in r.stderr
    assert snapshot(store) == before
    # the same statement with --write does change the graph: the refusal above was real
    w = cli("query", statement, "--write")
    assert w.exit_code == 0, w.stderr
    assert snapshot(store) != before
    count("query_read_only", "write_statements_refused")


SLOW = "UNWIND range(1, 10000) AS x UNWIND range(1, 10000) AS y RETURN count(*) AS n"  # 10^8 rows


def test_query_timeout_stops_a_slow_read(cli, store: Store) -> None:
    store.write(SMALL)
    r = cli("query", SLOW, "--timeout", "300")
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "ran longer than its timeout (300 ms) and was stopped" in r.stderr
    assert "Traceback" not in r.stderr
    # and the server is fine afterwards
    ok = cli("query", "MATCH (n:Entity) RETURN count(n) AS n", "-f", "json")
    assert ok.exit_code == 0 and '"n": 3' in ok.stdout
    count("query_timeout", "slow_reads_stopped")


EVIL = [
    "City) DETACH DELETE n //",
    "City`) DETACH DELETE n //",
    "City:Sector",
    "City {id: 'x'}",
    "city",
    "Entity",
    "",
    "City\n",
    "LOCATED_IN]->() DETACH DELETE n //",
]


@pytest.mark.parametrize("evil", EVIL)
def test_labels_and_types_from_user_strings_are_refused(evil: str) -> None:
    with pytest.raises(ValueError):
        cypherlib.upsert_entities(evil)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cypherlib.upsert_entities(evil, create=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cypherlib.upsert_relations(evil)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cypherlib.upsert_relations(evil, create=True)  # type: ignore[arg-type]


def test_templates_get_exactly_the_enum_value() -> None:
    placeholders = set()
    for path in (ROOT / "cypher").rglob("*.cypher"):
        placeholders |= set(re.findall(r"__[A-Z]+__", path.read_text(encoding="utf-8")))
    # the only places text is put into Cypher, each filled from an enum by graph/cypherlib.py
    assert placeholders <= {"__LABEL__", "__TYPE__"}, placeholders
    for label in EntityType:
        for create in (False, True):
            stmt = cypherlib.upsert_entities(label.value, create=create)  # type: ignore[arg-type]
            assert "__" not in stmt and f":{label.value}" in stmt
    for rel in RelType:
        for create in (False, True):
            stmt = cypherlib.upsert_relations(rel.value, create=create)  # type: ignore[arg-type]
            assert "__" not in stmt and f":{rel.value}" in stmt
    for dialect in cypherlib.DIALECTS:
        assert not any("__" in s for s in cypherlib.schema(dialect))


# -- audit: where Python code puts text into Cypher --------------------------------------------------------
CYPHER_WORDS = re.compile(r"\b(MATCH|MERGE|CREATE|UNWIND|DELETE|RETURN|CALL|SET|REMOVE|WITH)\b")
# Reviewed places that fill a template; each takes its label or type from EntityType/RelType.
TEMPLATE_FILLERS = {
    ("graph/cypherlib.py", "schema"),
    ("graph/cypherlib.py", "upsert_entities"),
    ("graph/cypherlib.py", "insert_entities"),  # reviewed: the label goes through EntityType(label) first
    ("graph/cypherlib.py", "upsert_relations"),
    ("graph/cypherlib.py", "register_relation_type"),  # reviewed: the type goes through RelType(rel) first
}


def _python_files() -> list[Path]:
    return sorted(p for d in ("graph", "loaders") for p in (ROOT / d).rglob("*.py"))


def _functions(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node of the tree -> the name of the function it is in."""
    owner: dict[ast.AST, str] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                owner[node] = fn.name
    return owner


# text before an interpolation that puts it where a label or type goes: "(n:", "[r:", "[:A|", "(n:`"
LABEL_POSITION = re.compile(r"[(\[][^()\[\]]*[:|]`?\s*$")


def _label_interpolations(node: ast.AST) -> tuple[str, bool] | None:
    """(fixed text, whether a value is interpolated at a label/type position) of an f-string, a ``%``
    format or a ``.format()`` call; None for anything else."""
    if isinstance(node, ast.JoinedStr):
        text, hit = "", False
        for v in node.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                text += v.value
            else:
                hit = hit or bool(LABEL_POSITION.search(text))
        return text, hit
    fmt = None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
        fmt, slot = str(node.left.value), r"%(?:\(\w+\))?[sr]"
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
    ):
        fmt, slot = str(node.func.value.value), r"(?<!\{)\{[^{}]*\}(?!\})"
    if fmt is None:
        return None
    return fmt, any(LABEL_POSITION.search(fmt[: m.start()]) for m in re.finditer(slot, fmt))


def audit(files: list[Path], root: Path) -> tuple[set[tuple[str, str]], list[str]]:
    """Where ``files`` fill a Cypher template (file, function), and where they format a value into Cypher
    text at a label or relationship-type position."""
    fillers, formatted = set(), []
    for path in files:
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = _functions(tree)
        for node in ast.walk(tree):
            if (  # .replace("__LABEL__", x) and friends: filling a template
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "replace"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and re.fullmatch(r"__[A-Z]+__", node.args[0].value)
            ):
                fillers.add((rel, owner.get(node, "<module>")))
            found = _label_interpolations(node)
            if found and found[1] and CYPHER_WORDS.search(found[0]):
                formatted.append(f"{rel}:{getattr(node, 'lineno', 0)}: {found[0][:80]!r}")
    return fillers, formatted


def test_audit_text_put_into_cypher() -> None:
    """Values travel as parameters; a label or relationship type is text, so it may only come from
    EntityType/RelType through graph/cypherlib.py. New code that formats Cypher fails here until reviewed."""
    files = _python_files()
    fillers, formatted = audit(files, ROOT)
    assert fillers == TEMPLATE_FILLERS, f"template fillers changed, review them: {fillers ^ TEMPLATE_FILLERS}"
    assert not formatted, "Cypher built by string formatting (use parameters, or cypher/ + cypherlib):\n" + "\n".join(
        formatted
    )
    count("query_audit", "python_files_audited", len(files))


def test_the_audit_finds_what_it_looks_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(label, rel):\n"
        '    a = f"MATCH (n:{label}) RETURN n"\n'
        '    b = "MATCH ()-[r:%s]->() DELETE r" % rel\n'
        '    c = "MERGE (n:{}) RETURN n".format(label)\n'
        '    d = "MATCH (n:__LABEL__) RETURN n".replace("__LABEL__", label)\n'
        '    e = f"loaded {label} rows"  # not Cypher\n'
        '    g = f"MATCH (n:Entity {{id: $id}}) RETURN n: {label}"  # a value, but not at a label position\n'
        "    return a, b, c, d, e, g\n",
        encoding="utf-8",
    )
    fillers, formatted = audit([bad], tmp_path)
    assert fillers == {("bad.py", "f")}
    assert [f.split(":")[1] for f in formatted] == ["2", "3", "4"]
