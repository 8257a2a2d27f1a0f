"""Hostile names and odd output paths through the CLI and the loaders (issue 16, items 7-11 and 13-15).

Names that are Rich markup, mathtext, spreadsheet formulas or terminal escapes; exports to folders, missing
folders, "" and /dev/full; numbers no store holds; collisions with what the store already holds; values
YAML or CSV silently change. Every case is one clear line (or the exact data), never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from graph.errors import OutputError
from graph.model import Entity, GraphData, Relation, RelType
from graph.nxgraph import from_networkx, read_node_link, to_networkx
from graph.outfile import output_file
from graph.stores import Store
from graph.viz.files import write_gexf, write_graphml, xml_text
from loaders import LoadErrors, load_paths
from tests.support import xml_schemas
from tests.support.figures import count, record_figures  # noqa: F401 - the module fixture writes the figures

FALKOR = pytest.mark.parametrize("store", ["falkordb"], indirect=True)  # the CLI layer: one store is enough
XSD = pytest.mark.skipif(not xml_schemas.available(), reason=xml_schemas.INSTALL_HINT)

MARKUP = "Bad [/bold] Co :thumbs_up:"
LINK = "[link=https://evil.example]click[/link]"
MATH = "Fund $\\frac{1 and $2"
FORMULA = '=HYPERLINK("http://x","y")'
MINUS = "-2+3"
MATH_YAML = MATH.replace("\\", "\\\\")
HOSTILE = f"""\
entities:
  - {{id: company:bad, type: Company, name: "{MARKUP}"}}
  - {{id: company:link, type: Company, name: "{LINK}"}}
  - {{id: company:fund, type: Company, name: "{MATH_YAML}"}}
  - {{id: company:eq, type: Company, name: '{FORMULA}'}}
  - {{id: company:minus, type: Company, name: "{MINUS}", aliases: ["@SUM(A1)"]}}
relations:
  - {{from: company:bad, type: PARTNERS_WITH, to: company:link}}
  - {{from: company:fund, type: PARTNERS_WITH, to: company:bad, role: "$x$ [b]role[/b]"}}
  - {{from: company:eq, type: PARTNERS_WITH, to: company:bad}}
  - {{from: company:minus, type: PARTNERS_WITH, to: company:fund}}
"""


@pytest.fixture
def cli_offline():
    """``indgraph`` in-process, for commands that open no store (``--graph FILE``)."""
    from typer.testing import CliRunner

    from graph.cli import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _clean(result, what: str) -> str:
    """The output of a command that must succeed; counts the attack as held."""
    assert result.exit_code == 0, f"{what}: {result.output}"
    count("hostile_io", "held")
    return result.output


def _refused(result, what: str, *expected: str) -> str:
    """A command that must fail with one clean ``error:`` line naming the problem, and no traceback."""
    assert result.exit_code != 0, f"{what} succeeded: {result.output}"
    text = result.output
    assert "Traceback" not in text and "Error:" not in text.replace("error:", ""), f"{what}: {text}"
    assert text.count("error:") == 1, f"{what}: {text}"
    for e in expected:
        assert e in text, f"{what}: expected {e!r} in {text!r}"
    count("hostile_io", "held")
    return text


# -- item 7/8: names are text, not markup or mathtext ------------------------------------------------
@FALKOR
def test_names_that_are_markup_or_mathtext_print_and_draw_as_written(cli, tmp_path: Path) -> None:
    _clean(cli("load", str(_write(tmp_path, "hostile.yaml", HOSTILE))), "load")
    out = _clean(cli("neighbours", "company:bad", "--offline"), "neighbours")
    assert MARKUP in out
    out = _clean(cli("analyse", "path", "company:bad", "company:fund"), "analyse path")
    assert MARKUP in out and MATH in out
    out = _clean(cli("query", "MATCH (n:Company) RETURN n.name AS name ORDER BY name"), "query")
    for name in (MARKUP, LINK, MATH, FORMULA, MINUS):
        assert name in out.replace("\n", ""), name
    out = _clean(cli("run", "partners", "-p", f"entity={MARKUP}"), "run")
    assert LINK in out
    for ext in ("png", "svg", "pdf", "html", "mmd"):
        out = _clean(cli("viz", "around", "company:fund", "-o", str(tmp_path / f"a.{ext}")), f"viz {ext}")
        assert f"Around {MATH}" in out
    # the SVG keeps the text as text (svg.fonttype none): the "$" came through as a character, not math
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert "$\\frac{1 and $2" in svg


@FALKOR
def test_terminal_escapes_in_stored_names_are_shown_not_obeyed(cli, store: Store) -> None:
    # written past the loaders (which refuse them), as an older store or another tool might hold them
    evil = "Evil\x1b]0;pwned\x07\x1b[2J Co\x08"
    store.write(GraphData(entities=[Entity(id="company:evil", type="Company", name=evil)]))
    out = _clean(cli("query", "MATCH (n:Company) RETURN n.name AS name"), "query")
    assert "\x1b" not in out and "\x07" not in out and "\x08" not in out
    assert "Evil\\x1b]0;pwned\\x07\\x1b[2J Co\\x08" in out
    out = _refused(cli("neighbours", evil + "x"), "unknown name", "no entity")
    assert "\x1b" not in out


def test_control_characters_in_names_are_refused_at_load(tmp_path: Path) -> None:
    text = (
        "entities:\n"
        '  - {id: company:a, type: Company, name: "A\\e[31m Co"}\n'
        '  - {id: company:b, type: Company, name: B, name_zh: "乙\\b", aliases: ["x\\ty"]}\n'
        '  - {id: company:c, type: Company, name: C, attributes: {description: "tabs\\tare fine here"}}\n'
    )
    with pytest.raises(LoadErrors) as exc:
        load_paths([_write(tmp_path, "ctl.yaml", text)])
    got = sorted((e.line, e.field, e.message.split(" (found")[0]) for e in exc.value.errors)
    assert got == [
        (2, "name", "a name cannot hold control characters"),
        (3, "aliases.0", "a name cannot hold control characters"),
        (3, "name_zh", "a name cannot hold control characters"),
    ]
    assert "(found \\x1b)" in str(exc.value)
    count("hostile_io", "held", 3)


# -- item 9: CSV for spreadsheets ------------------------------------------------------------------------
@FALKOR
def test_csv_output_neutralises_formulas(cli, tmp_path: Path) -> None:
    _clean(cli("load", str(_write(tmp_path, "hostile.yaml", HOSTILE))), "load")
    out = _clean(
        cli(
            "query", "MATCH (n:Company) RETURN n.name AS name, -2 AS n, n.aliases AS aliases ORDER BY name", "-f", "csv"
        ),
        "csv",
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["name", "n", "aliases"]
    by_name = {r[0].lstrip("'"): r for r in rows[1:]}
    assert by_name[FORMULA][0] == "'" + FORMULA
    assert by_name[MINUS][0] == "'" + MINUS and by_name[MINUS][2] == '["@SUM(A1)"]'
    assert by_name[MARKUP][0] == MARKUP  # not formula-like: as it is
    assert {r[1] for r in rows[1:]} == {"-2"}  # numbers stay numbers
    # JSON keeps the text exactly
    got = json.loads(
        _clean(cli("query", "MATCH (n:Company {id: 'company:eq'}) RETURN n.name AS name", "-f", "json"), "json")
    )
    assert got == [{"name": FORMULA}]


# -- item 10 and 14: exports ------------------------------------------------------------------------------
@FALKOR
def test_export_to_bad_paths_is_one_line_and_keeps_an_older_file(cli, tmp_path: Path) -> None:
    cases = {
        str(tmp_path): "it is a folder",
        str(tmp_path / "missing" / "g.json"): "does not exist",
        "": "no output file given",
        "/dev/full": "no space left",
        str(tmp_path / "hostile.yaml" / "g.json"): "is not a folder",
    }
    _write(tmp_path, "hostile.yaml", HOSTILE)
    for target, expected in cases.items():
        for fmt in ("node-link", "graphml", "gexf"):
            _refused(cli("export", "-f", fmt, "-o", target), f"export {fmt} to {target!r}", expected)
    for target in (str(tmp_path), str(tmp_path / "missing" / "x.json")):
        _refused(cli("analyse", "key-links", "--json", target), f"--json {target}", "cannot write")
    _refused(cli("viz", "-o", "/dev/full/x.png"), "viz into a device", "is not a folder")


def test_a_failed_write_leaves_the_older_file_whole(tmp_path: Path) -> None:
    target = _write(tmp_path, "graph.json", '{"old": true}')
    with pytest.raises(RuntimeError), output_file(target) as tmp:
        tmp.write_text('{"half', encoding="utf-8")
        raise RuntimeError("the export failed half-way")
    assert target.read_text(encoding="utf-8") == '{"old": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]  # no temporary file left behind
    with pytest.raises(OutputError, match="no space left"), output_file("/dev/full") as tmp:
        tmp.write_text("x" * 10_000, encoding="utf-8")
    count("hostile_io", "held", 2)


def test_graph_files_that_are_no_graph_are_one_line(cli_offline, tmp_path: Path) -> None:
    deep = _write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    cases = {
        deep: "nested too deeply",
        _write(tmp_path, "text.json", "not json"): "is not JSON",
        _write(tmp_path, "obj.json", '{"a": 1}'): "is not node-link JSON",
        _write(tmp_path, "bad.json", '{"nodes": [{"x": 1}], "links": []}'): "not a valid node-link graph",
        tmp_path / "none.json": "no such graph file",
    }
    for path, expected in cases.items():
        _refused(cli_offline("analyse", "key-links", "--graph", str(path)), f"--graph {path.name}", expected)


NAMES = [
    "Ctrl\x08 and \x01 and DEL\x7f",
    "RTL \u202eevil\u202c and \u200f mark",
    "Emoji 😀🇨🇳 and 👩\u200d💻",
    "Quotes \" ' ` & < > ]]>",
    "Newline\nand tab\t",
    "中文名称",
]


def _hostile_graph() -> GraphData:
    ents = [
        Entity(id=f"company:n{i}", type="Company", name=n, name_zh=n[::-1], aliases=[f"alias {i} {n}"])
        for i, n in enumerate(NAMES)
    ]
    rels = [
        Relation(source=f"company:n{i}", type=RelType.PARTNERS_WITH, target=f"company:n{i + 1}", role=NAMES[i])
        for i in range(len(NAMES) - 1)
    ]
    return GraphData(entities=ents, relations=rels).sorted()


def _xml_expected(text: str) -> str:
    """What an XML file can hold of ``text``: no C0 controls (U+FFFD), and a CR read back as a newline."""
    return xml_text(text).replace("\r\n", "\n").replace("\r", "\n")


@FALKOR
def test_export_every_format_reads_back(cli, store: Store, tmp_path: Path) -> None:
    data = _hostile_graph()
    store.write(data)
    for fmt, ext in (("node-link", "json"), ("graphml", "graphml"), ("gexf", "gexf")):
        path = tmp_path / f"g.{ext}"
        out = _clean(cli("export", "-f", fmt, "-o", str(path)), f"export {fmt}")
        assert f"wrote {len(NAMES)} nodes and {len(NAMES) - 1} links" in out
        if fmt == "node-link":
            assert from_networkx(read_node_link(path)).sorted() == data
            continue
        ET.parse(path)  # well-formed XML (expat refuses U+0008 and friends)
        if xml_schemas.available():  # and valid against GraphML's / GEXF 1.2's XSD
            assert xml_schemas.errors(path, fmt) == [], fmt
        g = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
        assert sorted(g.nodes) == [e.id for e in data.entities]
        for e in data.entities:
            a = g.nodes[e.id]
            assert a["name"] == _xml_expected(e.name), (fmt, e.name)
            assert a["name_zh"] == _xml_expected(e.name_zh or "")
            assert json.loads(a["aliases"]) == e.aliases  # JSON text escapes control characters itself
        roles = sorted(a["role"] for *_, a in g.edges(data=True))
        assert roles == sorted(_xml_expected(r.role or "") for r in data.relations)
    # the GEXF of a whole graph carries no layout (Gephi lays it out); a viz GEXF does
    assert "viz:position" not in (tmp_path / "g.gexf").read_text(encoding="utf-8")
    if not xml_schemas.available():
        pytest.skip(f"read back, but not checked against the XML schemas: {xml_schemas.INSTALL_HINT}")


@XSD
def test_graph_files_with_layout_are_schema_valid(tmp_path: Path) -> None:
    g = to_networkx(_hostile_graph())
    gexf = write_gexf(g, tmp_path / "g.gexf")  # with viz colour, size, position and edge thickness
    graphml = write_graphml(g, tmp_path / "g.graphml", labels="zh")
    assert "<viz:position" in gexf.read_text(encoding="utf-8")
    assert xml_schemas.errors(gexf, "gexf") == []
    assert xml_schemas.errors(graphml, "graphml") == []


@XSD
def test_schema_check_rejects_what_the_formats_forbid(tmp_path: Path) -> None:
    """The check can fail: a colour channel beyond 255, a repeated GraphML key id, networkx's graph name."""
    g = to_networkx(_hostile_graph())
    text = write_gexf(g, tmp_path / "g.gexf").read_text(encoding="utf-8")
    bad = tmp_path / "bad.gexf"
    bad.write_text(text.replace('<viz:color r="', '<viz:color r="3', 1), encoding="utf-8")
    assert any("attribute 'r'" in e and "('255')" in e for e in xml_schemas.errors(bad, "gexf"))
    bad.write_text(text.replace('mode="static"', 'mode="static" name=""', 1), encoding="utf-8")
    assert any("'name' is not allowed" in e for e in xml_schemas.errors(bad, "gexf"))
    shared = nx.MultiDiGraph([("a", "b", {"type": "PART_OF"})])
    shared.nodes["a"]["type"] = "Zone"  # node and edge attribute of one name: one key id each, or two "type"s
    nx.write_graphml(shared, bad, named_key_ids=True)
    assert any("Duplicate key-sequence ['type']" in e for e in xml_schemas.errors(bad, "graphml"))
    nx.write_graphml(shared, bad)
    assert xml_schemas.errors(bad, "graphml") == []


# -- item 10/11: parameters ------------------------------------------------------------------------------
@FALKOR
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("123456789012345678901234567890", "beyond the 64-bit integers"),
        ("-9223372036854775809", "beyond the 64-bit integers"),
        ("1e309", "beyond the largest number"),
        ("-1e309", "beyond the largest number"),
        ("1e-400", "too close to zero"),
        ("NaN", "NaN is not a number"),
        ("Infinity", "Infinity is not a number"),
        ("-Infinity", "-Infinity is not a number"),
        ("[1, NaN]", "NaN is not a number"),
        ('{"a`b": 1}', "a map key cannot hold a backtick"),
        ('{"m": {"`": 1}}', "a map key cannot hold a backtick"),
    ],
)
def test_params_no_store_holds_are_refused(cli, value: str, expected: str) -> None:
    _refused(cli("query", "RETURN $x AS x", "-p", f"x={value}"), value, expected)


@FALKOR
def test_param_edge_values_still_work(cli, store: Store) -> None:
    store.write(GraphData(entities=[Entity(id="company:a", type="Company", name="A")]))  # a graph to query
    for value, want in (("9223372036854775807", 9223372036854775807), ("1e-300", 1e-300), ("0.0", 0.0), ("-0", 0)):
        got = json.loads(_clean(cli("query", "RETURN $x AS x", "-p", f"x={value}", "-f", "json"), value))
        assert got == [{"x": want}], value
    _refused(cli("query", "RETURN 1", "-p", "a`b=1"), "backtick name", "a parameter name is letters")


# -- item 13: collisions with what the store holds ---------------------------------------------------------
STORED = """\
doc: demo.txt
entities:
  - {id: cn-420100, type: City, name: Wuhan, aliases: [Jiangcheng], sources: [Wuhan is a city.]}
  - {id: company:cafe, type: Company, name: "Caf\\u00e9 R\\u00e9sum\\u00e9", sources: [A cafe.]}
"""


@pytest.mark.parametrize("store", ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)], indirect=True)
def test_collisions_with_the_stored_graph_are_caught_at_validation(cli, store: Store, tmp_path: Path) -> None:
    _clean(cli("load", str(_write(tmp_path, "stored.yaml", STORED))), "load")
    # imported data without evidence (as ChainKG's product 'AI'): a curated alias may name it too
    store.write(GraphData(entities=[Entity(id="sector:imported", type="Sector", name="Shared Name")]))
    new = """\
entities:
  - {id: company:a, type: Company, name: A Co, aliases: [WUHAN, shared name]}
  - {id: company:b, type: Company, name: Jiangcheng}
  - {id: company:c, type: Company, name: C Co, aliases: ["Cafe\\u0301 Re\\u0301sume\\u0301"]}
  - {id: company:d, type: Company, name: D Co, aliases: [cn-420100]}
  - {id: company:e, type: Company, name: E Co, level: 3}
relations:
  - {from: company:e, type: LOCATED_IN, to: cn-420100}
  - {from: company:a, type: LOCATED_IN, to: Wuhan}
"""
    path = _write(tmp_path, "new.yaml", new)
    before = store.dump().sorted()
    for args in (("load", "--dry-run", str(path)), ("load", str(path))):
        out = cli(*args).output
        lines = sorted(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith(str(path)))
        assert lines == [
            "aliases: 'cn-420100' is the id of another entity ('cn-420100'): a lookup would find that one",
            "aliases: alias 'Cafe\u0301 Re\u0301sume\u0301' is also claimed by 'company:cafe' (in the store)",
            "aliases: alias 'WUHAN' is also claimed by 'cn-420100' (in the store)",
            "level: unknown field",
            "name: 'Jiangcheng' is an alias of 'cn-420100' in the store: an alias belongs to one entity",
            "to: no entity with id 'Wuhan'; 'Wuhan' is a name of 'cn-420100' or 'company:a': relations take ids",
        ], out
        count("hostile_io", "held")
    assert store.dump().sorted() == before


def test_nfc_equal_names_and_ids_collide_within_a_load(tmp_path: Path) -> None:
    text = """\
entities:
  - {id: company:a, type: Company, name: "Cafe\\u0301 Re\\u0301sume\\u0301"}
  - {id: company:b, type: Company, name: B, aliases: ["CAF\\u00c9 R\\u00c9SUM\\u00c9"]}
  - {id: company:c, type: Company, name: "company:a"}
  - {id: company:d, type: Company, name: D, level: 1}
relations:
  - {from: company:d, type: PARTNERS_WITH, to: company:a}
  - {from: company:c, type: PARTNERS_WITH, to: "b"}
"""
    with pytest.raises(LoadErrors) as exc:
        load_paths([_write(tmp_path, "nfc.yaml", text)])
    assert [(e.line, e.field, e.message.replace(str(tmp_path) + "/", "")) for e in exc.value.errors] == [
        (3, "aliases", "alias 'CAF\u00c9 R\u00c9SUM\u00c9' is also claimed by 'company:a' (nfc.yaml:2)"),
        (4, "name", "'company:a' is the id of another entity ('company:a'): a lookup would find that one"),
        (5, "level", "unknown field"),
        (8, "to", "no entity with id 'b'; 'b' is a name of 'company:b': relations take ids"),
    ]
    count("hostile_io", "held", 4)


# -- item 15: values the loaders changed or refused unclearly ----------------------------------------------
def test_values_yaml_or_csv_would_change_are_refused_clearly(tmp_path: Path) -> None:
    text = """\
entities:
  - id: company:v
    type: Company
    name: NO
    aliases: [yes, "ok"]
    attributes: {code: 000001, area_km2: 1e-400, listed_on: 2020/13/45, construction_start: 2016-13}
  - {id: company:w, type: Company, name: W, attributes: {listed_on: "2020-02-30", investment_usd: 1e-300}}
relations:
  - {from: company:v, type: PARTNERS_WITH, to: company:w, weight: -5e-999}
"""
    with pytest.raises(LoadErrors) as exc:
        load_paths([_write(tmp_path, "values.yaml", text)])
    assert [(e.line, e.field, e.message) for e in exc.value.errors] == [
        (4, "name", 'must be text, but YAML read NO as the boolean false; quote it to keep it as written: name: "NO"'),
        (5, "aliases.0", 'must be text, but YAML read yes as the boolean true; quote it to keep it as written: "yes"'),
        (
            6,
            "attributes.area_km2",
            "1e-400 is too close to zero: the stores would keep it as 0 (write 0 if that is meant)",
        ),
        (
            6,
            "attributes.code",
            'must be text, but YAML read 000001 as the number 1; quote it to keep it as written: code: "000001"',
        ),
        (6, "attributes.construction_start", "'2016-13' is not a real date (month 01-12, a day the month has)"),
        (6, "attributes.listed_on", "a date is written YYYY-MM-DD (or YYYY-MM, YYYY), got '2020/13/45'"),
        (7, "attributes.listed_on", "'2020-02-30' is not a real date (month 01-12, a day the month has)"),
        (9, "weight", "-5e-999 is too close to zero: the stores would keep it as 0 (write 0 if that is meant)"),
    ]
    count("hostile_io", "held", 8)


def test_csv_cells_past_128_kb_and_long_values_in_messages(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    big = "x" * 200_000
    (folder / "entities.csv").write_text(
        "id,type,name,attr:description,attr:area_km2\n"
        f"company:a,Company,A,{big},1e-400\n"
        f"company:b,Company,{big},ok,\n"
        "company:c,Company,C,,\n",
        encoding="utf-8",
    )
    (folder / "relations.csv").write_text(
        f"from,type,to\ncompany:b,PARTNERS_WITH,company:c\ncompany:a,PARTNERS_WITH,{'w' * 100_000}\n", encoding="utf-8"
    )
    with pytest.raises(LoadErrors) as exc:
        load_paths([folder])
    got = [(Path(e.file).name, e.line, e.field, e.message) for e in exc.value.errors]
    assert got == [
        (
            "entities.csv",
            2,
            "attr:area_km2",
            "1e-400 is too close to zero: the stores would keep it as 0 (write 0 if that is meant)",
        ),
        ("entities.csv", 3, "name", "String should have at most 500 characters"),
        ("relations.csv", 3, "to", f"no entity with id '{'w' * 79}…(100000 characters)'"),
    ]
    assert max(len(str(e)) for e in exc.value.errors) < 300
    count("hostile_io", "held", 3)
