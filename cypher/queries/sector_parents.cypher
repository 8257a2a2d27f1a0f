// name: sector_parents
// description: The sector hierarchy one level up and down from some sectors (PART_OF between sectors).
// param sectors: list of sector ids
// example: sectors=["sector:memory-chips"]
MATCH (c:Sector)-[:PART_OF]->(p:Sector)
WHERE c.id IN $sectors OR p.id IN $sectors
RETURN c.id AS child, p.id AS parent
