"""Every statement the project can send to Neo4j passes Neo4j's own Cypher 5 front end.

The checker (tests/support/cypherlint.py) runs through Node; these tests skip when it is not installed
(`npm ci --prefix tests/support/cypher_lint`, Node >= 20). All statements go to one checker process.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from graph import cypherlib
from graph.model import EntityType, RelType
from tests.support import cypherlint
from tests.support.cypherlint import Diagnostic

# A known-bad statement that uses a parameter, so it also proves the undefined-parameter filter
# keeps real errors: if the checker finds nothing here, its clean results mean nothing.
CANARY_KEY = "__canary__"
CANARY = "MATCH (n:Entity {id: $id}) RETURN m"
STATEMENTS = cypherlib.all_statements("neo4j")


# A guard against a hung checker, not a speed limit: ~0.5 s of CPU per statement, more on a busy machine.
LINT_TIMEOUT_S = 1800.0


@pytest.fixture(scope="module")
def found() -> dict[str, list[Diagnostic]]:
    if not cypherlint.available():
        pytest.skip(f"the Cypher checker is not installed: {cypherlint.INSTALL_HINT}")
    assert CANARY_KEY not in STATEMENTS
    todo = {CANARY_KEY: CANARY, **STATEMENTS}
    # Identical texts (a template file that is also sent as itself) are checked once.
    by_text: dict[str, str] = {}
    for key, text in todo.items():
        by_text.setdefault(text, key)
    keys = list(by_text.values())
    # The checker is single-threaded Node: one process per core.
    workers = max(1, min(os.cpu_count() or 1, 4, len(keys)))
    chunks = [keys[i::workers] for i in range(workers)]

    def check(chunk: list[str]) -> dict[str, list[Diagnostic]]:
        return cypherlint.errors({k: todo[k] for k in chunk}, version="5", timeout=LINT_TIMEOUT_S)

    checked: dict[str, list[Diagnostic]] = {}
    with ThreadPoolExecutor(workers) as pool:
        for part in pool.map(check, chunks):
            checked.update(part)
    result = {key: checked[by_text[text]] for key, text in todo.items()}
    if not result[CANARY_KEY]:
        pytest.fail(f"the checker reported no error for the known-bad {CANARY!r}; it cannot be trusted")
    return result


def test_checker_catches_a_known_bad_query(found: dict[str, list[Diagnostic]]) -> None:
    assert [d.message for d in found[CANARY_KEY]] == ["Variable `m` not defined"]


@pytest.mark.parametrize("key", sorted(STATEMENTS))
def test_statement_is_valid_cypher5(found: dict[str, list[Diagnostic]], key: str) -> None:
    problems = [f"{d.line}:{d.column} {d.message}" for d in found[key]]
    assert not problems, f"{key} is not valid Cypher 5:\n{STATEMENTS[key]}\n" + "\n".join(problems)


def test_all_statements_covers_what_the_store_sends() -> None:
    # The lint is only as good as this list: every template expanded, every query in its neo4j variant.
    keys = set(STATEMENTS)
    for label in EntityType:
        assert {f"upsert_entities[{label}]", f"create_entities[{label}]"} <= keys
    for rel in RelType:
        assert {f"upsert_relations[{rel}]", f"create_relations[{rel}]"} <= keys
    assert {f"queries/{name}" for name in cypherlib.library("neo4j")} <= keys
    for stmt in ("read/entities", "read/relations", "read/count_entities", "read/count_relations"):
        assert stmt in keys
    assert "write/clear_batch" in keys
    schema = [v for k, v in STATEMENTS.items() if k.startswith("schema[")]
    assert len(schema) == len(cypherlib.schema("neo4j")) >= len(cypherlib.schema("falkordb")) - len(EntityType)
    assert any("FOR (n:Entity) REQUIRE n.id IS UNIQUE" in s for s in schema)
    assert all("__LABEL__" not in s and "__TYPE__" not in s for s in STATEMENTS.values())
    # The neo4j variant, not the FalkorDB one, is what gets linted.
    assert "allShortestPaths" in STATEMENTS["queries/connection"]
    assert "algo." not in STATEMENTS["queries/connection"]
