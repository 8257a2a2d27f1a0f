"""Typed entity attributes. Units live in the names (``area_km2``, ``investment_usd``).

Add an attribute by adding one line to :data:`ATTRIBUTES`; the pydantic model is built from it, so an
unknown or mistyped attribute in a data file is an error naming the field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, create_model

# name -> (python type, description)
ATTRIBUTES: dict[str, tuple[type, str]] = {
    # identity and classification
    "code": (str, "official code (administrative division code, MoE university code, stock code)"),
    "level": (int, "level in a hierarchy (sector level, administrative level)"),
    "exchange": (str, "stock exchange of a listed company"),
    "listed_on": (str, "listing date, ISO format"),
    "full_name": (str, "full registered name"),
    "name_en_official": (str, "official English name where it differs from the usual form"),
    "description": (str, "one-line description"),
    "status": (str, "planned / under construction / operating / completed"),
    "phase": (int, "phase number of a multi-phase site or project"),
    "designation": (str, "official designation, e.g. 'State Hi-tech Industrialisation Base'"),
    "designated_year": (int, "year of designation"),
    "construction_start": (str, "when construction started (YYYY or YYYY-MM)"),
    "completion_year": (int, "year of completion or target year"),
    "leading_industry": (str, "the leading industry in words"),
    # size
    "area_km2": (float, "area in square kilometres"),
    "planned_area_km2": (float, "planned area in square kilometres"),
    "project_count": (int, "number of projects"),
    "enterprise_count": (int, "number of enterprises"),
    "target_enterprise_count": (int, "number of enterprises to be attracted"),
    "transferred_project_count": (int, "number of projects transferred from other provinces"),
    "high_tech_enterprises_2020": (int, "high-tech enterprises in 2020"),
    "high_tech_enterprises_2024": (int, "high-tech enterprises in 2024"),
    "national_laboratories": (int, "national laboratories"),
    "national_key_laboratories": (int, "national key laboratories"),
    "major_scientific_facilities": (int, "major scientific facilities, completed or under construction"),
    "technology_transfers": (int, "technology transfers facilitated"),
    "units_sold": (int, "units sold"),
    # money (nominal, as stated; CNY = yuan)
    "investment_usd": (float, "total investment in US dollars"),
    "investment_cny": (float, "total investment in yuan"),
    "investment_2023_cny": (float, "investment implemented in 2023, yuan"),
    "min_project_investment_cny": (float, "minimum investment per project, yuan"),
    "annual_revenue_cny": (float, "annual revenue expected or reached, yuan"),
    "output_value_cny": (float, "output value, yuan"),
    "industry_output_value_cny": (float, "output value of an industry chain, yuan"),
    "industry_output_value_usd": (float, "output value of an industry chain, US dollars"),
    "tech_contract_value_2024_cny": (float, "technology contract transactions in 2024, yuan"),
    "foreign_investment_usd": (float, "investment received from a partner country, US dollars"),
    # capacity and growth
    "capacity_chips_per_month": (int, "production capacity in chips (wafers) per month"),
    "capacity_target_year": (int, "year the stated capacity is reached"),
    "generation": (str, "technology generation, e.g. '10.5' for a TFT-LCD line"),
    "memory_layers_mass_produced": (list, "3D NAND layer counts in mass production"),
    "memory_layers_developed": (int, "most 3D NAND layers developed"),
    "production_growth_pct": (float, "year-on-year production growth, percent"),
    "growth_above_national_pct_points": (float, "growth above the national rate, percentage points"),
    "gdp_growth_pct": (float, "GDP growth, percent"),
    "gdp_share_pct": (float, "share of a larger region's GDP, percent"),
    "digital_economy_gdp_share_pct": (float, "digital economy share of GDP, percent"),
    "research_ranking": (int, "rank in a scientific research ranking"),
    "trading_partner_rank": (int, "rank among trading partners"),
    "investment_source_rank": (int, "rank among sources of foreign investment"),
    "revenue_share": (float, "share of revenue, as a fraction"),
    "phase_count": (int, "number of phases a site or project is built in"),
    "gdp_national_top_n": (int, "GDP ranks within China's top N cities"),
    "fixed_asset_investment_growth_rank": (int, "fixed-asset investment growth rank, sub-provincial cities"),
    "high_tech_enterprises_rank": (int, "rank by number of high-tech enterprises, sub-provincial cities"),
    "national_advanced_manufacturing_clusters": (int, "national advanced manufacturing clusters"),
    "national_specialised_sme_clusters": (int, "specialised SME clusters recognised nationally"),
    "pillar_industries_over_100bn_cny": (int, "pillar industries with output above 100 billion yuan"),
    "technical_transformation_pct": (float, "traditional industries under technical transformation, percent"),
}


def _one_type(values: list[int | str]) -> list[int | str]:
    """A stored list holds values of one type: Neo4j refuses any other at write time, after earlier
    batches have committed, so the model refuses it up front."""
    kinds = {type(v) for v in values}
    if len(kinds) > 1:
        first = next(v for v in values if isinstance(v, int))
        other = next(v for v in values if isinstance(v, str))
        raise ValueError(f"a list holds values of one type, all numbers or all text, not both ({first} and {other!r})")
    return values


def _iso_date(text: str) -> str:
    """A date as ISO 8601 writes it, and a real one: ``2020``, ``2020-03`` or ``2020-03-31``."""
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise ValueError(f"a date is written YYYY-MM-DD (or YYYY-MM, YYYY), got {text[:80]!r}")
    try:
        date.fromisoformat(text if len(text) == 10 else (text + "-01-01")[:10])
    except ValueError:
        raise ValueError(f"{text!r} is not a real date (month 01-12, a day the month has)") from None
    return text


DATE_ATTRIBUTES = frozenset({"listed_on", "construction_start"})


def _field_type(t: type, name: str = "") -> Any:
    if name in DATE_ATTRIBUTES:
        return Annotated[str, AfterValidator(_iso_date)] | None
    if t is list:
        return Annotated[list[int | str], AfterValidator(_one_type)] | None
    if t is float:
        return float | None
    return t | None


class _AttributesBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    if TYPE_CHECKING:
        # The fields are made from ATTRIBUTES at run time, so a type checker cannot see them: to it,
        # ``Attributes(level=4)`` takes any names and ``attrs.level`` is Any (pydantic checks them).
        def __init__(self, **data: Any) -> None: ...

        def __getattr__(self, name: str) -> Any: ...


_FIELDS: dict[str, Any] = {name: (_field_type(t, name), None) for name, (t, _) in ATTRIBUTES.items()}
Attributes = create_model("Attributes", __base__=_AttributesBase, **_FIELDS)
Attributes.__doc__ = "Typed attributes of an entity; every one optional, unknown names rejected."


def attributes_dict(attrs: BaseModel) -> dict[str, Any]:
    """The attributes that are set, as a plain dict."""
    return attrs.model_dump(exclude_none=True)


# Units read from an attribute's name: suffix -> (unit, scale words apply)
_UNITS = {"_usd": "USD", "_cny": "CNY", "_km2": "km²", "_pct": "%", "_pct_points": "percentage points"}
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def unit_of(name: str) -> str | None:
    """The unit an attribute's name carries (``investment_usd`` -> ``USD``), or None."""
    for suffix, unit in sorted(_UNITS.items(), key=lambda su: -len(su[0])):
        if name.endswith(suffix):
            return unit
    return None


def format_figure(value: float, name: str = "") -> str:
    """A number as people read it, with the unit its attribute name carries.

    Money and other large figures in words (``30 billion USD``), thousands separated, no trailing
    ``.0``; years, codes and ranks stay as they are.

    >>> format_figure(30_000_000_000.0, "investment_usd"), format_figure(2.5e8, "investment_cny")
    ('30 billion USD', '250 million CNY')
    >>> format_figure(8569.15, "area_km2"), format_figure(12.0, "gdp_growth_pct"), format_figure(2021, "year")
    ('8,569.15 km²', '12%', '2021')
    """
    unit = unit_of(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return str(value)
    if unit is None and (isinstance(value, int) or name.endswith(("year", "code", "rank"))):
        return str(value) if abs(value) < 100_000 or name.endswith(("year", "code")) else f"{value:,}"
    text = ""
    if unit in ("USD", "CNY") or (unit is None and abs(value) >= 1e6):
        for scale, word in _SCALES:
            if abs(value) >= scale:
                text = f"{_plain(value / scale)} {word}"
                break
    if not text:
        text = _plain(value)
    if unit == "%":
        return text + "%"
    return f"{text} {unit}" if unit else text


def _plain(x: float) -> str:
    """``1234.5`` -> ``1,234.5``; ``30.0`` -> ``30``; at most three decimals."""
    text = f"{x:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
