"""Pausing Python's cyclic garbage collector around work that allocates a great many objects.

With a graph of 100k+ nodes alive, every full collection rescans all its dicts; indexing every name of
such a graph, or building a derived graph over it, allocates enough to trigger many of them, which
tripled the time of the analyses on the ChainKnowledgeGraph graph (bench/analysis_bench.py). Reference
counting still frees memory meanwhile; nothing paused here makes garbage cycles. What the paused work made
is left to the oldest generation, as long-lived data is.

>>> import gc
>>> with gc_paused():
...     gc.isenabled()
False
>>> @gc_paused()
... def work() -> bool:
...     return gc.isenabled()
>>> work(), gc.isenabled()
(False, True)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """A context manager (and decorator) that pauses the cyclic collector, and restores it after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What was made meanwhile is still young: the first allocation after enable() would scan all of
            # it (0.3 s after a ChainKG read). freeze() + unfreeze() moves it to the oldest generation
            # unscanned, where garbage cycles are still found, by the next full collection.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
