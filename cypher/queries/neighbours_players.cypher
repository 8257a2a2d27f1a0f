// name: neighbours_players
// description: The entities that specialise in some sectors (SPECIALISES_IN), one row per entity and sector.
// param sectors: list of sector ids
// example: sectors=["sector:power-semiconductors"]
MATCH (f:Entity)-[:SPECIALISES_IN]->(t:Sector)
WHERE t.id IN $sectors
RETURN t.id AS sector, f.id AS id, f.type AS type, f.name AS name, f.name_zh AS name_zh
ORDER BY sector, id
