"""Pictures of the graph: choose a part of it (:mod:`graph.viz.select`) and write it to a file.

:func:`render` picks the output by the file's extension:

========================  ==============================================================
``.html``                 self-contained interactive page (:mod:`graph.viz.html`)
``.png`` ``.svg`` ``.pdf``  static matplotlib figure (:mod:`graph.viz.static`)
``.graphml`` ``.gexf``    files for Gephi / yEd (:mod:`graph.viz.files`)
``.mmd``                  Mermaid flowchart, for small subgraphs (:mod:`graph.viz.files`)
========================  ==============================================================

>>> import tempfile, networkx as nx
>>> g = nx.MultiDiGraph(); g.add_node("cn-420100", type="City", name="Wuhan", name_zh="武汉")
>>> render(g, Path(tempfile.mkdtemp()) / "wuhan.mmd").suffix
'.mmd'
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graph.errors import OutputError, UnsupportedFormatError
from graph.outfile import output_file
from graph.viz.style import Labels

__all__ = ["FORMATS", "render"]

FORMATS = (".html", ".png", ".svg", ".pdf", ".graphml", ".gexf", ".mmd")


def render(
    sub: nx.MultiDiGraph,
    path: Path | str,
    labels: Labels = "en",
    title: str | None = None,
    max_mermaid_nodes: int | None = 100,
    pos: dict | None = None,
) -> Path:
    """Write ``sub`` to ``path`` in the format its extension names.

    Parameters
    ----------
    sub : MultiDiGraph
        The graph to draw, e.g. a view from :mod:`graph.viz.select`.
    path : path
        Output file: ``.html``, ``.png``, ``.svg``, ``.pdf``, ``.graphml``, ``.gexf`` or ``.mmd``.
    labels : "en" or "zh"
        English names, or Chinese names where the entity has one.
    title : str, optional
        Title of the page or figure.
    max_mermaid_nodes : int or None
        Refuse a Mermaid chart above this many nodes (``None``: no limit).
    pos : dict, optional
        Node positions (e.g. ``layout(sub, flow="PART_OF_CHAIN")`` for a chain); by default
        :func:`graph.viz.layout.layout`. Mermaid and GraphML files carry none.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    UnsupportedFormatError
        Unknown extension.
    graph.errors.OutputError
        The file cannot be written (a folder, no permission, a full disk); an older file is kept whole.
    graph.errors.FontMissingError
        Chinese labels in a PNG/SVG/PDF without a CJK font installed.
    graph.viz.TooLargeError
        A Mermaid chart of too many nodes.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise UnsupportedFormatError(f"can't write '{path.name}': use one of {', '.join(FORMATS)}")
    if str(path) not in ("", ".") and not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the folder {path.parent}: {exc.strerror}") from None
    with output_file(path) as tmp:  # a failed drawing never leaves a half-written file
        _write(sub, tmp, ext, labels, title, max_mermaid_nodes, pos)
    return path


def _write(
    sub: nx.MultiDiGraph,
    path: Path,
    ext: str,
    labels: Labels,
    title: str | None,
    max_mermaid_nodes: int | None,
    pos: dict | None,
) -> Path:
    if ext == ".html":
        from graph.viz.html import write_html

        return write_html(sub, path, labels=labels, title=title or "industry-graph", pos=pos)
    if ext in (".png", ".svg", ".pdf"):
        from graph.viz.static import draw  # matplotlib is imported only when a figure is drawn

        return draw(sub, path, labels=labels, title=title, pos=pos)
    from graph.viz import files

    if ext == ".graphml":
        return files.write_graphml(sub, path, labels=labels)
    if ext == ".gexf":
        return files.write_gexf(sub, path, labels=labels, pos=pos)
    return files.write_mermaid(sub, path, labels=labels, title=title, max_nodes=max_mermaid_nodes)
