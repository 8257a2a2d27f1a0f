"""Read data files into the model, validating the whole load before anything is written.

>>> from loaders import load_paths
>>> data = load_paths(["data/seed"])          # raises LoadErrors listing every problem
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from graph.model import EntityType, GraphData
from graph.resources import seed_dir
from loaders.csv_loader import read_entities_csv, read_relations_csv
from loaders.errors import LoadError, LoadErrors, Origin, display_path
from loaders.records import Parsed
from loaders.validate import StoredNames, check
from loaders.yaml_loader import read_yaml

__all__ = ["DEFAULT_DATA", "LoadError", "LoadErrors", "Origin", "data_files", "load_paths", "read_files"]

DEFAULT_DATA = seed_dir()
_YAML = {".yaml", ".yml"}


def data_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[LoadError]]:
    """The data files named by ``paths`` (folders are searched recursively), in a stable order."""
    files: list[Path] = []
    errors: list[LoadError] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and (f.suffix in _YAML or f.suffix == ".csv"))
            if not found:
                errors.append(LoadError(display_path(p), 0, "", "no .yaml, .yml or .csv files in this folder"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            errors.append(LoadError(str(p), 0, "", "no such file or folder"))
    return list(dict.fromkeys(files)), errors


def read_file(path: Path) -> Parsed:
    name = path.name.lower()
    if path.suffix.lower() in _YAML:
        return read_yaml(path)
    if path.suffix.lower() == ".csv" and "relations" in name:
        return read_relations_csv(path)
    if path.suffix.lower() == ".csv" and "entities" in name:
        return read_entities_csv(path)
    p = Parsed()
    p.errors.append(
        LoadError(
            display_path(path),
            0,
            "",
            "unknown kind of file: expected .yaml, or a CSV named entities.csv / relations.csv",
        )
    )
    return p


def read_files(paths: Iterable[str | Path]) -> Parsed:
    """Read every file named by ``paths`` without cross-file checks."""
    files, errors = data_files(paths)
    parsed = Parsed(errors=errors)
    for f in files:
        parsed.extend(read_file(f))
    return parsed


KnownIds = Mapping[str, EntityType] | Callable[[set[str]], Mapping[str, EntityType]]


def load_paths(
    paths: Iterable[str | Path] | None = None, known: KnownIds | None = None, stored: StoredNames | None = None
) -> GraphData:
    """Read and validate files into one :class:`GraphData`.

    Parameters
    ----------
    paths : files or folders of YAML and CSV data; default the curated seed data.
    known : entities already in the store: relations may point at them, and a declared entity may not
        change its type. A mapping of id to type, or a function given the ids the load declares or
        points at (a store's ``known_types``).
    stored : finds stored entities by (case-folded) name, for the checks that an alias belongs to one
        entity (:func:`graph.ingest.validate` passes the store's).

    Raises
    ------
    LoadErrors : every problem found, each naming file, line and field.
    """
    parsed = read_files([DEFAULT_DATA] if paths is None else paths)
    if callable(known):
        # Declared ids are looked up too: reloading an id with another type would leave the old label.
        ids = {e.id for e, _ in parsed.entities} | {end for r, _ in parsed.relations for end in (r.source, r.target)}
        # (also when some records were refused: otherwise relations to stored entities would look broken)
        # Names and aliases too: one that is a stored entity's id would be shadowed by it in lookups.
        ids |= {n.strip() for e, _ in parsed.entities for n in e.names()}
        known = known(ids) if ids else {}
    parsed.errors.extend(check(parsed, known or {}, stored))
    if parsed.errors:
        raise LoadErrors(parsed.errors)
    return GraphData(entities=[e for e, _ in parsed.entities], relations=[r for r, _ in parsed.relations])
