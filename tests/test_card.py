"""`indgraph show`: an entity's card on both stores, exact answers from the seed graph."""

from __future__ import annotations

import json

import pytest

from graph.analysis.common import EntityRef
from graph.card import CardFigure, CardSource, entity_card
from graph.cli.card import render
from graph.errors import UnknownEntityError
from graph.stores import Store

DOC0 = "000_f61b3b83d357aa36.txt"
CHINA = EntityRef("country:cn", "Country", "China", "中国")
HUBEI = EntityRef("cn-420000", "Province", "Hubei", "湖北省")
WUHAN = EntityRef("cn-420100", "City", "Wuhan", "武汉市")


def test_card_of_a_base(seeded: Store) -> None:
    card = entity_card(seeded, "Memory Base")
    assert card.entity == EntityRef("base:national-memory-base", "Base", "National Memory Base", "国家存储器基地")
    assert card.aliases == ("Memory Base", "Wuhan National Memory Base", "3D NAND flash memory chip plant")
    east_lake = EntityRef(
        "zone:east-lake-high-tech-zone", "District", "East Lake High-tech Development Zone", "东湖新技术开发区"
    )
    assert card.places == ((east_lake, WUHAN, HUBEI, CHINA),)
    assert [s.id for s in card.works_in] == [
        "sector:chip-application", "sector:chip-design", "sector:chip-manufacturing", "sector:chip-packaging",
        "sector:memory-chips",
    ]  # fmt: skip
    figures = {f.name: f for f in card.figures}
    assert figures["investment_usd"] == CardFigure(
        "investment_usd", 30e9, "USD", "30 billion USD", (), None, "stated", None
    )
    assert figures["capacity_chips_per_month"] == CardFigure(
        "capacity_chips_per_month", 300_000, None, "300,000 (target; 2023)", ("target",), "2023", "stated", None
    )
    assert figures["construction_start"].text == "2016 (end of 2016)"
    groups = {(g.type, g.direction): g.relations for g in card.relations}
    assert set(groups) == {("LOCATED_IN", "out"), ("SPECIALISES_IN", "out")}
    specialises = {r.other.id: r.support for r in groups[("SPECIALISES_IN", "out")]}
    assert specialises["sector:memory-chips"] == "stated" and specialises["sector:chip-design"] == "inferred"
    assert card.sources[1] == CardSource(
        DOC0,
        "With a total investment of 30 billion USD, the project started construction at the end of 2016.",
        "stated",
        None,
    )


def test_card_follows_parts_and_places_to_the_country(seeded: Store) -> None:
    card = entity_card(seeded, "Rocket Industrial Park")
    assert [[p.name for p in chain] for chain in card.places] == [
        ["Wuhan National Aerospace Industry Base", "Xinzhou District", "Wuhan", "Hubei", "China"]
    ]
    # a park of the health base that is also Pharma Valley: the grouping is not a place
    card = entity_card(seeded, "Biolake")
    assert sorted([p.name for p in chain] for chain in card.places) == [
        ["East Lake High-tech Development Zone", "Wuhan", "Hubei", "China"],
        ["Health Industry Base", "Wuhan", "Hubei", "China"],
    ]
    part_of = {(g.type, g.direction): [r.other.name for r in g.relations] for g in card.relations}
    assert part_of[("PART_OF", "out")] == ["Five Valleys (Wuhan)", "Health Industry Base"]


def test_card_stated_only_and_background(seeded: Store) -> None:
    full = entity_card(seeded, "Changshu")
    assert {f.name: (f.text, f.support, f.reason) for f in full.figures} == {
        "code": ("320581", "background", "GB/T 2260 division code")
    }
    (based,) = [g for g in full.relations if g.type == "LOCATED_IN" and g.direction == "in"]
    (base,) = based.relations
    assert base.other.name == "Changshu State Automobile Spare Parts Hi-tech Industrialisation Base"
    assert base.support == "background" and base.sources[0].doc.startswith("ref:")
    stated = entity_card(seeded, "Changshu", stated_only=True)
    assert stated.figures == () and stated.relations == () and stated.sources == ()


def test_unknown_entity_is_an_error(seeded: Store) -> None:
    with pytest.raises(UnknownEntityError):
        entity_card(seeded, "Atlantis")


def test_show_prints_the_card_and_json(cli, seeded: Store) -> None:
    r = cli("show", "Auto Valley")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == (
        "Wuhan Economic and Technological Development Zone · 武汉经济技术开发区 · District · zone:wuhan-etdz"
        " (development_zone)"
    )
    assert "where: Wuhan › Hubei › China" in lines
    assert "  production_growth_pct             58.4% (year on year (NEV production))" in lines
    assert "    Five Valleys (Wuhan) (Auto Valley)" in lines
    r = cli("show", "zone:wuhan-etdz", "--json")
    card = json.loads(r.stdout)
    assert card["entity"]["id"] == "zone:wuhan-etdz"
    assert {f["name"]: f["value"] for f in card["figures"]}["growth_above_national_pct_points"] == 13.2
    assert cli("show", "Atlantis").exit_code == 2


def test_render_marks_what_is_not_stated(seeded: Store) -> None:
    lines = render(entity_card(seeded, "Optics Valley Nanda Health Industrial Park"))
    assert '    Wuhan [inferred: the "One Park" of Wuhan\'s health base; the text does not say where in Wuhan]' in lines
    assert "where: Wuhan › Hubei › China" in lines and "where: Health Industry Base › Wuhan › Hubei › China" in lines
