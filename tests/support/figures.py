"""Figures of the reliability tests (examples tried, crashes survived, queries served).

Tests count what they did with :func:`count`; with ``INDGRAPH_RECORD_FIGURES=1`` the counts of a run are
merged into ``bench/reliability_figures.json`` when each test module finishes (nothing is written otherwise).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

FIGURES_FILE = Path(__file__).resolve().parents[2] / "bench" / "reliability_figures.json"
_counts: dict[str, Counter[str]] = {}


def count(test: str, what: str, n: int = 1) -> None:
    """Add ``n`` to the figure ``what`` of ``test``."""
    _counts.setdefault(test, Counter())[what] += n


def note(test: str, what: str, value: float) -> None:
    """Set a figure that is a measurement rather than a count (e.g. queries per second)."""
    _counts.setdefault(test, Counter())[what] = value  # type: ignore[assignment]


def flush() -> None:
    if os.environ.get("INDGRAPH_RECORD_FIGURES") != "1" or not _counts:
        return
    try:
        saved = json.loads(FIGURES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    for test, figures in _counts.items():
        saved[test] = dict(sorted(figures.items()))
    FIGURES_FILE.write_text(json.dumps(dict(sorted(saved.items())), indent=1) + "\n", encoding="utf-8")
    _counts.clear()


@pytest.fixture(scope="module", autouse=True)
def record_figures() -> Iterator[None]:
    """Write this module's figures when it finishes (only with INDGRAPH_RECORD_FIGURES=1)."""
    yield
    flush()
