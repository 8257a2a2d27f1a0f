"""Graph files for other tools: GraphML and GEXF (Gephi, yEd, Cytoscape desktop) and Mermaid flowcharts.

GraphML cannot hold lists or maps, so list and dict values (``aliases``, ``sources``) are written as
JSON strings and ``None`` values are dropped. Edges get unique ids; the relation's networkx key is kept
in ``rel_key``. In GEXF, whose edges reserve ``type`` for directed/undirected, the relation type is
``relation`` (and the edge's label). GEXF files also carry Gephi's ``viz`` colour, size and position of each node.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from graph.errors import TooLargeError
from graph.model import RelType
from graph.viz.layout import layout
from graph.viz.style import Labels, edge_style, node_label, node_style

__all__ = [
    "MERMAID_MAX_NODES",
    "for_files",
    "to_mermaid",
    "write_gexf",
    "write_graphml",
    "write_mermaid",
    "xml_text",
]

MERMAID_MAX_NODES = 100


# XML 1.0 cannot hold these characters at all, not even as &#8; references: a GraphML or GEXF file with
# one is not well-formed and no tool opens it. They become U+FFFD (ChainKnowledgeGraph had a U+0008).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced by U+FFFD.

    >>> xml_text("小\x08大肠 \u200f\N{GRINNING FACE}")
    '小\ufffd大肠 \u200f😀'
    """
    return _NOT_XML.sub("\ufffd", text)


def _scalar(v: Any) -> Any:
    if isinstance(v, list | tuple | dict):
        return xml_text(json.dumps(v, ensure_ascii=False))
    if isinstance(v, str):
        return xml_text(v)
    return v


def for_files(sub: nx.MultiDiGraph, labels: Labels = "en") -> nx.MultiDiGraph:
    """A copy of ``sub`` whose attributes GraphML and GEXF can hold: scalars only, no ``None``.

    Each node gains ``label`` (English or Chinese name) and ``color`` (the palette's hex colour);
    edges get unique keys ``e0``, ``e1`` ... with the original key in ``rel_key``.

    Parameters
    ----------
    sub : MultiDiGraph
        The graph to export.
    labels : "en" or "zh"
        Which name goes into ``label``.

    Returns
    -------
    MultiDiGraph

    Example
    -------
    >>> g = nx.MultiDiGraph(); g.add_node("a", type="City", name="Wuhan", aliases=["江城"], name_zh=None)
    >>> for_files(g).nodes["a"]
    {'type': 'City', 'name': 'Wuhan', 'aliases': '["江城"]', 'label': 'Wuhan', 'color': '#1f77b4'}
    """
    out = nx.MultiDiGraph()
    for n, a in sub.nodes(data=True):
        attrs = {k: _scalar(v) for k, v in a.items() if v is not None}
        attrs["label"] = xml_text(node_label(a, labels, default=str(n)))
        attrs["color"] = node_style(a.get("type")).color
        out.add_node(n, **attrs)
    for i, (u, v, k, a) in enumerate(sub.edges(keys=True, data=True)):
        attrs = {name: _scalar(val) for name, val in a.items() if val is not None}
        attrs["rel_key"] = xml_text(str(k))
        out.add_edge(u, v, key=f"e{i}", **attrs)
    return out


def write_graphml(sub: nx.MultiDiGraph, path: Path | str, labels: Labels = "en") -> Path:
    """Write ``sub`` as GraphML (for yEd, Gephi, Cytoscape desktop).

    Example
    -------
    >>> import tempfile; g = nx.MultiDiGraph(); g.add_node("a", type="City", name="Wuhan")
    >>> p = write_graphml(g, Path(tempfile.mkdtemp()) / "g.graphml"); nx.read_graphml(p).nodes["a"]["type"]
    'City'
    """
    path = Path(path)
    # networkx's default key ids (d0, d1 ...): named ids would repeat when a node and an edge attribute share
    # a name (``type``, ``sources``), and GraphML's schema requires each <key id> to be unique
    nx.write_graphml(for_files(sub, labels), path, encoding="utf-8")
    return path


def _rgb(hex_color: str) -> dict[str, int | float]:
    h = hex_color.lstrip("#")
    return {"r": int(h[0:2], 16), "g": int(h[2:4], 16), "b": int(h[4:6], 16), "a": 1.0}


def write_gexf(
    sub: nx.MultiDiGraph,
    path: Path | str,
    labels: Labels = "en",
    pos: dict[str, tuple[float, float]] | None = None,
    positions: bool = True,
) -> Path:
    """Write ``sub`` as GEXF 1.2 for Gephi, with each node's colour, size and layout position
    (``positions=False``: no layout, for a whole graph that Gephi lays out itself).

    Example
    -------
    >>> import tempfile; g = nx.MultiDiGraph(); g.add_node("a", type="City", name="Wuhan")
    >>> p = write_gexf(g, Path(tempfile.mkdtemp()) / "g.gexf"); nx.read_gexf(p).nodes["a"]["type"]
    'City'
    """
    path = Path(path)
    g = for_files(sub, labels)
    pos = (pos or layout(sub)) if positions else None
    for n, a in g.nodes(data=True):
        st = node_style(a.get("type"))
        a["viz"] = {"color": _rgb(st.color), "size": st.size / 4}
        if pos is not None:
            x, y = pos.get(n, (0.0, 0.0))
            a["viz"]["position"] = {"x": x * 100, "y": y * 100, "z": 0.0}
    for *_, a in g.edges(data=True):
        rel = a.pop("type", None)
        if rel:
            a["relation"] = a["label"] = rel
        a["viz"] = {"color": _rgb(edge_style(rel).color), "thickness": edge_style(rel).width}
    writer = GEXFWriter(encoding="utf-8", version="1.2draft")
    writer.add_graph(g)
    # networkx always writes <graph name="...">, an attribute the GEXF 1.2 schema does not have
    for graph_element in writer.xml.iter("graph"):
        graph_element.attrib.pop("name", None)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


_MERMAID_ESC = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "|": "#124;"}


def _mermaid_text(text: str, limit: int = 60) -> str:
    """A label safe inside Mermaid's ``"..."``: entity codes for characters Mermaid would parse."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    # '#' first is not needed: one pass over characters never re-escapes an inserted code
    return "".join(_MERMAID_ESC.get(ch, ch) for ch in text)


def _class_name(t: str | None) -> str:
    return re.sub(r"\W", "_", t or "unknown")


def to_mermaid(
    sub: nx.MultiDiGraph, labels: Labels = "en", title: str | None = None, max_nodes: int | None = MERMAID_MAX_NODES
) -> str:
    """A Mermaid flowchart of a small subgraph: one line per node, one per relation, a class per type.

    Parameters
    ----------
    sub : MultiDiGraph
        The graph to draw.
    labels : "en" or "zh"
        English or Chinese names.
    title : str, optional
        Written as the chart's front-matter title.
    max_nodes : int or None
        Refuse graphs larger than this (Mermaid becomes unreadable and slow); ``None`` for no limit.

    Returns
    -------
    str

    Raises
    ------
    TooLargeError
        ``sub`` has more than ``max_nodes`` nodes.

    Example
    -------
    >>> g = nx.MultiDiGraph(); g.add_edge("u", "c", type="LOCATED_IN")
    0
    >>> nx.set_node_attributes(g, {"u": {"type": "University", "name": "HUST"}, "c": {"type": "City", "name": "Wuhan"}})
    >>> print(to_mermaid(g))  # doctest: +NORMALIZE_WHITESPACE
    flowchart LR
      classDef City fill:#1f77b4,stroke:#ffffff,color:#ffffff
      classDef University fill:#9467bd,stroke:#ffffff,color:#000000
      n0{{"Wuhan"}}:::City
      n1[/"HUST"\\]:::University
      n1 -.->|"LOCATED_IN"| n0
      linkStyle 0 stroke:#9aa0a6,stroke-width:1.2px,stroke-dasharray:2 3
    """
    n_nodes = sub.number_of_nodes()
    if max_nodes is not None and n_nodes > max_nodes:
        raise TooLargeError(
            f"{n_nodes} nodes is too many for a readable Mermaid chart (limit {max_nodes}); "
            "narrow the view (--within, --hops) or use .html/.svg"
        )
    lines = []
    if title:
        lines += ["---", f"title: {json.dumps(title, ensure_ascii=False)}", "---"]
    lines.append("flowchart LR")
    types = sorted({t for _, t in sub.nodes(data="type")}, key=lambda t: t or "")
    for t in types:
        st = node_style(t)
        lines.append(f"  classDef {_class_name(t)} fill:{st.color},stroke:#ffffff,color:{st.text}")
    ids: dict[Any, str] = {}
    for i, (n, a) in enumerate(sorted(sub.nodes(data=True), key=lambda na: str(na[0]))):
        ids[n] = f"n{i}"
        opening, closing = node_style(a.get("type")).mermaid
        text = _mermaid_text(node_label(a, labels, default=str(n)))
        lines.append(f'  n{i}{opening}"{text}"{closing}:::{_class_name(a.get("type"))}')
    styles = []
    edges = sorted(sub.edges(keys=True, data=True), key=lambda e: (ids[e[0]], ids[e[1]], str(e[2])))
    for i, (u, v, _, a) in enumerate(edges):
        t = a.get("type")
        est = edge_style(t)
        caption = a.get("chain") or (a.get("role") if t == RelType.PARTNERS_WITH.value else None) or t or ""
        lines.append(f'  {ids[u]} {est.mermaid}|"{_mermaid_text(caption, 40)}"| {ids[v]}')
        dash = {"dashed": ",stroke-dasharray:6 3", "dotted": ",stroke-dasharray:2 3"}.get(est.dash, "")
        styles.append(f"  linkStyle {i} stroke:{est.color},stroke-width:{est.width}px{dash}")
    return "\n".join(lines + styles) + "\n"


def write_mermaid(sub: nx.MultiDiGraph, path: Path | str, **kwargs: Any) -> Path:
    """Write :func:`to_mermaid` of ``sub`` to ``path``; keyword arguments as for :func:`to_mermaid`."""
    path = Path(path)
    path.write_text(to_mermaid(sub, **kwargs), encoding="utf-8")
    return path
