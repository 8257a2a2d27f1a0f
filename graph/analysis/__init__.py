"""Offline analysis of the industry graph with networkx: plain functions over :func:`graph.export.to_networkx`.

* :mod:`graph.analysis.neighbours`: supply-chain neighbours (also over a store, in Cypher)
* :mod:`graph.analysis.chains`: chain coverage of a region and its fragile links
* :mod:`graph.analysis.centrality`: key links (betweenness, PageRank)
* :mod:`graph.analysis.communities`: partnership communities (Louvain)
* :mod:`graph.analysis.paths`: how two entities are connected

Algorithms that networkx can hand to a backend (betweenness, for one) run on ``nx-parallel`` when it is
installed (``pip install industry-graph[parallel]``) and ``NETWORKX_BACKEND_PRIORITY=parallel`` is set;
``INDGRAPH_NX_JOBS`` sets its number of jobs (:mod:`graph.analysis.backends`).
"""

from __future__ import annotations

from graph.analysis.backends import configure_parallel
from graph.analysis.neighbours import neighbours, store_neighbours

__all__ = ["neighbours", "store_neighbours"]

configure_parallel()  # from the environment: no code change to switch backends
