// name: entity_places
// description: The names of the places, sites and parents some entities are LOCATED_IN or PART_OF (to tell namesakes apart).
// param ids: list of entity ids
// example: ids=["cn-420100"]
MATCH (n:Entity)
WHERE n.id IN $ids
OPTIONAL MATCH (n)-[:LOCATED_IN|PART_OF]->(p:Entity)
RETURN n.id AS id, collect(p.name) AS located_in
