"""The chain map of a gap report: one box per step of the chain, upstream left, downstream right.

:func:`chain_map_layout` is the pure part: which column and row each step's box takes and which arrows
join them (a chain's stages are columns, a step's arrows come from its upstream steps; tiers have a column
each, headed by the tier's name, and no arrows). :func:`write_chain_map` draws it, picking the format from
the file's extension: an offline interactive page (``.html``: click a step for its evidence) or a figure
for reports (``.png``, ``.svg``). Each box is coloured by the step's status, names the local players and
where they are, and for weak and missing steps lists the candidate companies with their score.

>>> from graph.analysis.common import EntityRef
>>> from graph.analysis.gaps import GapReport, GapStep
>>> from loaders.templates import template
>>> steps = tuple(GapStep(s.id, s.stage, s.name, s.name_zh, s.sectors, "missing", 0, (), ())
...               for s in template("lithium-battery").steps)
>>> report = GapReport("lithium-battery", "Lithium battery", "锂电池", "chain",
...                    EntityRef("cn-420100", "City", "Wuhan", "武汉"), None, steps)
>>> m = chain_map_layout(report)
>>> [(b.step, b.column, b.row) for b in m.boxes][:4]
[('ore', 0, 0), ('carbonate', 1, 0), ('hydroxide', 1, 1), ('cathode', 2, 0)]
>>> [a for a in m.arrows if a[1] == "cathode"]
[('carbonate', 'cathode'), ('hydroxide', 'cathode')]
>>> title(report, "en"), title(report, "zh")
('Lithium battery chain in Wuhan', '武汉锂电池产业链图谱')
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from graph.errors import UnsupportedFormatError
from graph.viz.labels import text_width

if TYPE_CHECKING:
    from graph.analysis.common import EntityRef
    from graph.analysis.gaps import Candidate, GapReport, GapStep, Player
    from loaders.templates import ChainTemplate

__all__ = [
    "FORMATS",
    "STATUS_COLOURS",
    "Box",
    "ChainMapLayout",
    "Column",
    "chain_map_layout",
    "title",
    "to_chain_map_html",
    "write_chain_map",
]

Labels = Literal["en", "zh"]
FORMATS = (".html", ".png", ".svg")
# status -> (fill, border/text accent); the status is also written in each box, so colour is never alone
STATUS_COLOURS = {
    "strong": ("#e3f2e6", "#1e7b34"),
    "weak": ("#fff4d6", "#b26a00"),
    "missing": ("#fde7e6", "#c5221f"),
}


# -- layout -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of the map: a stage of a chain, or a tier.

    Attributes
    ----------
    index : int
        0 is the leftmost (upstream) column.
    stage : int
        The template's stage number of its steps.
    steps : tuple of str
        Step ids, top to bottom.
    tier : tuple of (str, str) or None
        For tiers, the tier's English and Chinese name (its header); None in a chain.
    """

    index: int
    stage: int
    steps: tuple[str, ...]
    tier: tuple[str, str] | None = None


@dataclass(frozen=True)
class Box:
    """Where a step's box goes: its column (0 = upstream) and row in that column (0 = top)."""

    step: str
    column: int
    row: int


@dataclass(frozen=True)
class ChainMapLayout:
    """What :func:`chain_map_layout` returns.

    ``arrows`` are ``(upstream step, step)`` pairs in template order; ``layout`` is the template's
    (``chain`` or ``tiers``).
    """

    layout: str
    columns: tuple[Column, ...]
    boxes: tuple[Box, ...]
    arrows: tuple[tuple[str, str], ...]


def chain_map_layout(report: GapReport, template: ChainTemplate | None = None) -> ChainMapLayout:
    """Columns, boxes and arrows of the chain map of ``report`` (no drawing).

    Each distinct stage is a column, left to right by stage; the steps of one stage are stacked in
    template order. In a chain, every step has an arrow from each step directly upstream of it
    (:meth:`~loaders.templates.ChainTemplate.upstream_of`); tiers have none, and each column is headed
    by its tier's name.

    Parameters
    ----------
    report : GapReport
        From :func:`graph.analysis.gaps.gap_report`.
    template : ChainTemplate, optional
        The report's template; by default the shipped one named ``report.template``.

    Returns
    -------
    ChainMapLayout
    """
    if template is None:
        from loaders.templates import template as shipped

        template = shipped(report.template)
    stages = sorted({s.stage for s in report.steps})
    col_of = {stage: i for i, stage in enumerate(stages)}
    boxes: list[Box] = []
    per_col: dict[int, list[str]] = {}
    for s in report.steps:
        c = col_of[s.stage]
        per_col.setdefault(c, []).append(s.id)
        boxes.append(Box(s.id, c, len(per_col[c]) - 1))
    tiers = report.layout == "tiers"
    columns = []
    for stage in stages:
        ids = tuple(per_col[col_of[stage]])
        tier = None
        if tiers:
            named = [s for s in report.steps if s.id in ids]
            tier = (" / ".join(s.name for s in named), " / ".join(s.name_zh for s in named))
        columns.append(Column(col_of[stage], stage, ids, tier))
    in_report = {s.id for s in report.steps}
    arrows: list[tuple[str, str]] = []
    if not tiers:
        for s in report.steps:
            arrows += [(u.id, s.id) for u in template.upstream_of(s.id) if u.id in in_report]
    return ChainMapLayout(report.layout, tuple(columns), tuple(boxes), tuple(arrows))


# -- words --------------------------------------------------------------------------------------------------
_UI: dict[str, dict[str, str]] = {
    "en": {
        "strong": "Strong",
        "weak": "Weak",
        "missing": "Missing",
        "strong_rule": "{n}+ local players",
        "weak_rule": "1–{m} local players",
        "missing_rule": "no local player",
        "players": "{n} local players",
        "player": "1 local player",
        "no_players": "no local player",
        "more": "+ {n} more",
        "candidates": "Candidates elsewhere (score)",
        "no_candidates": "no candidate found",
        "stage": "Stage {n}",
        "upstream": "upstream",
        "downstream": "downstream",
        "paren": " ({x})",
        "status_line": "{status}: {count}",
        "score": "Candidate score = {parts} (each 0–1)",
        "summary": "{steps} steps: {strong} strong, {weak} weak, {missing} missing",
        "legend": "Status",
        "details": "Evidence",
        "hint": "Click a step for its sectors, players and candidates with each part of their score.",
        "sectors": "Sectors",
        "top_players": "Local players (top {n} of {total})",
        "players_h": "Local players",
        "candidates_h": "Candidates elsewhere",
        "name": "Name",
        "where": "Where",
        "sector": "Sector",
        "weight": "Centrality",
        "unlocated": "unlocated",
        "none": "none",
        "json": "As JSON",
        "made_by": "indgraph analyse gaps",
    },
    "zh": {
        "strong": "优势环节",
        "weak": "薄弱环节",
        "missing": "缺失环节",
        "strong_rule": "本地 {n} 家及以上",
        "weak_rule": "本地 1–{m} 家",
        "missing_rule": "本地无",
        "players": "本地 {n} 家",
        "player": "本地 1 家",
        "no_players": "本地无企业",
        "more": "…另有 {n} 家",
        "candidates": "补链候选企业（得分）",
        "no_candidates": "未找到候选企业",
        "stage": "阶段{n}",
        "upstream": "上游",
        "downstream": "下游",
        "paren": "（{x}）",
        "status_line": "{status}：{count}",
        "score": "候选得分 = {parts}（各项 0–1）",
        "summary": "共 {steps} 个环节：优势 {strong}、薄弱 {weak}、缺失 {missing}",
        "legend": "环节状态",
        "details": "详情",
        "hint": "点击环节，查看其行业、本地企业及候选企业的各项得分。",
        "sectors": "所属行业",
        "top_players": "本地企业（前 {n} 家，共 {total} 家）",
        "players_h": "本地企业",
        "candidates_h": "补链候选企业",
        "name": "名称",
        "where": "所在地",
        "sector": "行业",
        "weight": "主业相关度",
        "unlocated": "未定位",
        "none": "无",
        "json": "JSON 数据",
        "made_by": "indgraph analyse gaps",
    },
}
_PARTS = {
    "en": {"centrality": "centrality", "nearness": "nearness", "local_links": "local links",
           "chain_steps": "chain steps", "score": "score"},
    "zh": {"centrality": "主业相关度", "nearness": "区位邻近", "local_links": "本地合作",
           "chain_steps": "链条覆盖", "score": "得分"},
}  # fmt: skip
_NEARNESS_ZH = {"same province": "省内", "neighbouring province": "邻省", "elsewhere": "外省", "unlocated": "未定位"}


def _ui(labels: Labels, key: str, **kw: object) -> str:
    return _UI[labels][key].format(**kw)


def _name(ref: EntityRef, labels: Labels) -> str:
    return (ref.name_zh or ref.name) if labels == "zh" else ref.name


def _where(places: Sequence[EntityRef], labels: Labels) -> str:
    return "/".join(_name(p, labels) for p in places) or _ui(labels, "unlocated")


def _step_name(step: GapStep, labels: Labels) -> str:
    return step.name_zh if labels == "zh" else step.name


def _nearness(value: str, labels: Labels) -> str:
    return _NEARNESS_ZH.get(value, value) if labels == "zh" else value


def title(report: GapReport, labels: Labels = "en") -> str:
    """The map's title: ``Lithium battery chain in Wuhan`` or ``武汉锂电池产业链图谱``."""
    if labels == "zh":
        chain = report.name_zh if re.search("产业链?$", report.name_zh) else report.name_zh + "产业链"
        return f"{_name(report.place, 'zh')}{chain}图谱"
    chain = report.name if re.search(r"\bchain\b", report.name, re.I) else f"{report.name} chain"
    return f"{chain} in {report.place.name}"


def _summary(report: GapReport, labels: Labels) -> str:
    n = {k: sum(1 for s in report.steps if s.status == k) for k in STATUS_COLOURS}
    return _ui(labels, "summary", steps=len(report.steps), **n)


def _rules(report: GapReport, labels: Labels) -> dict[str, str]:
    return {
        "strong": _ui(labels, "strong_rule", n=report.strong_from),
        "weak": _ui(labels, "weak_rule", m=report.strong_from - 1),
        "missing": _ui(labels, "missing_rule"),
    }


def _score_rule(report: GapReport, labels: Labels) -> str:
    # "×", not a middle dot: CJK fonts draw "·" as wide as a character
    parts = " + ".join(f"{w:g} × {_PARTS[labels].get(k, k)}" for k, w in report.weights)
    return _ui(labels, "score", parts=parts)


def _header(layout: ChainMapLayout, col: Column, labels: Labels) -> str:
    if col.tier is not None:
        return col.tier[1] if labels == "zh" else col.tier[0]
    text = _ui(labels, "stage", n=col.stage)
    if len(layout.columns) > 1 and col.index == 0:
        text += _ui(labels, "paren", x=_ui(labels, "upstream"))
    elif len(layout.columns) > 1 and col.index == len(layout.columns) - 1:
        text += _ui(labels, "paren", x=_ui(labels, "downstream"))
    return text


def _count(step: GapStep, labels: Labels) -> str:
    if step.players == 0:
        return _ui(labels, "no_players")
    return _ui(labels, "player") if step.players == 1 else _ui(labels, "players", n=step.players)


def _player_line(p: Player, labels: Labels) -> tuple[str, str]:
    return _name(p, labels), _ui(labels, "paren", x=_where(p.places, labels))


def _candidate_line(c: Candidate, labels: Labels) -> tuple[str, str]:
    where = _name(c.province, labels) if c.province else _ui(labels, "unlocated")
    return _name(c, labels), f"{_ui(labels, 'paren', x=where)} {c.score:.2f}"


@dataclass(frozen=True)
class _BoxText:
    name: str
    status: str  # "Weak: 2 local players"
    players: tuple[tuple[str, str], ...]  # (name, " (where)")
    more: str | None
    candidates_head: str | None
    candidates: tuple[tuple[str, str], ...]  # (name, " (province) 0.42")


def _box_text(step: GapStep, labels: Labels) -> _BoxText:
    more = step.players - len(step.top_players)
    gap = step.status != "strong"
    cands = tuple(_candidate_line(c, labels) for c in step.candidates)
    if gap and not cands:
        cands = ((_ui(labels, "no_candidates"), ""),)
    return _BoxText(
        _step_name(step, labels),
        _ui(labels, "status_line", status=_ui(labels, step.status), count=_count(step, labels)),
        tuple(_player_line(p, labels) for p in step.top_players),
        _ui(labels, "more", n=more) if more > 0 else None,
        _ui(labels, "candidates") if gap else None,
        cands if gap else (),
    )


# -- HTML ---------------------------------------------------------------------------------------------------
def _evidence(report: GapReport, labels: Labels) -> dict[str, object]:
    """The data the page shows on click: each step's :func:`jsonable`, plus display names."""
    from graph.analysis.common import jsonable

    steps = {}
    for s in report.steps:
        d = jsonable(s)
        d["display"] = {
            "name": _step_name(s, labels),
            "status": _ui(labels, "status_line", status=_ui(labels, s.status), count=_count(s, labels)),
            "players": [[_name(p, labels), _where(p.places, labels)] for p in s.top_players],
            "candidates": [
                [_name(c, labels), _name(c.province, labels) if c.province else _ui(labels, "unlocated"),
                 _nearness(c.nearness, labels)]
                for c in s.candidates
            ],
        }  # fmt: skip
        steps[s.id] = d
    return steps


def to_chain_map_html(report: GapReport, *, labels: Labels = "en", template: ChainTemplate | None = None) -> str:
    """The chain map as one self-contained page: boxes and arrows, a legend, and evidence on click.

    Everything is inlined and the page's Content-Security-Policy forbids any request, so it opens
    offline. Names are escaped (in the markup) or set as text (in the evidence panel), never parsed as
    HTML. The page exposes ``window.chainmap = {ready, select(stepId)}``; ``ready`` resolves to
    ``{steps, arrows}`` once the arrows are drawn.
    """
    from graph.resources import viz_asset
    from graph.viz.html import _asset, embed_json

    m = chain_map_layout(report, template)
    by_id = {s.id: s for s in report.steps}
    esc = html.escape
    cols = []
    for col in m.columns:
        boxes = []
        for sid in col.steps:
            s, t = by_id[sid], _box_text(by_id[sid], labels)
            items = "".join(f'<li title="{esc(a + b)}">{esc(a)}<span>{esc(b)}</span></li>' for a, b in t.players)
            if t.more:
                items += f'<li class="more">{esc(t.more)}</li>'
            cands = ""
            if t.candidates_head is not None:
                lis = "".join(f'<li title="{esc(a + b)}">{esc(a)}<span>{esc(b)}</span></li>' for a, b in t.candidates)
                cands = f'<h4>{esc(t.candidates_head)}</h4><ol class="candidates">{lis}</ol>'
            boxes.append(
                f'<div class="step {s.status}" id="step-{esc(sid)}" data-step="{esc(sid)}" tabindex="0" '
                f'role="button" aria-pressed="false"><h3>{esc(t.name)}</h3>'
                f'<p class="status">{esc(t.status)}</p>'
                f'<ul class="players">{items}</ul>{cands}</div>'
            )
        cols.append(
            f'<section class="column" data-column="{col.index}"><h2>{esc(_header(m, col, labels))}</h2>'
            + "".join(boxes)
            + "</section>"
        )
    rules = _rules(report, labels)
    legend = "".join(
        f'<li><span class="swatch {k}"></span><b>{esc(_ui(labels, k))}</b> {esc(rules[k])}</li>' for k in STATUS_COLOURS
    )
    ui = {
        k: _ui(labels, k, n="{n}", total="{total}")
        for k in (
            "sectors",
            "top_players",
            "players_h",
            "candidates_h",
            "name",
            "where",
            "sector",
            "weight",
            "none",
            "json",
        )
    }
    ui |= {f"part_{k}": v for k, v in _PARTS[labels].items()}
    data = {"arrows": [list(a) for a in m.arrows], "steps": _evidence(report, labels), "ui": ui}
    parts = {
        "__LANG__": "zh-CN" if labels == "zh" else "en",
        "__TITLE__": esc(title(report, labels)),
        "__SUMMARY__": esc(_summary(report, labels)),
        "__LEGEND_H__": esc(_ui(labels, "legend")),
        "__LEGEND__": legend,
        "__SCORE__": esc(_score_rule(report, labels)),
        "__DETAILS_H__": esc(_ui(labels, "details")),
        "__HINT__": esc(_ui(labels, "hint")),
        "__COLUMNS__": "".join(cols),
        "__NCOLS__": str(len(m.columns)),
        "__CSS__": _asset(viz_asset("assets", "chainmap.css")),
        "__DATA__": embed_json(data),
        "__JS__": _asset(viz_asset("assets", "chainmap.js")),
    }
    page = _asset(viz_asset("assets", "chainmap.html"))
    # one pass: text inserted for one marker is never searched for another
    return re.sub("__[A-Z_]+?__", lambda x: parts.get(x.group(0), x.group(0)), page)


# -- PNG / SVG ----------------------------------------------------------------------------------------------
# sizes in inches (the axes span the figure, one data unit per inch, y downwards)
_COL_W, _COL_GAP, _MARGIN = 2.75, 0.65, 0.35
_PAD, _NAME_H, _LINE_H, _GAP_Y = 0.09, 0.23, 0.165, 0.18
_FONT, _NAME_FONT = 7.6, 9.4
_CHAR_W = 0.52 * _FONT / 72  # a Latin character at _FONT points; a Chinese one counts two (text_width)


def _fit(text: str, width: float, font: float = _FONT) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` inches at ``font`` points (estimated)."""
    per = 0.52 * font / 72
    if text_width(text) * per <= width:
        return text
    out = ""
    for ch in text:
        if (text_width(out + ch) + 1) * per > width:
            break
        out += ch
    return out.rstrip() + "…"


def _fit_pair(name: str, suffix: str, width: float) -> str:
    """``name`` + ``suffix`` within ``width`` inches: the suffix (where, score) keeps up to half of it."""
    per = _CHAR_W
    if text_width(name + suffix) * per <= width:
        return name + suffix
    suffix = _fit(suffix, max(width / 2, width - text_width(name) * per))
    return _fit(name, width - text_width(suffix) * per) + suffix


def _lines(t: _BoxText, width: float) -> list[tuple[str, str]]:
    """The box's text lines after its name, each with a style key, fitted to ``width`` inches."""
    rows = [("status", _fit(t.status, width)), *(("player", _fit_pair(a, b, width - 0.08)) for a, b in t.players)]
    if t.more:
        rows.append(("more", _fit(t.more, width)))
    if t.candidates_head:
        rows.append(("head", _fit(t.candidates_head, width)))
        rows += [("candidate", _fit_pair(a, b, width - 0.08)) for a, b in t.candidates]
    return rows


def _draw(report: GapReport, path: Path, labels: Labels, template: ChainTemplate | None, dpi: int) -> Path:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from graph.viz.static import _fonts_for

    m = chain_map_layout(report, template)
    by_id = {s.id: s for s in report.steps}
    texts = {s.id: _box_text(s, labels) for s in report.steps}
    head = title(report, labels)
    families = _fonts_for(
        [head, *(x for t in texts.values() for x in (t.name, *(a + b for a, b in (*t.players, *t.candidates))))],
        labels,
    )
    # geometry: boxes stacked per column under a header row
    top = _MARGIN + 0.75  # title and summary
    header_h = 0.3
    inner = _COL_W - 2 * _PAD
    lines = {sid: _lines(t, inner) for sid, t in texts.items()}
    heights = {sid: 2 * _PAD + _NAME_H + len(rows) * _LINE_H for sid, rows in lines.items()}
    pos: dict[str, tuple[float, float]] = {}  # step -> (x, y) of the box's top left
    bottom = top + header_h
    for col in m.columns:
        y = top + header_h
        for sid in col.steps:
            pos[sid] = (_MARGIN + col.index * (_COL_W + _COL_GAP), y)
            y += heights[sid] + _GAP_Y
        bottom = max(bottom, y)
    width = 2 * _MARGIN + len(m.columns) * _COL_W + (len(m.columns) - 1) * _COL_GAP
    width = max(width, 7.0)
    legend_h = 0.6
    height = bottom + legend_h + _MARGIN * 0.5
    with matplotlib.rc_context(
        {"font.family": families, "svg.fonttype": "none", "axes.unicode_minus": False, "text.usetex": False}
    ):
        fig = Figure(figsize=(width, height))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)

        def text(x: float, y: float, s: str, **kw: object) -> None:
            # parse_math=False: a '$' in a company name is a dollar sign, not mathtext
            ax.text(x, y, s, parse_math=False, **kw)  # type: ignore[arg-type]

        text(_MARGIN, _MARGIN, head, fontsize=14, fontweight="bold", va="top")
        text(_MARGIN, _MARGIN + 0.36, _summary(report, labels), fontsize=9, color="#444444", va="top")
        for col in m.columns:
            x = _MARGIN + col.index * (_COL_W + _COL_GAP)
            text(x + _COL_W / 2, top + header_h / 2, _fit(_header(m, col, labels), _COL_W), fontsize=8.5,
                 color="#555555", ha="center", va="center", fontweight="bold")  # fmt: skip
        for u, v in m.arrows:
            (ux, uy), (vx, vy) = pos[u], pos[v]
            start = (ux + _COL_W, uy + min(heights[u] / 2, 0.45))
            end = (vx, vy + min(heights[v] / 2, 0.45))
            ax.add_patch(
                FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, color="#8a8f98", lw=1.0,
                                connectionstyle="arc3,rad=0", shrinkA=1, shrinkB=1, zorder=1)
            )  # fmt: skip
        for sid, (x, y) in pos.items():
            s, t = by_id[sid], texts[sid]
            fill, accent = STATUS_COLOURS[s.status]
            ax.add_patch(
                FancyBboxPatch((x, y), _COL_W, heights[sid], boxstyle="round,pad=0,rounding_size=0.06",
                               facecolor=fill, edgecolor=accent, lw=1.4,
                               linestyle="--" if s.status == "missing" else "-", zorder=2)
            )  # fmt: skip
            text(x + _PAD, y + _PAD, _fit(t.name, inner, _NAME_FONT), fontsize=_NAME_FONT, fontweight="bold",
                 va="top", zorder=3)  # fmt: skip
            ly = y + _PAD + _NAME_H
            for kind, line in lines[sid]:
                style: dict[str, object] = {"fontsize": _FONT, "color": "#222222"}
                if kind == "status":
                    style |= {"color": accent, "fontweight": "bold"}
                elif kind in ("more", "head"):
                    style |= {"color": "#555555", "fontstyle": "italic" if kind == "more" else "normal"}
                    if kind == "head":
                        style["fontweight"] = "bold"
                indent = 0.08 if kind in ("player", "candidate") else 0.0
                text(x + _PAD + indent, ly, line, va="top", zorder=3, **style)
                ly += _LINE_H
        # legend: the three statuses with their thresholds, and how candidates are scored
        rules = _rules(report, labels)
        lx, ly = _MARGIN, bottom + 0.1
        for k in STATUS_COLOURS:
            fill, accent = STATUS_COLOURS[k]
            ax.add_patch(
                FancyBboxPatch((lx, ly), 0.3, 0.18, boxstyle="round,pad=0,rounding_size=0.03", facecolor=fill,
                               edgecolor=accent, lw=1.2, linestyle="--" if k == "missing" else "-")
            )  # fmt: skip
            label = f"{_ui(labels, k)}: {rules[k]}" if labels == "en" else f"{_ui(labels, k)}：{rules[k]}"
            text(lx + 0.4, ly + 0.09, label, fontsize=8.5, va="center")
            lx += 0.4 + text_width(label) * 0.52 * 8.5 / 72 + 0.4
        text(_MARGIN, ly + 0.3, _score_rule(report, labels), fontsize=8, color="#444444", va="top")
        # no date in an SVG: the same report gives the same file
        meta = {"Date": None} if path.suffix.lower() == ".svg" else None
        fig.savefig(path, dpi=dpi, facecolor="white", metadata=meta)
    return path


# -- entry point --------------------------------------------------------------------------------------------
def write_chain_map(
    report: GapReport,
    path: Path | str,
    *,
    labels: Labels = "en",
    template: ChainTemplate | None = None,
    dpi: int = 130,
) -> Path:
    """Draw the chain map of a gap report to ``path``: ``.html``, ``.png`` or ``.svg``.

    Parameters
    ----------
    report : GapReport
        From :func:`graph.analysis.gaps.gap_report`.
    path : path
        The file to write; its extension picks the format.
    labels : "en" or "zh"
        English, or Chinese for the title, legend, every other text and the names (where known).
    template : ChainTemplate, optional
        The report's template; by default the shipped one named ``report.template``.
    dpi : int
        Resolution of a PNG.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    UnsupportedFormatError
        Another extension.
    graph.errors.FontMissingError
        Chinese text in a PNG/SVG and no CJK font installed.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise UnsupportedFormatError(f"can't draw a chain map as '{path.name}': use one of {', '.join(FORMATS)}")
    if labels not in ("en", "zh"):
        from graph.errors import ArgumentError

        raise ArgumentError(f"labels must be 'en' or 'zh', not '{labels}'")
    path.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".html":
        path.write_text(to_chain_map_html(report, labels=labels, template=template), encoding="utf-8")
        return path
    return _draw(report, path, labels, template, dpi)
