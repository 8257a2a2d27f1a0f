// One step up from the given entities ($ids): what they are LOCATED_IN or PART_OF, for a card's places.
UNWIND $ids AS id
MATCH (n:Entity {id: id})-[r:LOCATED_IN|PART_OF]->(p:Entity)
RETURN n.id AS source, type(r) AS rel, p.id AS id, p.type AS type, p.name AS name, p.name_zh AS name_zh, p.kind AS kind
