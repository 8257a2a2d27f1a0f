"""Loading files into a store: read, validate the whole load against the store, then write in batches.

>>> from graph.load import load
>>> from graph.stores import open_store
>>> with open_store() as store:                       # doctest: +SKIP
...     summary = load(store)                         # the curated seed data
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from graph.model import GraphData
from graph.stores.base import DEFAULT_BATCH, Progress, Store, WriteMode, WriteSummary
from loaders import load_paths


def validate(paths: Iterable[str | Path] | None, store: Store | None = None) -> GraphData:
    """Read and check every file; relation endpoints may also be entities already in ``store``.

    Raises :class:`loaders.LoadErrors` listing every problem; nothing is written.
    """
    return load_paths(paths, known=store.known_types if store is not None else None)


def load(
    store: Store,
    paths: Iterable[str | Path] | None = None,
    *,
    batch_size: int = DEFAULT_BATCH,
    mode: WriteMode = "merge",
    progress: Progress | None = None,
) -> WriteSummary:
    """Validate ``paths`` (default: the curated seed data) and write them to ``store``."""
    data = validate(paths, store)
    return store.write(data, batch_size=batch_size, mode=mode, progress=progress)
