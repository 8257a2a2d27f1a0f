"""Support levels on sources and figures: the rules, the round trips through the codec, files and stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from graph.attributes import Figure, Qualifier, describe_figure
from graph.codec import entity_from_attrs, entity_from_props, entity_props, node_attrs, relation_props
from graph.errors import LoadErrors
from graph.model import Entity, GraphData, Relation, Source
from graph.nxgraph import from_networkx, to_networkx
from graph.stores import Store
from graph.support import Support
from loaders import load_paths

INFERRED = Source(doc="d.txt", quote="It is here.", support="inferred", reason="the paragraph is about it")
BOX = Entity(
    id="park:box",
    type="Park",
    name="Box Park",
    attributes={
        "planned_area_km2": {"value": 20.0, "qualifier": "about"},
        "annual_revenue_cny": {"value": 1.5e11, "qualifier": ["over", "target"], "period": "at full capacity"},
        "code": {"value": "X1", "support": "background", "reason": "a code table"},
        "phase": 1,
    },
    sources=[Source(doc="d.txt", quote="Box Park is planned."), INFERRED, Source(doc="ref:GB/T 2260")],
)


def test_source_defaults_and_rules() -> None:
    assert Source(doc="d.txt").support is Support.STATED
    assert Source(doc="ref:GB/T 2260").support is Support.BACKGROUND
    for bad, message in [
        ({"doc": "d.txt", "support": "inferred"}, "needs a one-line 'reason'"),
        ({"doc": "d.txt", "support": "background"}, "cites a 'ref:' reference"),
        ({"doc": "ref:x", "support": "stated"}, "background knowledge, not stated"),
        ({"doc": "d.txt", "support": "guessed"}, "Input should be 'stated', 'inferred' or 'background'"),
    ]:
        with pytest.raises(ValidationError, match=message):
            Source(**bad)
    assert Source(doc="d.txt", support="inferred", reason="  two\n lines ").reason == "two lines"


def test_figures_are_written_beside_their_values() -> None:
    assert BOX.attributes.planned_area_km2 == 20.0 and BOX.attributes.phase == 1
    assert set(BOX.figures) == {"planned_area_km2", "annual_revenue_cny", "code"}  # a plain value has none
    assert BOX.figures["annual_revenue_cny"].qualifier == (Qualifier.OVER, Qualifier.TARGET)
    text = describe_figure("annual_revenue_cny", 1.5e11, BOX.figures["annual_revenue_cny"])
    assert text == "over 150 billion CNY (target; at full capacity)"
    with pytest.raises(ValidationError, match="not set: area_km2"):
        Entity(id="p:x", type="Park", name="X", figures={"area_km2": {"qualifier": "about"}})
    with pytest.raises(ValidationError, match="needs a one-line 'reason'"):
        Figure(support="inferred")


def test_codec_round_trips_support_and_figures() -> None:
    props = entity_props(BOX)
    assert props["source_supports"] == ["stated", "inferred", "background"]
    assert props["source_reasons"] == ["", "the paragraph is about it", ""]
    assert props["figure_attrs"] == ["annual_revenue_cny", "code", "planned_area_km2"]
    assert props["figure_qualifiers"] == ["over target", "", "about"]
    assert props["figure_supports"] == ["stated", "background", "stated"]
    assert entity_from_props(props) == BOX
    assert entity_from_attrs(BOX.id, node_attrs(BOX)) == BOX
    assert node_attrs(BOX)["sources"][1] == {
        "doc": "d.txt",
        "quote": "It is here.",
        "support": "inferred",
        "reason": "the paragraph is about it",
    }
    # no reason anywhere: no reasons list; data written before supports existed reads back with defaults
    rel = Relation(source="park:box", type="LOCATED_IN", target="cn-1", sources=[Source(doc="ref:GB/T 2260")])
    assert relation_props(rel) == {
        "source_docs": ["ref:GB/T 2260"],
        "source_quotes": [""],
        "source_supports": ["background"],
    }
    old = {"id": "p:o", "type": "Park", "name": "Old", "source_docs": ["d.txt", "ref:x"], "source_quotes": ["Q.", ""]}
    assert [s.support for s in entity_from_props(old).sources] == [Support.STATED, Support.BACKGROUND]


def test_stated_only_keeps_what_is_stated() -> None:
    other = Entity(id="cn-1", type="City", name="One", sources=[Source(doc="d.txt", quote="One.")])
    rels = [
        Relation(source="park:box", type="LOCATED_IN", target="cn-1", sources=[INFERRED]),
        Relation(source="park:box", type="PARTNERS_WITH", target="cn-1", sources=[INFERRED, Source(doc="d.txt")]),
    ]
    data = GraphData(entities=[BOX, other], relations=rels).stated_only()
    (box, _) = data.entities
    assert [s.support for s in box.sources] == [Support.STATED]
    assert box.attributes.code is None and set(box.figures) == {"planned_area_km2", "annual_revenue_cny"}
    assert [(r.type.value, len(r.sources)) for r in data.relations] == [("PARTNERS_WITH", 1)]
    g = to_networkx(GraphData(entities=[BOX, other], relations=rels), stated_only=True)
    assert list(g.edges(keys=True)) == [("park:box", "cn-1", "PARTNERS_WITH")]
    assert from_networkx(to_networkx(GraphData(entities=[BOX]))).entities == [BOX]


def test_files_say_where_a_support_rule_is_broken(tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_text(
        "doc: d.txt\nentities:\n  - id: sector:x\n    type: Sector\n    name: X\n    attributes:\n"
        "      level: {value: 3, qualifier: sometimes}\n    sources:\n      - quote: It is X.\n"
        "        support: inferred\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadErrors) as info:
        load_paths([f])
    assert [str(e) for e in info.value.errors] == [
        f"{f}:7: attributes.level.qualifier.0: Input should be 'over', 'nearly', 'about' or 'target'",
        f"{f}:9: sources.0: an inferred source needs a one-line 'reason'",
    ]


def test_stores_keep_support_and_figures(store: Store) -> None:
    data = GraphData(
        entities=[BOX, Entity(id="cn-1", type="City", name="One", sources=[INFERRED])],
        relations=[Relation(source="park:box", type="LOCATED_IN", target="cn-1", sources=[INFERRED])],
    )
    store.write(data)
    assert store.dump().sorted() == data.sorted()
