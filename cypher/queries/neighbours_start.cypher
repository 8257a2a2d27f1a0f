// name: neighbours_start
// description: An entity and the sectors it specialises in (where a supply-chain neighbour search starts).
// param entity: id of the entity
// example: entity=base:national-memory-base
MATCH (e:Entity {id: $entity})
OPTIONAL MATCH (e)-[:SPECIALISES_IN]->(s:Sector)
RETURN e.id AS id, e.type AS type, e.name AS name, e.name_zh AS name_zh, collect(s.id) AS sectors
