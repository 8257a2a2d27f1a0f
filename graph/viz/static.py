"""Static pictures (PNG, SVG, PDF) with matplotlib's Agg renderer, same colours and shapes as the HTML page.

Chinese labels need a CJK font. :func:`cjk_font` finds one (Noto Sans CJK from Debian's ``fonts-noto-cjk``,
or WenQuanYi from ``fonts-wqy-microhei``) and registers it with matplotlib; without one, drawing a
Chinese label raises :class:`FontMissingError` naming the package to install, rather than drawing boxes.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections import Counter
from functools import lru_cache
from pathlib import Path

import matplotlib
import networkx as nx
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.path import Path as Path_
from matplotlib.patheffects import withStroke
from matplotlib.transforms import Bbox
from matplotlib.typing import LineStyleType

from graph.errors import FontMissingError
from graph.model import EntityType, RelType
from graph.viz.labels import has_cjk, label_sides, wrap
from graph.viz.layout import layout
from graph.viz.style import Labels, edge_style, node_label, node_style

__all__ = ["CJK_PACKAGES", "cjk_font", "draw", "has_cjk"]

CJK_PACKAGES = "fonts-noto-cjk (or fonts-wqy-microhei)"
# Families in order of preference: simplified-Chinese glyph forms first.
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Droid Sans Fallback",
)
_CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora/Arch layout
    "/System/Library/Fonts/PingFang.ttc",
)
_DASH: dict[str, LineStyleType] = {"solid": "-", "dashed": (0, (5, 3)), "dotted": (0, (1, 2.5))}
_TYPE_ORDER = [t.value for t in EntityType]
_REL_ORDER = [r.value for r in RelType]


def _fc_list_files() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    try:
        res = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted({line.split(":")[0].strip() for line in res.stdout.splitlines() if line.strip()})


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, registered with matplotlib; ``None`` if there is none.

    Looks at matplotlib's font list, then at the usual Debian paths and at ``fc-list :lang=zh``
    (a font installed after matplotlib built its cache is registered on the spot).

    Returns
    -------
    str or None

    Example
    -------
    >>> cjk_font() in (None,) + _CJK_FAMILIES or isinstance(cjk_font(), str)
    True
    """
    fm = font_manager.fontManager
    known = {f.name for f in fm.ttflist}
    for fam in _CJK_FAMILIES:
        if fam in known:
            return fam
    added: list[str] = []
    for path in (*_CJK_FILES, *_fc_list_files()):
        if Path(path).is_file():
            try:
                fm.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
            added.append(path)
    known = {f.name for f in fm.ttflist}
    for fam in _CJK_FAMILIES:
        if fam in known:
            return fam
    if added:  # some other font fc-list says covers Chinese
        return font_manager.FontProperties(fname=added[0]).get_name()
    return None


def _fonts_for(texts: list[str], labels: Labels) -> list[str]:
    families = ["DejaVu Sans"]
    if labels == "zh" or any(has_cjk(t) for t in texts):
        fam = cjk_font()
        if fam is None:
            raise FontMissingError(
                "Chinese labels need a CJK font and none is installed: "
                f"apt-get install {CJK_PACKAGES.split(' (')[0]}  (or fonts-wqy-microhei)"
            )
        # CJK first: its Latin glyphs are fine, and matplotlib then never falls back to boxes
        families = [fam, "DejaVu Sans"]
    return families


def draw(
    sub: nx.MultiDiGraph,
    path: Path | str,
    labels: Labels = "en",
    title: str | None = None,
    pos: dict[str, tuple[float, float]] | None = None,
    dpi: int = 150,
) -> Path:
    """Draw a subgraph to a PNG, SVG or PDF file (by extension), with a legend beside the plot.

    Parameters
    ----------
    sub : MultiDiGraph
        The graph to draw (nodes with ``type`` and names, edges with ``type``).
    path : path
        The file to write; its extension picks the format.
    labels : "en" or "zh"
        English names, or Chinese names where there are.
    title : str, optional
        A title above the picture.
    pos : dict, optional
        Node positions; by default :func:`graph.viz.layout.layout`.
    dpi : int
        Resolution of a PNG.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FontMissingError
        Labels contain Chinese and no CJK font is installed.

    Example
    -------
    >>> g = nx.MultiDiGraph(); g.add_node("a", type="City", name="Wuhan")
    >>> import tempfile; draw(g, Path(tempfile.mkdtemp()) / "a.png").suffix
    '.png'
    """
    path = Path(path)
    pos = pos or layout(sub)
    names = {n: node_label(a, labels, default=str(n)) for n, a in sub.nodes(data=True)}
    families = _fonts_for([*names.values(), title or ""], labels)

    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    # margins in layout units: room for the labels under the lowest nodes and beside the outer ones
    x0, x1, y0, y1 = min(xs) - 0.7, max(xs) + 0.7, min(ys) - 0.6, max(ys) + 0.35
    # About 1.5 inches per typical edge, shrunk so that neither side exceeds 30 inches.
    inch = min(1.5, 30 / (x1 - x0), 30 / (y1 - y0))
    legend_width = 2.4
    width = max((x1 - x0) * inch, 4.0) + legend_width
    height = max((y1 - y0) * inch, 3.5) + (0.4 if title else 0.0)
    n_notes = sum(1 for *_, a in sub.edges(data=True) if a.get("type") == RelType.PARTNERS_WITH.value and a.get("role"))
    if 0 < n_notes <= MAX_NOTES:  # room for the numbered roles below the picture
        height += 0.3 + 0.22 * math.ceil(n_notes / (2 if n_notes > 4 else 1))
    # names are literal text: a "$" in one must not start matplotlib's mathtext
    with matplotlib.rc_context(
        {"font.family": families, "svg.fonttype": "none", "axes.unicode_minus": False, "text.parse_math": False}
    ):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_axis_off()
        _draw_edges(ax, sub, pos)
        _draw_nodes(ax, sub, pos)
        # equal scales; the figure already has the data's shape, so 'datalim' only pads a little
        ax.set_aspect("equal", adjustable="datalim")
        ax.margins(0)
        ax.update_datalim([(x0, y0), (x1, y1)])
        ax.autoscale_view()
        _legend(fig, sub)
        if title:
            fig.suptitle(title, fontsize=13, fontweight="bold")
        _notes_legend(fig, _draw_roles(ax, sub, pos, names), width)
        fig.draw_without_rendering()  # settle the layout first: labels are placed in its final scale
        unit_pt = (ax.transData.transform((1, 0)) - ax.transData.transform((0, 0)))[0] * 72 / fig.dpi
        texts = _draw_labels(ax, sub, pos, names, unit_pt)
        _declutter(ax, texts, _marker_boxes(sub, pos, unit_pt))
        fig.savefig(path, dpi=dpi, facecolor="white")
    return path


def _node_size(t: str | None) -> float:
    return (node_style(t).size * 0.55) ** 2  # matplotlib sizes are areas in points^2


def _rounded_square(r: float = 0.35, steps: int = 4) -> Path_:
    """A rounded-square marker (the Sector shape; matplotlib has none built in)."""
    pts = []
    for cx, cy, a0 in ((1 - r, 1 - r, 0), (-1 + r, 1 - r, 90), (-1 + r, -1 + r, 180), (1 - r, -1 + r, 270)):
        for k in range(steps + 1):
            a = math.radians(a0 + 90 * k / steps)
            pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    pts.append(pts[0])
    return Path_(pts, closed=True)


def _marker(t: str | None) -> str | Path_:
    return _rounded_square() if t == EntityType.SECTOR.value else node_style(t).marker


def _draw_nodes(ax, sub: nx.MultiDiGraph, pos: dict) -> None:
    by_type: dict[str | None, list[str]] = {}
    for n, t in sub.nodes(data="type"):
        by_type.setdefault(t, []).append(n)
    for t, nodes in by_type.items():
        st = node_style(t)
        ax.scatter(
            [pos[n][0] for n in nodes],
            [pos[n][1] for n in nodes],
            s=_node_size(t),
            c=st.color,
            marker=_marker(t),
            edgecolors="white",
            linewidths=1.0,
            zorder=3,
        )


_CHAR_PT, _LINE_PT = 4.3, 9.5  # rough size of a 7.5 pt caption's character and line


def _draw_labels(ax, sub: nx.MultiDiGraph, pos: dict, names: dict[str, str], unit_pt: float) -> list:
    """Node captions beside each node, on the side that leaves links and nodes clear; returns the texts."""
    texts = {n: wrap(names[n]) for n in sub.nodes}

    def gap(n: str) -> float:  # marker radius and a little air, in data units
        return (node_style(sub.nodes[n].get("type")).size * 0.28 + 2) / unit_pt

    sides = label_sides(sub, pos, texts, gap, _CHAR_PT / unit_pt, _LINE_PT / unit_pt)
    out = []
    for n in sorted(sub.nodes, key=str):
        x, y = pos[n]
        angle, ha, va = sides[n]
        out.append(
            ax.text(
                x + gap(n) * math.cos(math.radians(angle)),
                y + gap(n) * math.sin(math.radians(angle)),
                texts[n],
                ha=ha,
                va=va,
                multialignment="center" if ha == "center" else ha,
                fontsize=7.5,
                zorder=5,
                path_effects=[withStroke(linewidth=2.5, foreground="white")],
            )
        )
    return out


MAX_NOTES = 20


def _draw_roles(ax, sub: nx.MultiDiGraph, pos: dict, names: dict[str, str]) -> list[str]:
    """Number each partnership link that has a role; return the notes ``"Wuhan – Japan: role"`` in order.

    The evidence of a cooperation is too long to write along its link, so the link gets a small
    numbered badge and the figure lists the roles below the picture. Above :data:`MAX_NOTES`
    partnerships the numbers would not help, and none are drawn.
    """
    links = sorted(
        (
            (u, v, a)
            for u, v, a in sub.edges(data=True)
            if a.get("type") == RelType.PARTNERS_WITH.value and a.get("role")
        ),
        # numbered in reading order of the badges: left to right, then top to bottom
        key=lambda e: (round(pos[e[0]][0] + pos[e[1]][0], 1), -(pos[e[0]][1] + pos[e[1]][1]), names[e[0]]),
    )
    if not links or len(links) > MAX_NOTES:
        return []
    notes = []
    for i, (u, v, a) in enumerate(links, start=1):
        (x1, y1), (x2, y2) = pos[u], pos[v]
        ax.text(
            (x1 + x2) / 2,
            (y1 + y2) / 2,
            str(i),
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold",
            color="#000000",
            zorder=6,
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": "#ffe8a3", "edgecolor": "#e6a100", "linewidth": 1},
        )
        notes.append(f"{names[u]} – {names[v]}: {a['role']}")
    return notes


def _notes_legend(fig: Figure, notes: list[str], width_in: float) -> None:
    """The numbered partnership roles, as a legend below the picture."""
    if not notes:
        return
    chars = max(40, int(width_in * 72 / 4.6 / (2 if len(notes) > 4 else 1)) - 6)
    handles = [
        Line2D([], [], linestyle="", marker=f"${i}$", markersize=6 + 2 * len(str(i)), color="#7a5600")
        for i in range(1, len(notes) + 1)
    ]
    labels = [wrap(n, chars, max_lines=3) for n in notes]
    fig.legend(
        handles=handles,
        labels=labels,
        loc="outside lower center",
        ncols=2 if len(notes) > 4 else 1,
        frameon=False,
        fontsize=8,
        title="Partnerships (role)",
        title_fontsize=8.5,
        alignment="left",
    )


MAX_DECLUTTER = 60


def _declutter(ax, texts: list, markers: list[Bbox]) -> None:
    """Move only the labels that overlap another label or a node, with adjustText if it is installed.

    Labels that are clear stay put (just below their node) and act as obstacles with the nodes, so a
    tidy picture is left alone and a crowded hub is untangled.
    """
    try:
        from adjustText import adjust_text
    except ImportError:  # optional: without it labels stay where they were put
        return
    if not texts:
        return
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()
    boxes = [t.get_window_extent(renderer).expanded(1.02, 1.05) for t in texts]
    marker_px = [b.transformed(ax.transData) for b in markers]
    crowded = set()
    for i, b in enumerate(boxes):
        if any(b.overlaps(o) for j, o in enumerate(boxes) if j != i) or sum(b.overlaps(m) for m in marker_px) > 1:
            crowded.add(i)
    if not crowded or len(crowded) > MAX_DECLUTTER:
        return  # nothing to do, or a crowd no nudging will clear (and that would take minutes)
    obstacles = [Bbox(to_data.transform(b.get_points())) for i, b in enumerate(boxes) if i not in crowded] + markers
    adjust_text(
        [texts[i] for i in sorted(crowded)],
        objects=obstacles,
        ax=ax,
        expand=(1.1, 1.3),
        iter_lim=200,
        ensure_inside_axes=True,
        arrowprops={"arrowstyle": "-", "color": "#adb5bd", "lw": 0.5},
        min_arrow_len=8,
    )


def _marker_boxes(sub: nx.MultiDiGraph, pos: dict, unit_pt: float) -> list[Bbox]:
    """Each node's marker as a box in data coordinates."""
    out = []
    for n in sub.nodes:
        r = node_style(sub.nodes[n].get("type")).size * 0.28 / unit_pt
        x, y = pos[n]
        out.append(Bbox([[x - r, y - r], [x + r, y + r]]))
    return out


# Above this many relations the edges are plain line segments (one collection per type) rather than
# one arrow patch each: arrows cost a path computation per edge at every draw.
MAX_ARROWS = 150


def _draw_edges(ax, sub: nx.MultiDiGraph, pos: dict) -> None:
    if sub.number_of_edges() > MAX_ARROWS:
        by_type: dict[str | None, list] = {}
        for u, v, t in sub.edges(data="type"):
            by_type.setdefault(t, []).append((pos[u], pos[v]))
        for t, segments in by_type.items():
            st = edge_style(t)
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=st.color,
                    linewidths=st.width * 0.6,
                    linestyles=_DASH[st.dash],
                    zorder=2 if t == RelType.PARTNERS_WITH.value else 1,
                    alpha=0.8,
                )
            )
        return
    seen: Counter[frozenset] = Counter()
    for u, v, t in sub.edges(data="type"):
        if u not in pos or v not in pos:
            continue
        st = edge_style(t)
        pair = frozenset((u, v))
        # parallel relations between one pair bend apart so each stays visible
        rad = 0.0 if not seen[pair] else 0.18 * ((seen[pair] + 1) // 2) * (1 if seen[pair] % 2 else -1)
        seen[pair] += 1
        ax.add_patch(
            FancyArrowPatch(
                pos[u],
                pos[v],
                arrowstyle="-|>" if st.arrow else "-",
                mutation_scale=9,
                connectionstyle=f"arc3,rad={rad}",
                color=st.color,
                linewidth=st.width * 0.8,
                linestyle=_DASH[st.dash],
                shrinkA=node_style(sub.nodes[u].get("type")).size * 0.28,
                shrinkB=node_style(sub.nodes[v].get("type")).size * 0.28,
                zorder=2 if t == RelType.PARTNERS_WITH.value else 1,
            )
        )


def _legend(fig: Figure, sub: nx.MultiDiGraph) -> None:
    types = sorted({t for _, t in sub.nodes(data="type")}, key=lambda t: _order(_TYPE_ORDER, t))
    rels = sorted({t for *_, t in sub.edges(data="type")}, key=lambda t: _order(_REL_ORDER, t))
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker=_marker(t),
            markersize=9,
            markerfacecolor=node_style(t).color,
            markeredgecolor="white",
            label=t or "unknown",
        )
        for t in types
    ]
    handles += [
        Line2D(
            [],
            [],
            color=edge_style(r).color,
            linewidth=edge_style(r).width,
            linestyle=_DASH[edge_style(r).dash],
            label=r,
        )
        for r in rels
    ]
    if handles:
        fig.legend(
            handles=handles, loc="outside right upper", frameon=False, fontsize=8.5, title="Legend", alignment="left"
        )


def _order(order: list[str], t: str | None) -> tuple[int, str]:
    return (order.index(t) if t in order else len(order), t or "")
