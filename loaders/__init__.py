"""Read data files into the model, validating the whole load before anything is written.

>>> from loaders import load_paths
>>> data = load_paths(["data/seed"])          # raises LoadErrors listing every problem
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.gcpause import gc_paused
from graph.model import Entity, EntityType, GraphData, Relation
from graph.resources import seed_dir
from loaders.csv_loader import iter_entities_csv, iter_relations_csv, read_entities_csv, read_relations_csv
from loaders.errors import LoadError, LoadErrors, Origin, display_path
from loaders.records import Parsed, Reread
from loaders.validate import EntityFacts, RelationFacts, StoredNames, check
from loaders.yaml_loader import iter_yaml, read_yaml

__all__ = [
    "DEFAULT_DATA",
    "LoadError",
    "LoadErrors",
    "Origin",
    "Scan",
    "data_files",
    "load_paths",
    "read_files",
    "scan_paths",
]

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


def _unknown_kind(path: Path) -> LoadError:
    return LoadError(
        display_path(path), 0, "", "unknown kind of file: expected .yaml, or a CSV named entities.csv / relations.csv"
    )


_BOTH = ("entities", "relations")


def iter_file(
    path: Path, parsed: Parsed, sections: tuple[str, ...] = _BOTH, how: str | None = None
) -> Iterator[tuple[Entity | Relation, Origin] | Reread]:
    """The valid records of one data file, one at a time; problems (and refused ids) go to ``parsed``.

    ``sections``: ``entities``, ``relations`` or both; a CSV file of the other kind is not read.
    A :class:`~loaders.records.Reread` voids the records given so far from the file (a YAML file read
    again another way, ``how``, or refused as a whole; see :func:`loaders.yaml_loader.iter_yaml`).
    """
    name = path.name.lower()
    if path.suffix.lower() in _YAML:
        yield from iter_yaml(path, parsed, sections, how)
    elif path.suffix.lower() == ".csv" and "relations" in name:
        if "relations" in sections:
            yield from iter_relations_csv(path, parsed)
    elif path.suffix.lower() == ".csv" and "entities" in name:
        if "entities" in sections:
            yield from iter_entities_csv(path, parsed)
    else:
        parsed.errors.append(_unknown_kind(path))


def read_file(path: Path) -> Parsed:
    name = path.name.lower()
    if path.suffix.lower() in _YAML:
        return read_yaml(path)
    if path.suffix.lower() == ".csv" and "relations" in name:
        return read_relations_csv(path)
    if path.suffix.lower() == ".csv" and "entities" in name:
        return read_entities_csv(path)
    return Parsed(errors=[_unknown_kind(path)])


def read_files(paths: Iterable[str | Path]) -> Parsed:
    """Read every file named by ``paths`` without cross-file checks."""
    files, errors = data_files(paths)
    parsed = Parsed(errors=errors)
    for f in files:
        parsed.extend(read_file(f))
    return parsed


KnownIds = Mapping[str, EntityType] | Callable[[set[str]], Mapping[str, EntityType]]


@gc_paused()  # every record stays alive until the end: collections would rescan them all, to no avail
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


@dataclass
class Scan:
    """What :func:`scan_paths` found valid: the files and how many entities and relations they hold.

    :meth:`data` gives the records again, read from the files while they are used.
    """

    files: list[Path]
    entities: int
    relations: int
    stamps: list[tuple[int, int]] = field(default_factory=list)
    # how each file was read (a YAML file libyaml refuses, or of a rare shape): read again the same way
    hows: list[str | None] = field(default_factory=list)

    def data(self) -> FileData:
        """The checked records as a :class:`GraphData` whose lists read the files again each time they are
        iterated, so a store writes them batch by batch without the load ever being held whole.

        Raises LoadErrors while iterating when a file changed since it was checked.
        """
        return FileData(FileRecords(self, "entities", self.entities), FileRecords(self, "relations", self.relations))


@dataclass
class FileData:
    """A load's records read from its files while they are iterated: a :class:`graph.model.Records`."""

    entities: FileRecords
    relations: FileRecords


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _changed(path: Path) -> LoadError:
    return LoadError(display_path(path), 0, "", "the file changed while it was being loaded")


class FileRecords:
    """The entities or the relations of checked files, read again on every iteration (see :meth:`Scan.data`)."""

    def __init__(self, scan: Scan, section: str, count: int):
        self.scan, self.section, self.count = scan, section, count

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __iter__(self) -> Iterator[Any]:
        for path, stamp, how in zip(self.scan.files, self.scan.stamps, self.scan.hows, strict=True):
            if _stamp(path) != stamp:
                raise LoadErrors([_changed(path)])
            again = Parsed()
            for got in iter_file(path, again, (self.section,), how):
                if isinstance(got, Reread):  # read as checked, a file reads to its end: it changed since
                    raise LoadErrors(again.errors or [_changed(path)])
                yield got[0]
            if again.errors:  # changed within the same second, with the same size: never write what was not checked
                raise LoadErrors(again.errors)


@gc_paused()  # the facts stay alive until the end: collections would rescan them all, to no avail
def scan_paths(
    paths: Iterable[str | Path] | None = None, known: KnownIds | None = None, stored: StoredNames | None = None
) -> Scan:
    """Check files as :func:`load_paths` does, with the same errors, keeping no records.

    Each record is validated and dropped; only what the checks across the load need (ids, types, names,
    relation keys, where each was read) is kept, so memory follows that, not the files' size.

    Raises
    ------
    LoadErrors : every problem found, each naming file, line and field (the same list as load_paths).

    Example
    -------
    >>> scan = scan_paths(["data/seed"])
    >>> scan.entities > 100 and scan.relations > 100
    True
    """
    files, errors = data_files([DEFAULT_DATA] if paths is None else paths)
    stamps = [_stamp(f) for f in files]
    facts = Parsed(errors=errors)
    entities: list[tuple[Any, Origin]] = []
    relations: list[tuple[Any, Origin]] = []
    hows: list[str | None] = []
    for f in files:
        how, n_entities, n_relations = None, len(entities), len(relations)
        for got in iter_file(f, facts):
            if isinstance(got, Reread):  # what the file gave so far does not count
                how = got.how
                del entities[n_entities:], relations[n_relations:]
            elif isinstance(got[0], Entity):
                entities.append((EntityFacts(got[0]), got[1]))
            else:
                relations.append((RelationFacts(got[0]), got[1]))
        hows.append(how)
    # the checks read only ids, types, names and relation keys: the facts stand in for the records
    facts.entities, facts.relations = entities, relations
    if callable(known):
        # the same ids as load_paths looks up
        ids = {e.id for e, _ in entities} | {end for r, _ in relations for end in (r.source, r.target)}
        ids |= {n.strip() for e, _ in entities for n in e.names()}
        known = known(ids) if ids else {}
    errors.extend(check(facts, known or {}, stored))
    if errors:
        raise LoadErrors(errors)
    return Scan(files, len(entities), len(relations), stamps, hows)
