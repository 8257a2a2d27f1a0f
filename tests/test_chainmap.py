"""The chain map of a gap report (graph.viz.chainmap): its layout exactly, the PNG/SVG figures, and the
HTML page in a real headless Chromium with the network off.

The reports are made by hand, so none of this needs the national data or a store (but the CLI test).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.analysis.common import EntityRef
from graph.analysis.gaps import Candidate, GapReport, GapStep, Player
from graph.errors import FontMissingError, UnsupportedFormatError
from graph.viz.chainmap import Box, Column, chain_map_layout, title, to_chain_map_html, write_chain_map
from graph.viz.static import cjk_font
from loaders.templates import ChainTemplate
from tests.support.chromium import CHROMIUM

REF = {"doc": "ref:test"}
WUHAN = EntityRef("cn-420100", "City", "Wuhan", "武汉市")
HUBEI = EntityRef("cn-420000", "Province", "Hubei", "湖北省")
HUNAN = EntityRef("cn-430000", "Province", "Hunan", "湖南省")
EAST_LAKE = EntityRef("zone:east-lake", "Zone", "East Lake High-tech Zone", "东湖高新区")
EVIL = 'Evil </script><img src=x onerror="window.__pwned=1"> & Co'


def _template(layout: str = "chain") -> ChainTemplate:
    after = layout == "chain"
    steps = [
        {"id": "ore", "stage": 1, "name": "Ore", "name_zh": "矿石"},
        {"id": "salt", "stage": 2, "name": "Salt", "name_zh": "锂盐"},
        {"id": "hydro", "stage": 2, "name": "Hydroxide", "name_zh": "氢氧化锂"},
        {"id": "cells", "stage": 3, "name": "Cells", "name_zh": "电芯"},
        {"id": "glue", "stage": 3, "name": "Glue", "name_zh": "胶水", **({"after": ["ore"]} if after else {})},
        {"id": "cars", "stage": 5, "name": "Cars", "name_zh": "整车"},
    ]
    for s in steps:
        s |= {"sectors": [f"s:{s['id']}"], "source": REF}
    return ChainTemplate.model_validate(
        {"id": "demo", "name": "Demo battery", "name_zh": "示例电池", "layout": layout, "source": REF, "steps": steps}
    )


def _player(i: str, name: str, name_zh: str | None, where: EntityRef, w: float | None = 0.5) -> Player:
    return Player(i, "Company", name, name_zh, (where,), f"s:{i}", w)


def _candidate(i: str, name: str, province: EntityRef, score: float, near: str = "neighbouring province") -> Candidate:
    return Candidate(i, "Company", name, None, province, (province,), "s:x", 0.8, near, 1, 2, score)


def _report(layout: str = "chain") -> GapReport:
    t = _template(layout)
    rows = {
        "ore": ("strong", 4, (_player("a", "Alpha Mining", "阿尔法矿业", EAST_LAKE),
                              _player("b", "Beta $5$ Ores", None, WUHAN),
                              _player("c", "Gamma", "伽马", WUHAN, None)), ()),
        "salt": ("weak", 1, (_player("d", "Delta Salt", "德尔塔锂盐", WUHAN),),
                 (_candidate("x", "Xray Lithium", HUNAN, 0.62), _candidate("y", EVIL, HUBEI, 0.5, "same province"))),
        "hydro": ("missing", 0, (), (_candidate("z", "Zeta Hydro", HUNAN, 0.41),)),
        "cells": ("missing", 0, (), ()),
        "glue": ("strong", 3, (_player("e", "Epsilon Glue", None, WUHAN),), ()),
        "cars": ("weak", 2, (_player("f", "Foxtrot Motors", "狐步汽车", WUHAN),
                             _player("g", "Golf Cars", None, EAST_LAKE)), ()),
    }  # fmt: skip
    steps = tuple(
        GapStep(s.id, s.stage, s.name, s.name_zh, s.sectors, *rows[s.id][:2], rows[s.id][2], rows[s.id][3])  # type: ignore[arg-type]
        for s in t.steps
    )
    return GapReport(t.id, t.name, t.name_zh, t.layout, WUHAN, HUBEI, steps)


# -- layout -------------------------------------------------------------------------------------------------
def test_chain_layout_puts_stages_in_columns_and_arrows_from_upstream_steps() -> None:
    m = chain_map_layout(_report(), _template())
    assert m.layout == "chain"
    # stage 5 follows stage 3 directly: columns are the stages present, not stage numbers
    assert m.columns == (
        Column(0, 1, ("ore",)),
        Column(1, 2, ("salt", "hydro")),
        Column(2, 3, ("cells", "glue")),
        Column(3, 5, ("cars",)),
    )
    assert m.boxes == (
        Box("ore", 0, 0),
        Box("salt", 1, 0),
        Box("hydro", 1, 1),
        Box("cells", 2, 0),
        Box("glue", 2, 1),
        Box("cars", 3, 0),
    )
    # glue lists 'after: [ore]' and so skips stage 2; cars come after both steps of stage 3
    assert m.arrows == (
        ("ore", "salt"),
        ("ore", "hydro"),
        ("salt", "cells"),
        ("hydro", "cells"),
        ("ore", "glue"),
        ("cells", "cars"),
        ("glue", "cars"),
    )


def test_tiers_have_no_arrows_and_their_names_as_column_headers() -> None:
    m = chain_map_layout(_report("tiers"), _template("tiers"))
    assert m.arrows == ()
    assert [c.tier for c in m.columns] == [
        ("Ore", "矿石"),
        ("Salt / Hydroxide", "锂盐 / 氢氧化锂"),
        ("Cells / Glue", "电芯 / 胶水"),
        ("Cars", "整车"),
    ]
    assert [(b.column, b.row) for b in m.boxes] == [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0)]


def test_layout_of_a_shipped_template_is_found_by_the_report_s_template_id() -> None:
    from loaders.templates import template

    lithium = template("lithium-battery")
    steps = tuple(GapStep(s.id, s.stage, s.name, s.name_zh, s.sectors, "missing", 0, (), ()) for s in lithium.steps)
    m = chain_map_layout(GapReport(lithium.id, lithium.name, lithium.name_zh, "chain", WUHAN, HUBEI, steps))
    assert [c.steps for c in m.columns] == [
        ("ore",),
        ("carbonate", "hydroxide"),
        ("cathode", "anode", "electrolyte", "separator"),
        ("cells",),
        ("packs",),
        ("vehicles", "storage"),
        ("recycling",),
    ]
    # anode and separator list 'after: []': no arrow into them; electrolyte only from carbonate
    assert [a for a in m.arrows if a[1] in ("anode", "separator", "electrolyte", "cathode")] == [
        ("carbonate", "cathode"),
        ("hydroxide", "cathode"),
        ("carbonate", "electrolyte"),
    ]


def test_titles() -> None:
    assert title(_report(), "en") == "Demo battery chain in Wuhan"
    assert title(_report(), "zh") == "武汉市示例电池产业链图谱"


# -- PNG / SVG ----------------------------------------------------------------------------------------------
def _svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_png_is_written_and_not_blank(tmp_path: Path) -> None:
    from PIL import Image

    out = write_chain_map(_report(), tmp_path / "map.png", template=_template())
    with Image.open(out) as im:
        assert im.format == "PNG"
        w, h = im.size
        colours = im.convert("RGB").getcolors(maxcolors=1 << 24)
    assert w > 800 and h > 300
    assert len(colours) > 100  # text, boxes and arrows anti-aliased
    # the three status fills are all there
    present = {c for _, c in colours}
    assert {(0xE3, 0xF2, 0xE6), (0xFF, 0xF4, 0xD6), (0xFD, 0xE7, 0xE6)} <= present
    assert max(n for n, _ in colours) < 0.95 * w * h  # not white all over


def test_svg_shows_names_places_candidates_legend_and_dollars_literally(tmp_path: Path) -> None:
    out = write_chain_map(_report(), tmp_path / "map.svg", template=_template())
    texts = _svg_texts(out)
    assert "Demo battery chain in Wuhan" in texts
    assert "6 steps: 2 strong, 2 weak, 2 missing" in texts
    assert {"Ore", "Salt", "Hydroxide", "Cells", "Glue", "Cars"} <= set(texts)
    assert "Strong: 4 local players" in texts and "Weak: 1 local player" in texts
    assert "Missing: no local player" in texts
    assert "Alpha Mining (East Lake High-tech Zone)" in texts
    assert "Beta $5$ Ores (Wuhan)" in texts  # not mathtext
    assert "+ 1 more" in texts  # ore has 4 players, 3 shown
    assert "Xray Lithium (Hunan) 0.62" in texts and "Zeta Hydro (Hunan) 0.41" in texts
    assert "no candidate found" in texts  # cells: missing and nobody elsewhere
    assert "Stage 1 (upstream)" in texts and "Stage 5 (downstream)" in texts
    assert "Strong: 3+ local players" in texts and "Weak: 1–2 local players" in texts
    assert any(t.startswith("Candidate score = 0.4 × centrality + 0.3 × nearness") for t in texts)
    # strong steps list no candidates
    assert texts.count("Candidates elsewhere (score)") == 4


def test_svg_in_chinese_has_chinese_title_legend_and_names(tmp_path: Path) -> None:
    if cjk_font() is None:
        with pytest.raises(FontMissingError, match="fonts-noto-cjk"):
            write_chain_map(_report(), tmp_path / "map.svg", labels="zh", template=_template())
        return
    texts = _svg_texts(write_chain_map(_report(), tmp_path / "map.svg", labels="zh", template=_template()))
    assert "武汉市示例电池产业链图谱" in texts
    assert "共 6 个环节：优势 2、薄弱 2、缺失 2" in texts
    assert {"矿石", "锂盐", "氢氧化锂", "电芯", "胶水", "整车"} <= set(texts)
    assert "优势环节：本地 4 家" in texts and "薄弱环节：本地 1 家" in texts and "缺失环节：本地无企业" in texts
    assert "阿尔法矿业（东湖高新区）" in texts
    assert "Xray Lithium（湖南省） 0.62" in texts
    assert "阶段1（上游）" in texts and "阶段5（下游）" in texts
    assert "优势环节：本地 3 家及以上" in texts and "缺失环节：本地无" in texts
    assert any(t.startswith("候选得分 = 0.4 × 主业相关度") for t in texts)
    # no English UI text is left
    english = re.compile(r"\b(Stage|Strong|Weak|Missing|Candidates?|local|more|score)\b")
    assert [t for t in texts if english.search(t)] == []


def test_other_formats_are_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"^can't draw a chain map as 'map.pdf': use one of .html"):
        write_chain_map(_report(), tmp_path / "map.pdf", template=_template())
    assert not (tmp_path / "map.pdf").exists()


def test_html_escapes_names() -> None:
    page = to_chain_map_html(_report(), template=_template())
    assert "<img" not in page and "</script><img" not in page
    assert "Evil &lt;/script&gt;&lt;img" in page  # in the box's markup, escaped
    assert page.count("<script") == 2  # the data and the code, nothing from a name


# -- the page in Chromium -----------------------------------------------------------------------------------
needs_chromium = pytest.mark.skipif(
    not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)), reason=f"no Chromium at {CHROMIUM}"
)
WIDTH, HEIGHT = 1400, 900


@pytest.fixture(scope="module")
def browser() -> Iterator:
    pytest.importorskip("websocket", reason="websocket-client is not installed (pip install -e '.[test]')")
    from tests.support.chromium import Chromium

    with Chromium(width=WIDTH, height=HEIGHT, offline=True) as b:
        yield b


def _open(browser, page: Path) -> dict:
    browser.requests.clear()
    browser.errors.clear()
    browser.open(page)
    return browser.evaluate("window.chainmap.ready", timeout=30)


@needs_chromium
def test_page_draws_every_step_and_arrow_offline(browser, tmp_path: Path) -> None:
    page = write_chain_map(_report(), tmp_path / "map.html", template=_template())
    assert _open(browser, page) == {"steps": 6, "arrows": 7}
    assert browser.requests == [page.resolve().as_uri()]  # the page itself, and nothing else
    assert browser.errors == []
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    assert browser.evaluate("document.title") == "Demo battery chain in Wuhan"
    boxes = browser.evaluate(
        """[...document.querySelectorAll('.step')].map(b => {
             const r = b.getBoundingClientRect();
             return [b.dataset.step, b.className.replace('step ', ''), r.width > 100 && r.height > 40,
                     b.querySelector('h3').textContent];
           })"""
    )
    assert boxes == [
        ["ore", "strong", True, "Ore"],
        ["salt", "weak", True, "Salt"],
        ["hydro", "missing", True, "Hydroxide"],
        ["cells", "missing", True, "Cells"],
        ["glue", "strong", True, "Glue"],
        ["cars", "weak", True, "Cars"],
    ]
    # upstream left of downstream; the two steps of stage 2 stacked in one column
    x = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('.step')].map(b => "
        "[b.dataset.step, [b.getBoundingClientRect().left, b.getBoundingClientRect().top]]))"
    )
    assert x["ore"][0] < x["salt"][0] == x["hydro"][0] < x["cells"][0] == x["glue"][0] < x["cars"][0]
    assert x["salt"][1] < x["hydro"][1]
    assert EVIL in browser.evaluate("document.getElementById('step-salt').textContent")
    legend = browser.evaluate("document.getElementById('legend').textContent")
    assert "Strong 3+ local players" in legend and "Missing no local player" in legend

    shot = browser.screenshot(tmp_path / "map-shot.png")
    from PIL import Image

    with Image.open(shot) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 24)
    assert len(colours) > 200
    assert max(n for n, _ in colours) < 0.95 * WIDTH * HEIGHT
    assert (0xFD, 0xE7, 0xE6) in {c for _, c in colours}  # a missing step's fill is on screen


@needs_chromium
def test_clicking_a_step_shows_its_evidence(browser, tmp_path: Path) -> None:
    page = write_chain_map(_report(), tmp_path / "map.html", template=_template())
    _open(browser, page)
    x, y = browser.evaluate(
        "(() => { const r = document.getElementById('step-salt').getBoundingClientRect();"
        " return [r.left + r.width / 2, r.top + 12]; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})
    details = browser.evaluate("document.getElementById('details-body').textContent")
    assert "Salt" in details and "Weak: 1 local player" in details and "s:salt" in details  # status, sectors
    assert "Delta Salt" in details and "Wuhan" in details  # its local player and where
    rows = browser.evaluate(
        "[...document.querySelectorAll('#details-body table')[1].rows].map(r => [...r.cells].map(c => c.textContent))"
    )
    assert rows == [
        ["Name", "Where", "centrality", "nearness", "local links", "chain steps", "score"],
        ["Xray Lithium", "Hunan", "0.80", "neighbouring province", "1", "2", "0.62"],
        [EVIL, "Hubei", "0.80", "same province", "1", "2", "0.50"],
    ]
    assert (
        browser.evaluate("document.querySelectorAll('#details-body table')[1].rows[1].cells[0].title") == "Sector: s:x"
    )
    assert browser.evaluate("document.getElementById('step-salt').classList.contains('selected')") is True
    # the arrows of the chosen step stand out
    assert browser.evaluate(
        "[...document.querySelectorAll('path.arrow.on')].map(p => p.dataset.from + '>' + p.dataset.to)"
    ) == [
        "ore>salt",
        "salt>cells",
    ]
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.errors == [] and browser.requests == [page.resolve().as_uri()]


@needs_chromium
def test_page_in_chinese(browser, tmp_path: Path) -> None:
    page = write_chain_map(_report(), tmp_path / "map.html", labels="zh", template=_template())
    _open(browser, page)
    assert browser.evaluate("document.title") == "武汉市示例电池产业链图谱"
    assert browser.evaluate("document.documentElement.lang") == "zh-CN"
    assert browser.evaluate("window.chainmap.select('hydro')") is True
    details = browser.evaluate("document.getElementById('details-body').textContent")
    assert "氢氧化锂" in details and "缺失环节" in details and "补链候选企业" in details and "主业相关度" in details
    text = browser.evaluate("document.body.innerText")
    assert "优势环节" in text and "阶段1（上游）" in text and "候选得分" in text
    english = re.compile(r"\b(Stage|Strong|Weak|Missing|Candidates?|local|more|score|Name|Where|Sector)\b")
    visible = re.sub(r"\b(Xray Lithium|Zeta Hydro|Evil|Co|Golf Cars|Epsilon Glue|Beta|Ores|s:\w+|json)\b", "", text)
    assert english.findall(visible) == []
    assert browser.errors == [] and browser.requests == [page.resolve().as_uri()]


# -- the command --------------------------------------------------------------------------------------------
@pytest.mark.store
def test_cli_draws_the_map_of_the_seed(cli, seeded, tmp_path: Path) -> None:
    assert cli("import", "chains").exit_code == 0
    page = tmp_path / "wuhan.html"
    r = cli("analyse", "gaps", "Wuhan", "--chain", "chip-display-terminal", "-o", str(page))
    assert r.exit_code == 0, r.output
    assert f"wrote {page}" in " ".join(r.output.split())
    text = page.read_text(encoding="utf-8")
    for step in ("design", "manufacturing", "packaging", "display", "terminals"):
        assert f'id="step-{step}"' in text
    r = cli("analyse", "gaps", "Wuhan", "--chain", "chip-display-terminal", "-o", str(tmp_path / "w.gif"))
    assert r.exit_code != 0
    assert r.output.strip().splitlines()[-1].endswith("can't draw a chain map as 'w.gif': use one of .html, .png, .svg")
    assert not (tmp_path / "w.gif").exists()
