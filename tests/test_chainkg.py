"""The ChainKnowledgeGraph importer: the mapping on small hand-made files with every known quirk, exact;
the CLI command on them; and (slow) the whole real data set into the embedded store."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graph.errors import DataSetError
from graph.ingest import prepare_chainkg
from graph.model import EntityType, GraphData, RelType
from loaders import LoadErrors
from loaders.chainkg import (
    CHAIN_INDUSTRIES,
    CHAIN_PRODUCTS,
    FILES,
    company_id,
    industry_id,
    product_id,
    read_chainkg,
)
from tests.conftest import CHAINKG

SH, SZ = "上海证券交易所", "深圳证券交易所"

# Each file as the data set has it (same keys, same shapes), with each known quirk at least once.
SMALL: dict[str, list[dict[str, Any]]] = {
    "company.json": [
        {"name": "甲锂业", "fullname": "甲锂业股份有限公司", "code": "600001.SH", "location": SH, "time": "2001-01-02"},
        # the same stock code again under a former short name (and a bare code): merged, name kept as alias
        {"name": "甲矿业", "fullname": "甲矿业股份有限公司", "code": "600001", "location": SH, "time": "2001-01-02"},
        # a short name shared by two companies; a listing date that is the exchange's name
        {"name": "东方", "fullname": "东方一股份有限公司", "code": "000002.SZ", "location": SZ, "time": "2003-04-05"},
        {"name": "东方", "fullname": "东方二股份有限公司", "code": "300003", "location": SZ, "time": SZ},
        # the exchange field holds a date; spaces around the name
        {
            "name": " 乙科技 ",
            "fullname": "乙科技股份有限公司",
            "code": "300054.SZ",
            "location": "2010-02-11",
            "time": "-",
        },
    ],
    "industry.json": [
        {"code": "110000", "name": "农林牧渔"},
        {"code": "110100", "name": "种植业"},
        {"code": "110101", "name": "种子"},
        {"code": "610303", "name": "其他建材"},
        {"code": "630306", "name": "其他电源设备Ⅲ"},
    ],
    "industry_industry.json": [
        {
            "from_code": "110100",
            "from_industry": "种植业",
            "rel": "上级行业",
            "to_industry": "农林牧渔",
            "to_code": "110000",
        },
        {
            "from_code": "110101",
            "from_industry": "种子",
            "rel": "上级行业",
            "to_industry": "种植业",
            "to_code": "110100",
        },
    ],
    "company_industry.json": [
        # another short name of 600001: an alias
        {"company_code": "600001.SH", "industry_code": "110101", "industry_name": "种子", "company_name": "甲新材"},
        # an outdated code: resolved by name; a lower-case exchange suffix
        {"company_code": "000002.sz", "industry_code": "999999", "industry_name": "种植业", "company_name": "东方"},
        # a former industry name with a valid code: linked by code, name becomes the industry's alias
        {
            "company_code": "300054.SZ",
            "industry_code": "630306",
            "industry_name": "其他能源设备Ⅲ",
            "company_name": "乙科技",
        },
        # a company that company.json does not list
        {"company_code": "688999.SH", "industry_code": "610303", "industry_name": "其他建材", "company_name": "丁新能"},
        # an unknown relation name
        {"company_code": "300003.SZ", "industry_code": "110101", "industry_name": "种子", "company_name": "东方"},
    ],
    "industry_up.json": [
        # 其他建材Ⅲ: only the level suffix differs; 其他能源设备Ⅲ: the former name learnt above; one unknown
        {"industry": "种子", "ups": {"种植业": 3, "其他建材Ⅲ": 2, "其他能源设备Ⅲ": 1, "无此行业": 1}},
        {"industry": "种植业", "ups": {}},
    ],
    "product.json": [
        {"name": n}
        for n in (
            *("碳酸锂", "锂辉石", "锂云母", "硫酸", "纯碱", "蛋糕", "鸡蛋", "面粉", "包装容器", "纸包装容器"),
            *("木糖", "活性炭", "ABS镭雕料", "房租&物业", "特种气体"),
        )
    ],
    "company_product.json": [
        {"company_name": "甲锂业", "company_code": "600001.SH", "product_name": "碳酸锂", "rel_weight": 0.6},
        {"company_name": "甲锂业", "company_code": "600001.SH", "product_name": "碳酸锂", "rel_weight": 0.6},  # dup
        {"company_name": "甲锂业", "company_code": "600001.SH", "product_name": "锂辉石", "rel_weight": 1.25},
        # a consolidation offset: negative revenue share, and not in product.json
        {"company_name": "甲锂业", "company_code": "600001.SH", "product_name": "分部间抵销", "rel_weight": -0.35},
        {"company_name": "东方", "company_code": "000002.SZ", "product_name": " 特种气体", "rel_weight": 0.001},
        {"company_name": "东方", "company_code": "000002.SZ", "product_name": "房租&物业", "rel_weight": "n/a"},
    ],
    "product_product.json": [
        {"from_entity": "碳酸锂", "rel": "上游材料", "to_entity": "锂辉石"},
        {"from_entity": "碳酸锂", "rel": "上游材料", "to_entity": "锂云母"},
        {"from_entity": "碳酸锂", "rel": "上游材料", "to_entity": "硫酸"},
        {"from_entity": "锂辉石", "rel": "下游产品", "to_entity": "碳酸锂"},  # the same link, stated downstream
        {"from_entity": "纯碱", "rel": "下游产品", "to_entity": "碳酸锂"},
        {"from_entity": "蛋糕", "rel": "上游材料", "to_entity": "鸡蛋"},  # recipe ingredients
        {"from_entity": "蛋糕", "rel": "上游材料", "to_entity": "面粉"},
        {"from_entity": "包装容器", "rel": "产品小类", "to_entity": "纸包装容器"},
        {"from_entity": "ABS镭雕料", "rel": "上游材料", "to_entity": "ABS镭雕料"},  # self-loop
        {"from_entity": "木糖", "rel": "下游产品", "to_entity": "活性炭"},  # a two-product cycle
        {"from_entity": "活性炭", "rel": "下游产品", "to_entity": "木糖"},
        {"from_entity": "蛋糕", "rel": "上游材料", "to_entity": "北极虾"},  # not in product.json
        {"from_entity": "蛋糕", "rel": "相关", "to_entity": "面粉"},  # unknown relation name
    ],
}
for _row in SMALL["company_industry.json"]:
    _row["rel"] = "所属行业"
SMALL["company_industry.json"][-1]["rel"] = "同行"
for _row in SMALL["industry_industry.json"]:
    _row.setdefault("rel", "上级行业")
for _row in SMALL["company_product.json"]:
    _row["rel"] = "主营产品"


def write_small(folder: Path, files: dict[str, list[dict[str, Any]]] = SMALL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
        (folder / name).write_text(text + ("\n" if name != "product.json" else ""), encoding="utf-8")
    return folder


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_small(tmp_path / "chainkg")


def links(data: GraphData, rtype: RelType, chain: str | None = None) -> set[tuple[str, str]]:
    return {(r.source, r.target) for r in data.relations if r.type is rtype and r.chain == chain}


P, C, IND = product_id, company_id, industry_id


# -- the mapping, exactly ---------------------------------------------------------------------------
def test_small_files_map_to_exactly_these_entities(small: Path) -> None:
    data, summary = read_chainkg(small)
    ents = data.by_id()
    companies = {e.id: e for e in data.entities if e.type is EntityType.COMPANY}
    assert set(companies) == {C("600001.SH"), C("000002.SZ"), C("300003.SZ"), C("300054.SZ"), C("688999.SH")}
    jia = companies[C("600001.SH")]
    assert (jia.name, jia.name_zh, jia.aliases) == ("甲锂业", "甲锂业", ["甲新材", "甲矿业"])
    assert jia.attributes.model_dump(exclude_none=True) == {
        "code": "600001.SH",
        "exchange": SH,
        "listed_on": "2001-01-02",
        "full_name": "甲锂业股份有限公司",
    }
    # two companies named 东方, told apart by stock code; the second has no usable listing date
    assert [companies[C(c)].name for c in ("000002.SZ", "300003.SZ")] == ["东方", "东方"]
    assert companies[C("300003.SZ")].attributes.listed_on is None
    yi = companies[C("300054.SZ")]
    assert (yi.name, yi.attributes.exchange, yi.attributes.listed_on) == ("乙科技", SZ, None)
    ding = companies[C("688999.SH")]
    assert (ding.name, ding.attributes.exchange, ding.attributes.full_name) == ("丁新能", SH, None)

    assert ents[IND("110000")].attributes.level == 1 and ents[IND("110100")].attributes.level == 2
    assert ents[IND("110101")].attributes.model_dump(exclude_none=True) == {
        "code": "110101",
        "level": 3,
        "description": "Shenwan industry, level 3",
    }
    assert ents[IND("630306")].aliases == ["其他能源设备Ⅲ"]  # the former name the relation files use

    products = {e.name: e for e in data.entities if e.id.startswith("ckg:product:")}
    assert set(products) == {r["name"] for r in SMALL["product.json"]} | {"分部间抵销", "北极虾"}
    assert products["碳酸锂"].id == "ckg:product:碳酸锂"
    assert products["碳酸锂"].type is EntityType.SECTOR and products["碳酸锂"].name_zh == "碳酸锂"
    assert products["碳酸锂"].attributes.model_dump(exclude_none=True) == {"level": 4, "description": "product"}
    assert products["房租&物业"].id == "ckg:product:h-3b1e277f5c76"  # '&' cannot be in an id: a stable hash
    assert summary.entities == Counter(company=5, industry=5, product=17)
    assert summary.rows == {f: len(SMALL[f]) for f in FILES}


def test_small_files_map_to_exactly_these_relations(small: Path) -> None:
    data, summary = read_chainkg(small)
    assert links(data, RelType.PART_OF_CHAIN, CHAIN_PRODUCTS) == {
        (P("锂辉石"), P("碳酸锂")),  # 碳酸锂's upstream material 锂辉石: the chain runs 锂辉石 -> 碳酸锂
        (P("锂云母"), P("碳酸锂")),
        (P("硫酸"), P("碳酸锂")),
        (P("纯碱"), P("碳酸锂")),  # 纯碱's downstream product 碳酸锂
        (P("鸡蛋"), P("蛋糕")),
        (P("面粉"), P("蛋糕")),
        (P("北极虾"), P("蛋糕")),
        (P("木糖"), P("活性炭")),
        (P("活性炭"), P("木糖")),
    }
    assert links(data, RelType.PART_OF_CHAIN, CHAIN_INDUSTRIES) == {
        (IND("110100"), IND("110101")),
        (IND("610303"), IND("110101")),
        (IND("630306"), IND("110101")),
    }
    weights = {r.source: r.weight for r in data.relations if r.chain == CHAIN_INDUSTRIES}
    assert weights == {IND("110100"): 3.0, IND("610303"): 2.0, IND("630306"): 1.0}
    assert links(data, RelType.PART_OF) == {
        (IND("110100"), IND("110000")),
        (IND("110101"), IND("110100")),
        (P("纸包装容器"), P("包装容器")),  # a sub-category is PART_OF its category
    }
    specialises = {(r.source, r.target): r.weight for r in data.relations if r.type is RelType.SPECIALISES_IN}
    assert specialises == {
        (C("600001.SH"), IND("110101")): None,
        (C("000002.SZ"), IND("110100")): None,
        (C("300054.SZ"), IND("630306")): None,
        (C("688999.SH"), IND("610303")): None,
        (C("600001.SH"), P("碳酸锂")): 0.6,
        (C("600001.SH"), P("锂辉石")): 1.25,  # out of [0, 1]: kept as given
        (C("600001.SH"), P("分部间抵销")): -0.35,
        (C("000002.SZ"), P("特种气体")): 0.001,
        (C("000002.SZ"), P("房租&物业")): None,  # not a number
    }
    assert summary.relations == Counter(
        {"上级行业": 2, "所属行业": 4, "industry_up": 3, "主营产品": 5, "上游材料": 6, "下游产品": 3, "产品小类": 1}
    )
    assert sum(summary.relations.values()) == len(data.relations) == 24


def test_every_quirk_is_counted(small: Path) -> None:
    _, summary = read_chainkg(small)
    counts = {k: q.count for k, q in summary.quirks.items() if q.count}
    assert counts == {
        "whitespace_name": 2,  # ' 乙科技 ' and ' 特种气体'
        "repeated_code": 1,
        "shared_short_name": 1,
        "exchange_not_exchange": 1,
        "listed_on_missing": 2,
        "company_from_relations": 1,
        "company_other_name": 2,  # 甲矿业 and 甲新材
        "industry_by_name": 1,
        "industry_by_suffix": 1,
        "industry_by_code": 2,  # 其他能源设备Ⅲ in company_industry.json by code, then in industry_up.json by that name
        "industry_unresolved": 1,
        "product_not_listed": 2,
        "product_hashed_id": 1,
        "weight_out_of_range": 2,
        "weight_negative": 1,
        "weight_not_number": 1,
        "duplicate_row": 1,
        "chain_both_ways": 1,
        "self_loop": 1,
        "unknown_rel": 2,
        "cycle_components": 1,
        "cycle_products": 2,
        "recipe_links": 2,
    }
    assert summary.quirk("shared_short_name").examples == ["东方: 000002.SZ, 300003.SZ"]
    assert summary.quirk("cycle_components").examples == ["木糖、活性炭"]
    assert summary.quirk("industry_unresolved").examples == ["无此行业"]
    assert summary.as_dict()["quirks"]["self_loop"]["action"].startswith("dropped")


def test_ids_are_stable_across_runs(small: Path, tmp_path: Path) -> None:
    first, _ = read_chainkg(small)
    again, _ = read_chainkg(write_small(tmp_path / "again"))
    assert first.sorted() == again.sorted()


def test_an_alias_that_another_entity_answers_to_is_not_kept(tmp_path: Path) -> None:
    files = json.loads(json.dumps(SMALL))
    # 甲矿业 is 600001's former name, but it is also the current name of another company
    files["company.json"].append(
        {"name": "甲矿业", "fullname": "另一家", "code": "600777.SH", "location": SH, "time": "2009-09-09"}
    )
    data, summary = read_chainkg(write_small(tmp_path / "ckg", files))
    assert data.by_id()[C("600001.SH")].aliases == ["甲新材"]
    assert summary.count("alias_claimed") == 1


def test_names_and_codes_of_other_types_are_quirks_also_when_repeated(tmp_path: Path) -> None:
    # the reader remembers clean (code, name) pairs and product names: a list, a number or a padded name
    # must neither break that memory (a list does not hash) nor be served from it
    base = read_chainkg(write_small(tmp_path / "base"))[1]
    files = json.loads(json.dumps(SMALL))
    odd = [
        {"company_name": ["甲锂业"], "company_code": "600001.SH", "product_name": "碳酸锂", "rel_weight": 0.5},
        {"company_name": "甲锂业", "company_code": ["600001.SH"], "product_name": "碳酸锂", "rel_weight": 0.5},
        {"company_name": "甲锂业", "company_code": "600001.SH", "product_name": ["碳酸锂"], "rel_weight": 0.5},
        {"company_name": "甲锂业 ", "company_code": "600001.SH", "product_name": "碳酸锂 ", "rel_weight": 0.5},
    ]
    files["company_product.json"] += [{**r, "rel": "主营产品"} for r in odd * 2]
    files["product_product.json"] += [{"from_entity": ["碳酸锂"], "rel": "上游材料", "to_entity": 12}] * 2
    data, summary = read_chainkg(write_small(tmp_path / "odd", files))
    assert summary.count("bad_code") == base.count("bad_code") + 2
    assert summary.count("blank_name") == base.count("blank_name") + 2 + 2 + 4  # list names, twice each
    assert summary.count("whitespace_name") == base.count("whitespace_name") + 4  # 甲锂业␠ and 碳酸锂␠, twice
    # 600001 -> 碳酸锂 is read with 0.6 first: the list-named and the padded rows conflict with it, twice each
    assert summary.count("duplicate_conflict") == base.count("duplicate_conflict") + 4
    assert len(data.relations) == len(read_chainkg(write_small(tmp_path / "again"))[0].relations)


def test_bad_lines_and_missing_files_are_errors(tmp_path: Path) -> None:
    folder = write_small(tmp_path / "ckg")
    with (folder / "product.json").open("a", encoding="utf-8") as fh:
        fh.write('\n{"name": "半行\n')
    with pytest.raises(LoadErrors) as info:
        read_chainkg(folder)
    assert [(Path(e.file).name, e.line) for e in info.value.errors] == [("product.json", 16)]
    (folder / "industry_up.json").unlink()
    with pytest.raises(DataSetError, match=r"industry_up\.json"):
        read_chainkg(folder)


# -- into the store and through the CLI -------------------------------------------------------------
UPSTREAM_OF = """
MATCH (u:Sector)-[r:PART_OF_CHAIN]->(p:Sector {name: $name})
WHERE r.chain = $chain
RETURN u.name AS name ORDER BY name
"""


# How a store writes into an empty graph: FalkorDB's own bulk protocol, or batched Cypher CREATE.
NEW_GRAPH_METHOD = {"falkordb": "bulk", "neo4j": "cypher"}


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal, so table cells are not wrapped in the captured output."""
    monkeypatch.setenv("COLUMNS", "400")


def test_cli_imports_the_small_files_and_reimport_changes_nothing(cli, store, small: Path, wide) -> None:
    result = cli("import", "chainkg", str(small))
    assert result.exit_code == 0, result.output
    assert "ChainKnowledgeGraph import" in result.output
    # the 27 entities and 24 relations of the files, with the sector vocabulary applied (碳酸锂 is the
    # concept sector:lithium-carbonate; 锂辉石, 锂云母 are PART_OF lithium ore), its 89 sectors and the
    # chain templates' 78 links
    assert "rel_weight outside [0, 1]" in result.output and "imported 115 entities and 105 relations" in result.output
    assert "one sector vocabulary" in result.output
    # a new graph: FalkorDB's bulk protocol, Neo4j's batched CREATE
    assert f"(create, {NEW_GRAPH_METHOD[store.dialect]})" in result.output
    stats, dump = store.stats(), store.dump().sorted()
    assert stats == {
        "entities": {"Company": 5, "Sector": 110},
        "relations": {"PART_OF": 9, "PART_OF_CHAIN": 87, "SPECIALISES_IN": 9},
    }
    assert dump == prepare_chainkg(small).data.sorted()
    rows = store.query(UPSTREAM_OF, {"name": "Lithium Carbonate", "chain": CHAIN_PRODUCTS}).rows
    assert [r[0] for r in rows] == ["硫酸", "纯碱", "锂云母", "锂辉石"]

    again = cli("import", "chainkg", str(small), "--batch-size", "4")
    assert again.exit_code == 0, again.output
    assert "(merge, cypher)" in again.output  # not empty any more: auto upserts
    assert store.stats() == stats
    assert store.dump().sorted() == dump


def test_cli_create_and_merge_modes_give_the_same_graph(cli, store, small: Path) -> None:
    assert cli("import", "chainkg", str(small), "--mode", "merge").exit_code == 0
    merged = store.dump().sorted()
    store.clear()
    store.ensure_schema()  # the graph exists (indexes only), so create mode takes the Cypher path
    result = cli("import", "chainkg", str(small), "--mode", "create")
    assert result.exit_code == 0 and "(create, cypher)" in result.output
    assert store.dump().sorted() == merged


def test_cli_dry_run_and_errors(cli, store, small: Path, tmp_path: Path) -> None:
    result = cli("import", "chainkg", str(small), "--dry-run")
    assert result.exit_code == 0 and "valid: 115 entities, 105 relations" in result.output
    assert store.stats() == {"entities": {}, "relations": {}}
    missing = cli("import", "chainkg", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "is not a folder" in missing.output
    (tmp_path / "empty").mkdir()
    incomplete = cli("import", "chainkg", str(tmp_path / "empty"))
    assert incomplete.exit_code == 2 and "missing company.json" in incomplete.output


# -- the real data set --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real() -> tuple[GraphData, Any]:
    if not (CHAINKG / "company.json").is_file():
        pytest.skip(f"the ChainKnowledgeGraph data set is not at {CHAINKG} (set INDGRAPH_CHAINKG to its folder)")
    return read_chainkg(CHAINKG)


@pytest.mark.slow
@pytest.mark.chainkg
def test_real_data_set_imports_whole(real, store) -> None:
    data, summary = real
    # the README's figures
    assert summary.rows["company.json"] == 4654
    assert summary.rows["industry.json"] == 511
    assert summary.rows["product.json"] == 95559
    assert summary.rows["company_product.json"] == 53779
    assert summary.rows["product_product.json"] == 110153
    assert summary.entities["industry"] == 511
    # names lose their control characters: "外套类\x7f" is then "外套类", already listed (one product)
    assert summary.count("control_char_name") == 7  # 4 names, in 7 rows of 3 files
    assert summary.entities["product"] == 95559 + summary.count("product_not_listed") - 1
    names = [json.loads(line)["name"] for line in (CHAINKG / "company.json").open(encoding="utf-8")]
    assert 4550 <= len(set(names)) <= 4650  # "about 4,605 unique names"
    weights = [r.weight for r in data.relations if r.weight is not None and r.source.startswith("ckg:company:")]
    assert -60 < min(weights) < -58 and 3.1 < max(weights) < 3.3  # "from about −59 to 3.2", kept as given
    assert summary.count("weight_out_of_range") == 803 and summary.count("self_loop") == 108
    assert summary.count("cycle_components") == 4 and summary.count("recipe_links") == 3373
    assert summary.relations["主营产品"] == 53779 - summary.count("duplicate_row")
    pp = sum(summary.relations[k] for k in ("上游材料", "下游产品", "产品小类"))
    assert pp == 110153 - summary.count("self_loop") - summary.count("chain_both_ways")

    written = store.write(data, mode="auto", batch_size=10_000)
    assert (written.mode, written.method) == ("create", NEW_GRAPH_METHOD[store.dialect])
    stats = store.stats()
    assert stats["entities"] == {"Company": summary.entities["company"], "Sector": 511 + summary.entities["product"]}
    assert sum(stats["relations"].values()) == len(data.relations)
    up = [r[0] for r in store.query(UPSTREAM_OF, {"name": "碳酸锂", "chain": CHAIN_PRODUCTS}).rows]
    assert {"锂辉石", "锂云母"} <= set(up)
