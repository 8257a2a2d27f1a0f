"""Where a record was read, and how a path is shown in an error; the error classes are in :mod:`graph.errors`."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from graph.errors import LoadError, LoadErrors

__all__ = ["LoadError", "LoadErrors", "Origin", "display_path"]


class Origin(NamedTuple):
    """Where a record was read: file and 1-based line.

    A named tuple: a bulk read makes one per row (270,000 for ChainKnowledgeGraph), and a frozen
    dataclass's constructor cost three times as much.

    >>> str(Origin("data/seed/wuhan.yaml", 12))
    'data/seed/wuhan.yaml:12'
    """

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def display_path(path: Path) -> str:
    """A path as people want to read it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
