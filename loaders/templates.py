"""Chain templates: the named industry chains analysts ask about, as ordered, sourced steps.

Each file in ``data/chains/`` is one template (see ``docs/data.md``, "Chain templates"): an id, names, a
``layout`` (``chain``: stages run upstream → downstream; ``tiers``: the text names tiers but no order)
and ``steps``. A step lists the sectors that count for it (concept ids of the sector vocabulary or seed
sector ids) and where it comes from (a seed quote or a ``ref:`` reference). In a chain, a step's upstream
steps are those of the stage before unless it lists ``after``.

>>> lithium = template("锂电池")
>>> [s.name_zh for s in lithium.steps][:4]
['锂矿', '碳酸锂', '氢氧化锂', '正极材料']
>>> [s.id for s in lithium.upstream_of("cathode")]
['carbonate', 'hydroxide']
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.errors import ArgumentError, LoadError, LoadErrors
from graph.model import Relation, RelType, Source
from graph.resources import data_dir
from loaders.errors import Origin, display_path
from loaders.records import validation_errors
from loaders.yaml_loader import _line_of, parse_yaml

__all__ = ["TEMPLATE_CHAIN_PREFIX", "ChainStep", "ChainTemplate", "read_templates", "template", "template_relations"]

# PART_OF_CHAIN links written from a template carry the chain name "template:<id>".
TEMPLATE_CHAIN_PREFIX = "template:"
_ID = r"^[a-z0-9][a-z0-9-]*$"


class ChainStep(BaseModel):
    """One step (link) of a chain template."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    stage: int = Field(ge=1, le=50)
    name: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    sectors: tuple[str, ...] = Field(min_length=1)
    after: tuple[str, ...] | None = None
    source: Source


class ChainTemplate(BaseModel):
    """A named chain: steps by stage, upstream first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    layout: Literal["chain", "tiers"]
    source: Source
    steps: tuple[ChainStep, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _steps(self) -> ChainTemplate:
        ids = [s.id for s in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError("two steps have the same id")
        if [s.stage for s in self.steps] != sorted(s.stage for s in self.steps):
            raise ValueError("steps must be listed by stage, upstream first")
        stage = {s.id: s.stage for s in self.steps}
        for s in self.steps:
            for a in s.after or ():
                if a not in stage:
                    raise ValueError(f"step '{s.id}': 'after' names no step '{a}'")
                if stage[a] >= s.stage:
                    raise ValueError(f"step '{s.id}': 'after' step '{a}' is not upstream of it")
            if s.after is not None and self.layout == "tiers":
                raise ValueError("'after' is only for chains; tiers have no order")
        return self

    @property
    def chain_name(self) -> str:
        """The ``chain`` of the PART_OF_CHAIN links written from this template."""
        return TEMPLATE_CHAIN_PREFIX + self.id

    def step(self, step_id: str) -> ChainStep:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise ArgumentError(f"template '{self.id}' has no step '{step_id}'")

    def upstream_of(self, step_id: str) -> list[ChainStep]:
        """The steps directly upstream of a step (none for tiers)."""
        s = self.step(step_id)
        if self.layout == "tiers":
            return []
        if s.after is not None:
            return [self.step(a) for a in s.after]
        before = [t.stage for t in self.steps if t.stage < s.stage]
        return [t for t in self.steps if before and t.stage == max(before)]

    def sectors(self) -> list[str]:
        """Every sector the template names, in step order, once each."""
        return list(dict.fromkeys(x for s in self.steps for x in s.sectors))


def _read(path: Path) -> tuple[ChainTemplate | None, Any, list[LoadError]]:
    file = display_path(path)
    top, errors = parse_yaml(path)
    if errors:
        return None, top, errors
    if not isinstance(top, dict):
        return None, top, [LoadError(file, 1, "", "expected a mapping: id, name, name_zh, layout, source, steps")]
    try:
        return ChainTemplate.model_validate(top), top, []
    except ValidationError as exc:
        return None, top, validation_errors(exc, Origin(file, 1), lambda loc: _line_of(top, loc, 1))


def read_templates(folder: str | Path | None = None, known_sectors: Iterable[str] | None = None) -> list[ChainTemplate]:
    """Every template in ``folder`` (default: the shipped ``data/chains/``), sorted by id.

    Parameters
    ----------
    folder : a folder of ``*.yaml`` templates.
    known_sectors : when given, every step's sectors must be among these ids.

    Raises
    ------
    graph.errors.LoadErrors
        Every problem, with file, line and field; two templates with one id; an unknown sector.
    """
    root = Path(folder) if folder is not None else data_dir() / "chains"
    errors: list[LoadError] = []
    out: dict[str, tuple[ChainTemplate, str]] = {}
    known = set(known_sectors) if known_sectors is not None else None
    for path in sorted(root.glob("*.yaml")):
        t, top, errs = _read(path)
        errors += errs
        if t is None:
            continue
        file = display_path(path)
        if t.id in out:
            errors.append(LoadError(file, 1, "id", f"'{t.id}' is also the id of {out[t.id][1]}"))
            continue
        out[t.id] = (t, file)
        for i, s in enumerate(t.steps):
            for x in s.sectors:
                if known is not None and x not in known:
                    line = _line_of(top, ("steps", i, "sectors"), 1)
                    errors.append(LoadError(file, line, f"steps.{i}.sectors", f"no sector '{x}' (step '{s.id}')"))
    if errors:
        raise LoadErrors(errors)
    return [t for t, _ in sorted(out.values(), key=lambda x: x[0].id)]


@cache
def _shipped() -> tuple[ChainTemplate, ...]:
    return tuple(read_templates())


def template(name: str, templates: Iterable[ChainTemplate] | None = None) -> ChainTemplate:
    """A template by id, English or Chinese name (case-insensitive); shipped templates by default.

    Raises :class:`graph.errors.ArgumentError` listing the templates when none matches.
    """
    pool = list(templates) if templates is not None else list(_shipped())
    key = name.strip().casefold()
    for t in pool:
        if key in (t.id.casefold(), t.name.casefold(), t.name_zh.casefold()):
            return t
    known = ", ".join(f"{t.id} ({t.name_zh})" for t in pool)
    raise ArgumentError(f"no chain template '{name}'; known: {known}")


def template_relations(templates: Iterable[ChainTemplate]) -> list[Relation]:
    """The PART_OF_CHAIN links of the chain templates: every sector of a step's upstream steps to every
    sector of the step, with the chain ``template:<id>`` and the step's source. Tiers give none."""
    out: dict[tuple[str, str, str, str], Relation] = {}
    for t in templates:
        for s in t.steps:
            for u in t.upstream_of(s.id):
                for a in u.sectors:
                    for b in s.sectors:
                        if a != b:
                            r = Relation(
                                source=a, type=RelType.PART_OF_CHAIN, target=b, chain=t.chain_name, sources=[s.source]
                            )
                            out.setdefault(r.key, r)
    return list(out.values())
