// name: entity_refs
// description: Id, type and names of some entities, with the sectors each specialises in directly.
// param ids: list of entity ids
// example: ids=["base:national-memory-base"]
MATCH (e:Entity)
WHERE e.id IN $ids
OPTIONAL MATCH (e)-[:SPECIALISES_IN]->(s:Sector)
RETURN e.id AS id, e.type AS type, e.name AS name, e.name_zh AS name_zh, collect(s.id) AS sectors
