"""A YAML data file read one item of its top-level lists at a time, from the parser's events.

PyYAML (libyaml too) composes a whole document into nodes before it constructs anything: for a file of
100,000 entities that tree, and the values made from it, are most of a gigabyte. :func:`parts` follows the
parser's events instead and composes one top-level value, or one item of a top-level list, at a time; each
is constructed at once by the loader's own constructor, so memory follows the largest item, not the file.

Kept whole: the nodes of anchors (``&name``), since a later alias may use them, whichever item defined them
(the alias-expansion guard is a running count over them);
and the outcome of a bad file, which is the one :func:`yaml.load` gives (an error of the parser or composer
first wherever it is, then aliases expanding too far, then the first error in constructing, in the
document's order). So a construction error does not end the reading: the events are still followed to the
end. The few shapes this reader does not follow (:class:`Unusual`) are left to the whole-document reader.

>>> import yaml
>>> from loaders.yaml_loader import _FastLineLoader
>>> text = "doc: a.txt\\nentities:\\n  - {id: x, type: City}\\n  - {id: y, type: City}\\n"
>>> [type(p).__name__ for p in parts(_FastLineLoader(text), ("entities",))]
['TopValue', 'ListStart', 'ListItem', 'ListItem']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# Aliases share one object when parsed, but everything after the parser (merge keys, validation) copies
# or walks them out in full: a "billion laughs" document of a few hundred bytes expands to 10^9 values.
# PyYAML has no limit of its own, so cap what aliases may add beyond the values actually written.
MAX_ALIAS_EXPANSION = 100_000

_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
# a top-level merge (``<<: *defaults``) or value key (``=``) reorders or renames the top-level keys
_SPECIAL_KEYS = {"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"}


class Unusual(Exception):
    """A shape this reader leaves to the whole-document one: not a plain mapping at the top (or an anchor on
    it), a merge key at the top level, ``doc`` after a list. Never the shape of a large file. (A top-level
    list with an anchor, or an explicit tag, is composed whole: a later alias may use it.)"""


class ConstructionError(Exception):
    """An error of the data files' constructor that is not a YAMLError."""


class DuplicateKey(ConstructionError):
    """A key given twice in one mapping."""

    def __init__(self, key: str, line: int):
        super().__init__(key, line)
        self.key, self.line = key, line


class AliasBomb(ConstructionError):
    """Aliases expand to more than :data:`MAX_ALIAS_EXPANSION` values beyond those written."""

    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


@dataclass(frozen=True, slots=True)
class TopValue:
    """A top-level key with its value, constructed."""

    key: str
    line: int
    value: Any


@dataclass(frozen=True, slots=True)
class ListStart:
    """A top-level key whose list follows item by item: ``line`` is the key's, ``list_line`` the list's."""

    key: str
    line: int
    list_line: int


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of the list that the last :class:`ListStart` opened, constructed."""

    key: str
    index: int
    value: Any


Part = TopValue | ListStart | ListItem


def _first_line(event: Any) -> int:
    return int(event.start_mark.line) + 1


class _Composer:
    """PyYAML's composer (yaml.composer.Composer) without recursion, one node at a time, with a running count
    of the values aliases add: an alias adds all that its anchor's node holds, aliases in it included."""

    def __init__(self, loader: Any):
        if loader.yaml_path_resolvers:  # the composer below resolves tags without a path
            raise Unusual("path resolvers")
        if loader.yaml_implicit_resolvers.get(None):  # (none in the loaders here) inlined below without them
            raise Unusual("wildcard resolvers")
        self.get_event = loader.get_event
        self.resolvers = loader.yaml_implicit_resolvers
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[int, int] = {}  # the expanded size of each finished anchored node, by id
        self.extra = 0
        self.bomb_line = 0  # where the aliases went past the limit

    def node(self) -> Node:
        """The next whole node of the events."""
        # one frame per open collection: [node, its value list, is a mapping, size, anchor, pending key]
        stack: list[list[Any]] = []
        get_event, anchors, sizes, resolvers = self.get_event, self.anchors, self.sizes, self.resolvers
        node: Node
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:  # most events: scalars first
                anchor = event.anchor
                if anchor is not None:
                    self._check_anchor(event)
                tag, value = event.tag, event.value
                if tag is None or tag == "!":  # yaml.resolver.BaseResolver.resolve, inlined
                    tag = _STR
                    if event.implicit[0]:
                        for implicit_tag, regexp in resolvers.get(value[:1], ()):
                            if regexp.match(value):
                                tag = implicit_tag
                                break
                node = ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
                size = 1
                if anchor is not None:
                    anchors[anchor] = node
                    sizes[id(node)] = 1
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                anchor = event.anchor
                if anchor is not None:
                    self._check_anchor(event)
                tag = event.tag
                mapping = kind is MappingStartEvent
                if tag is None or tag == "!":
                    tag = _MAP if mapping else _SEQ
                node = (MappingNode if mapping else SequenceNode)(tag, [], event.start_mark, None, event.flow_style)
                if anchor is not None:
                    anchors[anchor] = node
                stack.append([node, node.value, mapping, 1, anchor, None])
                continue
            elif kind is AliasEvent:
                anchor = event.anchor
                if anchor not in anchors:
                    raise ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
                node = anchors[anchor]
                # an anchor still open is a recursive alias: it counts once, and the constructor refuses it
                size = sizes.get(id(node), 1)
                self.extra += size
                if self.extra > MAX_ALIAS_EXPANSION and not self.bomb_line:
                    self.bomb_line = event.start_mark.line + 1
            else:  # the end of a mapping or a sequence: the parser pairs it with its start
                node, _, _, size, anchor, _ = stack.pop()
                node.end_mark = event.end_mark
                if anchor is not None:
                    sizes[id(node)] = size
            if not stack:
                return node
            frame = stack[-1]
            frame[3] += size
            if not frame[2]:
                frame[1].append(node)
            elif frame[5] is None:
                frame[5] = node
            else:
                frame[1].append((frame[5], node))
                frame[5] = None

    def _check_anchor(self, event: Any) -> None:
        if event.anchor in self.anchors:
            raise ComposerError(
                f"found duplicate anchor {event.anchor!r}; first occurrence",
                self.anchors[event.anchor].start_mark,
                "second occurrence",
                event.start_mark,
            )


def parts(
    loader: Any, lists: tuple[str, ...] = ("entities", "relations"), skip: tuple[str, ...] = ()
) -> Iterator[Part]:
    """The top-level values of the document ``loader`` parses, the lists named ``lists`` item by item.

    Any other top-level list comes as a :class:`ListStart` alone (its items are constructed, for their
    errors, and dropped). The items of the lists named ``skip`` are composed (for their anchors, aliases
    and syntax) but neither constructed nor given: a file read again for one list only.

    Raises, after following the events to the end, what :func:`yaml.load` with this loader would raise
    (:class:`AliasBomb` for the whole-document check), or :class:`Unusual` as soon as it sees one.
    """
    composer = _Composer(loader)
    compose, construct = composer.node, loader.construct_object
    failed: BaseException | None = None  # the first error in constructing: nothing more is constructed

    def ok() -> bool:
        return failed is None and not composer.bomb_line

    def made(node: Node) -> Any:
        """``node`` constructed (None once anything failed); each value is made afresh, anchors' included."""
        nonlocal failed
        if not ok():
            return None
        try:
            data = construct(node, deep=True)
            while loader.state_generators:  # as construct_document does
                generators, loader.state_generators = loader.state_generators, []
                for generator in generators:
                    for _ in generator:
                        pass
            return data
        except (yaml.YAMLError, RecursionError, ConstructionError) as exc:
            failed = exc
            return None
        finally:
            loader.constructed_objects.clear()
            loader.recursive_objects.clear()

    if type(loader.get_event()) is not StreamStartEvent or loader.check_event(StreamEndEvent):
        return  # no document: an empty file
    loader.get_event()  # the document's start
    root = loader.peek_event()
    if type(root) is not MappingStartEvent or root.anchor is not None or root.tag not in (None, "!", _MAP):
        raise Unusual("not a plain mapping at the top")
    loader.get_event()
    keys: set[str] = set()
    while not loader.check_event(MappingEndEvent):
        key_node = compose()
        if key_node.tag in _SPECIAL_KEYS:
            raise Unusual("a merge or value key at the top level")
        key = made(key_node)
        line = key_node.start_mark.line + 1
        if ok():  # as _LineConstruction.construct_mapping checks every key
            if not isinstance(key, str | int | float | bool) or key is None:
                failed = yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            elif (key := str(key)) in keys:
                failed = DuplicateKey(key, line)
            elif key == "doc" and keys.intersection(lists):
                raise Unusual("doc after a list: its records would need it")
            else:
                keys.add(key)
        start = loader.peek_event()
        if type(start) is SequenceStartEvent and start.tag in (None, "!", _SEQ) and start.anchor is None:
            loader.get_event()
            if ok():
                yield ListStart(key, line, _first_line(start))
            index = 0
            while not loader.check_event(SequenceEndEvent):
                if key in skip:
                    compose()
                    continue
                item = made(compose())
                if key in lists and ok():
                    yield ListItem(key, index, item)
                index += 1
            loader.get_event()
        else:
            value = made(compose())
            if ok():
                yield TopValue(key, line, value)
    loader.get_event()  # the mapping's end
    loader.get_event()  # the document's end
    if not loader.check_event(StreamEndEvent):
        event = loader.get_event()
        first: Any = root.start_mark
        raise ComposerError(
            "expected a single document in the stream", first, "but found another document", event.start_mark
        )
    if composer.bomb_line:
        raise AliasBomb(composer.bomb_line)
    if failed is not None:
        raise failed
