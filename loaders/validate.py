"""Checks across a whole load: unique ids and aliases, relation endpoints and allowed triples."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from graph.model import ALLOWED, Entity, EntityType, Relation, RelType, allowed_targets
from loaders.errors import LoadError, Origin
from loaders.records import Parsed

# Entities already in the store that answer to some of the given folded names: (id, names, aliases).
StoredNames = Callable[[set[str]], Iterable[tuple[str, list[str], list[str]]]]


def fold(name: str) -> str:
    """A name as lookups compare it: Unicode NFC (``Café`` typed or decomposed is one name), case folded.

    >>> fold("Cafe\u0301 R\u00e9sum\u00e9") == fold("CAFÉ RÉSUMÉ")
    True
    """
    return unicodedata.normalize("NFC", name).casefold()


def shown(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for an error message (a 100 KB value is not echoed whole).

    >>> shown("x" * 100)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…(100 characters)'
    """
    return text if len(text) <= limit else f"{text[: limit - 1]}…({len(text)} characters)"


def check(parsed: Parsed, known: Mapping[str, EntityType], stored: StoredNames | None = None) -> list[LoadError]:
    """Every cross-record problem in ``parsed``.

    ``known`` are ids already in the store (with their types); ``stored`` finds stored entities by name,
    so that a new alias cannot claim a name a stored entity answers to, nor a new name a stored alias.
    """
    # Bulk imports pass 270,000 records through here: one pass over the entities gathers ids and names,
    # names are folded once each, and where a claim was made is kept as its Origin, formatted only into
    # an error.
    errors: list[LoadError] = []
    types: dict[str, EntityType] = dict(known)
    first: dict[str, Origin] = {}
    # An alias belongs to one entity: it may not be another entity's alias, name or Chinese name, in this
    # load or in the store, nor any entity's id (lookups try ids first). Names are compared as lookups
    # compare them: NFC-normalised and case-folded. (Two entities may share a name; lookups list both.)
    folded: dict[str, str] = {}  # name -> fold(name)

    def fold_once(name: str) -> str:
        f = folded.get(name)
        if f is None:
            f = folded[name] = fold(name)
        return f

    claims: dict[str, dict[str, str | Origin]] = {}  # folded name -> entity id -> where it is claimed
    for e, origin in parsed.entities:
        eid = e.id
        for name in (e.name, e.name_zh, *e.aliases) if e.aliases else (e.name, e.name_zh):
            if not name:  # no Chinese name
                continue
            holders = claims.get(f := fold_once(name))
            if holders is None:
                claims[f] = {eid: origin}
            elif eid not in holders:
                holders[eid] = origin
        if eid in first:
            errors.append(
                LoadError(origin.file, origin.line, "id", f"duplicate id '{shown(eid)}' (first at {first[eid]})")
            )
            continue
        first[eid] = origin
        if eid in known and known[eid] != e.type:
            # The stores add labels on upsert and never remove one: a reload cannot change the type.
            errors.append(
                LoadError(
                    origin.file,
                    origin.line,
                    "type",
                    f"'{eid}' is already a {known[eid]} in the store; an entity's type cannot change (delete it first)",
                )
            )
        types[eid] = e.type
    stored_aliases: dict[str, set[str]] = {}  # folded alias -> stored ids holding it (not declared here)
    if stored is not None:
        declared = {e.id for e, _ in parsed.entities}
        # (endpoints that are no id may be names: looked up too, for a suggestion)
        wanted = set(claims) | {
            fold(end) for r, _ in parsed.relations for end in (r.source, r.target) if end not in types
        }
        for sid, names, aliases in stored(wanted) if wanted else ():
            if sid in declared:  # the load's own record of it replaces the stored one
                continue
            for name in [*names, *aliases]:
                claims.setdefault(fold(name), {}).setdefault(sid, "in the store")
            for alias in aliases:
                stored_aliases.setdefault(fold(alias), set()).add(sid)
    ids = {i.casefold(): i for i in types}
    ids.update((i.casefold(), i) for i in known)  # a stored id wins a clash of case, as it always has
    for e, origin in parsed.entities:
        eid = e.id
        for alias in e.aliases:
            others = {i: where for i, where in claims[fold_once(alias)].items() if i != eid}
            for other_id, where in sorted(others.items()):
                errors.append(
                    LoadError(
                        origin.file,
                        origin.line,
                        "aliases",
                        f"alias '{shown(alias)}' is also claimed by '{other_id}' ({where})",
                    )
                )
        if not (e.aliases or stored_aliases):  # the usual entity: its names are no other entity's id
            name, name_zh = e.name, e.name_zh
            other = ids.get(name.strip().casefold())
            if (other is None or other == eid) and (
                not name_zh or name_zh == name or ids.get(name_zh.strip().casefold(), eid) == eid
            ):
                continue
        named: list[tuple[str, str]] = [("name", e.name), *(("aliases", a) for a in e.aliases)]
        if e.name_zh:
            named.insert(1, ("name_zh", e.name_zh))
        for field, name in named:
            other = ids.get(name.strip().casefold())
            if other is not None and other != eid:
                errors.append(
                    LoadError(
                        origin.file,
                        origin.line,
                        field,
                        f"'{shown(name)}' is the id of another entity ('{other}'): a lookup would find that one",
                    )
                )
            elif field != "aliases" and stored_aliases:
                for other_id in sorted(stored_aliases.get(fold_once(name), set()) - {eid}):
                    errors.append(
                        LoadError(
                            origin.file,
                            origin.line,
                            field,
                            f"'{shown(name)}' is an alias of '{other_id}' in the store: an alias belongs to one entity",
                        )
                    )

    seen: dict[tuple[str, RelType, str, str], Origin] = {}
    refused = parsed.refused_ids
    for r, origin in parsed.relations:
        before = len(seen)
        # r.key, spelled out: a property call per relation was a fifth of this check on ChainKG
        first_at = seen.setdefault((r.source, r.type, r.target, r.chain or ""), origin)
        if len(seen) == before:  # the key was there (one lookup where `in` and a store took two)
            errors.append(
                LoadError(
                    origin.file,
                    origin.line,
                    "type",
                    f"duplicate relation {shown(r.source)} -{r.type}-> {shown(r.target)} (first at {first_at})",
                )
            )
            continue
        src, dst = r.source, r.target
        s, t = types.get(src), types.get(dst)
        if s is None or t is None or (refused and (src in refused or dst in refused)):
            for field, end, end_type in (("from", src, s), ("to", dst, t)):
                if end in refused:  # its own error is listed already
                    continue
                if end_type is None:
                    errors.append(LoadError(origin.file, origin.line, field, _no_entity(end, claims)))
            continue
        if (s, r.type, t) not in ALLOWED:
            ok = ", ".join(allowed_targets(s, r.type)) or "nothing"
            errors.append(
                LoadError(
                    origin.file, origin.line, "type", f"{s} -{r.type}-> {t} is not allowed ({s} -{r.type}-> {ok})"
                )
            )
    return errors


def _no_entity(end: str, claims: Mapping[str, Mapping[str, object]]) -> str:
    """``no entity with id …``, and which entity it names when it is a name (``to: Wuhan``)."""
    text = f"no entity with id '{shown(end)}'"
    named = sorted(claims.get(fold(end.strip()), {}))
    if named:
        ids = " or ".join(f"'{i}'" for i in named[:3]) + (" …" if len(named) > 3 else "")
        text += f"; '{shown(end)}' is a name of {ids}: relations take ids"
    return text


class EntityFacts:
    """The little of an entity that :func:`check` reads, kept while a large load streams by
    (:func:`loaders.scan_paths`): id, type, names and aliases."""

    __slots__ = ("aliases", "id", "name", "name_zh", "type")

    def __init__(self, e: Entity):
        self.id, self.type, self.name, self.name_zh = e.id, e.type, e.name, e.name_zh
        self.aliases = tuple(e.aliases)

    def names(self) -> list[str]:
        return [self.name, *([self.name_zh] if self.name_zh else []), *self.aliases]


class RelationFacts:
    """The little of a relation that :func:`check` reads; endpoint ids are interned (shared)."""

    __slots__ = ("chain", "source", "target", "type")

    def __init__(self, r: Relation):
        self.source, self.type, self.target = sys.intern(r.source), r.type, sys.intern(r.target)
        self.chain = r.chain

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.source, self.type._value_, self.target, self.chain or "")
