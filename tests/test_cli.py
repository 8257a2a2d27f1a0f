"""The CLI commands of the core, in-process (CliRunner) and as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import short_tmpdir

SMALL = """\
doc: demo.txt
entities:
  - {id: cn-420000, type: Province, name: Hubei Province, name_zh: 湖北省}
  - {id: cn-420100, type: City, name: Wuhan, name_zh: 武汉市}
  - {id: sector:a, type: Sector, name: Anode materials}
  - {id: sector:b, type: Sector, name: Battery cells}
  - {id: company:x, type: Company, name: "X \\"quoted\\" Co", name_zh: 某公司}
relations:
  - {from: cn-420100, type: LOCATED_IN, to: cn-420000}
  - {from: company:x, type: LOCATED_IN, to: cn-420100}
  - {from: company:x, type: SPECIALISES_IN, to: sector:b}
  - {from: sector:a, type: PART_OF_CHAIN, to: sector:b, chain: battery}
"""


def small(tmp_path: Path) -> Path:
    p = tmp_path / "small.yaml"
    p.write_text(SMALL, encoding="utf-8")
    return p


def test_load_dry_run_writes_nothing(cli, tmp_path: Path) -> None:
    r = cli("load", str(small(tmp_path)), "--dry-run")
    assert r.exit_code == 0 and "valid: 5 entities, 4 relations" in r.stdout
    stats = json.loads(cli("stats", "-f", "json").stdout)
    assert next(row for row in stats if row["kind"] == "total")["count"] == 0


def test_load_then_stats(cli, tmp_path: Path) -> None:
    r = cli("load", str(small(tmp_path)))
    assert r.exit_code == 0 and "LOCATED_IN" in r.stdout
    rows = list(csv.DictReader(io.StringIO(cli("stats", "-f", "csv").stdout)))
    counts = {(row["kind"], row["type"]): int(row["count"]) for row in rows}
    assert counts[("entity", "Sector")] == 2 and counts[("relation", "LOCATED_IN")] == 2
    assert counts[("total", "entities")] == 5 and counts[("total", "relations")] == 4


def test_query_with_params_and_formats(cli, tmp_path: Path) -> None:
    cli("load", str(small(tmp_path)))
    q = "MATCH (n:Entity {id: $id}) RETURN n.name AS name, n.name_zh AS zh"
    r = cli("query", q, "--param", "id=company:x", "-f", "json")
    assert json.loads(r.stdout) == [{"name": 'X "quoted" Co', "zh": "某公司"}]
    r = cli("query", q, "-p", "id=company:x", "-f", "csv")
    assert r.stdout.splitlines() == ["name,zh", '"X ""quoted"" Co",某公司']
    r = cli("query", q, "-p", "id=company:x")
    assert "某公司" in r.stdout and "1 row" in r.stdout


def test_query_is_read_only_unless_write(cli, tmp_path: Path) -> None:
    cli("load", str(small(tmp_path)))
    r = cli("query", "MATCH (n:Entity {id: 'company:x'}) SET n.name = 'changed'")
    assert r.exit_code == 2 and "read-only unless --write" in r.stderr
    r = cli("query", "MATCH (n:Entity {id: 'company:x'}) RETURN n.name AS name", "-f", "json")
    assert json.loads(r.stdout)[0]["name"] == 'X "quoted" Co'
    r = cli("query", "MATCH (n:Entity {id: 'company:x'}) SET n.name = 'changed' RETURN n.name AS name", "--write")
    assert r.exit_code == 0 and "changed" in r.stdout


def test_queries_lists_the_library(cli) -> None:
    r = cli("queries")
    for name in ("located_in", "base_profile", "partners", "chain_around", "connection"):
        assert name in r.stdout


def test_run_named_query(cli, tmp_path: Path) -> None:
    cli("load", str(small(tmp_path)))
    r = cli("run", "chain_around", "--param", "sector=sector:b", "-f", "json")
    assert [(x["direction"], x["id"], x["path"]) for x in json.loads(r.stdout)] == [
        ("upstream", "sector:a", ["Anode materials", "Battery cells"])
    ]
    r = cli("run", "located_in", "-p", "place=cn-420000", "-f", "json")
    assert {x["id"] for x in json.loads(r.stdout)} == {"cn-420100", "company:x"}
    r = cli("run", "connection", "-p", "from=sector:a", "-p", "to=cn-420000", "-f", "json")
    path = json.loads(r.stdout)[0]
    assert path["ids"] == ["sector:a", "sector:b", "company:x", "cn-420100", "cn-420000"]
    assert path["relations"] == ["PART_OF_CHAIN", "SPECIALISES_IN", "LOCATED_IN", "LOCATED_IN"]


def test_run_errors_are_one_clear_line(cli) -> None:
    r = cli("run", "nope")
    assert r.exit_code == 2 and "no named query 'nope'" in r.stderr
    r = cli("run", "partners")
    assert r.exit_code == 2 and "--param entity=" in r.stderr
    r = cli("query", "RETURN 1", "--param", "novalue")
    assert r.exit_code == 2 and "key=value" in r.stderr


def test_db_start_stop_status_as_a_subprocess() -> None:
    home = short_tmpdir()
    env = {**os.environ, "INDGRAPH_HOME": str(home)}
    exe = [sys.executable, "-m", "graph.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*exe, *args], env=env, capture_output=True, text=True, timeout=60)

    try:
        assert run("db", "status").returncode == 3
        first = run("db", "start")
        assert first.returncode == 0 and "started FalkorDB" in first.stdout
        second = run("db", "start")
        assert second.returncode == 0 and "already running" in second.stdout
        status = run("db", "status")
        assert status.returncode == 0 and "running" in status.stdout
        assert (home / "falkordb.sock").exists()
        stop = run("db", "stop")
        assert stop.returncode == 0 and "stopped" in stop.stdout
        assert run("db", "status").returncode == 3
    finally:
        run("db", "stop")


def test_export_names_a_hand_made_node_that_is_not_an_entity(cli, tmp_path: Path) -> None:
    cli("load", str(small(tmp_path)))
    assert cli("query", "CREATE (:Entity {id: 'x:bare'})", "--write").exit_code == 0
    r = cli("export", "-o", str(tmp_path / "g.json"))
    assert r.exit_code == 2 and "node 'x:bare' is not a valid entity" in r.stderr


def test_tables_keep_ids_and_names_whole_at_80_columns() -> None:
    from rich.console import Console
    from rich.table import Table

    from graph.cli.common import print_table

    rows = [
        [
            "base:national-cybersecurity-talent-and-innovation",
            "Base",
            "National Cybersecurity Talent Base",
            "国家网络安全",
        ],
        ["park:wuhan-sino-japanese-industrial-park-phase-2", "Park", "Sino-Japanese Industrial Park", "中日产业园"],
    ]
    table = Table("id", "type", "name", "name_zh")
    for row in rows:
        table.add_row(*row)
    console = Console(width=80, record=True, file=open(os.devnull, "w"))  # noqa: SIM115 - closed with the console
    dropped = print_table(table, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    # the ids are what does not fit; the names people read stay, every word whole
    assert dropped == ["id"] and "not shown at this width: id" in text
    words = {w for row in rows for cell in row[1:3] for w in cell.split()}
    cells = " ".join(part.strip() for line in text.splitlines() for part in line.split("│"))
    assert all(f" {w} " in f" {cells} " for w in words)

    wide = Console(width=140, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    table = Table("id", "name")
    table.add_row(rows[0][0], rows[0][2])
    assert print_table(table, wide) == []
    assert rows[0][0] in wide.export_text()


def test_figures_print_with_their_unit() -> None:
    from graph.cli.common import cell

    assert cell(30_000_000_000.0, "investment_usd") == "30 billion USD"
    assert cell(138.5e9, "investment_cny") == "138.5 billion CNY"
    assert cell({"capacity_chips_per_month": 300000, "area_km2": 518.06}) == (
        "capacity_chips_per_month: 300,000; area_km2: 518.06 km²"
    )
    assert cell(2023, "capacity_target_year") == "2023" and cell(420100, "code") == "420100"
