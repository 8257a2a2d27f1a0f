"""One palette and one set of shapes for every picture: HTML, PNG/SVG, Mermaid, and Neo4j's ``style.grass``.

Node colours are keyed by :class:`~graph.model.EntityType`, edge colours and dashes by
:class:`~graph.model.RelType`. Each output reads its own column (Cytoscape shape, matplotlib marker,
Mermaid brackets) from the same record, so a Base is red and square everywhere.

>>> NODE_STYLES["City"].color
'#1f77b4'
>>> EDGE_STYLES["PARTNERS_WITH"].dash
'solid'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from graph.model import EntityType, RelType

__all__ = [
    "EDGE_STYLES",
    "NODE_STYLES",
    "UNKNOWN_EDGE",
    "UNKNOWN_NODE",
    "EdgeStyle",
    "Labels",
    "NodeStyle",
    "edge_style",
    "node_label",
    "node_style",
]

Labels = Literal["en", "zh"]


@dataclass(frozen=True)
class NodeStyle:
    """How an entity type is drawn in each output."""

    color: str  # fill, shared with cypher/style.grass
    text: str  # a text colour readable on ``color``
    shape: str  # Cytoscape.js node shape
    marker: str  # matplotlib marker
    mermaid: tuple[str, str]  # Mermaid opening and closing brackets
    size: int  # relative size (Cytoscape px; scaled for matplotlib)


@dataclass(frozen=True)
class EdgeStyle:
    """How a relation type is drawn in each output."""

    color: str
    dash: Literal["solid", "dashed", "dotted"]
    width: float
    arrow: bool  # draw a target arrow (PARTNERS_WITH reads both ways, so it has none)
    mermaid: str  # Mermaid link: '-->', '-.->', '==>' ...


E, R = EntityType, RelType
NODE_STYLES: dict[str, NodeStyle] = {
    E.COUNTRY: NodeStyle("#6c757d", "#ffffff", "star", "*", ("((", "))"), 46),
    E.PROVINCE: NodeStyle("#495057", "#ffffff", "octagon", "8", ("{{", "}}"), 42),
    E.CITY: NodeStyle("#1f77b4", "#ffffff", "hexagon", "h", ("{{", "}}"), 40),
    E.DISTRICT: NodeStyle("#17becf", "#000000", "pentagon", "p", ("([", "])"), 34),
    E.BASE: NodeStyle("#d62728", "#ffffff", "rectangle", "s", ("[[", "]]"), 38),
    E.PARK: NodeStyle("#ff7f0e", "#000000", "diamond", "D", ("{", "}"), 34),
    E.PROJECT: NodeStyle("#bcbd22", "#000000", "triangle", "^", (">", "]"), 30),
    E.COMPANY: NodeStyle("#2ca02c", "#000000", "ellipse", "o", ("(", ")"), 30),
    E.UNIVERSITY: NodeStyle("#9467bd", "#000000", "vee", "v", ("[/", "\\]"), 32),
    E.ORGANIZATION: NodeStyle("#8c564b", "#ffffff", "cut-rectangle", "P", ("[/", "/]"), 32),
    E.SECTOR: NodeStyle("#e377c2", "#000000", "round-rectangle", "d", ("[", "]"), 28),
}
UNKNOWN_NODE = NodeStyle("#adb5bd", "#000000", "ellipse", "o", ("[", "]"), 28)

EDGE_STYLES: dict[str, EdgeStyle] = {
    R.LOCATED_IN: EdgeStyle("#9aa0a6", "dotted", 1.2, True, "-.->"),
    R.PART_OF: EdgeStyle("#6c757d", "dashed", 1.4, True, "-.->"),
    R.PARTNERS_WITH: EdgeStyle("#e6a100", "solid", 3.5, False, "==="),
    R.PART_OF_CHAIN: EdgeStyle("#ad1457", "solid", 2.5, True, "==>"),
    R.SPECIALISES_IN: EdgeStyle("#d48bbf", "dashed", 1.2, True, "-->"),
    R.DESIGNATED_BY: EdgeStyle("#8c564b", "dotted", 1.2, True, "-.->"),
    R.OPERATES: EdgeStyle("#2ca02c", "dashed", 1.6, True, "-->"),
}
UNKNOWN_EDGE = EdgeStyle("#adb5bd", "solid", 1.0, True, "-->")


def node_style(entity_type: str | None) -> NodeStyle:
    """The style of an entity type (a neutral grey for an unknown one)."""
    return NODE_STYLES.get(entity_type or "", UNKNOWN_NODE)


def edge_style(rel_type: str | None) -> EdgeStyle:
    """The style of a relation type (a neutral grey for an unknown one)."""
    return EDGE_STYLES.get(rel_type or "", UNKNOWN_EDGE)


def node_label(attrs: dict[str, Any], labels: Labels = "en", default: str = "") -> str:
    """The caption of a node: its English name, or its Chinese name with the English one as fallback.

    Parameters
    ----------
    attrs : dict
        Node attributes as made by :func:`graph.nxgraph.to_networkx`.
    labels : "en" or "zh"
        Which name to show.
    default : str
        Used when the node has no name (e.g. an edge endpoint missing from the data).

    Returns
    -------
    str

    Example
    -------
    >>> node_label({"name": "Wuhan", "name_zh": "武汉"}, "zh")
    '武汉'
    """
    if labels == "zh" and attrs.get("name_zh"):
        return str(attrs["name_zh"])
    return str(attrs.get("name") or default)
