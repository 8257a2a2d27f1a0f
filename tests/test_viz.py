"""``graph.viz``: choosing subgraphs, and every output format read back (HTML, PNG, SVG, GraphML, GEXF, Mermaid).

Small graphs built here give exact assertions; a few tests run on the curated seed graph through the
real CLI and the real embedded FalkorDB.
"""

from __future__ import annotations

import doctest
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from graph.analysis.common import nodes_within
from graph.errors import (
    AmbiguousEntityError,
    FontMissingError,
    TooLargeError,
    UnknownEntityError,
    UnsupportedFormatError,
)
from graph.model import Entity, EntityType, GraphData, Relation, RelType, Source
from graph.nxgraph import to_networkx
from graph.viz import files, html, layout, render, select, style
from tests.conftest import ROOT

EVIL = 'Evil </script><img src=x onerror="window.__pwned=1"> `tick` & "quote" \u2028 co'
QUOTE = "The base trains talent jointly with Wuhan University and the China Optics Valley </script> lab."


def _e(id_: str, type_: str, name: str, **kw) -> Entity:
    return Entity(id=id_, type=type_, name=name, sources=[Source(doc="t.txt", quote=f"{name} is named.")], **kw)


def _r(s: str, t: str, type_: str, **kw) -> Relation:
    return Relation(source=s, type=type_, target=t, **kw)


def small_data() -> GraphData:
    """A country, a province, two cities, sites, actors and a chain a -> b -> c -> d with sub-sector b1."""
    ents = [
        _e("country:jp", "Country", "Japan", name_zh="日本"),
        _e("cn-420000", "Province", "Hubei", name_zh="湖北省"),
        _e("cn-420100", "City", "Wuhan", name_zh="武汉市", aliases=["Jiangcheng"]),
        _e("cn-430100", "City", "Changsha", name_zh="长沙市"),
        _e("zone:ez", "District", "East Zone", kind="development_zone"),
        _e("base:b", "Base", "Memory Base", name_zh="存储基地"),
        _e("park:p", "Park", "Sino Park", name_zh="中日产业园"),
        _e("univ:u", "University", "Wuhan University", name_zh="武汉大学", aliases=["WHU"]),
        _e("univ:v", "University", "Central South University"),
        _e("company:x", "Company", EVIL, name_zh="某公司"),
        _e("org:m", "Organization", "Ministry"),
        _e("sector:a", "Sector", "Materials"),
        _e("sector:b", "Sector", "Cells"),
        _e("sector:b1", "Sector", "Cell Packaging"),
        _e("sector:c", "Sector", "Storage"),
        _e("sector:d", "Sector", "Recycling"),
        _e("sector:z", "Sector", "Unrelated"),
        _e("sector:w", "Sector", "Wuhan"),  # a sector sharing a city's name: ambiguity on purpose
    ]
    rels = [
        _r("cn-420100", "cn-420000", "LOCATED_IN"),
        _r("zone:ez", "cn-420100", "LOCATED_IN"),
        _r("base:b", "zone:ez", "LOCATED_IN"),
        _r("park:p", "base:b", "PART_OF"),
        _r("univ:u", "cn-420100", "LOCATED_IN"),
        _r("univ:v", "cn-430100", "LOCATED_IN"),
        _r("company:x", "cn-430100", "LOCATED_IN"),
        _r("base:b", "univ:u", "PARTNERS_WITH", role="joint training", sources=[Source(doc="d0.txt", quote=QUOTE)]),
        _r("park:p", "country:jp", "PARTNERS_WITH", role="China-Japan park"),
        _r("base:b", "org:m", "DESIGNATED_BY"),
        _r("sector:a", "sector:b", "PART_OF_CHAIN", chain="battery"),
        _r("sector:b", "sector:c", "PART_OF_CHAIN", chain="battery"),
        _r("sector:c", "sector:d", "PART_OF_CHAIN", chain="battery"),
        _r("sector:b1", "sector:b", "PART_OF"),
        _r("base:b", "sector:b", "SPECIALISES_IN"),
        _r("company:x", "sector:d", "SPECIALISES_IN"),
        _r("park:p", "sector:z", "SPECIALISES_IN"),
    ]
    return GraphData(entities=ents, relations=rels)


@pytest.fixture
def g() -> nx.MultiDiGraph:
    return to_networkx(small_data())


# -- selection -------------------------------------------------------------------------------------------
def test_partnerships_takes_parties_and_their_location_context(g: nx.MultiDiGraph) -> None:
    sub = select.partnerships(g)
    # parties: base, university, park, Japan; context: zone (base), city (university), base (park)
    assert set(sub) == {"base:b", "univ:u", "park:p", "country:jp", "zone:ez", "cn-420100"}
    # induced: every relation among the chosen nodes, the zone's LOCATED_IN Wuhan too
    types = sorted(t for *_, t in sub.edges(data="type"))
    assert types == ["LOCATED_IN"] * 3 + ["PARTNERS_WITH"] * 2 + ["PART_OF"]
    assert set(select.partnerships(g, context_hops=0)) == {"base:b", "univ:u", "park:p", "country:jp"}
    assert "cn-420000" in select.partnerships(g, context_hops=2)


def test_partnerships_of_a_graph_without_any_is_empty(g: nx.MultiDiGraph) -> None:
    g.remove_edges_from([(u, v, k) for u, v, k, t in g.edges(keys=True, data="type") if t == "PARTNERS_WITH"])
    assert select.partnerships(g).number_of_nodes() == 0


def test_chain_walks_up_and_downstream_with_sub_sectors_and_specialists(g: nx.MultiDiGraph) -> None:
    one = select.chain(g, "sector:b", hops=1)
    # b and its sub-sector b1; a upstream and c downstream one step; the base specialises in b
    assert set(one) == {"sector:a", "sector:b", "sector:b1", "sector:c", "base:b"}
    full = select.chain(g, "sector:b", hops=None)
    assert {"sector:d", "company:x"} <= set(full) and "sector:z" not in full
    # from the downstream end, upstream only: never sideways to another chain's customer
    assert set(select.chain(g, "sector:d", hops=1, specialists=False)) == {"sector:c", "sector:d"}
    by_name = select.chain(g, "battery")
    assert {n for n in by_name if by_name.nodes[n]["type"] == "Sector"} == {
        "sector:a",
        "sector:b",
        "sector:c",
        "sector:d",
    }
    with pytest.raises(UnknownEntityError, match="battery"):
        select.chain(g, "no-such-chain")


def test_around_is_the_undirected_ego_graph(g: nx.MultiDiGraph) -> None:
    assert set(select.around(g, "univ:u", 1)) == {"univ:u", "cn-420100", "base:b"}
    two = select.around(g, "univ:u", 2)
    assert {"cn-420000", "zone:ez", "org:m", "sector:b", "park:p"} <= set(two)
    assert two.number_of_edges() == g.subgraph(two.nodes).number_of_edges()
    assert set(select.around(g, "univ:u", 0)) == {"univ:u"}


def test_within_keeps_what_is_located_in_the_place(g: nx.MultiDiGraph) -> None:
    assert nodes_within(g, "cn-420100") == {"cn-420100", "zone:ez", "base:b", "park:p", "univ:u"}
    wuhan = select.within(g, g, "cn-420100", partners=False, sectors="linked")
    assert set(wuhan) == {"cn-420100", "zone:ez", "base:b", "park:p", "univ:u", "sector:b", "sector:z"}
    # partners elsewhere stay with partners=True (Japan cooperates with the park)
    assert "country:jp" in select.within(g, g, "cn-420100", sectors="linked")
    # sectors="all" keeps every sector of the view (a chain keeps its shape)
    every = select.within(g, g, "cn-420100", partners=False)
    assert {n for n in every if g.nodes[n]["type"] == "Sector"} == {n for n in g if g.nodes[n]["type"] == "Sector"}
    chain_in_changsha = select.within(g, select.chain(g, "sector:b", hops=None), "cn-430100")
    assert "company:x" in chain_in_changsha and "base:b" not in chain_in_changsha
    assert "cn-430100" in chain_in_changsha  # the place itself


def test_view_resolves_names_and_titles(g: nx.MultiDiGraph) -> None:
    sub, title = select.view(g, "around", "武汉大学", hops=1)
    assert "univ:u" in sub and title == "Around Wuhan University (1 hop)"
    sub, title = select.view(g, "chain", "cells", hops=1)  # a name, any case
    assert "sector:a" in sub and title.startswith("Chain: Cells")
    sub, title = select.view(g, "chain", "battery")
    assert title == "Chain: battery" and "sector:d" in sub
    sub, title = select.view(g, "partnerships", place="jiangcheng")  # an alias of Wuhan
    assert title == "Partnerships in Wuhan" and "country:jp" in sub
    sub, title = select.view(g)
    assert sub.number_of_nodes() == g.number_of_nodes() and title == "Industry graph"
    with pytest.raises(AmbiguousEntityError):
        select.view(g, "around", "wuhan")  # the city and the sector
    with pytest.raises(UnknownEntityError):
        select.view(g, "chain", "Wuhan University")  # not a sector, nor a chain
    with pytest.raises(ValueError, match="needs a sector"):
        select.view(g, "chain")
    with pytest.raises(ValueError, match="takes no argument"):
        select.view(g, "partnerships", "x")
    with pytest.raises(ValueError, match="unknown view"):
        select.view(g, "nope")


def test_layout_is_deterministic_and_places_every_node(g: nx.MultiDiGraph) -> None:
    a, b = layout.layout(g), layout.layout(g.copy())
    assert a == b and set(a) == set(g)
    # components do not overlap: their bounding boxes are disjoint
    comps = [c for c in nx.connected_components(g.to_undirected()) if len(c) > 1]
    boxes = [
        (min(a[n][0] for n in c), max(a[n][0] for n in c), min(a[n][1] for n in c), max(a[n][1] for n in c))
        for c in comps
    ]
    for i, p in enumerate(boxes):
        for q in boxes[i + 1 :]:
            assert p[1] < q[0] or q[1] < p[0] or p[3] < q[2] or q[3] < p[2]


def test_flow_layout_runs_chains_left_to_right(g: nx.MultiDiGraph) -> None:
    sub = select.chain(g, "sector:b", hops=None)
    pos = layout.layout(sub, flow="PART_OF_CHAIN")
    assert set(pos) == set(sub)
    chain_links = [(u, v) for u, v, t in sub.edges(data="type") if t == "PART_OF_CHAIN"]
    assert len(chain_links) == 3 and all(pos[u][0] < pos[v][0] for u, v in chain_links)
    band = [pos[n][1] for n in ("sector:a", "sector:b", "sector:c", "sector:d")]
    # the sub-sector sits above the chain's layers, the base and the company below
    assert pos["sector:b1"][1] > max(band)
    assert pos["base:b"][1] < min(band) and pos["company:x"][1] < min(band)
    # without chain links the flow changes nothing
    parts = select.partnerships(g)
    assert layout.layout(parts, flow="PART_OF_CHAIN") == layout.layout(parts)


def test_palette_matches_the_neo4j_style_file() -> None:
    grass = (ROOT / "cypher" / "style.grass").read_text(encoding="utf-8")
    for t in EntityType:
        block = re.search(r"node\." + t.value + r" \{(.*?)\}", grass, re.S)
        assert block, t
        assert f"color: {style.NODE_STYLES[t].color};" in block.group(1)
    assert set(style.EDGE_STYLES) == set(RelType)


# -- HTML ------------------------------------------------------------------------------------------------
def _embedded(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="indgraph-data">(.*?)</script>', page, re.S)
    assert m
    return json.loads(m.group(1))


def test_html_is_self_contained_and_escapes_data(g: nx.MultiDiGraph) -> None:
    page = html.to_html(g, title='A <b>"title"</b>')
    # three script elements (data, library, page code) and nothing that could load from elsewhere
    assert page.lower().count("</script>") == 3
    assert not re.search(r"<script[^>]+src=|<link\b|@import|url\(\s*['\"]?(https?:)?//", page, re.I)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<title>A &lt;b&gt;&quot;title&quot;&lt;/b&gt;</title>" in page
    assert "<img" not in page and "\u2028" not in page  # the evil name is escaped, not markup
    data = _embedded(page)
    assert {n["name"] for n in data["nodes"]} == {a["name"] for _, a in g.nodes(data=True)}
    assert EVIL in {n["name"] for n in data["nodes"]}
    assert len(data["edges"]) == g.number_of_edges() and len({e["id"] for e in data["edges"]}) == len(data["edges"])
    partner = next(e for e in data["edges"] if e["type"] == "PARTNERS_WITH" and e["source"] == "base:b")
    assert partner["role"] == "joint training" and partner["sources"] == [
        {"doc": "d0.txt", "quote": QUOTE, "support": "stated"}
    ]
    assert data["styles"]["nodes"]["Base"]["color"] == "#d62728"


def test_embed_json_round_trips_hostile_strings() -> None:
    for s in [EVIL, "</SCRIPT>", "<!--", "\u2029", "a&b", "'\"`${x}`"]:
        text = html.embed_json({"s": s})
        assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
        assert json.loads(text) == {"s": s}


def test_html_labels_choose_the_language(g: nx.MultiDiGraph) -> None:
    page = html.to_html(g, labels="zh")
    assert '<html lang="zh">' in page and _embedded(page)["labels"] == "zh"


# -- static pictures -----------------------------------------------------------------------------------------
def _distinct_colours(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as im:
        return len(im.convert("RGB").getcolors(maxcolors=1 << 24))


def test_png_is_drawn_with_legend_and_colours(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    sub = select.partnerships(g)
    out = render(sub, tmp_path / "p.png", title="Partnerships")
    from PIL import Image

    with Image.open(out) as im:
        assert im.format == "PNG" and im.width > 600 and im.height > 300
        colours = {c for _, c in im.convert("RGB").getcolors(maxcolors=1 << 24)}
    assert len(colours) > 50
    # the palette's colours are in the picture: a Base (red) and a Park (orange) were drawn
    for hex_ in ("#d62728", "#ff7f0e", "#e6a100"):
        rgb = tuple(int(hex_[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, hex_


def test_svg_parses_and_names_the_legend_entries(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    out = render(select.partnerships(g), tmp_path / "p.svg", title="Partnerships")
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    texts = " ".join(t for t in root.itertext())
    for word in ("Legend", "Base", "Park", "University", "Country", "PARTNERS_WITH", "LOCATED_IN", "Memory Base"):
        assert word in texts, word
    assert "joint training" in texts  # the partnership's role, in the numbered notes


def test_chinese_labels_use_a_cjk_font(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    from graph.viz import static

    if static.cjk_font() is None:
        pytest.skip(f"no CJK font installed (apt-get install {static.CJK_PACKAGES})")
    out = render(select.partnerships(g), tmp_path / "p.svg", labels="zh")
    text = out.read_text(encoding="utf-8")
    assert "存储基地" in text and "武汉大学" in text and static.cjk_font() in text
    png = render(select.partnerships(g), tmp_path / "p.png", labels="zh")
    assert _distinct_colours(png) > 50


def test_chinese_labels_without_a_cjk_font_fail_clearly(
    g: nx.MultiDiGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.viz import static

    monkeypatch.setattr(static, "cjk_font", lambda: None)  # a machine without fonts-noto-cjk
    with pytest.raises(FontMissingError, match="apt-get install fonts-noto-cjk"):
        render(select.partnerships(g), tmp_path / "p.png", labels="zh")
    assert not (tmp_path / "p.png").exists()
    render(select.partnerships(g), tmp_path / "en.png", labels="en")  # English needs no CJK font


# -- GraphML, GEXF, Mermaid ---------------------------------------------------------------------------------
def test_graphml_reads_back_with_types_and_json_lists(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    out = render(g, tmp_path / "g.graphml")
    back = nx.read_graphml(out, force_multigraph=True)
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    assert back.nodes["cn-420100"]["type"] == "City" and back.nodes["cn-420100"]["label"] == "Wuhan"
    assert json.loads(back.nodes["cn-420100"]["aliases"]) == ["Jiangcheng"]
    assert json.loads(back.nodes["base:b"]["sources"]) == [
        {"doc": "t.txt", "quote": "Memory Base is named.", "support": "stated"}
    ]
    assert back.nodes["company:x"]["name"] == EVIL
    assert "name_zh" not in back.nodes["org:m"]  # None dropped
    roles = {d.get("role") for *_, d in back.edges(data=True) if d["type"] == "PARTNERS_WITH"}
    assert roles == {"joint training", "China-Japan park"}


def test_gexf_reads_back_with_types_colours_and_relations(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    out = render(g, tmp_path / "g.gexf", labels="zh")
    back = nx.read_gexf(out)
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    assert back.nodes["base:b"]["type"] == "Base" and back.nodes["base:b"]["label"] == "存储基地"
    assert back.nodes["base:b"]["viz"]["color"] == {"r": 214, "g": 39, "b": 40, "a": 1.0}
    assert sorted({d["relation"] for *_, d in back.edges(data=True)}) == sorted({t for *_, t in g.edges(data="type")})


def test_mermaid_has_one_line_per_node_and_edge_and_escapes(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    out = render(g, tmp_path / "g.mmd", title="Demo")
    text = out.read_text(encoding="utf-8")
    node_lines = [line for line in text.splitlines() if re.match(r"\s+n\d+\W.*:::\w+$", line)]
    edge_lines = [line for line in text.splitlines() if re.match(r"\s+n\d+ \S+\|", line)]
    assert len(node_lines) == g.number_of_nodes() and len(edge_lines) == g.number_of_edges()
    assert text.count("linkStyle") == g.number_of_edges()
    assert {f"classDef {t}" for t in ("City", "Base", "Sector")} <= {" ".join(x.split()[:2]) for x in text.splitlines()}
    evil = next(line for line in node_lines if "Evil" in line)
    # no raw quote, angle bracket or backtick inside the label: Mermaid entity codes instead
    label = evil[evil.index('"') + 1 : evil.rindex('"')]
    assert not set(label) & set('"<>`') and "#quot;" in label and "#lt;/script#gt;" in label
    assert '|"joint training"|' in text and "title: " in text


def test_mermaid_refuses_big_graphs_unless_told(tmp_path: Path) -> None:
    big = nx.MultiDiGraph()
    big.add_nodes_from((f"n{i}", {"type": "Sector", "name": f"S{i}"}) for i in range(101))
    with pytest.raises(TooLargeError, match="101 nodes"):
        render(big, tmp_path / "big.mmd")
    assert render(big, tmp_path / "big.mmd", max_mermaid_nodes=None).exists()


def test_unknown_extension_is_refused(g: nx.MultiDiGraph, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"\.html"):
        render(g, tmp_path / "g.docx")


def test_doctests_of_the_library() -> None:
    from graph.viz import html as html_mod
    from graph.viz import labels

    for mod in (select, style, files, html_mod, layout, labels):
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert res.failed == 0 and res.attempted > 0, mod.__name__


# -- the CLI on the seed graph ---------------------------------------------------------------------------------
def test_cli_writes_the_seed_partnerships_in_every_format(cli, seeded, tmp_path: Path) -> None:
    expected = select.partnerships(to_networkx(seeded.dump()))
    assert expected.number_of_edges() >= 4  # the seed names several cooperations
    for ext in ("graphml", "gexf", "mmd"):
        r = cli("viz", "partnerships", "-o", str(tmp_path / f"p.{ext}"))
        assert r.exit_code == 0, r.output
        assert f"{expected.number_of_nodes()} entities, {expected.number_of_edges()} relations" in r.stdout
    back = nx.read_graphml(tmp_path / "p.graphml", force_multigraph=True)
    assert set(back) == set(expected) and back.number_of_edges() == expected.number_of_edges()
    assert back.nodes["univ:wuhan-university"]["type"] == "University"
    assert nx.read_gexf(tmp_path / "p.gexf").number_of_nodes() == expected.number_of_nodes()
    mmd = (tmp_path / "p.mmd").read_text(encoding="utf-8")
    assert sum(1 for line in mmd.splitlines() if ":::" in line) == expected.number_of_nodes()


def test_cli_views_on_the_seed_graph(cli, seeded, tmp_path: Path) -> None:
    g = to_networkx(seeded.dump())
    r = cli("viz", "chain", "Chips", "--hops", "1", "-o", str(tmp_path / "c.graphml"))
    assert r.exit_code == 0, r.output
    back = nx.read_graphml(tmp_path / "c.graphml", force_multigraph=True)
    assert set(back) == set(select.chain(g, "sector:chips", hops=1))
    # a chain view is drawn upstream to downstream: positions (here in GEXF) grow along the chain
    r = cli("viz", "chain", "new-energy-battery", "-o", str(tmp_path / "b.gexf"))
    assert r.exit_code == 0, r.output
    gexf = nx.read_gexf(tmp_path / "b.gexf")
    x = {n: a["viz"]["position"]["x"] for n, a in gexf.nodes(data=True)}
    links = [(u, v) for u, v, d in gexf.edges(data=True) if d["relation"] == "PART_OF_CHAIN"]
    assert len(links) >= 4 and all(x[u] < x[v] for u, v in links)
    r = cli("viz", "around", "武汉市", "-o", str(tmp_path / "w.gexf"))  # Wuhan by its Chinese name
    assert r.exit_code == 0, r.output
    assert set(nx.read_gexf(tmp_path / "w.gexf")) == set(select.around(g, "cn-420100", 1))
    r = cli("viz", "all", "--within", "Wuhan", "-o", str(tmp_path / "w.graphml"))
    assert r.exit_code == 0 and "in Wuhan" in r.stdout
    inside = nx.read_graphml(tmp_path / "w.graphml", force_multigraph=True)
    assert "base:national-memory-base" in inside and "cn-430100" not in inside  # Changsha is elsewhere


def test_cli_errors_are_clear(cli, seeded, tmp_path: Path) -> None:
    r = cli("viz", "chain", "No Such Sector", "-o", str(tmp_path / "x.png"))
    assert r.exit_code == 2 and "No Such Sector" in r.stderr and "nor a chain: " in r.stderr
    assert "new-energy-battery" in r.stderr  # the chain names, to choose from
    r = cli("viz", "around", "-o", str(tmp_path / "x.png"))
    assert r.exit_code == 2 and "needs an entity" in r.stderr
    r = cli("viz", "partnerships", "-o", str(tmp_path / "x.txt"))
    assert r.exit_code == 2 and ".graphml" in r.stderr
    r = cli("viz", "all", "-o", str(tmp_path / "x.mmd"))
    assert r.exit_code == 2 and "too many for a readable Mermaid chart" in r.stderr
    assert not list(tmp_path.iterdir())
    assert cli("viz", "all", "--force", "-o", str(tmp_path / "x.mmd")).exit_code == 0


def test_cli_on_an_empty_graph_says_so(cli, store, tmp_path: Path) -> None:
    r = cli("viz", "partnerships", "-o", str(tmp_path / "x.html"))
    assert r.exit_code == 1 and "empty" in r.stderr and not (tmp_path / "x.html").exists()
