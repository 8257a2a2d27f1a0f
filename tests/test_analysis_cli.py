"""``indgraph neighbours`` and ``indgraph analyse …`` in-process against the test's graph, and offline on a file."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from graph.analysis.neighbours import neighbours
from graph.analysis.paths import connection_paths
from graph.cli.analyse import path_text
from graph.nxgraph import to_networkx, write_node_link
from tests.support.analysis_graphs import battery_graph


@pytest.fixture
def battery(cli, store):
    """The CLI, against a store holding the battery graph."""
    store.write(battery_graph())
    return cli


def test_neighbours_by_name_json(battery) -> None:
    r = battery("neighbours", "battery cells", "-f", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    expected = neighbours(to_networkx(battery_graph()), "s:cells").rows
    assert [(x["direction"], x["hops"], x["id"]) for x in rows] == [(x.direction, x.hops, x.id) for x in expected]
    assert rows[0] == {
        "direction": "up",
        "hops": 1,
        "type": "Sector",
        "id": "s:anode",
        "name": "Anode Materials",
        "name_zh": "负极材料",
        "path": ["Battery Cells", "Anode Materials"],
        "path_ids": ["s:cells", "s:anode"],
    }


def test_neighbours_offline_gives_the_same_answer(battery) -> None:
    args = ("neighbours", "电芯公司", "--hops", "2", "--within", "Hunan Province", "-f", "json")
    online = battery(*args)
    offline = battery(*args, "--offline")
    assert online.exit_code == offline.exit_code == 0
    assert json.loads(online.stdout) == json.loads(offline.stdout)
    assert [x["id"] for x in json.loads(online.stdout)][:2] == ["s:anode", "c:anodeco"]


def test_neighbours_table_and_filters(battery) -> None:
    r = battery("neighbours", "s:cells", "--direction", "down", "--types", "company,base", "--within", "长沙市")
    assert r.exit_code == 0, r.stderr
    assert "downstream neighbours of Battery Cells (s:cells), up to 2 links, within Changsha" in r.stdout
    assert "Changsha Battery Base" in r.stdout and "RecycleCo" in r.stdout
    assert "StoreCo" not in r.stdout  # StoreCo is in Wuhan
    assert "2 results" in r.stdout
    csv_out = battery("neighbours", "s:cells", "-d", "up", "-n", "1", "-f", "csv").stdout.splitlines()
    assert csv_out[0] == "direction,hops,type,id,name,name_zh,path,path_ids"
    assert len(csv_out) == 5


def test_neighbours_errors(battery) -> None:
    r = battery("neighbours", "recycl")
    assert r.exit_code == 2
    assert "no entity is called 'recycl'; did you mean" in r.stderr and "s:recycling" in r.stderr
    r = battery("neighbours", "s:cells", "--hops", "9")
    assert r.exit_code == 2 and "at most 8" in r.stderr
    assert battery("neighbours", "s:cells", "--hops", "5", "--offline").exit_code == 0
    r = battery("neighbours", "s:cells", "--types", "factory")
    assert r.exit_code == 2 and "unknown entity type 'factory'" in r.stderr


def test_analyse_coverage(battery, tmp_path: Path) -> None:
    out = tmp_path / "coverage.json"
    r = battery("analyse", "coverage", "Changsha", "--json", str(out), "--links")
    assert r.exit_code == 0, r.stderr
    assert "chain coverage of Changsha (cn-430100)" in r.stdout
    assert "80%" in r.stdout and "links of battery" in r.stdout and "partial" in r.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [c["chain"] for c in result["chains"]] == ["battery", "circular"]
    assert result["chains"][0]["sectors_covered"] == 4


def test_analyse_coverage_hides_untouched_chains(battery) -> None:
    r = battery("analyse", "coverage", "Wuhan City")
    assert r.exit_code == 0
    assert "2 chains" in r.stdout  # CathCo and StoreCo touch both chains
    r = battery("analyse", "coverage", "Central South University")
    assert "0 chains; 2 more with nothing in the place (--all lists them)" in r.stdout
    assert "2 chains" in battery("analyse", "coverage", "CSU", "--all").stdout


def test_analyse_key_links(battery, tmp_path: Path) -> None:
    out = tmp_path / "k.json"
    r = battery("analyse", "key-links", "--top", "3", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert "chain graph: 5 sectors on chains, 5 links" in r.stdout
    assert "full graph: 16 entities, 25 relations" in r.stdout
    assert "networkx backends:" in r.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["chain_graph"]["betweenness"][0]["id"] == "s:cells"
    assert len(result["full_graph"]["pagerank"]) == 3


def test_analyse_fragile(battery) -> None:
    r = battery("analyse", "fragile", "cn-430100")
    assert r.exit_code == 0, r.stderr
    assert "sectors Changsha (cn-430100) holds through one entity" in r.stdout
    assert "RecycleCo" in r.stdout and "chain cut points" in r.stdout


def test_analyse_communities(battery, tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    r = battery("analyse", "communities", "--with", "located_in", "--json", str(out))
    assert r.exit_code == 0, r.stderr
    assert "communities over LOCATED_IN, PARTNERS_WITH" in r.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["relations"] == ["LOCATED_IN", "PARTNERS_WITH"]
    r = battery("analyse", "communities", "--with", "FRIENDS")
    assert r.exit_code == 2 and "unknown relation 'FRIENDS'" in r.stderr


def test_analyse_path(battery, tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    r = battery("analyse", "path", "CSU", "StoreCo", "-k", "1", "--relations", "partners_with", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert "PARTNERS_WITH" in r.stdout and "LOCATED_IN" not in r.stdout
    [p] = json.loads(out.read_text(encoding="utf-8"))
    assert (p["hops"], p["ids"][0], p["ids"][-1]) == (3, "univ:csu", "c:storeco")
    assert p["steps"][-1] == {
        "from_id": "c:cellco",
        "to_id": "c:storeco",
        "relations": [{"type": "PARTNERS_WITH", "direction": "->"}],
    }
    r = battery("analyse", "path", "CSU", "CathCo", "--relations", "LOCATED_IN")
    assert "are not connected" in r.stdout


def test_path_text() -> None:
    G = to_networkx(battery_graph())
    [best] = connection_paths(G, "univ:csu", "c:storeco", k=1)
    assert (
        path_text(best)
        == "Central South University <-PARTNERS_WITH- AnodeCo <-PARTNERS_WITH- CellCo -PARTNERS_WITH-> StoreCo"
    )
    # one arrow per step: the relations along the path when there are some, else those against it
    [step] = connection_paths(G, "c:anodeco", "cn-430100", k=1)
    assert path_text(step) == "AnodeCo -LOCATED_IN-> Changsha"
    assert path_text(connection_paths(G, "cn-430100", "c:anodeco", k=1)[0]) == "Changsha <-LOCATED_IN- AnodeCo"
    assert path_text(connection_paths(G, "univ:csu", "univ:csu")[0]) == "Central South University"
    H = nx.MultiDiGraph()
    H.add_nodes_from([("a", {"name": "A"}), ("b", {"name": "B"}), ("c", {"name": "C"})])
    H.add_edges_from([("a", "b", {"type": "PARTNERS_WITH"}), ("a", "b", {"type": "OPERATES"})])
    H.add_edges_from([("b", "a", {"type": "INVESTS_IN"}), ("c", "b", {"type": "OPERATES"})])
    assert path_text(connection_paths(H, "a", "c")[0]) == "A -OPERATES|PARTNERS_WITH-> B <-OPERATES- C"


def test_analyse_offline_from_a_file(cli, tmp_path: Path) -> None:
    # the store is empty: everything comes from the node-link file
    path = tmp_path / "battery.json"
    write_node_link(battery_graph(), path)
    r = cli("analyse", "path", "CSU", "StoreCo", "-k", "1", "--graph", str(path))
    assert r.exit_code == 0, r.stderr
    assert "Central South University (univ:csu) to StoreCo (c:storeco)" in r.stdout
    r = cli("neighbours", "Battery Cells", "--graph", str(path), "-f", "json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 11
    r = cli("analyse", "coverage", "Changsha", "--graph", str(tmp_path / "missing.json"))
    assert r.exit_code == 2 and "no such graph file" in r.stderr
