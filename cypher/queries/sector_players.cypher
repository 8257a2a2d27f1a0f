// name: sector_players
// description: Who works in a sector (SPECIALISES_IN) and where they are.
// param sector: id of the sector
// example: sector=sector:display-panels
MATCH (e:Entity)-[:SPECIALISES_IN]->(s:Entity {id: $sector})
OPTIONAL MATCH (e)-[:LOCATED_IN]->(place:Entity)
RETURN e.id AS id, e.type AS type, e.name AS name, collect(DISTINCT place.name) AS located_in
ORDER BY type, name
