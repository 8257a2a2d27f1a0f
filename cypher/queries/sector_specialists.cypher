// name: sector_specialists
// description: The entities that specialise in some sectors, with the weight of the link (revenue share where known).
// param sectors: list of sector ids
// example: sectors=["sector:power-semiconductors"]
MATCH (f:Entity)-[r:SPECIALISES_IN]->(t:Sector)
WHERE t.id IN $sectors
RETURN t.id AS sector, f.id AS id, f.type AS type, f.name AS name, f.name_zh AS name_zh, r.weight AS weight
ORDER BY sector, id
