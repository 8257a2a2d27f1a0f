// name: chain_links_from
// description: The PART_OF_CHAIN links that start or end at some sectors: one row per link, with its chain and weight.
// param sectors: list of sector ids
// example: sectors=["sector:battery-cells"]
MATCH (s:Sector)-[r:PART_OF_CHAIN]-(t:Sector)
WHERE s.id IN $sectors
RETURN startNode(r).id AS source, endNode(r).id AS target, r.chain AS chain, r.weight AS weight
