// name: neighbours_down
// description: Chain paths downstream of some sectors, up to $hops PART_OF_CHAIN links (at most 4).
// param sectors: list of sector ids to start from
// param hops: how many links to follow, 1 to 4
// example: sectors=["sector:battery-cells"] hops=2
MATCH p = (s:Sector)-[:PART_OF_CHAIN*1..4]->(t:Sector)
WHERE s.id IN $sectors AND length(p) <= $hops
RETURN [n IN nodes(p) | n.id] AS ids, [n IN nodes(p) | n.name] AS names, t.name_zh AS name_zh
