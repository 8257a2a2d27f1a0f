"""Small hand-made graphs for the lookup, neighbours and analysis tests (exact answers are worked out by hand)."""

from __future__ import annotations

from graph.model import Entity, GraphData, Relation


def ent(id: str, type: str, name: str, name_zh: str | None = None, aliases: list[str] | None = None) -> Entity:
    return Entity(id=id, type=type, name=name, name_zh=name_zh, aliases=aliases or [])


def rel(source: str, type: str, target: str, chain: str | None = None) -> Relation:
    return Relation(source=source, type=type, target=target, chain=chain)


def battery_graph() -> GraphData:
    """A battery chain with a recycling loop, spread over Hunan (Changsha inside it) and Wuhan.

    Chain ``battery``: anode -> cells, cathode -> cells, cells -> storage -> recycling;
    chain ``circular``: recycling -> cathode (the loop).

    ============  ===========  =====================  ==================
    entity        type         located in             specialises in
    ============  ===========  =====================  ==================
    c:anodeco     Company      Changsha               anode
    c:cathco      Company      Wuhan                  cathode
    c:cellco      Company      Hunan                  cells
    c:storeco     Company      Wuhan                  storage
    c:recyc       Company      park:recycling-park    recycling
    base:battery  Base         Changsha               cells, storage
    univ:csu      University   Changsha               (none)
    ============  ===========  =====================  ==================

    ``park:recycling-park`` is PART_OF ``base:battery``. Partnerships: cellco-anodeco, cellco-storeco,
    anodeco-univ:csu, cathco-storeco.
    """
    entities = [
        ent("cn-430000", "Province", "Hunan", "湖南省", ["Hunan Province"]),
        ent("cn-430100", "City", "Changsha", "长沙市"),
        ent("cn-420100", "City", "Wuhan", "武汉市", ["Wuhan City"]),
        ent("s:anode", "Sector", "Anode Materials", "负极材料"),
        ent("s:cathode", "Sector", "Cathode Materials", "正极材料"),
        ent("s:cells", "Sector", "Battery Cells", "电芯", ["Mattery Cells"]),
        ent("s:storage", "Sector", "Energy Storage", "储能"),
        ent("s:recycling", "Sector", "Battery Recycling", "电池回收"),
        ent("c:anodeco", "Company", "AnodeCo"),
        ent("c:cathco", "Company", "CathCo"),
        ent("c:cellco", "Company", "CellCo", "电芯公司"),
        ent("c:storeco", "Company", "StoreCo"),
        ent("c:recyc", "Company", "RecycleCo"),
        ent("base:battery", "Base", "Changsha Battery Base", aliases=["Battery Base"]),
        ent("park:recycling-park", "Park", "Recycling Park"),
        ent("univ:csu", "University", "Central South University", "中南大学", ["CSU"]),
    ]
    relations = [
        rel("cn-430100", "LOCATED_IN", "cn-430000"),
        rel("s:anode", "PART_OF_CHAIN", "s:cells", "battery"),
        rel("s:cathode", "PART_OF_CHAIN", "s:cells", "battery"),
        rel("s:cells", "PART_OF_CHAIN", "s:storage", "battery"),
        rel("s:storage", "PART_OF_CHAIN", "s:recycling", "battery"),
        rel("s:recycling", "PART_OF_CHAIN", "s:cathode", "circular"),
        rel("c:anodeco", "LOCATED_IN", "cn-430100"),
        rel("c:cathco", "LOCATED_IN", "cn-420100"),
        rel("c:cellco", "LOCATED_IN", "cn-430000"),
        rel("c:storeco", "LOCATED_IN", "cn-420100"),
        rel("c:recyc", "LOCATED_IN", "park:recycling-park"),
        rel("base:battery", "LOCATED_IN", "cn-430100"),
        rel("park:recycling-park", "PART_OF", "base:battery"),
        rel("univ:csu", "LOCATED_IN", "cn-430100"),
        rel("c:anodeco", "SPECIALISES_IN", "s:anode"),
        rel("c:cathco", "SPECIALISES_IN", "s:cathode"),
        rel("c:cellco", "SPECIALISES_IN", "s:cells"),
        rel("c:storeco", "SPECIALISES_IN", "s:storage"),
        rel("c:recyc", "SPECIALISES_IN", "s:recycling"),
        rel("base:battery", "SPECIALISES_IN", "s:cells"),
        rel("base:battery", "SPECIALISES_IN", "s:storage"),
        rel("c:cellco", "PARTNERS_WITH", "c:anodeco"),
        rel("c:cellco", "PARTNERS_WITH", "c:storeco"),
        rel("c:anodeco", "PARTNERS_WITH", "univ:csu"),
        rel("c:cathco", "PARTNERS_WITH", "c:storeco"),
    ]
    return GraphData(entities=entities, relations=relations)
