"""The gap report and the region comparison on a hand-made graph whose right answers are worked out by hand,
on networkx and on both stores, and through the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph.analysis.chainview import GraphView, StoreView
from graph.analysis.gaps import compare, gap_report
from graph.model import GraphData, Relation
from graph.nxgraph import to_networkx
from loaders.templates import ChainTemplate
from tests.support.analysis_graphs import ent, rel

REF = {"doc": "ref:test"}
TEMPLATE = ChainTemplate.model_validate(
    {
        "id": "mini",
        "name": "Mini battery",
        "name_zh": "小电池",
        "layout": "chain",
        "source": REF,
        "steps": [
            {"id": "ore", "stage": 1, "name": "Ore", "name_zh": "矿", "sectors": ["s:ore"], "source": REF},
            {
                "id": "cathode",
                "stage": 2,
                "name": "Cathode",
                "name_zh": "正极",
                "sectors": ["s:cathode"],
                "source": REF,
            },
            {"id": "cells", "stage": 3, "name": "Cells", "name_zh": "电芯", "sectors": ["s:cells"], "source": REF},
        ],
    }
)


def spec(company: str, sector: str, weight: float | None = None) -> Relation:
    return Relation(source=company, type="SPECIALISES_IN", target=sector, weight=weight)


def mini_graph() -> GraphData:
    """Wuhan (in Hubei) holds cells (3 companies) and cathode through LFP (1); nobody there mines ore.

    Elsewhere: h1 in Changsha (Hunan, a neighbour of Hubei) does ore (0.5) and cathode (0.2) and partners
    with w1 in Wuhan; b1 in Beijing does ore (0.9); x1, unlocated, does ore (weight unknown); hb1 in
    Yichang (Hubei) does cathode (0.6).
    """
    entities = [
        ent("country:cn", "Country", "China"),
        ent("cn-420000", "Province", "Hubei", "湖北省"),
        ent("cn-430000", "Province", "Hunan", "湖南省"),
        ent("cn-110000", "City", "Beijing", "北京市"),
        ent("cn-420100", "City", "Wuhan", "武汉市"),
        ent("cn-420500", "City", "Yichang", "宜昌市"),
        ent("cn-430100", "City", "Changsha", "长沙市"),
        ent("s:ore", "Sector", "Ore"),
        ent("s:cathode", "Sector", "Cathode"),
        ent("s:lfp", "Sector", "LFP"),
        ent("s:cells", "Sector", "Cells"),
        *(ent(f"c:{c}", "Company", c.upper()) for c in ("w1", "w2", "w3", "w4", "h1", "b1", "x1", "hb1")),
    ]
    located = {
        "cn-420000": "country:cn", "cn-430000": "country:cn", "cn-110000": "country:cn",
        "cn-420100": "cn-420000", "cn-420500": "cn-420000", "cn-430100": "cn-430000",
        "c:w1": "cn-420100", "c:w2": "cn-420100", "c:w3": "cn-420100", "c:w4": "cn-420100",
        "c:h1": "cn-430100", "c:b1": "cn-110000", "c:hb1": "cn-420500",
    }  # fmt: skip
    relations = [rel(a, "LOCATED_IN", b) for a, b in located.items()]
    relations += [
        rel("s:lfp", "PART_OF", "s:cathode"),
        rel("s:ore", "PART_OF_CHAIN", "s:cathode", "mini"),
        rel("s:cathode", "PART_OF_CHAIN", "s:cells", "mini"),
        spec("c:w1", "s:cells", 0.9), spec("c:w2", "s:cells", 0.5), spec("c:w3", "s:cells"),
        spec("c:w4", "s:lfp", 0.7),
        spec("c:h1", "s:ore", 0.5), spec("c:h1", "s:cathode", 0.2),
        spec("c:b1", "s:ore", 0.9), spec("c:x1", "s:ore"), spec("c:hb1", "s:cathode", 0.6),
        rel("c:h1", "PARTNERS_WITH", "c:w1"),
    ]  # fmt: skip
    return GraphData(entities=entities, relations=relations)


@pytest.fixture
def view(engine_store: Any) -> Any:
    if engine_store is None:
        return GraphView(to_networkx(mini_graph()))
    engine_store.write(mini_graph())
    return StoreView(engine_store)


def test_gap_report_statuses_players_and_ranked_candidates(view: Any) -> None:
    report = gap_report(view, TEMPLATE, "cn-420100")
    assert report.place.name == "Wuhan" and report.province is not None and report.province.id == "cn-420000"
    assert [(s.id, s.status, s.players, [p.id for p in s.top_players]) for s in report.steps] == [
        ("ore", "missing", 0, []),
        ("cathode", "weak", 1, ["c:w4"]),
        ("cells", "strong", 3, ["c:w1", "c:w2", "c:w3"]),  # most central first; unknown weight last
    ]
    ore, cathode, cells = report.steps
    # score = 0.4 centrality + 0.3 nearness + 0.2 local links (of 3) + 0.1 chain steps (of 3), by hand:
    assert [(c.id, c.centrality, c.nearness, c.local_links, c.chain_steps, c.score) for c in ore.candidates] == [
        ("c:h1", 0.5, "neighbouring province", 1, 2, 0.4833),  # .2 + .15 + .0667 + .0667
        ("c:b1", 0.9, "elsewhere", 0, 1, 0.3933),  # .36 + .0333
        ("c:x1", None, "unlocated", 0, 1, 0.0333),
    ]
    assert [(c.id, c.nearness, c.score) for c in cathode.candidates] == [
        ("c:hb1", "same province", 0.5733),  # .24 + .3 + .0333
        ("c:h1", "neighbouring province", 0.3633),  # .08 + .15 + .0667 + .0667
    ]
    assert cathode.top_players[0].sector == "s:lfp" and [p.name for p in cathode.top_players[0].places] == ["Wuhan"]
    assert cells.candidates == ()
    assert [p.name for p in ore.candidates[0].places] == ["Changsha"]


def test_compare_counts_players_and_location_quotients(view: Any) -> None:
    result = compare(view, TEMPLATE, ["cn-420100", "cn-430000"])
    assert result.all_located_companies == 7 and result.step_companies == (2, 3, 3)
    wuhan, hunan = result.places
    # LQ = (companies of the step in the place / of the step) / (companies in the place / all located)
    assert (wuhan.steps_covered, wuhan.players, wuhan.located_companies) == (2, (0, 1, 3), 4)
    assert wuhan.quotients == (0.0, 0.583, 1.75)  # (1/3)/(4/7), (3/3)/(4/7)
    assert (hunan.steps_covered, hunan.players, hunan.quotients) == (2, (1, 1, 0), (3.5, 2.333, 0.0))


def test_the_cli_reports_gaps_and_compares(cli, store, tmp_path) -> None:
    store.write(mini_graph())
    (tmp_path / "chains").mkdir()
    r = cli("analyse", "gaps", "Wuhan", "--chain", "lithium-battery")
    assert r.exit_code == 0, r.output
    assert "Lithium battery (锂电池) chain in Wuhan" in r.output and "missing" in r.output
    r = cli("analyse", "gaps", "Wuhan", "--chain", "nope")
    assert r.exit_code != 0 and "no chain template 'nope'" in r.stderr
    r = cli("analyse", "compare", "Wuhan", "Hunan", "--chain", "lithium-battery", "-f", "csv")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "place_id,place,step,name_zh,players,companies,location_quotient"
    assert len(lines) == 1 + 2 * 12
    heat = tmp_path / "heat.svg"
    r = cli("analyse", "compare", "Wuhan", "Hunan", "--chain", "lithium-battery", "-f", "json", "-o", str(heat))
    assert r.exit_code == 0 and heat.read_text(encoding="utf-8").startswith("<?xml")
    assert [p["place"]["name"] for p in json.loads(r.stdout)["places"]] == ["Wuhan", "Hunan"]
    # viz chain TEMPLATE draws the template's chain map, for the country unless --within
    page = tmp_path / "map.html"
    r = cli("viz", "chain", "lithium-battery", "--within", "Wuhan", "-o", str(page))
    assert r.exit_code == 0 and "wrote the Lithium battery chain map of Wuhan" in r.output
    assert "Cathode" in page.read_text(encoding="utf-8")
