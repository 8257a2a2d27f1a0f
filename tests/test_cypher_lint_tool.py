"""Tests for the Cypher checker (tests/support/cypherlint.py + tests/support/cypher_lint/lint.mjs).

The checker runs Neo4j's own front end through Node; tests that need it skip when node or
the npm package is missing (install with `npm ci --prefix tests/support/cypher_lint`).
"""

from __future__ import annotations

import pytest

from tests.support import cypherlint
from tests.support.cypherlint import Diagnostic

GOOD_PARAM = "UNWIND $rows AS row MERGE (n:Entity {id: row.id}) SET n += row.props"
CASES = {
    "bad_syntax": "MATCH (n RETURN n",
    "undefined_return": "RETURN x",
    "undefined_after_match": "MATCH (n) RETURN m",
    "good_param": GOOD_PARAM,
    "constraint": "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "index_for_on": "CREATE INDEX FOR (n:Entity) ON (n.id)",
    "index_old_syntax": "CREATE INDEX ON :Entity(id)",
    "multi": "MATCH (n) RETURN n;\nMATCH (m)\nRETURN x;",
    "multi_good": f"{GOOD_PARAM};\nMATCH (n:Entity {{id: $id}}) RETURN n.name AS name;",
    "param_and_error": "MATCH (n:Entity {id: $id}) RETURN m",
    "cypher25_only": "MATCH (n) LET x = 1 RETURN x",
}


@pytest.fixture(scope="module")
def checker_ready() -> None:
    if not cypherlint.available():
        pytest.skip("Cypher checker not installed: needs `node` and `npm ci --prefix tests/support/cypher_lint`")


@pytest.fixture(scope="module")
def found(checker_ready: None) -> dict[str, list[Diagnostic]]:
    return cypherlint.errors(CASES)


@pytest.fixture(scope="module")
def everything(checker_ready: None) -> dict[str, list[Diagnostic]]:
    return cypherlint.lint(CASES)


def messages(diags: list[Diagnostic]) -> list[str]:
    return [d.message for d in diags]


# --- pure Python: the filter ------------------------------------------------------------


@pytest.mark.parametrize("name", ["rows", "id", "0", "`my param`", "名称"])
def test_undefined_parameter_is_recognised(name: str) -> None:
    d = Diagnostic("error", f"Parameter ${name} is not defined.", 1, 1)
    assert cypherlint.is_undefined_parameter(d)


@pytest.mark.parametrize(
    "message",
    [
        "Variable `x` not defined",
        "Parameter $rows is not defined",  # no full stop
        "Parameter $a b is not defined.",
        "Some Parameter $rows is not defined.",
        "Invalid input 'RETURN': expected a parameter",
    ],
)
def test_other_diagnostics_are_not_filtered(message: str) -> None:
    assert not cypherlint.is_undefined_parameter(Diagnostic("error", message, 1, 1))


# --- through Node --------------------------------------------------------------------------


def test_syntax_error_is_reported(found: dict[str, list[Diagnostic]]) -> None:
    (d,) = found["bad_syntax"]
    assert d.severity == "error"
    assert d.message.startswith("Invalid input 'RETURN'")
    assert (d.line, d.column) == (1, 10)


def test_semantic_errors_are_reported(found: dict[str, list[Diagnostic]]) -> None:
    assert messages(found["undefined_return"]) == ["Variable `x` not defined"]
    assert messages(found["undefined_after_match"]) == ["Variable `m` not defined"]
    assert (found["undefined_after_match"][0].line, found["undefined_after_match"][0].column) == (1, 18)


def test_parameterised_query_is_clean_after_filtering(
    found: dict[str, list[Diagnostic]], everything: dict[str, list[Diagnostic]]
) -> None:
    assert found["good_param"] == []
    # Unfiltered, the only finding is the expected undefined parameter.
    assert messages(everything["good_param"]) == ["Parameter $rows is not defined."]


def test_filter_keeps_real_errors_next_to_parameters(
    found: dict[str, list[Diagnostic]], everything: dict[str, list[Diagnostic]]
) -> None:
    assert messages(found["param_and_error"]) == ["Variable `m` not defined"]
    assert "Parameter $id is not defined." in messages(everything["param_and_error"])


def test_neo4j5_constraint_ddl_is_clean(everything: dict[str, list[Diagnostic]]) -> None:
    assert everything["constraint"] == []


def test_index_syntax(everything: dict[str, list[Diagnostic]]) -> None:
    # `CREATE INDEX FOR (n:Label) ON (n.prop)` is valid in both FalkorDB and Neo4j 5.
    assert everything["index_for_on"] == []
    # The old `CREATE INDEX ON :Label(prop)` form (still accepted by FalkorDB) is not Neo4j 5.
    assert messages(everything["index_old_syntax"]) == [
        "Invalid create index syntax, use `CREATE INDEX FOR ...` instead."
    ]


def test_multiple_statements_in_one_text(found: dict[str, list[Diagnostic]]) -> None:
    (d,) = found["multi"]
    assert d.message == "Variable `x` not defined"
    assert (d.line, d.column) == (3, 8)
    assert found["multi_good"] == []


def test_cypher5_is_selected(found: dict[str, list[Diagnostic]], checker_ready: None) -> None:
    # LET is Cypher 25 only: an error under the default (5), clean when 25 is asked for.
    assert any(m.startswith("Invalid input 'LET'") for m in messages(found["cypher25_only"]))
    assert cypherlint.errors({"q": CASES["cypher25_only"]}, version="25") == {"q": []}


def test_bad_version_fails_loudly(checker_ready: None) -> None:
    with pytest.raises(RuntimeError, match="unknown Cypher version"):
        cypherlint.lint({"q": "RETURN 1"}, version="4")


def test_empty_input(checker_ready: None) -> None:
    assert cypherlint.lint({}) == {}
    assert cypherlint.lint({"blank": ""}) == {"blank": []}
