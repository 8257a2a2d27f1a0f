"""Graph stores behind one interface: the embedded FalkorDB (default) and Neo4j.

>>> from graph.stores import open_store
>>> with open_store() as store:          # doctest: +SKIP
...     store.stats()
"""

from __future__ import annotations

from typing import Any, Literal

from graph.errors import ReadOnlyError, StoreError
from graph.stores.base import QueryResult, Store, WriteSummary

StoreKind = Literal["falkordb", "neo4j"]
STORES: tuple[str, ...] = ("falkordb", "neo4j")

__all__ = ["STORES", "QueryResult", "ReadOnlyError", "Store", "StoreError", "WriteSummary", "open_store"]


def open_store(kind: str = "falkordb", **options: Any) -> Store:
    """Open a store by name. Options go to the store's constructor (``home``, ``graph``; ``uri``, …)."""
    if kind == "falkordb":
        from graph.stores.falkordb import FalkorStore

        return FalkorStore(**options)
    if kind == "neo4j":
        from graph.stores.neo4j import Neo4jStore

        return Neo4jStore(**options)
    raise StoreError(f"unknown store '{kind}'; choose one of {', '.join(STORES)}")
