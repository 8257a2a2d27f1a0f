"""Load errors: each names a file, a line (or CSV row's line) and a field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Origin:
    """Where a record was read: file and 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class LoadError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        file, field, message = _one_line(self.file), _one_line(self.field), _one_line(self.message)
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {field}: {message}" if field else f"{where}: {message}"

    def as_dict(self) -> dict[str, str | int]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class LoadErrors(Exception):
    """Raised when a load has bad input. Carries every error found; nothing was written."""

    def __init__(self, errors: Iterable[LoadError]):
        self.errors = sorted(set(errors))
        n = len(self.errors)
        super().__init__(
            f"{n} error{'s' if n != 1 else ''} in input, nothing was loaded:\n"
            + "\n".join(f"  {e}" for e in self.errors)
        )


def _one_line(text: str) -> str:
    """``text`` with control characters (newlines, NUL, ...) escaped: one error is one line of output."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def display_path(path: Path) -> str:
    """A path as people want to read it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
