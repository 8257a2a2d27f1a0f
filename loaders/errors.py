"""Where a record was read, and how a path is shown in an error; the error classes are in :mod:`graph.errors`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.errors import LoadError, LoadErrors

__all__ = ["LoadError", "LoadErrors", "Origin", "display_path"]


@dataclass(frozen=True, order=True, slots=True)
class Origin:
    """Where a record was read: file and 1-based line."""

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
