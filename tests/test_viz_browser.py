"""The HTML view in a real headless Chromium (Debian's ``chromium`` package), with the network switched off.

Each test opens a page that ``indgraph viz`` wrote, waits for the page to say it has drawn the graph,
and checks through the page's own API (``window.indgraph``) and DOM what is on screen, that no request
left the page, and that a screenshot is not blank.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from graph.nxgraph import to_networkx
from graph.viz import render, select
from tests.support.chromium import CHROMIUM

pytest.importorskip("websocket", reason="websocket-client is not installed (pip install -e '.[test]')")
if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from tests.support.chromium import Chromium  # after the skip: it needs websocket-client

WIDTH, HEIGHT = 1400, 900


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with Chromium(width=WIDTH, height=HEIGHT, offline=True) as b:
        yield b


@pytest.fixture(scope="module")
def seed_graph(seed_data) -> nx.MultiDiGraph:
    return to_networkx(seed_data)


@pytest.fixture(scope="module")
def seed_page(seed_graph, tmp_path_factory) -> Path:
    """The seed partnerships page with Chinese labels (the library's route; the CLI's is tested above)."""
    return render(select.partnerships(seed_graph), tmp_path_factory.mktemp("viz") / "p.html", labels="zh")


def _open(browser: Chromium, page: Path) -> dict:
    browser.requests.clear()
    browser.errors.clear()
    browser.open(page)
    return browser.evaluate("window.indgraph.ready", timeout=30)


def test_seed_partnerships_page_draws_every_node_and_edge_offline(
    browser: Chromium, cli, seeded, tmp_path: Path
) -> None:
    expected = select.partnerships(to_networkx(seeded.dump()))
    page = tmp_path / "partnerships.html"
    r = cli("viz", "partnerships", "-o", str(page))
    assert r.exit_code == 0, r.output

    drawn = _open(browser, page)
    assert drawn == {"nodes": expected.number_of_nodes(), "edges": expected.number_of_edges()}
    assert browser.evaluate("[window.indgraph.nodeCount(), window.indgraph.edgeCount()]") == [
        expected.number_of_nodes(),
        expected.number_of_edges(),
    ]
    # the only request is the page itself: the library, styles and data are inlined
    assert browser.requests == [page.resolve().as_uri()]
    assert browser.errors == []
    assert browser.evaluate("document.querySelector('#counts').textContent") == (
        f"{expected.number_of_nodes()} entities · {expected.number_of_edges()} relations"
    )
    legend = browser.evaluate("[...document.querySelectorAll('#legend li')].map(li => li.textContent)")
    assert any(t.startswith("PARTNERS_WITH") for t in legend) and any(t.startswith("University") for t in legend)

    shot = browser.screenshot(tmp_path / "partnerships.png")
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size == (WIDTH, HEIGHT)
        colours = im.convert("RGB").getcolors(maxcolors=1 << 24)
    assert len(colours) > 200  # nodes, edges, anti-aliased labels: far from a blank page
    assert max(n for n, _ in colours) < 0.97 * WIDTH * HEIGHT  # not one colour all over


def test_hovering_a_partnership_shows_its_role_and_evidence(browser: Chromium, seed_graph, seed_page: Path) -> None:
    u, v, a = next(
        (u, v, a)
        for u, v, a in select.partnerships(seed_graph).edges(data=True)
        if a["type"] == "PARTNERS_WITH" and a.get("role") and a.get("sources")
    )
    _open(browser, seed_page)
    # where the edge's middle is on screen, from the page's own Cytoscape instance
    x, y = browser.evaluate(
        f"""(() => {{
          const e = window.indgraph.cy.edges().filter(e => e.data('type') === 'PARTNERS_WITH'
            && e.source().id() === {json.dumps(u)} && e.target().id() === {json.dumps(v)})[0];
          const p = e.renderedMidpoint(), box = document.getElementById('cy').getBoundingClientRect();
          return [p.x + box.left, p.y + box.top];
        }})()"""
    )
    for dx in (-3, 0):  # a move onto the edge, from just beside it
        browser.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x + dx, "y": y})
    tip = browser.evaluate("(() => { const t = document.getElementById('tip'); return [t.hidden, t.textContent]; })()")
    assert tip[0] is False
    assert a["role"] in tip[1] and a["sources"][0]["quote"] in tip[1]
    details = browser.evaluate("document.getElementById('details-body').textContent")
    assert a["role"] in details and a["sources"][0]["doc"] in details
    assert browser.errors == []


def test_search_finds_and_focuses_by_english_or_chinese_name(browser: Chromium, seed_page: Path) -> None:
    _open(browser, seed_page)
    assert browser.evaluate("window.indgraph.search('武汉大学')") == "univ:wuhan-university"
    assert browser.evaluate("window.indgraph.cy.getElementById('univ:wuhan-university').hasClass('found')") is True
    assert browser.evaluate("window.indgraph.search('wuhan UNIVERSITY')") == "univ:wuhan-university"
    assert browser.evaluate("window.indgraph.search('no such thing at all')") is None
    assert browser.evaluate("document.getElementById('found').textContent") == "not found"
    # typing in the box and pressing Find does the same
    browser.evaluate(
        "document.getElementById('search').value = 'japan';document.getElementById('find').requestSubmit(); true"
    )
    assert browser.evaluate("window.indgraph.cy.$('.found').map(n => n.id())") == ["country:jp"]
    # labels follow --labels zh
    assert browser.evaluate("window.indgraph.cy.getElementById('country:jp').data('label')") == "日本"
    assert browser.errors == [] and browser.requests == [seed_page.resolve().as_uri()]


def test_hostile_names_stay_text(browser: Chromium, tmp_path: Path) -> None:
    evil = 'X </script><img src=x onerror="window.__pwned=1"> `${1+1}` "q" \u2028'
    g = nx.MultiDiGraph()
    g.add_node("a", type="Company", name=evil, name_zh="<b>粗</b>", aliases=[], sources=[{"doc": "<i>d</i>"}])
    g.add_node("b", type="City", name="Wuhan", aliases=[])
    g.add_edge("a", "b", key="LOCATED_IN", type="LOCATED_IN", sources=[])
    page = render(g, tmp_path / "evil.html", title=evil)
    assert _open(browser, page) == {"nodes": 2, "edges": 1}
    assert browser.evaluate("document.title") == evil
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.querySelectorAll('img, b, i').length") == 0
    assert browser.evaluate("window.indgraph.search('x </script>')") == "a"
    assert evil in browser.evaluate("document.getElementById('details-body').textContent")
    assert browser.errors == [] and browser.requests == [page.resolve().as_uri()]
