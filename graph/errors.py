"""Every error the library raises for a problem a user can fix, under one root.

Catch :class:`IndustryGraphError` to handle them all; the CLI does so in one place and prints the
message as one line. Each message says what went wrong and, where it can, what to do.

>>> from graph.errors import IndustryGraphError, UnknownQueryError
>>> issubclass(UnknownQueryError, IndustryGraphError)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AmbiguousEntityError",
    "ArgumentError",
    "DataSetError",
    "EntityLookupError",
    "FontMissingError",
    "GraphFileError",
    "IndustryGraphError",
    "Interrupted",
    "LoadError",
    "LoadErrors",
    "OutputError",
    "PersistenceError",
    "QueryParameterError",
    "ReadOnlyError",
    "ServerError",
    "StoreError",
    "TooLargeError",
    "UnknownEntityError",
    "UnknownQueryError",
    "UnsupportedFormatError",
    "VizError",
]


class IndustryGraphError(Exception):
    """The root of every user-facing error of industry-graph."""


# -- stores ------------------------------------------------------------------------------------------
class StoreError(IndustryGraphError):
    """A store could not be reached or refused a statement; the message says what to do."""


class ReadOnlyError(StoreError):
    """A statement that writes was sent without ``write=True``."""


class ServerError(StoreError):
    """The embedded FalkorDB server could not be started, reached or stopped."""


class PersistenceError(StoreError):
    """The store cannot save writes (a full disk): it refuses them until it can."""


class Interrupted(IndustryGraphError):
    """Ctrl-C or SIGTERM stopped a command; for a write, at a batch boundary (the message says what was written)."""


class ArgumentError(IndustryGraphError, ValueError):
    """An argument is out of range or malformed (a direction, a number of hops, a parameter)."""


class UnknownQueryError(IndustryGraphError):
    """No named query of that name in the library."""


class QueryParameterError(ArgumentError):
    """A query's parameters are missing or cannot be used."""


# -- lookup ------------------------------------------------------------------------------------------
class EntityLookupError(IndustryGraphError):
    """A text did not name exactly one entity; ``candidates`` are the matches or the suggestions."""

    def __init__(self, message: str, candidates: Sequence[Any] = ()):
        super().__init__(message)
        self.candidates = list(candidates)


class AmbiguousEntityError(EntityLookupError):
    """A name matches more than one entity; the message lists them."""


class UnknownEntityError(EntityLookupError):
    """Nothing matches; the message suggests close names."""


# -- pictures ----------------------------------------------------------------------------------------
class VizError(IndustryGraphError):
    """A picture or graph file cannot be written as asked."""


class UnsupportedFormatError(VizError):
    """The output file's extension names no format the viz module writes."""


class FontMissingError(VizError):
    """Chinese labels were asked for but no CJK font is installed."""


class TooLargeError(VizError):
    """The view is too large for the format (e.g. a Mermaid chart of hundreds of nodes)."""


# -- files ------------------------------------------------------------------------------------------
class OutputError(IndustryGraphError):
    """An output file could not be written (a folder, a missing parent, a full disk, no permission)."""


class GraphFileError(IndustryGraphError):
    """A graph file to read (node-link JSON) is missing, malformed or not a graph."""


# -- importing ---------------------------------------------------------------------------------------
class DataSetError(IndustryGraphError):
    """A public data set to import is missing or incomplete (a folder without its files)."""


# -- loading -----------------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class LoadError:
    """One problem in the input: file, 1-based line (0: the file as a whole), field and message."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        file, field, message = _one_line(self.file), _cut(_one_line(self.field), 80), _one_line(self.message)
        message = _cut(message, 400)  # a message quoting a huge value (a 100 KB key) stays readable
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {field}: {message}" if field else f"{where}: {message}"

    def as_dict(self) -> dict[str, str | int]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class LoadErrors(IndustryGraphError):
    """Bad input: carries every :class:`LoadError` found; nothing was written."""

    def __init__(self, errors: Iterable[LoadError]):
        self.errors = sorted(set(errors))
        n = len(self.errors)
        super().__init__(
            f"{n} error{'s' if n != 1 else ''} in input, nothing was loaded:\n"
            + "\n".join(f"  {e}" for e in self.errors)
        )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…({len(text)} characters)"


def _one_line(text: str) -> str:
    """``text`` with control characters (newlines, NUL, ...) escaped: one error is one line of output."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
