"""One self-contained interactive HTML page per picture: Cytoscape.js, the page's code and the data all inlined.

The page makes no network request (its Content-Security-Policy forbids any), so it opens offline and
can be mailed around. Cytoscape.js 3.34.4 (MIT, © The Cytoscape Consortium) is vendored in
``graph/viz/vendor/`` with its licence header; see ``vendor/README.md``.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from graph.codec import REL_PROPERTIES, is_core_attr
from graph.model import EntityType, RelType
from graph.resources import viz_asset
from graph.viz.labels import label_sides, wrap
from graph.viz.layout import layout
from graph.viz.style import (
    EDGE_STYLES,
    NODE_STYLES,
    UNKNOWN_EDGE,
    UNKNOWN_NODE,
    EdgeStyle,
    Labels,
    NodeStyle,
    node_label,
    node_style,
)

__all__ = ["PIXELS_PER_UNIT", "embed_json", "page_data", "to_html", "write_html"]

VENDOR_JS = viz_asset("vendor", "cytoscape.min.js")
PIXELS_PER_UNIT = 120.0  # layout units (a typical edge) -> page pixels
_SIDE_NAMES = {-90.0: "below", 90.0: "above", 0.0: "right", 180.0: "left"}


@lru_cache(maxsize=4)
def _asset(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    # an inlined script must not contain its own end tag
    if path.suffix == ".js" and "</script" in text.lower():
        raise ValueError(f"{path.name} contains '</script' and cannot be inlined")
    return text


def embed_json(value: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">`` (and inside any HTML element).

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc., so a name like ``</script>`` cannot end the element;
    U+2028/U+2029 are escaped for old JavaScript parsers. ``JSON.parse`` gives back the original strings.

    Parameters
    ----------
    value : any JSON-serialisable value

    Returns
    -------
    str

    Example
    -------
    >>> embed_json({"name": "</script><b>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, default=str)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _node_style_json(s: NodeStyle) -> dict[str, Any]:
    return {"color": s.color, "text": s.text, "shape": s.shape, "size": s.size}


def _edge_style_json(s: EdgeStyle) -> dict[str, Any]:
    return {"color": s.color, "dash": s.dash, "width": s.width, "arrow": s.arrow}


def page_data(
    sub: nx.MultiDiGraph,
    labels: Labels = "en",
    title: str = "industry-graph",
    pos: dict[str, tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """The data a page draws: nodes with positions, edges with evidence, and the styles.

    Parameters
    ----------
    sub : MultiDiGraph
        The graph to draw.
    labels : "en" or "zh"
        Which names the page shows first (the page can switch).
    title : str
        The page's title.
    pos : dict, optional
        Positions in layout units; by default :func:`graph.viz.layout.layout`.

    Returns
    -------
    dict
        ``nodes``, ``edges``, ``styles``, ``order``, ``labels``, ``title``.

    Example
    -------
    >>> g = nx.MultiDiGraph(); g.add_node("a", type="City", name="Wuhan")
    >>> page_data(g)["nodes"][0]["name"]
    'Wuhan'
    """
    pos = pos or layout(sub)
    pos = {n: pos.get(n, (0.0, 0.0)) for n in sub.nodes}
    # caption sides as in the static figures: 11 px text is ~6 px a character, ~14 px a line
    sides = label_sides(
        sub,
        pos,
        {n: wrap(node_label(a, labels, default=str(n)), 25) for n, a in sub.nodes(data=True)},
        lambda n: (node_style(sub.nodes[n].get("type")).size / 2 + 4) / PIXELS_PER_UNIT,
        6.0 / PIXELS_PER_UNIT,
        14.0 / PIXELS_PER_UNIT,
    )
    nodes = []
    for n, a in sorted(sub.nodes(data=True), key=lambda na: str(na[0])):
        x, y = pos[n]
        nodes.append(
            {
                "id": str(n),
                "type": a.get("type"),
                "name": a.get("name") or str(n),
                "name_zh": a.get("name_zh"),
                "aliases": a.get("aliases") or [],
                "attrs": {k: v for k, v in a.items() if (k == "kind" or not is_core_attr(k)) and v is not None},
                "sources": a.get("sources") or [],
                # screen y grows downwards
                "x": round(x * PIXELS_PER_UNIT, 1),
                "y": round(-y * PIXELS_PER_UNIT, 1),
                "side": _SIDE_NAMES[sides[n][0]],
            }
        )
    edges = []
    for i, (u, v, k, a) in enumerate(sorted(sub.edges(keys=True, data=True), key=lambda e: tuple(map(str, e[:3])))):
        edge = {"id": f"e{i}", "source": str(u), "target": str(v), "key": str(k), "type": a.get("type")}
        edge.update({p: a[p] for p in REL_PROPERTIES if a.get(p) is not None})
        edge["sources"] = a.get("sources") or []
        edges.append(edge)
    return {
        "title": title,
        "labels": labels,
        "nodes": nodes,
        "edges": edges,
        "styles": {
            "nodes": {str(t): _node_style_json(s) for t, s in NODE_STYLES.items()},
            "edges": {str(t): _edge_style_json(s) for t, s in EDGE_STYLES.items()},
            "unknownNode": _node_style_json(UNKNOWN_NODE),
            "unknownEdge": _edge_style_json(UNKNOWN_EDGE),
        },
        "order": {
            "nodes": [t.value for t in EntityType]
            + sorted({str(t) for _, t in sub.nodes(data="type")} - set(EntityType)),
            "edges": [r.value for r in RelType] + sorted({str(t) for *_, t in sub.edges(data="type")} - set(RelType)),
        },
    }


def to_html(
    sub: nx.MultiDiGraph,
    labels: Labels = "en",
    title: str = "industry-graph",
    pos: dict[str, tuple[float, float]] | None = None,
) -> str:
    """A self-contained interactive page showing ``sub`` (no CDN, no network requests).

    The page has a legend (click a type to hide it), hover tooltips and a details panel with
    attributes and sources (document and quote), search by name, zoom and drag, and exposes
    ``window.indgraph = {ready, isReady, nodeCount(), edgeCount(), search(name), cy}``.

    Parameters
    ----------
    sub : MultiDiGraph
        The graph to draw.
    labels : "en" or "zh"
        English or Chinese names on the nodes.
    title : str
        Title of the page.
    pos : dict, optional
        Positions in layout units; by default :func:`graph.viz.layout.layout`.

    Returns
    -------
    str
        The HTML document.

    Example
    -------
    >>> g = nx.MultiDiGraph(); g.add_node("a", type="City", name="Wuhan")
    >>> "cytoscape" in to_html(g, title="demo")
    True
    """
    page = _asset(viz_asset("assets", "page.html"))
    parts = {
        "__LANG__": "zh" if labels == "zh" else "en",
        "__TITLE__": html.escape(title),
        "__CSS__": _asset(viz_asset("assets", "page.css")),
        "__DATA__": embed_json(page_data(sub, labels, title, pos)),
        "__LIB__": _asset(VENDOR_JS),
        "__JS__": _asset(viz_asset("assets", "page.js")),
    }
    # one pass: text inserted for one marker is never searched for another
    return re.sub("__(?:LANG|TITLE|CSS|DATA|LIB|JS)__", lambda m: parts[m.group(0)], page)


def write_html(sub: nx.MultiDiGraph, path: Path | str, **kwargs: Any) -> Path:
    """Write :func:`to_html` of ``sub`` to ``path`` (UTF-8); keyword arguments as for :func:`to_html`."""
    path = Path(path)
    path.write_text(to_html(sub, **kwargs), encoding="utf-8")
    return path
