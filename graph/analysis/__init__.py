"""Offline analysis of the industry graph with networkx: plain functions over :func:`graph.nxgraph.to_networkx`.

* :mod:`graph.analysis.neighbours`: supply-chain neighbours (also over a store, in Cypher)
* :mod:`graph.analysis.chains`: chain coverage of a region and its fragile links
* :mod:`graph.analysis.centrality`: key links (betweenness, PageRank)
* :mod:`graph.analysis.communities`: partnership communities (Louvain)
* :mod:`graph.analysis.paths`: how two entities are connected
* :mod:`graph.analysis.gds`: key links, communities and paths computed inside Neo4j by Graph Data Science
  (the same result types; ``indgraph analyse … --engine gds``)

Results are documented frozen dataclasses (or lists of them) holding plain data: ids, names, types,
numbers; an entity is an :class:`~graph.analysis.common.EntityRef`. There is no text laid out for display
in them (the CLI does that), and :func:`~graph.analysis.common.jsonable` turns any of them into JSON.

Algorithms that networkx can hand to a backend (betweenness, for one) run on ``nx-parallel`` when it is
installed (``pip install industry-graph[parallel]``) and ``NETWORKX_BACKEND_PRIORITY=parallel`` is set;
``INDGRAPH_NX_JOBS`` sets its number of jobs (:mod:`graph.analysis.backends`).
"""

from __future__ import annotations

from graph.analysis.backends import configure_parallel
from graph.analysis.common import EntityRef, jsonable
from graph.analysis.neighbours import Neighbour, NeighbourReport, neighbours, store_neighbours

__all__ = ["EntityRef", "Neighbour", "NeighbourReport", "jsonable", "neighbours", "store_neighbours"]

configure_parallel()  # from the environment: no code change to switch backends
