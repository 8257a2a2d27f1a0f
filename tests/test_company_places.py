"""Companies located in the backbone from their registered names (loaders/company_places.py, import locations)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from graph.errors import LoadErrors
from graph.ingest import locate_companies
from graph.model import Entity, EntityType, GraphData
from graph.stores import Store
from loaders.admin import admin_graph
from loaders.company_places import Override, city_code, locate, locate_all, province_code, read_overrides
from tests.conftest import CHAINKG

SAMPLE = Path(__file__).parent / "data" / "company_places_sample.csv"


# -- the pitfalls ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["东方电气股份有限公司", "中原证券股份有限公司", "兴业银行股份有限公司", "紫金矿业集团股份有限公司",
     "凤凰光学股份有限公司", "永吉印务股份有限公司", "秦川机床工具集团股份公司", "钱江摩托股份有限公司",
     "中国能源建设股份有限公司", "春雪食品集团股份有限公司"],
)  # fmt: skip
def test_brand_words_and_names_without_a_place_stay_unlocated(name: str) -> None:
    assert locate(name) is None


def test_a_place_word_inside_a_province_is_not_taken_from_elsewhere() -> None:
    # 松原 is a city of Jilin, not of Zhejiang; 盐湖 a district of Shanxi, not of Qinghai
    assert locate("浙江松原汽车安全系统股份有限公司").division_code == "330000"
    assert locate("青海盐湖工业股份有限公司").division_code == "630000"
    assert locate("吉林松原石油化工股份有限公司").division_code == "220700"


def test_a_province_only_prefix_gives_the_province() -> None:
    p = locate("湖南华联瓷业股份有限公司")
    assert (p.division_code, p.level, p.evidence) == ("430000", "province", "湖南")
    assert city_code(p.division_code) is None


def test_finer_levels() -> None:
    assert locate("深圳市鸿富瀚科技股份有限公司").division_code == "440300"
    assert locate("昆山龙腾光电股份有限公司").division_code == "320583"
    p = locate("浙江义乌华鼎锦纶股份有限公司")
    assert (p.division_code, p.level, p.evidence) == ("330782", "district", "浙江义乌")
    assert (province_code(p.division_code), city_code(p.division_code)) == ("330000", "330700")
    beijing = locate("北京同益中新材料科技股份有限公司")
    assert (beijing.division_code, beijing.level, city_code("110000")) == ("110000", "city", "110000")


def test_bracketed_place_and_subsidiary_of_a_group() -> None:
    assert locate("纽威数控装备（苏州）股份有限公司").division_code == "320500"
    assert locate("攀钢集团重庆钛业有限公司").division_code == "500000"


def test_an_override_adds_and_replaces() -> None:
    report = locate_all(
        {"1": "春雪食品集团股份有限公司", "2": "湖南华联瓷业股份有限公司", "3": "兴业银行股份有限公司"},
        [Override("1", "370600", "registered address: 山东省莱阳市"), Override("2", "430281", "address")],
    )
    assert report.located["1"].overridden and report.located["1"].placement.division_code == "370600"
    assert report.located["2"].placement.level == "district"
    assert report.unlocated == ["3"] and report.overridden == 2


def test_read_overrides_reports_file_line_field(tmp_path: Path) -> None:
    good = tmp_path / "ok.csv"
    good.write_text("code,division_code,source\n600000,310000,registered address\n", encoding="utf-8")
    assert read_overrides(good) == [Override("600000", "310000", "registered address")]
    bad = tmp_path / "bad.csv"
    bad.write_text("code,division_code,source\n600000,999999,x\n600000,310000,\n", encoding="utf-8")
    with pytest.raises(LoadErrors) as exc:
        read_overrides(bad)
    text = str(exc.value)
    assert "bad.csv:2: division_code" in text and "bad.csv:3: code" in text and "bad.csv:3: source" in text


def test_the_shipped_overrides_file_reads() -> None:
    read_overrides(Path(__file__).parent.parent / "data" / "company_places.csv")


# -- the hand-checked sample ---------------------------------------------------------------------------
def sample_figures() -> dict[str, float]:
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8")))
    placed = [(r, p) for r in rows if (p := locate(r["full_name"]))]
    prov = [(r, p) for r, p in placed if r["province_code"]]
    city = [(r, c) for r, p in placed if r["city_code"] and (c := city_code(p.division_code))]
    return {
        "n": len(rows),
        "located": len(placed) / len(rows),
        "province": sum(province_code(p.division_code) == r["province_code"] for r, p in prov) / len(prov),
        "city": sum(c == r["city_code"] for r, c in city) / len(city),
    }


def test_sample_accuracy() -> None:
    f = sample_figures()
    assert f["n"] >= 100
    assert f["province"] >= 0.98 and f["city"] >= 0.95
    assert f["located"] >= 0.64  # measured 0.65 (docs/data.md)


@pytest.mark.xfail(strict=True, reason="names alone place 65% of the sample, 68% of ChainKG; target 70%")
def test_sample_located_target() -> None:
    assert sample_figures()["located"] >= 0.70


@pytest.mark.chainkg
@pytest.mark.skipif(not (CHAINKG / "company.json").is_file(), reason="ChainKnowledgeGraph data set not present")
def test_real_data_share_located() -> None:
    names = [json.loads(line).get("fullname") or "" for line in (CHAINKG / "company.json").open(encoding="utf-8")]
    share = sum(locate(n) is not None for n in names) / len(names)
    assert share >= 0.675  # measured 0.681 (docs/data.md); the target of 0.70 is not met by names alone


# -- the store -----------------------------------------------------------------------------------------
COMPANIES = {
    "600000": "武汉帝尔激光科技股份有限公司",
    "600001": "湖北兴发化工集团股份有限公司",
    "600002": "湖南华联瓷业股份有限公司",
    "600003": "兴业银行股份有限公司",
    "600004": "春雪食品集团股份有限公司",
}


def _companies_store(store: Store) -> None:
    keep = ("cn-42", "cn-43", "cn-37")
    backbone = admin_graph()
    ents = [e for e in backbone.entities if e.id.startswith(keep)]
    ids = {e.id for e in ents}
    rels = [r for r in backbone.relations if r.source in ids and r.target in ids]
    companies = [
        Entity(id=f"ckg:company:{c}", type=EntityType.COMPANY, name=c, attributes={"code": c, "full_name": n})
        for c, n in COMPANIES.items()
    ]
    store.write(GraphData(entities=ents + companies, relations=rels))


HUBEI = "MATCH (c:Company)-[:LOCATED_IN*]->(:Entity {id: 'cn-420000'}) RETURN c.id ORDER BY c.id"


def test_locate_companies_writes_located_in(store: Store, tmp_path: Path) -> None:
    _companies_store(store)
    overrides = tmp_path / "o.csv"
    overrides.write_text("code,division_code,source\n600004,370600,registered address\n", encoding="utf-8")
    summary = locate_companies(store, overrides)
    assert summary.by_level == {"city": 2, "province": 2} and summary.unlocated == 1 and summary.overridden == 1
    assert [r[0] for r in store.query(HUBEI).rows] == ["ckg:company:600000", "ckg:company:600001"]
    rows = store.query(
        "MATCH (c:Company {id: 'ckg:company:600000'})-[r:LOCATED_IN]->(d) RETURN d.id, r.role, r.source_quotes"
    ).rows
    assert rows == [["cn-420100", "registered in (city)", ["武汉"]]]
    again = locate_companies(store, overrides)  # idempotent
    assert again.by_level == summary.by_level
    n = store.query("MATCH (:Company)-[r:LOCATED_IN]->() RETURN count(r)").rows[0][0]
    assert n == 4


def test_missing_divisions_are_counted(store: Store) -> None:
    store.write(
        GraphData(
            entities=[
                Entity(
                    id="ckg:company:1",
                    type=EntityType.COMPANY,
                    name="x",
                    attributes={"code": "1", "full_name": "武汉帝尔激光科技股份有限公司"},
                )
            ]
        )
    )
    summary = locate_companies(store)
    assert summary.missing_division == 1 and not summary.by_level


def test_cli_import_locations(store: Store, cli) -> None:
    _companies_store(store)
    result = cli("import", "locations")
    assert result.exit_code == 0, result.output
    assert "located to the city" in result.output and "unlocated" in result.output
    bad = cli("import", "locations", "--overrides", "/nonexistent/o.csv")
    assert bad.exit_code != 0 and "cannot read" in bad.output
