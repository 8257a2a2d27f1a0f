"""``indgraph show ENTITY``: one entity's card (:func:`graph.card.entity_card`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.text import Text

from graph.card import CardRelation, CardSource, EntityCard, entity_card, jsonable
from graph.cli.common import opened, out

# Names listed per relation group before "… and N more".
MAX_LISTED = 12
_ARROWS = {"out": "→", "in": "←"}


def _marker(support: str | None, reason: str | None = None) -> str:
    """`` [inferred: reason]`` for what is not stated; nothing for a stated fact."""
    if support in (None, "stated"):
        return ""
    return f" [{support}{': ' + reason if reason else ''}]"


def _relation_text(r: CardRelation) -> str:
    why = next((s.reason for s in r.sources if s.support == r.support and s.reason), None)
    extra = [x for x in (r.chain and f"chain {r.chain}", r.role) if x]
    return f"{r.other.name}{' (' + '; '.join(extra) + ')' if extra else ''}{_marker(r.support, why)}"


def _source_text(s: CardSource) -> str:
    quote = f' "{s.quote}"' if s.quote else ""
    return f"{s.doc}{quote}{_marker(s.support, s.reason)}"


def render(card: EntityCard) -> list[str]:
    """The card as lines of plain text."""
    e = card.entity
    head = " · ".join(x for x in (e.name, e.name_zh, e.type, e.id) if x)
    lines = [head + (f" ({card.kind})" if card.kind else "")]
    if card.aliases:
        lines.append("also: " + ", ".join(card.aliases))
    if card.description:
        lines.append("about: " + card.description)
    for chain in card.places:
        lines.append("where: " + " › ".join(p.name for p in chain))
    if card.works_in:
        lines.append("works in: " + ", ".join(s.name for s in card.works_in))
    if card.figures:
        lines.append("figures:")
        width = max(len(f.name) for f in card.figures)
        lines += [f"  {f.name:<{width}}  {f.text}{_marker(f.support, f.reason)}" for f in card.figures]
    if card.relations:
        lines.append("relations:")
        for g in card.relations:
            lines.append(f"  {g.type} {_ARROWS[g.direction]}")
            lines += [f"    {_relation_text(r)}" for r in g.relations[:MAX_LISTED]]
            if len(g.relations) > MAX_LISTED:
                lines.append(f"    … and {len(g.relations) - MAX_LISTED} more (--json lists them all)")
    if card.sources:
        lines.append("sources:")
        lines += [f"  {_source_text(s)}" for s in card.sources]
    return lines


def show(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="An id, English name, Chinese name or alias.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the card as JSON.")] = False,
    stated_only: Annotated[
        bool, typer.Option("--stated-only", help="Only what a source states: no inferred or background facts.")
    ] = False,
) -> None:
    """One entity's card: names, where it is, what it works in, figures, relations and sources."""
    with opened(ctx) as store:
        card = entity_card(store, entity, stated_only=stated_only)
    if as_json:
        out.print_json(json.dumps(jsonable(card), ensure_ascii=False))
        return
    for line in render(card):
        out.print(Text(line), highlight=False)
