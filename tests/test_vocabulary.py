"""The sector vocabulary and the chain templates: the shipped files, bad files, and what the vocabulary
does to a ChainKnowledgeGraph read (hand-made, exact)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import ArgumentError, LoadErrors
from graph.model import Entity, GraphData, Relation
from loaders import load_paths
from loaders.templates import read_templates, template, template_relations
from loaders.vocabulary import apply_vocabulary, concept_graph, duplicate_names, read_vocabulary, with_synonyms


def test_the_shipped_vocabulary_and_templates_are_valid() -> None:
    vocab = read_vocabulary()
    seed = load_paths(None)
    concepts = concept_graph(vocab, seed)
    for name in ("动力电池", "动力电池系统", "动力锂电池"):
        assert vocab.concept_of(name) == "sector:power-battery-systems"
    assert vocab.concept_of("正极材料") == "sector:cathode-materials"
    cathode = concepts.by_id()["sector:cathode-materials"]
    assert cathode.name == "Cathode Materials" and "锂电池正极材料" in cathode.aliases
    known = {e.id for e in seed.entities} | {e.id for e in concepts.entities}
    ids = [t.id for t in read_templates(known_sectors=known)]
    assert ids == [
        "aerospace", "biomedicine", "chip-display-terminal", "equipment-manufacturing",
        "lithium-battery", "nev-icv", "new-display", "photovoltaics",
    ]  # fmt: skip
    assert template("锂电池").id == "lithium-battery" and template("Photovoltaics").id == "photovoltaics"
    with pytest.raises(ArgumentError, match="no chain template 'salt'; known: aerospace"):
        template("salt")


def test_every_template_step_names_a_source_and_tiers_have_no_links() -> None:
    templates = read_templates()
    for t in templates:
        assert all(s.source.doc for s in t.steps)
    aerospace = template("aerospace", templates)
    assert aerospace.layout == "tiers" and template_relations([aerospace]) == []


def test_template_links_follow_stages_and_after() -> None:
    lithium = template("lithium-battery")
    links = {(r.source, r.target) for r in template_relations([lithium])}
    assert ("sector:lithium-carbonate", "sector:cathode-materials") in links
    assert ("sector:lithium-carbonate", "sector:electrolyte") in links
    # anode and separators list no upstream step: lithium salts are not their input
    assert not any(t in ("sector:anode-materials", "sector:separators") for _, t in links)
    assert ("sector:separators", "sector:battery-cells") in links
    assert all(r.chain == "template:lithium-battery" for r in template_relations([lithium]))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_vocabulary_names_file_line_and_field(tmp_path: Path) -> None:
    p = write(
        tmp_path / "v.yaml",
        "concepts:\n"
        "  - id: sector:a\n    same: [甲]\n"
        "  - id: sector:b\n    same: [甲]\n    part_of: sector:zzz\n"
        "  - id: sector:a\n"
        "  - id: Bad Id\n",
    )
    with pytest.raises(LoadErrors) as exc:
        read_vocabulary(p)
    f = exc.value.errors[0].file
    assert f.endswith("v.yaml")
    assert [str(e) for e in exc.value.errors] == [
        f"{f}:4: part_of: no concept 'sector:zzz' in the vocabulary",
        f"{f}:4: same: '甲' is also listed under sector:a",
        f"{f}:7: id: 'sector:a' is listed twice (first at line 2)",
        f"{f}:8: id: String should match pattern '^sector:[a-z0-9][a-z0-9-]*$'",
    ]


def test_a_new_concept_needs_names_and_a_source(tmp_path: Path) -> None:
    vocab = read_vocabulary(write(tmp_path / "v.yaml", "concepts:\n  - id: sector:new\n    same: [新]\n"))
    with pytest.raises(LoadErrors, match=r"v.yaml:2: name: a new concept needs name, name_zh, source"):
        concept_graph(vocab, GraphData())


def test_bad_template_names_the_step(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    write(
        tmp_path / "t" / "x.yaml",
        "id: x\nname: X\nname_zh: 叉\nlayout: chain\nsource: {doc: 'ref:x'}\nsteps:\n"
        "  - {id: a, stage: 1, name: A, name_zh: 甲, sectors: [s:a], source: {doc: 'ref:x'}}\n"
        "  - {id: b, stage: 2, name: B, name_zh: 乙, sectors: [s:nope], source: {doc: 'ref:x'}}\n",
    )
    with pytest.raises(LoadErrors) as exc:
        read_templates(tmp_path / "t", known_sectors={"s:a"})
    (e,) = exc.value.errors
    assert e.file.endswith("x.yaml") and (e.line, e.field) == (8, "steps.1.sectors")
    assert e.message == "no sector 's:nope' (step 'b')"


def ckg(eid: str, name: str) -> Entity:
    return Entity(id=eid, type="Sector", name=name, name_zh=name)


def test_apply_vocabulary_makes_one_node_per_concept(tmp_path: Path) -> None:
    vocab = read_vocabulary(
        write(
            tmp_path / "v.yaml",
            "concepts:\n"
            "  - id: sector:packs\n    name: Power Batteries\n    name_zh: 动力电池\n"
            "    same: [动力电池, 动力电池系统]\n    narrower: [动力电池模组]\n    source: {doc: 'ref:test'}\n",
        )
    )
    data = GraphData(
        entities=[
            ckg("ckg:product:动力电池", "动力电池"),
            ckg("ckg:product:动力电池系统", "动力电池系统"),
            ckg("ckg:product:动力电池模组", "动力电池模组"),
            ckg("ckg:industry:630701", "锂电池"),
            ckg("ckg:product:锂电池", "锂电池"),
            Entity(id="ckg:company:300750.SZ", type="Company", name="宁德时代"),
            Entity(id="ckg:company:002594.SZ", type="Company", name="比亚迪"),
        ],
        relations=[
            Relation(
                source="ckg:company:300750.SZ", type="SPECIALISES_IN", target="ckg:product:动力电池系统", weight=0.6
            ),
            Relation(source="ckg:company:002594.SZ", type="SPECIALISES_IN", target="ckg:product:动力电池", weight=0.2),
            Relation(
                source="ckg:product:动力电池", type="PART_OF_CHAIN", target="ckg:product:动力电池系统", chain="chainkg"
            ),
            Relation(source="ckg:product:锂电池", type="PART_OF_CHAIN", target="ckg:product:动力电池", chain="chainkg"),
            Relation(
                source="ckg:product:锂电池", type="PART_OF_CHAIN", target="ckg:product:动力电池系统", chain="chainkg"
            ),
        ],
    )
    out, report = apply_vocabulary(data, vocab, concept_graph(vocab, GraphData()))
    ids = sorted(e.id for e in out.entities)
    assert ids == [
        "ckg:company:002594.SZ", "ckg:company:300750.SZ", "ckg:industry:630701",
        "ckg:product:动力电池模组", "sector:packs",
    ]  # fmt: skip
    assert sorted((r.source, r.type.value, r.target, r.weight) for r in out.relations) == [
        ("ckg:company:002594.SZ", "SPECIALISES_IN", "sector:packs", 0.2),
        ("ckg:company:300750.SZ", "SPECIALISES_IN", "sector:packs", 0.6),
        ("ckg:industry:630701", "PART_OF_CHAIN", "sector:packs", None),
        ("ckg:product:动力电池模组", "PART_OF", "sector:packs", None),
    ]
    assert out.by_id()["sector:packs"].aliases == ["动力电池系统"]
    assert report.merged == {"sector:packs": ["ckg:product:动力电池", "ckg:product:动力电池系统"]}
    assert report.product_is_industry == 1 and report.self_loops_dropped == 1 and report.duplicates_merged == 1
    assert report.as_dict()["concepts_matched"] == 1 and report.not_in_data == []
    assert duplicate_names(out) == {}


def test_with_synonyms_adds_aliases_only_to_concepts() -> None:
    vocab = read_vocabulary()
    seed = load_paths(None).by_id()
    cells, base = with_synonyms([seed["sector:battery-cells"], seed["base:national-memory-base"]], vocab)
    assert "锂离子电芯" in cells.aliases and base == seed["base:national-memory-base"]
