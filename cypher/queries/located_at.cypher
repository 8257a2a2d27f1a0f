// name: located_at
// description: Where some entities are: the places, sites and parks they are directly LOCATED_IN.
// param ids: list of entity ids
// example: ids=["project:boe-wuhan-10.5-tft-lcd-line"]
MATCH (e:Entity)-[:LOCATED_IN]->(p:Entity)
WHERE e.id IN $ids
RETURN e.id AS id, p.id AS place, p.type AS type, p.name AS name, p.name_zh AS name_zh
ORDER BY id, place
