"""Where node captions go, and how long ones are wrapped: shared by the static figures and the HTML page.

A caption goes below its node unless that side is crossed by links or covers other nodes; then above,
right or left, whichever is clearest. Sizes are in layout units, so the caller says how big a
character and a line are in its own scale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

import networkx as nx

__all__ = ["Side", "has_cjk", "label_sides", "text_width", "wrap"]

Side = tuple[float, str, str]  # direction in degrees, horizontal and vertical alignment (matplotlib's words)

_CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")

# Where a caption may go around its node: direction (degrees), alignment, and a preference bonus.
_SIDES = (
    (-90.0, "center", "top", 12.0),
    (90.0, "center", "bottom", 6.0),
    (0.0, "left", "center", 0.0),
    (180.0, "right", "center", 0.0),
)
MAX_CHECKED_EDGES = 2000  # above this, sides are chosen by the angles of a node's own links only


def _label_box(x: float, y: float, side: tuple, text: str, gap: float, char_w: float, line_h: float) -> tuple:
    """The rectangle (x0, y0, x1, y1) a caption would cover on ``side`` of a node at (x, y)."""
    lines = text.split("\n")
    w = max(text_width(line) for line in lines) * char_w
    h = len(lines) * line_h
    cx, cy = x + gap * math.cos(math.radians(side[0])), y + gap * math.sin(math.radians(side[0]))
    x0 = {"center": cx - w / 2, "left": cx, "right": cx - w}[side[1]]
    y0 = {"center": cy - h / 2, "top": cy - h, "bottom": cy}[side[2]]
    return (x0, y0, x0 + w, y0 + h)


def text_width(text: str) -> int:
    """Width in Latin characters: a Chinese character is about two."""
    return sum(2 if has_cjk(ch) else 1 for ch in text)


def _crosses(box: tuple, p: tuple, q: tuple) -> bool:
    """Whether the segment p-q passes through the rectangle ``box`` (Liang-Barsky clipping).

    >>> _crosses((0, 0, 1, 1), (-1, 0.5), (2, 0.5)), _crosses((0, 0, 1, 1), (-1, 2), (2, 2))
    (True, False)
    """
    x0, y0, x1, y1 = box
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for d, room in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if d == 0:
            if room < 0:
                return False  # parallel to this edge of the box and outside it
            continue
        t = room / d
        if d < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _label_side(
    sub: nx.MultiDiGraph,
    pos: Mapping,
    n: str,
    text: str,
    gap: float,
    char_w: float,
    line_h: float,
    segments: list,
    placed: list,
) -> Side:
    """The side of node ``n`` whose caption crosses the fewest links, nodes and captions already ``placed``,
    then is farthest from its links.

    Below is preferred, then above, when the sides are otherwise alike.
    """
    x, y = pos[n]
    angles = [
        math.degrees(math.atan2(pos[m][1] - y, pos[m][0] - x))
        for m in nx.all_neighbors(sub, n)
        if m != n and tuple(pos[m]) != (x, y)
    ]

    def score(side: tuple) -> float:
        gap_deg = min((abs((side[0] - a + 180) % 360 - 180) for a in angles), default=90.0)
        value = min(gap_deg, 90.0) + side[3]
        if segments:
            box = _label_box(x, y, side, text, gap, char_w, line_h)
            hits = sum(1 for p, q in segments if _crosses(box, p, q))
            hits += sum(
                1 for m, (mx, my) in pos.items() if m != n and box[0] <= mx <= box[2] and box[1] <= my <= box[3]
            )
            hits += sum(1 for b in placed if box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3])
            value -= 60.0 * hits
        return value

    return max(_SIDES, key=score)[:3]


def label_sides(
    sub: nx.MultiDiGraph,
    pos: Mapping,
    texts: Mapping[str, str],
    gap: Callable[[str], float],
    char_w: float,
    line_h: float,
) -> dict[str, Side]:
    """For each node, the side its caption goes on: below, above, right or left.

    Parameters
    ----------
    sub : MultiDiGraph
        The graph drawn.
    pos : mapping
        node -> (x, y), y growing upwards.
    texts : mapping
        node -> caption (lines separated by newlines).
    gap : callable
        node -> distance from its centre to where the caption starts (its radius and a margin).
    char_w, line_h : float
        Width of a Latin character and height of a line, in the units of ``pos``.

    Returns
    -------
    dict
        node -> (direction in degrees, horizontal alignment, vertical alignment), e.g.
        ``(-90.0, "center", "top")`` for a caption below its node.

    Example
    -------
    >>> g = nx.MultiDiGraph([("a", "b")])  # b right below a: a's caption goes elsewhere
    >>> sides = label_sides(g, {"a": (0, 1), "b": (0, 0)}, {"a": "A", "b": "B"}, lambda n: 0.1, 0.05, 0.1)
    >>> sides["b"][1:], sides["a"] != sides["b"]
    (('center', 'top'), True)
    """
    segments = [(tuple(pos[u]), tuple(pos[v])) for u, v in sub.edges() if u != v]
    if len(segments) > MAX_CHECKED_EDGES:
        segments = []
    out: dict[str, Side] = {}
    placed: list[tuple] = []
    # busiest nodes first: they have the fewest free sides; later captions avoid the placed ones
    for n in sorted(sub.nodes, key=lambda n: (-sub.degree(n), str(n))):
        here = tuple(pos[n])
        own = [sg for sg in segments if here not in sg] if segments else []
        links = own + _own_segments(sub, pos, n, gap(n))
        out[n] = side = _label_side(sub, pos, n, texts[n], gap(n), char_w, line_h, links, placed)
        if segments:
            x, y = here
            placed.append(_label_box(x, y, (*side, 0.0), texts[n], gap(n), char_w, line_h))
    return out


def has_cjk(text: str) -> bool:
    """Whether ``text`` contains Chinese (CJK) characters.

    >>> has_cjk("武汉 Wuhan"), has_cjk("Wuhan")
    (True, False)
    """
    return bool(_CJK_RE.search(text))


def wrap(text: str, width: int = 22, max_lines: int = 4) -> str:
    """Break a long label into lines of about ``width`` characters (Chinese: anywhere; else on spaces).

    >>> print(wrap("Wuhan Linkonggang Economic and Technological Development Zone"))
    Wuhan Linkonggang
    Economic and
    Technological
    Development Zone
    """
    if has_cjk(text) and " " not in text:
        width = max(width // 2 + 1, 4)  # Chinese characters are twice as wide
        if len(text) <= width + 2:
            return text
        lines = [text[i : i + width] for i in range(0, len(text), width)]
    elif len(text) <= width:
        return text
    else:
        lines, line = [], ""
        for word in text.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(width - 1, 1)].rstrip(" ,;") + "…"
    return "\n".join(lines)


def _own_segments(sub: nx.MultiDiGraph, pos: Mapping, n: str, gap: float) -> list:
    """The node's own links, starting just outside its marker (they touch every side's box otherwise)."""
    x, y = pos[n]
    out = []
    for m in set(nx.all_neighbors(sub, n)) - {n}:
        mx, my = pos[m]
        d = math.hypot(mx - x, my - y)
        if d > gap:
            f = gap * 1.5 / d
            out.append(((x + (mx - x) * f, y + (my - y) * f), (mx, my)))
    return out
