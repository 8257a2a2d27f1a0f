// name: provinces_of
// description: The provincial-level division (province, municipality, SAR) each of some entities is in, through LOCATED_IN.
// param ids: list of entity ids
// example: ids=["base:national-memory-base"]
MATCH (e:Entity)-[:LOCATED_IN*0..6]->(p:Entity)
WHERE e.id IN $ids AND p.id STARTS WITH 'cn-' AND p.id ENDS WITH '0000' AND size(p.id) = 9
RETURN DISTINCT e.id AS id, p.id AS province, p.type AS type, p.name AS name, p.name_zh AS name_zh
