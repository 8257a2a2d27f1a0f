"""ChainKnowledgeGraph's recipe-ingredient links, marked so chain analyses can leave them out.

The data set's product links include recipes: 鸡蛋 (egg) and 面粉 (flour) are "upstream materials" of
thousands of dishes. A product that takes one of :data:`loaders.chainkg.RECIPE_STOP_LIST` as an
upstream material is a dish, and every chain link into a dish is moved to the chain ``chainkg-recipe``
(kept, counted, and left out of analyses unless asked for).

>>> from graph.model import GraphData, Relation
>>> links = [Relation(source="ckg:product:鸡蛋", type="PART_OF_CHAIN", target="ckg:product:蛋糕", chain="chainkg"),
...          Relation(source="ckg:product:奶油", type="PART_OF_CHAIN", target="ckg:product:蛋糕", chain="chainkg"),
...          Relation(source="ckg:product:锂辉石", type="PART_OF_CHAIN", target="ckg:product:碳酸锂", chain="chainkg")]
>>> data, n = mark_recipe_links(GraphData(relations=links))
>>> n, sorted({r.chain for r in data.relations})
(2, ['chainkg', 'chainkg-recipe'])
"""

from __future__ import annotations

from graph.model import GraphData, RelType
from loaders.chainkg import CHAIN_PRODUCTS, RECIPE_STOP_LIST, product_id

__all__ = ["RECIPE_CHAIN", "mark_recipe_links"]

RECIPE_CHAIN = "chainkg-recipe"


def mark_recipe_links(data: GraphData) -> tuple[GraphData, int]:
    """``data`` with every product chain link into a dish moved to :data:`RECIPE_CHAIN`, and how many."""
    stop = {product_id(n) for n in RECIPE_STOP_LIST}
    chain = [r for r in data.relations if r.type is RelType.PART_OF_CHAIN and r.chain == CHAIN_PRODUCTS]
    dishes = {r.target for r in chain if r.source in stop}
    moved = 0
    relations = []
    for r in data.relations:
        if r.type is RelType.PART_OF_CHAIN and r.chain == CHAIN_PRODUCTS and r.target in dishes:
            r = r.model_copy(update={"chain": RECIPE_CHAIN})
            moved += 1
        relations.append(r)
    # the records are validated models (a chain renamed to another name stays valid): GraphData(...) would
    # run every record's after-validators again
    return GraphData.model_construct(entities=data.entities, relations=relations), moved
