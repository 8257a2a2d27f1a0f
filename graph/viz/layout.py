"""Node positions shared by the HTML page and the static figures, so both show the same picture.

Each connected component is laid out on its own (Kamada-Kawai up to 120 nodes, a seeded
Fruchterman-Reingold spring layout above), scaled so that a typical edge has unit length, and the
components are packed in rows, largest first. The result is deterministic for a given graph.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

__all__ = ["layout"]

# Kamada-Kawai reads best for small components but is slow beyond a hundred-odd nodes; above that a
# vectorised Fruchterman-Reingold (all pairs at once in numpy, so O(n^2) memory) up to _DENSE_MAX
# nodes, and networkx's sparse spring layout beyond.
_KK_MAX = 120
_DENSE_MAX = 2500


def _fruchterman_reingold(h: nx.Graph, nodes: list, seed: int, iterations: int = 60) -> dict[str, np.ndarray]:
    """Fruchterman-Reingold with every pairwise force computed at once (networkx's dense variant)."""
    n = len(nodes)
    adj = nx.to_numpy_array(h, nodelist=nodes, weight=None)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    k = math.sqrt(1.0 / n)
    t = 0.1  # the temperature: the largest step, cooled linearly to nothing
    dt = t / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=-1)
        np.clip(dist, 0.01, None, out=dist)
        # repulsion k^2/d between all pairs, attraction d^2/k along edges
        disp = np.einsum("ijk,ij->ik", delta, k * k / dist**2 - adj * dist / k)
        length = np.linalg.norm(disp, axis=-1)
        length = np.where(length < 0.01, 0.1, length)
        pos += disp * (t / length)[:, None]
        t -= dt
    return dict(zip(nodes, pos, strict=True))


def _component_layout(h: nx.Graph, seed: int) -> dict[str, np.ndarray]:
    n = h.number_of_nodes()
    nodes = sorted(h.nodes)
    if n == 1:
        return {nodes[0]: np.zeros(2)}
    if n == 2:
        return {nodes[0]: np.array([-0.5, 0.0]), nodes[1]: np.array([0.5, 0.0])}
    # networkx seeds positions from node order: sort for a layout that does not depend on load order
    h = nx.Graph(h.subgraph(nodes))
    h2 = nx.Graph()
    h2.add_nodes_from(nodes)
    h2.add_edges_from(sorted(h.edges))
    if n <= _KK_MAX:
        start = nx.spring_layout(h2, seed=seed, iterations=100)
        pos = nx.kamada_kawai_layout(h2, pos=start)
    elif n <= _DENSE_MAX:
        pos = _fruchterman_reingold(h2, nodes, seed)
    else:
        pos = nx.spring_layout(h2, seed=seed, iterations=30)
    # Unit median edge length, so components of different sizes share one scale.
    lengths = [np.linalg.norm(pos[u] - pos[v]) for u, v in h2.edges]
    unit = float(np.median(lengths)) if lengths else 1.0
    return {k: np.asarray(p) / (unit or 1.0) for k, p in pos.items()}


def _flow_layout(g: nx.MultiDiGraph, comp: set, flow: str, seed: int) -> dict[str, np.ndarray] | None:
    """Layers along the ``flow`` relations, left to right; other nodes placed around them by a spring layout.

    ``None`` when the component has no such relation. Cycles are collapsed (a cycle's nodes share a layer).
    """
    d = nx.DiGraph()
    d.add_edges_from((u, v) for u, v, t in g.subgraph(comp).edges(data="type") if t == flow and u != v)
    if d.number_of_edges() == 0:
        return None
    cond = nx.condensation(d)
    layer_of_scc: dict[int, int] = {}
    for c in nx.topological_sort(cond):  # longest path from a source: upstream on the left
        layer_of_scc[c] = max((layer_of_scc[p] + 1 for p in cond.predecessors(c)), default=0)
    layer = {n: layer_of_scc[cond.graph["mapping"][n]] for n in d}
    columns: dict[int, list] = {}
    for n in sorted(d, key=str):
        columns.setdefault(layer[n], []).append(n)
    y: dict = {}
    for col in sorted(columns):
        nodes = columns[col]
        # order a column by the mean height of its upstream neighbours (barycentre), to uncross links
        nodes.sort(key=lambda n: (np.mean([y[p] for p in d.predecessors(n) if p in y] or [0.0]), str(n)))
        for i, n in enumerate(nodes):
            y[n] = (len(nodes) - 1) / 2 - i
    fixed = {n: np.array([layer[n] * 2.2, y[n] * 1.2]) for n in d}
    rest = sorted(comp - set(d), key=str)
    if not rest:
        return fixed
    h = nx.Graph(g.subgraph(comp).to_undirected(as_view=True))
    # Related sectors (parents, sub-sectors off the chain) go in a row above the layers, who works in the
    # chain (bases, parks, companies, projects) in a row below: each over the middle of the chain nodes
    # it touches, spread apart where they would collide.
    top, bottom = max(p[1] for p in fixed.values()) + 1.6, min(p[1] for p in fixed.values()) - 1.6
    touching = sorted(
        (n for n in rest if any(m in fixed for m in h[n])),
        key=lambda n: (float(np.mean([fixed[m][0] for m in h[n] if m in fixed])), str(n)),
    )
    sectors = [n for n in touching if g.nodes[n].get("type") == "Sector"]
    others = [n for n in touching if g.nodes[n].get("type") != "Sector"]
    for row, y_row in ((sectors, top), (others, bottom)):
        x_prev = -math.inf
        for n in row:
            x = max(float(np.mean([fixed[m][0] for m in h[n] if m in fixed])), x_prev + 1.8)
            fixed[n] = np.array([x, y_row])
            x_prev = x
    rest = [n for n in rest if n not in fixed]
    if not rest:
        return fixed
    rng = np.random.default_rng(seed)
    start = dict(fixed)
    for n in rest:  # the others (a city of a base ...) start near what they touch, then settle
        near = [fixed[m] for m in h[n] if m in fixed]
        base = np.mean(near, axis=0) if near else np.mean(list(fixed.values()), axis=0)
        start[n] = base + rng.normal(0, 0.6, 2)
    pos = nx.spring_layout(h, pos=start, fixed=list(fixed), k=1.1, iterations=80, seed=seed)
    return {n: np.asarray(p) for n, p in pos.items()}


def layout(g: nx.Graph, seed: int = 7, aspect: float = 1.6, flow: str | None = None) -> dict[str, tuple[float, float]]:
    """Positions for every node of ``g``, in units of a typical edge length (y grows upwards).

    Parameters
    ----------
    g : Graph, DiGraph or MultiDiGraph
        The graph to lay out; direction and parallel edges are ignored (except for ``flow``).
    seed : int
        Seed of the spring layout, for repeatable pictures.
    aspect : float
        Width / height the packed components aim for.
    flow : str, optional
        A relation type (``"PART_OF_CHAIN"``) whose links run left to right in layers, upstream first:
        an industry chain reads as a flow. Other nodes are placed around the layers.

    Returns
    -------
    dict
        node -> (x, y).

    Example
    -------
    >>> pos = layout(nx.path_graph(3))
    >>> sorted(pos) == [0, 1, 2] and all(len(p) == 2 for p in pos.values())
    True
    """
    h = nx.Graph(g.to_undirected(as_view=True)) if g.is_directed() else nx.Graph(g)
    comps = sorted(nx.connected_components(h), key=lambda c: (-len(c), min(map(str, c))))
    boxes = []
    for comp in comps:
        pos = (_flow_layout(g, comp, flow, seed) if flow and g.is_directed() else None) or _component_layout(
            h.subgraph(comp), seed
        )
        pts = np.array(list(pos.values()))
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        boxes.append((pos, lo, hi - lo))
    # Shelf packing: fill a row up to the target width, then start the next one below.
    total_area = sum((w + 1.5) * (h_ + 1.5) for _, _, (w, h_) in boxes) or 1.0
    row_width = max(math.sqrt(total_area * aspect), max((w for _, _, (w, _) in boxes), default=0.0))
    out: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    gap = 1.5
    for pos, lo, (w, h_) in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y - row_height - gap, 0.0
        for node, p in pos.items():
            # top-left of the box at (x, y): components flow left to right, rows downwards
            out[node] = (float(p[0] - lo[0] + x), float(p[1] - lo[1] - h_ + y))
        x += w + gap
        row_height = max(row_height, h_)
    return out
