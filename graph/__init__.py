"""industry-graph: China's regional industrial landscape as a graph.

The public face of the library; everything here is documented in ``docs/python-api.md``::

    import graph

    with graph.open_store() as store:             # the embedded FalkorDB; open_store("neo4j", uri=…)
        graph.load(store)                          # the curated seed data, validated, all or nothing
        eid = graph.resolve(store, "battery cells")
        report = graph.store_neighbours(store, eid, "up")   # report.rows: the suppliers, with paths
        G = graph.to_networkx(store.dump())
    graph.render(graph.viz_view(G, "partnerships")[0], "partnerships.html")

Names are imported on first use, so ``import graph`` (and the CLI) stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> module that defines it
_EXPORTS = {
    # stores
    "open_store": "graph.stores",
    "Store": "graph.stores",
    "QueryResult": "graph.stores",
    "WriteSummary": "graph.stores",
    # the model
    "Entity": "graph.model",
    "Relation": "graph.model",
    "GraphData": "graph.model",
    "EntityType": "graph.model",
    "RelType": "graph.model",
    "Source": "graph.model",
    # reading and loading
    "read_files": "loaders",
    "load_paths": "loaders",
    "validate": "graph.ingest",
    "load": "graph.ingest",
    "import_admin": "graph.ingest",
    "import_universities": "graph.ingest",
    "import_chainkg": "graph.ingest",
    # lookup
    "resolve": "graph.lookup",
    "entity_card": "graph.card",
    # networkx
    "to_networkx": "graph.nxgraph",
    "from_networkx": "graph.nxgraph",
    "read_node_link": "graph.nxgraph",
    "write_node_link": "graph.nxgraph",
    # analyses
    "neighbours": "graph.analysis.neighbours",
    "store_neighbours": "graph.analysis.neighbours",
    "chain_coverage": "graph.analysis.chains",
    "fragile_links": "graph.analysis.chains",
    "key_links": "graph.analysis.centrality",
    "partnership_communities": "graph.analysis.communities",
    "connection_paths": "graph.analysis.paths",
    # pictures
    "render": "graph.viz",
    "viz_view": ("graph.viz.select", "view"),
    # errors
    "IndustryGraphError": "graph.errors",
}

__all__ = [
    "Entity",
    "EntityType",
    "GraphData",
    "IndustryGraphError",
    "QueryResult",
    "RelType",
    "Relation",
    "Source",
    "Store",
    "WriteSummary",
    "chain_coverage",
    "connection_paths",
    "entity_card",
    "fragile_links",
    "from_networkx",
    "import_admin",
    "import_chainkg",
    "import_universities",
    "key_links",
    "load",
    "load_paths",
    "neighbours",
    "open_store",
    "partnership_communities",
    "read_files",
    "read_node_link",
    "render",
    "resolve",
    "store_neighbours",
    "to_networkx",
    "validate",
    "viz_view",
    "write_node_link",
]


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'graph' has no attribute '{name}'")
    module, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from graph.analysis.centrality import key_links
    from graph.analysis.chains import chain_coverage, fragile_links
    from graph.analysis.communities import partnership_communities
    from graph.analysis.neighbours import neighbours, store_neighbours
    from graph.analysis.paths import connection_paths
    from graph.card import entity_card
    from graph.errors import IndustryGraphError
    from graph.ingest import import_admin, import_chainkg, import_universities, load, validate
    from graph.lookup import resolve
    from graph.model import Entity, EntityType, GraphData, Relation, RelType, Source
    from graph.nxgraph import from_networkx, read_node_link, to_networkx, write_node_link
    from graph.stores import QueryResult, Store, WriteSummary, open_store
    from graph.viz import render
    from graph.viz.select import view as viz_view
    from loaders import load_paths, read_files
