"""The ChainKnowledgeGraph data set (A-share companies, Shenwan industries, products) mapped onto the model.

The data set is eight JSON-lines files (see its README). This module reads them into one
:class:`~graph.model.GraphData` and an :class:`ChainKGReadSummary` that counts every kind of record and
every known quirk of the data, with what was done about it. Nothing is hidden: a quirk is either
kept (and counted) or dropped (and counted).

Mapping
-------
- ``company.json`` → ``Company`` ``ckg:company:<code>.<SH|SZ|BJ>`` (short names repeat, stock codes
  do not); name = short name; attributes ``full_name``, ``code``, ``exchange``, ``listed_on``.
- ``industry.json`` → ``Sector`` ``ckg:industry:<code>``, attributes ``code``, ``level`` (1–3 from the
  code) and ``description``.
- ``product.json`` → ``Sector`` ``ckg:product:<name>`` (or ``ckg:product:h-<sha1[:12]>`` when the
  name cannot be an id), attributes ``level`` 4 and ``description`` "product".
- 上游材料 (A's upstream material is B) → ``B -PART_OF_CHAIN-> A``; 下游产品 (A's downstream product
  is B) → ``A -PART_OF_CHAIN-> B``; both with chain ``chainkg``.
- ``industry_up.json`` → ``upstream -PART_OF_CHAIN-> industry``, chain ``chainkg-industry``, weight =
  the count given.
- 所属行业 → ``company -SPECIALISES_IN-> industry``; 主营产品 → ``company -SPECIALISES_IN-> product``
  with ``weight`` = ``rel_weight`` exactly as given (revenue share; outside [0, 1] is kept and counted).
- 上级行业 → ``industry -PART_OF-> parent``; 产品小类 (B is a sub-category of A) → ``B -PART_OF-> A``.

>>> from loaders.chainkg import read_chainkg
>>> data, summary = read_chainkg("/path/to/chainkg")        # doctest: +SKIP
>>> summary.entities["product"]                            # doctest: +SKIP
95562
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
from pydantic import ValidationError

from graph.attributes import Attributes
from graph.errors import DataSetError
from graph.gcpause import gc_paused
from graph.model import ID_PATTERN, Entity, EntityType, GraphData, Relation, RelType, entity_fast, relation_fast
from loaders.errors import LoadError, LoadErrors, Origin, display_path
from loaders.records import Parsed, validation_errors
from loaders.validate import check

__all__ = [
    "CHAIN_INDUSTRIES",
    "CHAIN_PRODUCTS",
    "FILES",
    "RECIPE_STOP_LIST",
    "ChainKGReadSummary",
    "Quirk",
    "company_id",
    "industry_id",
    "product_id",
    "read_chainkg",
]

CHAIN_PRODUCTS = "chainkg"
CHAIN_INDUSTRIES = "chainkg-industry"
FILES = (
    "company.json",
    "industry.json",
    "industry_industry.json",
    "industry_up.json",
    "product.json",
    "company_industry.json",
    "company_product.json",
    "product_product.json",
)
# Kitchen ingredients that show up as "upstream materials" of dishes; links touching them are kept but counted.
RECIPE_STOP_LIST = ("鸡蛋", "面粉", "低筋面粉", "高筋面粉", "黄油", "白糖", "冰糖", "蜂蜜", "奶油", "糯米粉")

_EXCHANGES = {"SH": "上海证券交易所", "SZ": "深圳证券交易所", "BJ": "北京证券交易所"}
_SUFFIX_OF_EXCHANGE = {v: k for k, v in _EXCHANGES.items()}
_CODE = re.compile(r"(\d{6})(?:\.(SH|SZ|BJ))?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INDUSTRY_CODE = re.compile(r"\d{6}")
_LEVEL_SUFFIX = re.compile(r"[ⅡⅢ]$")
_MAX_ID = 200
_PRODUCT_ATTRS = Attributes(level=4, description="product")  # shared: the same for every product


# -- ids ------------------------------------------------------------------------------------------
def company_id(code: str) -> str:
    """The entity id of a listed company from its normalised stock code, e.g. ``ckg:company:600519.SH``."""
    return f"ckg:company:{code}"


def industry_id(code: str) -> str:
    """The entity id of a Shenwan industry from its six-digit code, e.g. ``ckg:industry:610303``."""
    return f"ckg:industry:{code}"


def product_id(name: str) -> str:
    """A stable entity id for a product name.

    The name itself when it makes a valid id (``ckg:product:碳酸锂``), else a hash of it
    (``ckg:product:h-<sha1[:12]>``), so the same name gets the same id on every run.

    Parameters
    ----------
    name : str
        The product's (stripped) Chinese name.

    Returns
    -------
    str
        The id.

    Example
    -------
    >>> product_id("碳酸锂"), product_id("房租&物业")
    ('ckg:product:碳酸锂', 'ckg:product:h-3b1e277f5c76')
    """
    plain = f"ckg:product:{name}"
    if len(plain) <= _MAX_ID and ID_PATTERN.match(plain) and not name.startswith("h-"):
        return plain
    return f"ckg:product:h-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:12]}"


def industry_level(code: str) -> int:
    """Shenwan level from the code: ``XX0000`` is level 1, ``XXYY00`` level 2, else level 3."""
    if code.endswith("0000"):
        return 1
    if code.endswith("00"):
        return 2
    return 3


# -- the summary ----------------------------------------------------------------------------------
@dataclass
class Quirk:
    """One known problem of the data: how often it occurred, what the importer did, a few examples."""

    key: str
    what: str
    action: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str | None = None, n: int = 1) -> None:
        self.count += n
        if example is not None and len(self.examples) < 3 and example not in self.examples:
            self.examples.append(example)


@dataclass
class ChainKGReadSummary:
    """What an import read, produced and ran into.

    ``rows`` counts lines read per file, ``entities`` entities per kind (company, industry, product),
    ``relations`` relations per source relation (e.g. ``上游材料``) and ``quirks`` every known quirk,
    in a stable order, with a count (zero when the data did not have it).
    """

    rows: dict[str, int] = field(default_factory=dict)
    entities: Counter[str] = field(default_factory=Counter)
    relations: Counter[str] = field(default_factory=Counter)
    quirks: dict[str, Quirk] = field(default_factory=dict)

    def quirk(self, key: str) -> Quirk:
        return self.quirks[key]

    def count(self, key: str) -> int:
        return self.quirks[key].count

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": dict(self.rows),
            "entities": dict(self.entities),
            "relations": dict(self.relations),
            "quirks": {k: {"what": q.what, "count": q.count, "action": q.action} for k, q in self.quirks.items()},
        }


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc

# key, what, action: every quirk the importer knows, in the order the summary lists them
_QUIRKS: tuple[tuple[str, str, str], ...] = (
    ("blank_name", "records with a blank name or product", "dropped"),
    ("whitespace_name", "names with spaces around them", "stripped"),
    ("control_char_name", "names holding control characters (U+007F, U+0008 …)", "those characters removed"),
    ("bad_code", "stock or industry codes that are not six digits", "row dropped"),
    ("repeated_code", "company.json rows repeating a stock code", "merged into the first row (its names kept)"),
    ("shared_short_name", "short names shared by several companies", "kept: names may repeat, ids are stock codes"),
    ("exchange_not_exchange", "exchange field holding something else (a date)", "exchange taken from the code"),
    ("listed_on_missing", "listing dates missing or not a date", "listed_on left empty"),
    ("company_from_relations", "companies only named in relation files", "created from code and name there"),
    ("company_other_name", "other short names of a company in other rows or files", "kept as aliases"),
    ("alias_claimed", "other names also claimed by another entity", "not made aliases"),
    ("industry_by_name", "industry references whose code is outdated, resolved by name", "linked by name"),
    ("industry_by_suffix", "industry names resolved without/with the level suffix Ⅱ/Ⅲ", "linked"),
    ("industry_by_code", "industry names unknown but code known (former names)", "linked by code; name kept as alias"),
    ("industry_unresolved", "industry references matching no industry", "link dropped"),
    ("product_not_listed", "products named in relations but not in product.json", "product created"),
    ("product_hashed_id", "product names that cannot be ids (quotes, spaces, punctuation)", "id is a hash of the name"),
    ("weight_out_of_range", "rel_weight outside [0, 1] (negatives are offsets like 分部间抵销)", "kept as given"),
    ("weight_negative", "…of which negative", "kept as given"),
    ("weight_not_number", "rel_weight missing or not a finite number", "weight left empty"),
    ("duplicate_row", "exact duplicate relation rows", "merged"),
    ("duplicate_conflict", "duplicate relation rows with a different weight", "first row kept"),
    ("chain_both_ways", "chain links stated both as 上游材料 and 下游产品", "merged into one link"),
    ("self_loop", "relations from an entity to itself", "dropped (the model rejects them)"),
    ("unknown_rel", "rows with an unknown relation name", "dropped"),
    ("cycle_components", "product-chain cycles: strongly connected components of more than one product", "kept"),
    ("cycle_products", "…products in those components (largest in examples)", "kept"),
    ("recipe_links", f"chain links touching a recipe ingredient ({'、'.join(RECIPE_STOP_LIST[:4])}…)", "kept"),
)


def _cycles(edges: list[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one node, largest first (ties by their nodes).

    A node without an incoming or without an outgoing edge is on no cycle: trimming those first (a few
    passes of set operations) leaves networkx eight of ChainKG's 57,000 product links, where building
    the whole graph for it took 0.25 s of the import.

    >>> _cycles([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "c"), ("d", "e"), ("e", "c")])
    [['c', 'd', 'e'], ['a', 'b']]
    """
    while True:
        on_both_ends = {u for u, _ in edges} & {v for _, v in edges}
        kept = [(u, v) for u, v in edges if u in on_both_ends and v in on_both_ends]
        if len(kept) == len(edges):
            break
        edges = kept
    components = nx.strongly_connected_components(nx.DiGraph(edges))
    return sorted((sorted(c) for c in components if len(c) > 1), key=lambda c: (-len(c), c))


# -- reading --------------------------------------------------------------------------------------
@functools.cache
def _file_name(file: str) -> str:
    return Path(file).name


def _at(origin: Origin) -> str:
    """``file.json:line``, short, for the summary's examples."""
    return f"{_file_name(origin.file)}:{origin.line}"


def _text(row: dict[str, Any], key: str) -> str | None:
    v = row.get(key)
    return v if isinstance(v, str) else None


# A relation as recorded: the record (None when the model refused it), where it was read, its kind. A plain
# tuple: 230,000 of them are made, and a NamedTuple's constructor costs as much again as the rest.
_Link = tuple[Relation | None, Origin, str]


class _Reader:
    """One import: the state shared by the steps of :func:`read_chainkg`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.summary = ChainKGReadSummary(quirks={k: Quirk(k, w, a) for k, w, a in _QUIRKS})
        self.errors: list[LoadError] = []
        self.q = self.summary.quirk
        # companies: code -> record; industries: code -> name; products: name -> origin
        self.companies: dict[str, dict[str, Any]] = {}
        self.industries: dict[str, str] = {}
        self.industry_origin: dict[str, Origin] = {}
        self.industry_by_name: dict[str, str] = {}
        self.former_industry_names: dict[str, str] = {}
        self.products: dict[str, Origin] = {}
        self.aliases: dict[str, set[str]] = {}  # entity id -> candidate aliases
        self.relations: dict[tuple[str, str, str, str], _Link] = {}
        self.refused: list[LoadError] = []  # relations the model refused (reported with the build's errors)
        self.product_ids: dict[str, str] = {}
        self.clean_product_ids: dict[str, str] = {}  # product names as written, when already clean -> id
        self.clean_companies: dict[tuple[Any, Any], str] = {}  # (code, name) as written, when clean -> id

    # names ------------------------------------------------------------------------------------
    def name(self, raw: Any, origin: Origin) -> str | None:
        if not isinstance(raw, str) or not raw.strip():
            self.q("blank_name").add(_at(origin))
            return None
        if _CONTROL.search(raw):  # the loaders refuse them in names (terminals, XML); here they are noise
            self.q("control_char_name").add(repr(raw))
            raw = _CONTROL.sub("", raw)
            if not raw.strip():
                self.q("blank_name").add(_at(origin))
                return None
        clean = raw.strip()
        if clean != raw:
            self.q("whitespace_name").add(repr(raw))
        return clean

    def rows(self, file: str) -> Iterator[tuple[Origin, dict[str, Any]]]:
        # orjson parses a line several times faster than json; the file is read whole (the set's largest
        # file is 20 MB) and split on the same line ends as text mode (\n, \r\n, \r).
        path = self.folder / file
        shown = display_path(path)
        count = 0
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        for n, line in enumerate(data.splitlines(), start=1):
            if not line or line.isspace():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                self.errors.append(LoadError(shown, n, "", f"not a JSON object: {exc.msg}"))
                continue
            if not isinstance(row, dict):
                self.errors.append(LoadError(shown, n, "", "not a JSON object"))
                continue
            count += 1
            yield Origin(shown, n), row
        self.summary.rows[file] = count

    # companies --------------------------------------------------------------------------------
    def code(self, raw: Any, exchange: str | None = None) -> str | None:
        """``600519.SH`` from ``600519``, ``600519.sh`` or ``600519.SH``; None when it is no stock code."""
        m = _CODE.fullmatch(raw.strip().upper()) if isinstance(raw, str) else None
        if not m:
            self.q("bad_code").add(str(raw))
            return None
        digits, suffix = m.group(1), m.group(2)
        if not suffix:
            suffix = _SUFFIX_OF_EXCHANGE.get(exchange or "") or (
                "SH" if digits[0] in "69" else "BJ" if digits[0] in "48" else "SZ"
            )
        return f"{digits}.{suffix}"

    def read_companies(self) -> None:
        names_of: dict[str, set[str]] = {}
        for origin, row in self.rows("company.json"):
            name = self.name(row.get("name"), origin)
            location = _text(row, "location")
            code = self.code(row.get("code"), location)
            if name is None or code is None:
                continue
            names_of.setdefault(name, set()).add(code)
            if code in self.companies:
                self.q("repeated_code").add(f"{code} {name}")
                self.add_alias(company_id(code), name)
                continue
            exchange = location if location in _SUFFIX_OF_EXCHANGE else None
            if location and exchange is None:
                self.q("exchange_not_exchange").add(f"{code}: {location}")
            listed = _text(row, "time")
            if not (listed and _DATE.fullmatch(listed)):
                self.q("listed_on_missing").add(f"{code}: {listed!r}")
                listed = None
            full = _text(row, "fullname")
            self.companies[code] = {
                "name": name,
                "full_name": full.strip() if full and full.strip() else None,
                "exchange": exchange or _EXCHANGES[code[-2:]],
                "listed_on": listed,
                "origin": origin,
            }
        for name, codes in sorted(names_of.items()):
            if len(codes) > 1:
                self.q("shared_short_name").add(f"{name}: {', '.join(sorted(codes))}")

    def company(self, origin: Origin, row: dict[str, Any]) -> str | None:
        """The id of the company a relation row names, creating it when only relation files know it."""
        written = (row.get("company_code"), row.get("company_name"))
        clean = type(written[0]) is str and type(written[1]) is str  # (a list would not hash)
        known = self.clean_companies.get(written) if clean else None  # 54,000 rows name 4,600 companies
        if known is not None:
            return known
        code = self.code(written[0])
        if code is None:
            return None
        name = self.name(row.get("company_name"), origin)
        if code not in self.companies:
            if name is None:
                return None
            self.q("company_from_relations").add(f"{code} {name}")
            self.companies[code] = {
                "name": name,
                "full_name": None,
                "exchange": _EXCHANGES[code[-2:]],
                "listed_on": None,
                "origin": origin,
            }
        elif name is not None:
            self.add_alias(company_id(code), name)
        eid = company_id(code)
        if clean and name == written[1]:
            self.clean_companies[written] = eid  # as written, nothing for a quirk to count again
        return eid

    def add_alias(self, eid: str, name: str) -> None:
        self.aliases.setdefault(eid, set()).add(name)

    # industries -------------------------------------------------------------------------------
    def read_industries(self) -> None:
        for origin, row in self.rows("industry.json"):
            name = self.name(row.get("name"), origin)
            code = row.get("code")
            if not (isinstance(code, str) and _INDUSTRY_CODE.fullmatch(code.strip())):
                self.q("bad_code").add(str(code))
                continue
            code = code.strip()
            if name is None or code in self.industries:
                continue
            self.industries[code] = name
            self.industry_origin[code] = origin
            self.industry_by_name.setdefault(name, code)

    def industry(self, name: str | None, code: str | None = None) -> str | None:
        """Resolve an industry reference: by name, by name with/without Ⅱ/Ⅲ, by a former name, by code."""
        if name is not None:
            if name in self.industry_by_name:
                if code is not None and code != self.industry_by_name[name]:
                    self.q("industry_by_name").add(f"{code} {name} -> {self.industry_by_name[name]}")
                return self.industry_by_name[name]
            stem = _LEVEL_SUFFIX.sub("", name)
            for candidate in (stem, stem + "Ⅲ", stem + "Ⅱ"):
                if candidate != name and candidate in self.industry_by_name:
                    self.q("industry_by_suffix").add(f"{name} -> {candidate}")
                    return self.industry_by_name[candidate]
            if name in self.former_industry_names:
                self.q("industry_by_code").add(f"{name} -> {self.former_industry_names[name]}")
                return self.former_industry_names[name]
        if code is not None and code in self.industries:
            self.q("industry_by_code").add(f"{name} -> {code} {self.industries[code]}")
            if name is not None:
                self.former_industry_names[name] = code
                self.add_alias(industry_id(code), name)
            return code
        self.q("industry_unresolved").add(f"{code or ''} {name or ''}".strip())
        return None

    # products ---------------------------------------------------------------------------------
    def read_products(self) -> None:
        for origin, row in self.rows("product.json"):
            name = self.name(row.get("name"), origin)
            if name is not None:
                self.products.setdefault(name, origin)

    def product(self, raw: Any, origin: Origin) -> str | None:
        # 400,000 references to 95,000 products: a name met before clean (nothing for a quirk to count
        # again) is one lookup
        pid = self.clean_product_ids.get(raw) if type(raw) is str else None
        if pid is not None:
            return pid
        name = self.name(raw, origin)
        if name is None:
            return None
        if name not in self.products:
            self.q("product_not_listed").add(name)
            self.products[name] = origin
        pid = self.pid(name)
        if name == raw:
            self.clean_product_ids[raw] = pid
        return pid

    def pid(self, name: str) -> str:
        pid = self.product_ids.get(name)
        if pid is None:
            pid = self.product_ids[name] = product_id(name)
        return pid

    # relations --------------------------------------------------------------------------------
    def relate(
        self,
        source: str | None,
        rtype: RelType,
        target: str | None,
        origin: Origin,
        kind: str,
        chain: str | None = None,
        weight: float | None = None,
    ) -> bool:
        """Record a relation unless it is a self-loop or a duplicate (both counted); True when recorded."""
        if source is None or target is None:
            return False
        if source == target:
            self.q("self_loop").add(f"{_at(origin)} {source}")
            return False
        key = (source, rtype._value_, target, chain or "")
        prior = self.relations.get(key)
        if prior is None:
            # built here, once: a record the fast path does not vouch for is validated by the model
            rel = relation_fast(source, rtype, target, chain, weight)
            if rel is None:
                try:
                    rel = Relation(source=source, type=rtype, target=target, chain=chain, weight=weight)
                except ValidationError as exc:
                    self.refused.extend(validation_errors(exc, origin, aliases={"source": "from", "target": "to"}))
            self.relations[key] = (rel, origin, kind)  # counted by kind in build()
            return True
        prior_rel, _, prior_kind = prior
        if prior_kind != kind and {prior_kind, kind} == {"上游材料", "下游产品"}:
            self.q("chain_both_ways").add(f"{source} -> {target}")
        elif (prior_rel.weight if prior_rel else None) != weight:
            self.q("duplicate_conflict").add(f"{_at(origin)} {source} -> {target}")
        else:
            self.q("duplicate_row").add(_at(origin))
        return False

    def read_industry_tree(self) -> None:
        for origin, row in self.rows("industry_industry.json"):
            if row.get("rel") != "上级行业":
                self.q("unknown_rel").add(f"{_at(origin)} {row.get('rel')}")
                continue
            child = self.industry(_text(row, "from_industry"), _text(row, "from_code"))
            parent = self.industry(_text(row, "to_industry"), _text(row, "to_code"))
            if child and parent:
                self.relate(industry_id(child), RelType.PART_OF, industry_id(parent), origin, "上级行业")

    def read_company_industries(self) -> None:
        for origin, row in self.rows("company_industry.json"):
            if row.get("rel") != "所属行业":
                self.q("unknown_rel").add(f"{_at(origin)} {row.get('rel')}")
                continue
            company = self.company(origin, row)
            name = self.name(row.get("industry_name"), origin)
            code = _text(row, "industry_code")
            ind = self.industry(name, code.strip() if code else None)
            if company and ind:
                self.relate(company, RelType.SPECIALISES_IN, industry_id(ind), origin, "所属行业")

    def read_industry_up(self) -> None:
        for origin, row in self.rows("industry_up.json"):
            name = self.name(row.get("industry"), origin)
            ups = row.get("ups")
            if name is None or not isinstance(ups, dict):
                continue
            ind = self.industry(name)
            for up_name, count in ups.items():
                up = self.industry(self.name(up_name, origin))
                if ind is None or up is None:
                    continue
                weight = float(count) if isinstance(count, int | float) and math.isfinite(count) else None
                self.relate(
                    industry_id(up),
                    RelType.PART_OF_CHAIN,
                    industry_id(ind),
                    origin,
                    "industry_up",
                    chain=CHAIN_INDUSTRIES,
                    weight=weight,
                )

    def read_company_products(self) -> None:
        for origin, row in self.rows("company_product.json"):
            if row.get("rel") != "主营产品":
                self.q("unknown_rel").add(f"{_at(origin)} {row.get('rel')}")
                continue
            company = self.company(origin, row)
            product = self.product(row.get("product_name"), origin)
            raw = row.get("rel_weight")
            weight: float | None = None
            if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
                weight = float(raw)
            else:
                self.q("weight_not_number").add(f"{_at(origin)} {raw!r}")
            new = self.relate(company, RelType.SPECIALISES_IN, product, origin, "主营产品", weight=weight)
            if new and weight is not None and not 0 <= weight <= 1:
                self.q("weight_out_of_range").add(f"{row.get('product_name')}: {weight:g}")
                if weight < 0:
                    self.q("weight_negative").add(f"{row.get('product_name')}: {weight:g}")

    def read_product_links(self) -> None:
        clean = self.clean_product_ids  # what self.product() looks up first, here without the call
        for origin, row in self.rows("product_product.json"):
            kind = row.get("rel")
            if kind not in ("上游材料", "下游产品", "产品小类"):
                self.q("unknown_rel").add(f"{_at(origin)} {kind}")
                continue
            a, b = row.get("from_entity"), row.get("to_entity")
            a = clean.get(a) or self.product(a, origin) if type(a) is str else self.product(a, origin)
            b = clean.get(b) or self.product(b, origin) if type(b) is str else self.product(b, origin)
            if kind == "上游材料":  # b is a's upstream material: the chain runs b -> a
                self.relate(b, RelType.PART_OF_CHAIN, a, origin, kind, chain=CHAIN_PRODUCTS)
            elif kind == "下游产品":  # b is a's downstream product: a -> b
                self.relate(a, RelType.PART_OF_CHAIN, b, origin, kind, chain=CHAIN_PRODUCTS)
            else:  # 产品小类: b is a sub-category of a
                self.relate(b, RelType.PART_OF, a, origin, kind)

    # analysis ---------------------------------------------------------------------------------
    def chain_quirks(self) -> None:
        stop = {self.pid(n) for n in RECIPE_STOP_LIST}
        edges = [(s, t) for s, _, t, chain in self.relations if chain == CHAIN_PRODUCTS]
        names = {pid: n for n, pid in self.product_ids.items()}
        recipe = self.q("recipe_links")
        for u, v in edges:
            if u in stop or v in stop:
                recipe.add(f"{names.get(u)} -> {names.get(v)}")
        comps, prods = self.q("cycle_components"), self.q("cycle_products")
        for c in _cycles(edges):
            comps.add("、".join(sorted(names.get(n, n) for n in c)[:4]) + ("…" if len(c) > 4 else ""))
            prods.add(f"{len(c)} products", n=len(c))

    # building ---------------------------------------------------------------------------------
    def build(self) -> GraphData:
        # (only companies and industries get aliases)
        names: dict[str, str] = {company_id(code): c["name"] for code, c in self.companies.items()}
        names.update((industry_id(code), n) for code, n in self.industries.items())
        # An alias must be unique: a candidate that is another entity's name (or another's candidate) is dropped.
        claims: Counter[str] = Counter()
        for eid, cands in self.aliases.items():
            claims.update(a.casefold() for a in cands - {names.get(eid)})
        wanted = set(claims)  # the names of all 100,000 entities are counted only where a candidate is
        claims.update(f for n in (*names.values(), *self.products) if (f := n.casefold()) in wanted)

        def aliases_of(eid: str) -> list[str]:
            out = []
            for a in sorted(self.aliases.get(eid, set()) - {names.get(eid)}):
                if claims[a.casefold()] > 1:
                    self.q("alias_claimed").add(f"{a} ({eid})")
                    continue
                if eid.startswith("ckg:company:"):
                    self.q("company_other_name").add(f"{names[eid]}: {a}")
                out.append(a)
            return out

        parsed = Parsed()

        def add(
            origin: Origin, kind: str, eid: str, etype: EntityType, name: str, aliases: list[str], attributes: Any
        ) -> None:
            # Products (95% of the entities) share one validated Attributes and take the fast path; a record
            # it does not vouch for is validated by the model, which names the problem.
            e = entity_fast(eid, etype, name, name, aliases, attributes)
            if e is None:
                try:
                    e = Entity(id=eid, type=etype, name=name, name_zh=name, aliases=aliases, attributes=attributes)
                except ValidationError as exc:
                    self.errors.extend(validation_errors(exc, origin))
                    return
            parsed.entities.append((e, origin))
            self.summary.entities[kind] += 1

        for code in sorted(self.companies):
            c, eid = self.companies[code], company_id(code)
            attrs = {"code": code, "exchange": c["exchange"]}
            attrs.update({k: c[k] for k in ("full_name", "listed_on") if c[k]})
            add(c["origin"], "company", eid, EntityType.COMPANY, c["name"], aliases_of(eid), attrs)
        for code in sorted(self.industries):
            name, eid, level = self.industries[code], industry_id(code), industry_level(code)
            attrs = {"code": code, "level": level, "description": f"Shenwan industry, level {level}"}
            add(self.industry_origin[code], "industry", eid, EntityType.SECTOR, name, aliases_of(eid), attrs)
        hashed = self.q("product_hashed_id")
        entities, sector, pid_of = parsed.entities, EntityType.SECTOR, self.pid
        for name, origin in self.products.items():  # 95% of the entities: the loop of add(), unrolled
            pid = pid_of(name)
            if pid.startswith("ckg:product:h-"):
                hashed.add(f"{name} -> {pid}")
            e = entity_fast(pid, sector, name, name, [], _PRODUCT_ATTRS)
            if e is None:
                add(origin, "product", pid, sector, name, [], _PRODUCT_ATTRS)
            else:
                entities.append((e, origin))
                self.summary.entities["product"] += 1

        self.summary.relations.update(kind for _, _, kind in self.relations.values())
        self.errors.extend(self.refused)
        parsed.relations = [(rel, origin) for rel, origin, _ in self.relations.values() if rel is not None]
        # The same cross-record checks as every load: unique ids (a product-id hash collision must never
        # merge two products silently), aliases, relation endpoints and allowed triples.
        self.errors.extend(check(parsed, {}))
        if self.errors:
            raise LoadErrors(self.errors)
        # The records are validated: no need for GraphData to walk the lists again.
        return GraphData.model_construct(
            entities=[e for e, _ in parsed.entities], relations=[r for r, _ in parsed.relations]
        )


@gc_paused()  # 270,000 records alive: every full collection would rescan them all (it doubled the time)
def read_chainkg(folder: str | Path) -> tuple[GraphData, ChainKGReadSummary]:
    """Read the ChainKnowledgeGraph files in ``folder`` into model records and an import summary.

    Parameters
    ----------
    folder : str or Path
        The folder holding the eight JSON-lines files (``company.json`` … ``product_product.json``).

    Returns
    -------
    (GraphData, ChainKGReadSummary)
        The validated graph, and what was read, produced and done about each quirk of the data.

    Raises
    ------
    graph.errors.DataSetError
        When the folder or one of the files is missing.
    LoadErrors
        When a line is not a JSON object or the result breaks the model's rules; nothing is returned.

    Example
    -------
    >>> data, summary = read_chainkg("/work/shared/data/chainkg")     # doctest: +SKIP
    >>> summary.count("self_loop")                                     # doctest: +SKIP
    108
    """
    folder = Path(folder)
    missing = [f for f in FILES if not (folder / f).is_file()]
    if missing:
        raise DataSetError(
            f"{folder}: missing {', '.join(missing)} (a ChainKnowledgeGraph data folder has {len(FILES)} files)"
        )
    r = _Reader(folder)
    r.read_companies()
    r.read_industries()
    r.read_products()
    r.read_industry_tree()
    r.read_company_industries()  # before industry_up: it teaches former industry names
    r.read_industry_up()
    r.read_company_products()
    r.read_product_links()
    r.chain_quirks()
    data = r.build()
    return data, r.summary
