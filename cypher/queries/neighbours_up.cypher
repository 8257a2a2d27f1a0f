// name: neighbours_up
// description: Chain paths upstream of some sectors, listed from the start sector, up to $hops PART_OF_CHAIN links (at most 4).
// param sectors: list of sector ids to start from
// param hops: how many links to follow, 1 to 4
// example: sectors=["sector:battery-cells"] hops=2
MATCH p = (t:Sector)-[:PART_OF_CHAIN*1..4]->(s:Sector)
WHERE s.id IN $sectors AND length(p) <= $hops
RETURN [n IN reverse(nodes(p)) | n.id] AS ids, [n IN reverse(nodes(p)) | n.name] AS names, t.name_zh AS name_zh
