// name: partners_of
// description: The partners (PARTNERS_WITH, either direction) of some entities.
// param ids: list of entity ids
// example: ids=["base:national-cybersecurity-base"]
MATCH (e:Entity)-[:PARTNERS_WITH]-(p:Entity)
WHERE e.id IN $ids
RETURN DISTINCT e.id AS id, p.id AS partner
