"""The region comparison as a heat map: places × chain steps, coloured by location quotient.

Each cell shows the players in the place for the step and the location quotient (LQ: 1 = as many of the
step's companies as the place's size predicts, above 1 = concentrated there); its colour is the LQ on a
log scale centred on 1, grey where the LQ is undefined. PNG, SVG or PDF by the file's suffix.
"""

from __future__ import annotations

import math
from pathlib import Path

from graph.analysis.gaps import Comparison
from graph.errors import UnsupportedFormatError
from graph.viz.static import _fonts_for

__all__ = ["heatmap_cells", "write_heatmap"]

_FORMATS = (".png", ".svg", ".pdf")
_TEXT = {
    "en": {"title": "{name} chain: location quotient by place and step", "note": "cell: players · LQ (1 = expected)"},
    "zh": {"title": "{name}产业链：各地区各环节区位商", "note": "格内：企业/机构数 · 区位商（1 = 与规模相称）"},
}


def heatmap_cells(comparison: Comparison) -> list[list[tuple[int, float | None]]]:
    """``[place][step] = (players, LQ)``: what each cell of the heat map shows.

    >>> from graph.analysis.common import EntityRef
    >>> from graph.analysis.gaps import Comparison, PlaceSteps
    >>> c = Comparison("t", "T", "T", (("a", "A", "甲"),),
    ...     (PlaceSteps(EntityRef("p", "City", "P", None), 1, (2,), (2,), (1.5,), 10),), (4,), 30)
    >>> heatmap_cells(c)
    [[(2, 1.5)]]
    """
    return [list(zip(p.players, p.quotients, strict=True)) for p in comparison.places]


def write_heatmap(comparison: Comparison, path: Path | str, *, labels: str = "en") -> Path:
    """Draw the heat map of :func:`graph.analysis.gaps.compare` to ``path`` (.png, .svg or .pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise UnsupportedFormatError(f"a heat map is written as {', '.join(_FORMATS)}, not '{path.suffix}'")
    zh = labels == "zh"
    steps = [(zh_name if zh else name) for _, name, zh_name in comparison.steps]
    places = [((p.place.name_zh or p.place.name) if zh else p.place.name) for p in comparison.places]
    cells = heatmap_cells(comparison)
    text = _TEXT["zh" if zh else "en"]
    title = text["title"].format(name=comparison.name_zh if zh else comparison.name)
    fonts = _fonts_for([*steps, *places, title], "zh" if zh else "en")
    # text.parse_math off: a "$" in a name is a dollar sign, not the start of mathtext
    with plt.rc_context({"font.family": fonts, "svg.fonttype": "none", "text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(steps) + 2.5), max(2.5, 0.6 * len(places) + 2.0)))
        logs = [[math.log10(lq) if lq else math.nan for _, lq in row] for row in cells]
        span = max([1.0, *(abs(v) for row in logs for v in row if not math.isnan(v))])
        # no company of the step in the place: the coldest colour; no LQ at all (the step has none): grey
        values = [
            [-0.4 * span if lq == 0 else v for (_, lq), v in zip(row, lr, strict=True)]
            for row, lr in zip(cells, logs, strict=True)
        ]
        cmap = plt.get_cmap("RdBu_r").with_extremes(bad="#dddddd")
        import numpy as np

        data = np.ma.masked_invalid(np.array(values, dtype=float))
        ax.imshow(data, cmap=cmap, norm=TwoSlopeNorm(0.0, -span, span), aspect="auto")
        for i, row in enumerate(cells):
            for j, (n, lq) in enumerate(row):
                label = f"{n} · {lq:.2f}" if lq else str(n)
                dark = not math.isnan(values[i][j]) and abs(values[i][j]) > 0.6 * span
                ax.text(j, i, label, ha="center", va="center", fontsize=8, color="white" if dark else "black")
        ax.set_xticks(range(len(steps)), steps, rotation=35, ha="right", fontsize=9)
        ax.set_yticks(range(len(places)), places, fontsize=9)
        ax.set_title(title, fontsize=11, loc="left")
        fig.text(0.01, 0.01, text["note"], fontsize=8, color="#555555")
        fig.tight_layout()
        fig.savefig(path, dpi=150)
        plt.close(fig)
    return path
