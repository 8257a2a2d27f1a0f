// The sectors linked by one named chain (PART_OF_CHAIN with that chain name).
MATCH (a:Sector)-[r:PART_OF_CHAIN]->(b:Sector)
WHERE r.chain = $chain
RETURN DISTINCT a.id AS source, b.id AS target
