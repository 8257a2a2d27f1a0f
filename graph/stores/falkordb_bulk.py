"""FalkorDB's own bulk-insert protocol (``GRAPH.BULK``), spoken directly from model records.

This is the binary format that the ``falkordb-bulk-loader`` tool produces from CSV files, built here
straight from :class:`~graph.model.GraphData` without CSV in between. It only creates a new graph: the
first call carries ``BEGIN`` and FalkorDB refuses it when the key exists. Nodes get internal ids 0, 1, …
in the order they are sent, which is how relations name their endpoints.

Format of one token (one "file" of the bulk loader): a header, then one record per node or relation.

- header: the label(s) (``Entity:Company``) or relation type, NUL-terminated; a 4-byte property count;
  the property names, each NUL-terminated.
- node record: one value per header property.
- relation record: 8-byte source and target node ids, then one value per header property.
- value: a type byte (0 null, 1 bool, 2 double, 3 string, 4 long, 5 array) and its payload (1 byte;
  8 bytes; NUL-terminated UTF-8; 8 bytes; 8-byte length and that many values). Null values are skipped.

>>> from graph.stores.falkordb_bulk import encode_value
>>> encode_value("锂")
b'\\x03\\xe9\\x94\\x82\\x00'
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.gcpause import gc_paused
from graph.model import Entity, Records, Relation

__all__ = ["BulkError", "BulkPlan", "NodePlan", "encode_value", "plan", "plan_nodes", "plan_relations", "send"]

_NULL, _BOOL, _DOUBLE, _STRING, _LONG, _ARRAY = (bytes([t]) for t in range(6))
_Q = struct.Struct("=q")
_D = struct.Struct("=d")
_QQ = struct.Struct("=QQ")
_I = struct.Struct("=I")
# Bytes per GRAPH.BULK call: well under redis' 512 MB argument limit, small enough to report progress often.
MAX_CALL_BYTES = 16_000_000


class BulkError(ValueError):
    """A value the bulk protocol cannot carry (a NUL character in text, an integer beyond 64 bits)."""


def encode_value(v: Any) -> bytes:
    """One property value in the bulk format (type byte + payload).

    Parameters
    ----------
    v : None, bool, int, float, str or a list of those

    Returns
    -------
    bytes

    Example
    -------
    >>> encode_value(None), encode_value(True), len(encode_value(1.5)), encode_value(["a"])[:1]
    (b'\\x00', b'\\x01\\x01', 9, b'\\x05')
    """
    if v is None:
        return _NULL
    if isinstance(v, str):
        if "\x00" in v:
            raise BulkError(f"text with a NUL character cannot be bulk-loaded: {v[:40]!r}")
        return _STRING + v.encode("utf-8") + b"\x00"
    if isinstance(v, bool):
        return _BOOL + (b"\x01" if v else b"\x00")
    if isinstance(v, int):
        try:
            return _LONG + _Q.pack(v)
        except struct.error:
            raise BulkError(f"integer out of the 64-bit range: {v}") from None
    if isinstance(v, float):
        return _DOUBLE + _D.pack(v)
    if isinstance(v, list | tuple):
        return _ARRAY + _Q.pack(len(v)) + b"".join(encode_value(x) for x in v)
    raise BulkError(f"unsupported value type {type(v).__name__}")


def _header(name: str, keys: Sequence[str]) -> bytes:
    return name.encode() + b"\x00" + _I.pack(len(keys)) + b"".join(k.encode() + b"\x00" for k in keys)


def _encoder() -> Callable[[Any], bytes]:
    """:func:`encode_value` with a memo of the text it has encoded: types, descriptions, levels, chain
    names and exchanges repeat on most records of a load, and the memo turns each into a dict lookup."""
    memo: dict[Any, bytes] = {}

    def enc(v: Any) -> bytes:
        if v is None:
            return _NULL
        kind = type(v)
        if kind is str or kind is int:  # bool and float stay apart (True == 1 == 1.0 as dict keys)
            b = memo.get(v) if kind is str else memo.get((int, v))
            if b is None:
                b = encode_value(v)
                memo[v if kind is str else (int, v)] = b
            return b
        return encode_value(v)

    return enc


def _record(props: dict[str, Any], keys: Sequence[str], enc: Callable[[Any], bytes] = encode_value) -> bytes:
    get = props.get
    return b"".join([enc(get(k)) for k in keys])


@dataclass
class _Group:
    header: bytes
    records: list[bytes] = field(default_factory=list)
    nodes: bool = True


@dataclass
class BulkPlan:
    """The encoded graph: node groups (one per entity type) then relation groups (one per type)."""

    groups: list[_Group]
    entities: Counter[str]
    relations: Counter[str]

    def calls(self, max_bytes: int = MAX_CALL_BYTES) -> Iterator[tuple[int, int, list[bytes], list[bytes]]]:
        """GRAPH.BULK calls: (node count, relation count, node tokens, relation tokens), each under max_bytes."""
        ntok: list[bytes] = []
        rtok: list[bytes] = []
        nodes, rels, size = 0, 0, 0
        for g in self.groups:
            chunk: list[bytes] = []
            chunk_size = len(g.header)
            for rec in g.records:
                if size + chunk_size + len(rec) > max_bytes and (chunk or ntok or rtok):
                    if chunk:
                        (ntok if g.nodes else rtok).append(g.header + b"".join(chunk))
                    yield nodes, rels, ntok, rtok
                    nodes, rels, ntok, rtok, size = 0, 0, [], [], 0
                    chunk, chunk_size = [], len(g.header)
                chunk.append(rec)
                chunk_size += len(rec)
                if g.nodes:
                    nodes += 1
                else:
                    rels += 1
            if chunk:
                (ntok if g.nodes else rtok).append(g.header + b"".join(chunk))
                size += chunk_size
        if nodes or rels:
            yield nodes, rels, ntok, rtok


@dataclass
class NodePlan:
    """The encoded nodes: their groups, the internal id of each entity id, and the count per label."""

    groups: list[_Group]
    index: dict[str, int]
    entities: Counter[str]

    def bulk(self) -> BulkPlan:
        return BulkPlan(self.groups, self.entities, Counter())


@gc_paused()  # a record of bytes per node and relation: collections would rescan them all, to no avail
def plan_nodes(entities: Iterable[Entity], entity_props: Callable) -> NodePlan:
    """Encode ``entities`` for GRAPH.BULK, one group per label and set of properties.

    Raises
    ------
    BulkError : a value the protocol cannot carry.
    """
    # Records are encoded as they are read (a load streamed from its files is never held whole), in one
    # group per label or type and set of properties: each group is a token with its own header.
    enc = _encoder()
    node_groups: dict[tuple[str, tuple[str, ...]], tuple[_Group, list[str]]] = {}
    counts: Counter[str] = Counter()
    for e in entities:
        props = entity_props(e)
        label = e.type._value_
        keys = tuple(props)
        found = node_groups.get((label, keys))
        if found is None:
            found = node_groups[(label, keys)] = (_Group(_header(f"Entity:{label}", keys)), [])
        found[0].records.append(_record(props, keys, enc))
        found[1].append(props["id"])
        counts[label] += 1
    # FalkorDB numbers nodes in the order they are sent: group by group.
    index: dict[str, int] = {}
    for _, ids in node_groups.values():
        for i in ids:
            index[i] = len(index)
    return NodePlan([g for g, _ in node_groups.values()], index, counts)


@gc_paused()
def plan_relations(relations: Iterable[Relation], nodes: NodePlan, relation_props: Callable) -> BulkPlan | None:
    """Encode ``relations`` between the nodes of ``nodes``; None when one names an entity outside them.

    Raises
    ------
    BulkError : a value the protocol cannot carry.
    """
    enc = _encoder()
    index = nodes.index
    counts: Counter[str] = Counter()
    rel_groups: dict[tuple[str, tuple[str, ...]], _Group] = {}
    pack = _QQ.pack
    for r in relations:
        s, t = index.get(r.source), index.get(r.target)
        if s is None or t is None:
            return None
        props = relation_props(r)
        rtype = r.type._value_
        keys = tuple(props)
        group = rel_groups.get((rtype, keys))
        if group is None:
            group = rel_groups[(rtype, keys)] = _Group(_header(rtype, keys), nodes=False)
        group.records.append(pack(s, t) + _record(props, keys, enc))
        counts[rtype] += 1
    return BulkPlan(list(rel_groups.values()), Counter(), counts)


def plan(data: Records, entity_props: Callable, relation_props: Callable) -> BulkPlan | None:
    """Encode ``data`` for GRAPH.BULK (its nodes, then its relations); None when a relation names an entity
    outside ``data``.

    Raises
    ------
    BulkError : a value the protocol cannot carry.
    """
    nodes = plan_nodes(data.entities, entity_props)
    rels = plan_relations(data.relations, nodes, relation_props)
    if rels is None:
        return None
    return BulkPlan([*nodes.groups, *rels.groups], nodes.entities, rels.relations)


def send(
    conn: Any,
    graph: str,
    bulk: BulkPlan,
    progress: Callable[[int], None] | None = None,
    max_bytes: int = MAX_CALL_BYTES,
    check: Callable[[], None] | None = None,
    begin: bool = True,
) -> int:
    """Send the plan as GRAPH.BULK calls on a redis connection; return how many calls were made.

    The first call carries ``BEGIN`` (unless ``begin`` is False: a plan that adds to a graph an earlier
    plan began), so FalkorDB refuses the whole load if ``graph`` exists.
    ``check`` runs before each call (and may raise to stop between calls).
    """
    n = 0
    for nodes, rels, ntok, rtok in bulk.calls(max_bytes):
        if check:
            check()
        args: list[Any] = [nodes, rels, len(ntok), len(rtok), *ntok, *rtok]
        if n == 0 and begin:
            args.insert(0, "BEGIN")
        conn.execute_command("GRAPH.BULK", graph, *args)
        n += 1
        if progress:
            progress(nodes + rels)
    return n
