"""The curated data against an independent reading of the five seed documents, and its provenance."""

from __future__ import annotations

import re

import pytest

from graph.attributes import Qualifier
from graph.model import Entity, GraphData, Relation, RelType, Source
from graph.support import Support
from tests.conftest import SEEDS

DOCS = {
    "000": "000_f61b3b83d357aa36.txt",
    "001": "001_3f7e2dc42dc261ee.txt",
    "002": "002_c2ea67a60de1b828.txt",
    "003": "003_f7fff4243977c1cb.txt",
    "004": "004_91ed26990767898d.txt",
}


def _norm(text: str) -> str:
    return " ".join(text.split())


def find(data: GraphData, name: str) -> Entity:
    """The one entity answering to ``name`` (name, Chinese name or alias, case-insensitively)."""
    hits = [e for e in data.entities if name.casefold() in {n.casefold() for n in e.names()}]
    assert len(hits) == 1, f"{name!r} matches {[e.id for e in hits]}"
    return hits[0]


def related(data: GraphData, source: Entity, rel: str) -> set[str]:
    return {r.target for r in data.relations if r.source == source.id and r.type == rel}


def reaches(data: GraphData, source: Entity, target: Entity, rels: tuple[str, ...] = ("LOCATED_IN", "PART_OF")) -> bool:
    seen, todo = set(), [source.id]
    while todo:
        cur = todo.pop()
        if cur == target.id:
            return True
        seen.add(cur)
        todo += [r.target for r in data.relations if r.source == cur and r.type in rels and r.target not in seen]
    return False


@pytest.mark.skipif(not SEEDS.exists(), reason=f"the seed documents are not at {SEEDS}")
def test_every_quote_is_verbatim_from_its_document(seed_data: GraphData) -> None:
    texts = {p.name: _norm(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    records = [*seed_data.entities, *seed_data.relations]
    checked = 0
    for rec in records:
        for s in rec.sources:
            if s.doc.startswith("ref:"):  # background reference (the division code table), not a seed text
                continue
            assert s.doc in texts, f"{rec}: unknown document {s.doc}"
            if s.quote:
                assert _norm(s.quote) in texts[s.doc], f"not in {s.doc}: {s.quote!r}"
                checked += 1
    assert checked > 200


def test_background_references_are_few_and_named(seed_data: GraphData) -> None:
    refs = [
        s.doc for rec in [*seed_data.entities, *seed_data.relations] for s in rec.sources if s.doc.startswith("ref:")
    ]
    assert set(refs) <= {"ref:GB/T 2260", "ref:background", "ref:科技部关于认定2020年国家高新技术产业化基地的通知"}
    assert refs.count("ref:background") <= 3


def test_every_record_has_a_source(seed_data: GraphData) -> None:
    missing = [e.id for e in seed_data.entities if not e.sources]
    missing += [f"{r.source}-{r.type}->{r.target}" for r in seed_data.relations if not r.sources]
    assert not missing


def test_every_document_is_used(seed_data: GraphData) -> None:
    used = {s.doc for rec in [*seed_data.entities, *seed_data.relations] for s in rec.sources}
    assert set(DOCS.values()) <= used


def test_wuhan_five_bases(seed_data: GraphData) -> None:
    d = seed_data
    memory = find(d, "National Memory Base")
    assert memory.attributes.investment_usd == 30e9
    assert memory.attributes.capacity_chips_per_month == 300_000
    assert reaches(d, memory, find(d, "East Lake High-tech Development Zone"))
    aerospace = find(d, "Wuhan National Aerospace Industry Base")
    assert reaches(d, aerospace, find(d, "Xinzhou District"))
    for park in ("Rocket Industrial Park", "Satellite Industrial Park"):
        assert reaches(d, find(d, park), aerospace)
    cyber = find(d, "National Cybersecurity Talent and Innovation Base")
    linkonggang = find(d, "Wuhan Linkonggang Economic and Technological Development Zone")
    assert reaches(d, cyber, linkonggang) and reaches(d, linkonggang, find(d, "Dongxihu District"))
    partners = {r.target for r in d.relations if r.type == "PARTNERS_WITH" and r.source == cyber.id} | {
        r.source for r in d.relations if r.type == "PARTNERS_WITH" and r.target == cyber.id
    }
    assert {find(d, "Wuhan University").id, find(d, "HUST").id} <= partners
    phases = sorted(
        e.attributes.area_km2 for e in d.entities if e.attributes.area_km2 and reaches(d, e, cyber, ("PART_OF",))
    )
    assert phases == [4.0, 17.3, 18.7]
    nev = find(d, "National NEV and ICV Base")
    assert nev.attributes.planned_area_km2 == 100
    assert reaches(d, nev, find(d, "Wuhan Economic and Technological Development Zone"))
    health = find(d, "Health Industry Base")
    for member in (
        "Biolake",
        "Optics Valley Nanda Health Industrial Park",
        "Hanyang Health Industry Development Zone",
        "National Medical Service Zone",
        "International Medical Innovation Zone",
    ):
        assert reaches(d, find(d, member), health), member
    for field in ("Biomedicine", "Medical Equipment", "Medicine Distribution", "Bio-agriculture", "Health Services"):
        find(d, field)
    for hospital in ("Wuhan Tongji Hospital", "Wuhan Union Hospital"):
        assert reaches(d, find(d, hospital), find(d, "National Medical Service Zone"))


def chain_links(d: GraphData) -> set[tuple[str, str]]:
    return {(r.source, r.target) for r in d.relations if r.type == "PART_OF_CHAIN"}


def test_named_chains(seed_data: GraphData) -> None:
    d = seed_data
    links = chain_links(d)

    def linked(a: str, b: str) -> bool:
        return (find(d, a).id, find(d, b).id) in links

    assert linked("Display Panels", "Smart Terminals")
    assert linked("Anode Materials", "Battery Cells") and linked("Cathode Materials", "Battery Cells")
    assert linked("Battery Cells", "Energy Storage") and linked("Energy Storage", "Battery Recycling")
    chains = {r.chain for r in d.relations if r.type == "PART_OF_CHAIN"}
    assert len(chains) >= 5


def test_hunan_projects(seed_data: GraphData) -> None:
    d = seed_data
    programme = next(e for e in d.entities if e.attributes.project_count == 42)
    a = programme.attributes
    assert (a.investment_cny, a.investment_2023_cny, a.transferred_project_count) == (138.5e9, 47.3e9, 23)
    assert a.annual_revenue_cny == 150e9 and a.min_project_investment_cny == 500e6
    for company in ("CRRC Zhuzhou Times Semiconductor", "Hunan Sanan Semiconductor"):
        assert related(d, find(d, company), "OPERATES")
    find(d, "World Computing - Changsha Intelligent Valley")


def test_sino_japanese_park(seed_data: GraphData) -> None:
    d = seed_data
    park = find(d, "Sino-Japanese Industrial Park")
    assert park.attributes.planned_area_km2 == 20
    assert reaches(d, park, find(d, "Huangpi District"))
    groups = sorted(
        e.attributes.planned_area_km2
        for e in d.entities
        if e.attributes.planned_area_km2 and e.id != park.id and reaches(d, e, park, ("PART_OF",))
    )
    assert groups == [3, 3, 4, 4, 5]
    # Japan's ranks and figures are relative to Wuhan: on the Wuhan-Japan relation, not Japan's own
    japan, wuhan = find(d, "Japan"), find(d, "Wuhan")
    assert set(japan.attributes.model_dump(exclude_none=True)) == {"code"}
    (tie,) = [r for r in d.relations if r.type == "PARTNERS_WITH" and {r.source, r.target} == {wuhan.id, japan.id}]
    assert (
        tie.role and "9.08 billion USD" in tie.role and "291 enterprises" in tie.role and "second largest" in tie.role
    )
    figures = next(s for s in tie.sources if "9.08 billion" in (s.quote or ""))
    assert figures.support is Support.INFERRED and "在汉" in (figures.reason or "")


def test_five_valleys_are_the_bases_and_zones(seed_data: GraphData) -> None:
    d = seed_data
    assert find(d, "Optics Valley") is find(d, "East Lake High-tech Development Zone")
    assert find(d, "Auto Valley") is find(d, "Wuhan Economic and Technological Development Zone")
    assert find(d, "Cyber Valley").id in {
        find(d, "Wuhan Linkonggang Economic and Technological Development Zone").id,
        find(d, "National Cybersecurity Talent and Innovation Base").id,
    }
    assert find(d, "Star Valley") is find(d, "Wuhan National Aerospace Industry Base")
    find(d, "Pharma Valley")
    # one node groups them: each valley is PART_OF it, with its name as the role
    (group,) = [e for e in d.entities if re.search(r"\bvalleys?\b", e.name, re.I) and "Five" in e.name]
    assert group.kind == "grouping" and reaches(d, group, find(d, "Wuhan"))
    members = {r.role: r.source for r in d.relations if r.type == "PART_OF" and r.target == group.id}
    assert members == {
        v: find(d, v).id for v in ("Optics Valley", "Auto Valley", "Cyber Valley", "Star Valley", "Pharma Valley")
    }


def test_wuhan_figures(seed_data: GraphData) -> None:
    wuhan = find(seed_data, "Wuhan")
    a = wuhan.attributes
    assert (a.high_tech_enterprises_2020, a.high_tech_enterprises_2024) == (6259, 16630)
    assert a.tech_contract_value_2024_cny == 260.8e9 and a.gdp_growth_pct == 5.6
    assert wuhan.figures["gdp_growth_pct"].period == "Q1-Q3 2025"
    assert find(seed_data, "Auto Valley").attributes.production_growth_pct == 58.4
    # "The city's metropolitan area, contributing over 60% of Hubei's GDP": the metropolitan area's, over 60
    assert a.gdp_share_pct is None and a.metro_area_gdp_share_pct == 60
    assert wuhan.figures["metro_area_gdp_share_pct"].qualifier == (Qualifier.OVER,)


def test_eleven_state_hi_tech_bases_of_2020(seed_data: GraphData) -> None:
    d = seed_data
    most = find(d, "Ministry of Science and Technology")
    bases = [r.source for r in d.relations if r.type == "DESIGNATED_BY" and r.target == most.id]
    assert len(bases) == 11
    by_id = d.by_id()
    for b in bases:
        assert by_id[b].attributes.designated_year == 2020
        assert related(d, by_id[b], "SPECIALISES_IN") and related(d, by_id[b], "LOCATED_IN"), b


def qualifiers(e: Entity, name: str) -> set[str]:
    fig = e.figures.get(name)
    return {q.value for q in fig.qualifier} if fig else set()


def test_figures_keep_their_qualifiers_and_periods(seed_data: GraphData) -> None:
    d = seed_data
    # "nearly 1,000", "about 100 square kilometers", "about 20", "over 1,000", "more than 500 million" ...
    institute = find(d, "Wuhan Industrial Innovation Research Institute")
    assert institute.attributes.technology_transfers == 1000 and qualifiers(institute, "technology_transfers") == {
        "nearly"
    }
    assert institute.figures["technology_transfers"].period == "since 2021"
    assert qualifiers(find(d, "National NEV and ICV Base"), "planned_area_km2") == {"about"}
    assert qualifiers(find(d, "Sino-Japanese Industrial Park"), "planned_area_km2") == {"about"}
    programme = next(e for e in d.entities if e.attributes.project_count == 42)
    assert qualifiers(programme, "min_project_investment_cny") == {"over"}
    assert qualifiers(programme, "annual_revenue_cny") == {"over", "target"}
    assert (
        qualifiers(programme, "investment_2023_cny") == {"target"}
        and programme.figures["investment_2023_cny"].period == "2023"
    )
    assert qualifiers(programme, "investment_cny") == set()  # "reached 138.5 billion CNY": exact
    memory = find(d, "National Memory Base")
    assert qualifiers(memory, "capacity_chips_per_month") == {"target"}
    assert memory.figures["capacity_chips_per_month"].period == "2023"
    assert qualifiers(find(d, "New Aerospace Town"), "output_value_cny") == {"target"}
    assert qualifiers(find(d, "Shengshi Technology"), "units_sold") == {"over"}  # "20,000+ units sold"
    assert qualifiers(find(d, "Hunan 5G and Electronic Circuit Industrial Parks"), "target_enterprise_count") == {
        "over",
        "target",
    }


def test_places_follow_the_documents_not_the_names(seed_data: GraphData) -> None:
    d = seed_data
    # doc 004's "Changsha" automobile spare parts base is 常熟 Changshu (Jiangsu) in the ministry's list
    base = find(d, "Changshu State Automobile Spare Parts Hi-tech Industrialisation Base")
    assert find(d, "Changsha State Automobile Spare Parts Hi-tech Industrialisation Base") is base
    assert reaches(d, base, find(d, "Changshu")) and reaches(d, base, find(d, "Jiangsu"))
    assert not reaches(d, base, find(d, "Hunan"))
    assert not any(s.quote and "Automobile Spare Parts" in s.quote for s in find(d, "Changsha").sources)
    # 光谷南大健康产业园 lies south of Optics Valley: not in the East Lake zone, only in Wuhan (inferred)
    nanda = find(d, "光谷南大健康产业园")
    assert not reaches(d, nanda, find(d, "East Lake High-tech Development Zone"))
    (where,) = [r for r in d.relations if r.source == nanda.id and r.type == "LOCATED_IN"]
    assert where.target == find(d, "Wuhan").id and where.sources[0].support is Support.INFERRED
    # CRRC Zhuzhou's city is Zhuzhou, in Hunan
    crrc = find(d, "CRRC Zhuzhou Times Semiconductor")
    assert reaches(d, crrc, find(d, "Zhuzhou")) and reaches(d, find(d, "Zhuzhou"), find(d, "Hunan"))
    # the headline designates Beijing (the city) as AI centre
    assert find(d, "Artificial Intelligence").id in related(d, find(d, "Beijing"), "SPECIALISES_IN")


def test_types_and_verbs_follow_the_text(seed_data: GraphData) -> None:
    d = seed_data
    # a department that released a list of projects does not operate them
    diit = find(d, "Hunan Department of Industry and Information Technology")
    assert not related(d, diit, "OPERATES")
    programme = next(e for e in d.entities if e.attributes.project_count == 42)
    assert related(d, programme, "DESIGNATED_BY") == {diit.id}
    # a data-centre site is not a company; a strategy and a product are not projects
    assert find(d, "Centrin Wuhan Data Valley").type == "Park"
    assert find(d, "965 strategy").type == "Sector"
    names = {e.name.casefold() for e in d.entities if e.type == "Project"}
    assert not {n for n in names if "nao robot" in n or "strategy" in n or "plan" in n}
    # the memory base and its plant are one project, one node
    assert find(d, "3D NAND flash memory chip plant") is find(d, "National Memory Base")


def test_lists_and_tiers_are_groupings_not_chains(seed_data: GraphData) -> None:
    d = seed_data
    in_chain = {x for r in d.relations if r.type == "PART_OF_CHAIN" for x in (r.source, r.target)}
    members = {
        "Health Industry": [
            "Biomedicine", "Medical Equipment", "Medicine Distribution", "Bio-agriculture", "Health Services"
        ],
        "Aerospace Leading Industries": ["Carrier Rockets and Launch Service", "Satellite Platform and Payload"],
        "Aerospace Basic Industries": ["New Aerospace Materials", "Aerospace Cloud Manufacturing"],
        "Aerospace Extended Industries": ["Spatial Big Data", "Smart City Systems"],
        "Intelligent Vehicle Software and Hardware Products": [
            "Lidar", "High-precision Mapping", "Intelligent Vehicle Chips"
        ],
        "Energy and Battery Industrial Chain": ["Anode Materials", "Battery Cells", "Battery Recycling"],
        "Intelligent Equipment": ["Intelligent Robots", "3D Printing Equipment"],
        "Emerging and Future Industries": ["Artificial Intelligence", "Biomedicine", "Commercial Aerospace"],
    }  # fmt: skip
    for group, names in members.items():
        for name in names:
            assert find(d, group).id in related(d, find(d, name), "PART_OF"), (name, group)
    # the members of an unordered list are in no chain link
    for name in members["Health Industry"] + members["Intelligent Vehicle Software and Hardware Products"]:
        assert find(d, name).id not in in_chain, name
    for name in members["Aerospace Basic Industries"] + members["Aerospace Extended Industries"]:
        assert find(d, name).id not in in_chain, name


# Words that order two industries in a sentence.
ORDERING = re.compile(r"\b(?:upstream|downstream|then|feeds?|supplies|followed by|leads? to)\b|->|→", re.I)


def _named_in(sector: Entity, quote: str) -> bool:
    """True when the quote names the sector (its name or an alias, singular or plural, any case)."""
    text = quote.casefold()
    return any(n.casefold() in text or n.casefold().removesuffix("s") in text for n in sector.names())


def unordered_stated_chain_links(data: GraphData) -> list[str]:
    """Chain links that claim to be stated but whose quote orders nothing: it names neither both sectors
    nor uses an ordering word."""
    by_id = data.by_id()
    bad = []
    for r in data.relations:
        if r.type != RelType.PART_OF_CHAIN:
            continue
        for s in r.sources:
            if s.support is not Support.STATED:
                continue
            quote = s.quote or ""
            both = _named_in(by_id[r.source], quote) and _named_in(by_id[r.target], quote)
            if not (both or ORDERING.search(quote)):
                bad.append(f"{r.source} -> {r.target} ({r.chain}): {quote!r}")
    return bad


def test_stated_chain_links_are_ordered_by_their_quote(seed_data: GraphData) -> None:
    assert unordered_stated_chain_links(seed_data) == []
    stated = [
        r for r in seed_data.relations if r.type == "PART_OF_CHAIN" and any(s.support == "stated" for s in r.sources)
    ]
    assert {(r.source, r.target) for r in stated} == {
        ("sector:chips", "sector:display-panels"),
        ("sector:display-panels", "sector:smart-terminals"),
    }
    # every other chain link is inferred, with its reason
    for r in seed_data.relations:
        if r.type == "PART_OF_CHAIN" and r not in stated:
            assert all(s.support is Support.INFERRED and s.reason for s in r.sources), r


def test_the_chain_check_catches_a_stated_link_from_a_list() -> None:
    fields = "five major fields: biomedicine, medical equipment, medicine distribution, and health services."
    sectors = [
        Entity(id=f"s:{i}", type="Sector", name=n)
        for i, n in enumerate(["Biomedicine", "Logistics", "Health Services"])
    ]
    listed = Relation(
        source="s:0", type="PART_OF_CHAIN", target="s:1", chain="c", sources=[Source(doc="d.txt", quote=fields)]
    )
    ordered = Relation(
        source="s:0",
        type="PART_OF_CHAIN",
        target="s:1",
        chain="c",
        sources=[Source(doc="d.txt", quote="Biomedicine feeds it.")],
    )
    named = Relation(
        source="s:0", type="PART_OF_CHAIN", target="s:2", chain="c", sources=[Source(doc="d.txt", quote=fields)]
    )
    hedged = listed.model_copy(
        update={"sources": [Source(doc="d.txt", quote=fields, support="inferred", reason="list")]}
    )
    assert len(unordered_stated_chain_links(GraphData(entities=sectors, relations=[listed]))) == 1
    assert unordered_stated_chain_links(GraphData(entities=sectors, relations=[ordered, named, hedged])) == []


def test_every_fact_has_a_support_level(seed_data: GraphData) -> None:
    sources = [s for rec in [*seed_data.entities, *seed_data.relations] for s in rec.sources]
    levels = {level: sum(s.support is level for s in sources) for level in Support}
    assert all(levels.values()), levels  # each level is used
    assert all(s.reason for s in sources if s.support is Support.INFERRED)
    assert all(s.doc.startswith("ref:") for s in sources if s.support is Support.BACKGROUND)
    # a stated-only view keeps the documents' own facts and drops the rest
    stated = seed_data.stated_only()
    assert len(stated.relations) < len(seed_data.relations)
    assert all(s.support is Support.STATED for rec in [*stated.entities, *stated.relations] for s in rec.sources)
    assert "sector:chips" in {r.source for r in stated.relations if r.type == "PART_OF_CHAIN"}
    assert find(stated, "Wuhan").attributes.code is None  # a background figure goes
    assert find(stated, "Wuhan").attributes.gdp_growth_pct == 5.6  # a stated one stays
