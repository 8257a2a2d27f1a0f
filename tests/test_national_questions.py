"""The analysts' questions, asked and answered on the real national data: the backbone, ChainKnowledgeGraph
(from ../shared/data/chainkg; skipped when absent) with the sector vocabulary and the chain templates,
the companies located from their registered names, and the seed. Answers are checked against facts a
reader can find in the raw files."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from graph.analysis.chainview import StoreView
from graph.analysis.gaps import chain_players
from graph.analysis.neighbours import store_neighbours
from graph.ingest import import_admin, import_chainkg, import_chains, load, locate_companies
from graph.stores.falkordb import FalkorStore
from loaders.templates import template
from tests.conftest import CHAINKG

pytestmark = [
    pytest.mark.chainkg,
    pytest.mark.store,
    pytest.mark.slow,
    pytest.mark.skipif(not (CHAINKG / "company.json").is_file(), reason=f"ChainKnowledgeGraph not at {CHAINKG}"),
]


@pytest.fixture(scope="module")
def national(server) -> Iterator[FalkorStore]:
    """One store with everything, built once for this module (about two minutes)."""
    store = FalkorStore(server.home, graph="national_questions")
    store.clear()
    import_admin(store)
    import_chainkg(store, CHAINKG)
    locate_companies(store)
    load(store)
    import_chains(store)
    yield store
    store.clear()
    store.close()


def raw(file: str) -> list[dict]:
    with (CHAINKG / file).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ids_within(store: FalkorStore, place: str) -> set[str]:
    return StoreView(store).within(place)


def test_listed_companies_in_hubei_and_wuhan_with_their_cities(national: FalkorStore) -> None:
    hubei = national.query(
        "MATCH (c:Company)-[:LOCATED_IN*1..4]->(:Entity {id: 'cn-420000'}) RETURN count(DISTINCT c)"
    ).rows[0][0]
    assert hubei >= 50
    # every company registered as 武汉… in the raw file is in Wuhan, and its city is Wuhan
    wuhan_names = {r["name"] for r in raw("company.json") if (r.get("fullname") or "").startswith("武汉")}
    assert len(wuhan_names) >= 20
    rows = national.query(
        "MATCH (c:Company)-[:LOCATED_IN]->(p:Entity) WHERE c.name IN $names RETURN c.name, p.id",
        {"names": sorted(wuhan_names)},
    ).rows
    assert {n for n, _ in rows} == wuhan_names
    within = ids_within(national, "cn-420100")
    assert all(p == "cn-420100" or p in within for _, p in rows)


def test_lithium_battery_players_by_step_in_hubei(national: FalkorStore) -> None:
    view = StoreView(national)
    lithium = template("lithium-battery")
    nationwide = chain_players(view, lithium)
    by_step = {s.id: s for s in nationwide.steps}
    # 宁德时代's main product is 动力电池系统 (company_product.json): it is a pack and system maker
    assert "宁德时代" in [p.name for p in by_step["packs"].players]
    assert by_step["cathode"].status == "strong"
    hubei = chain_players(view, lithium, "cn-420000")
    within = ids_within(national, "cn-420000")
    assert [s.id for s in hubei.steps] == [s.id for s in lithium.steps]
    for step in hubei.steps:
        assert all(p.id in within for p in step.players)
        assert step.status == ("strong" if len(step.players) >= 3 else "weak" if step.players else "missing")
    # the seed's NEV base in Wuhan works on new energy vehicles
    assert "National NEV and ICV Base" in [p.name for p in by_step_of(hubei, "vehicles")]


def by_step_of(report, step: str) -> list:
    return next(s.players for s in report.steps if s.id == step)


def test_upstream_of_lithium_carbonate_with_the_places_of_its_companies(national: FalkorStore) -> None:
    report = store_neighbours(national, "sector:lithium-carbonate", "up", 1)
    sectors = {r.name for r in report.rows if r.type == "Sector"}
    # product_product.json: 碳酸锂 上游材料 锂辉石 and 锂云母; the template: lithium ore
    assert {"锂辉石", "锂云母", "Lithium Ore"} <= sectors
    companies = [r.id for r in report.rows if r.type == "Company"]
    assert companies
    places = StoreView(national).located_at(companies)
    # company_product.json: 天齐锂业's main product is 锂矿 (lithium ore)
    assert "天齐锂业" in {r.name for r in report.rows if r.type == "Company"}
    assert set(places) <= set(companies) and len(places) >= len(companies) // 3


def test_downstream_of_the_national_memory_base(national: FalkorStore) -> None:
    report = store_neighbours(national, "base:national-memory-base", "down", 2)
    by_id = {r.id: r for r in report.rows}
    assert by_id["sector:display-panels"].hops == 1
    assert by_id["sector:smart-terminals"].hops == 2
    assert by_id["sector:smart-terminals"].path[0] == "National Memory Base"
    assert by_id["sector:smart-terminals"].path[-2:] == ("Display Panels", "Smart Terminals")


def test_one_concept_per_name_after_the_import(national: FalkorStore) -> None:
    rows = national.query("MATCH (s:Sector) WHERE s.name_zh = '正极材料' OR s.name = '正极材料' RETURN s.id").rows
    assert rows == [["sector:cathode-materials"]]
    report = store_neighbours(national, "sector:power-battery-systems", "both", 1)
    assert report.rows
