"""The curated data against an independent reading of the five seed documents, and its provenance."""

from __future__ import annotations

import re

import pytest

from graph.model import Entity, GraphData
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
    assert set(refs) <= {"ref:GB/T 2260", "ref:background"}
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
    japan = find(d, "Japan")
    assert japan.attributes.foreign_investment_usd == 9.08e9 and japan.attributes.enterprise_count == 291
    assert any(r.type == "PARTNERS_WITH" and japan.id in (r.source, r.target) for r in d.relations)


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
    valleys = [e for e in d.entities if re.search(r"\bvalleys?\b", e.name, re.I) and "Five" in e.name]
    assert not valleys, "the Five Valleys are aliases of existing places, not new nodes"


def test_wuhan_figures(seed_data: GraphData) -> None:
    wuhan = find(seed_data, "Wuhan")
    a = wuhan.attributes
    assert (a.high_tech_enterprises_2020, a.high_tech_enterprises_2024) == (6259, 16630)
    assert a.tech_contract_value_2024_cny == 260.8e9 and a.gdp_growth_pct == 5.6
    assert find(seed_data, "Auto Valley").attributes.production_growth_pct == 58.4


def test_eleven_state_hi_tech_bases_of_2020(seed_data: GraphData) -> None:
    d = seed_data
    most = find(d, "Ministry of Science and Technology")
    bases = [r.source for r in d.relations if r.type == "DESIGNATED_BY" and r.target == most.id]
    assert len(bases) == 11
    by_id = d.by_id()
    for b in bases:
        assert by_id[b].attributes.designated_year == 2020
        assert related(d, by_id[b], "SPECIALISES_IN") and related(d, by_id[b], "LOCATED_IN"), b
