// name: chain_around
// description: The industry chain around a sector: sectors up to three links upstream and downstream.
// param sector: id of the sector
// example: sector=sector:battery-cells
MATCH p = (u:Sector)-[:PART_OF_CHAIN*1..3]->(s:Entity {id: $sector})
RETURN 'upstream' AS direction, length(p) AS hops, u.id AS id, u.name AS name,
       [n IN nodes(p) | n.name] AS path, [r IN relationships(p) | r.chain] AS chains
UNION
MATCH p = (s:Entity {id: $sector})-[:PART_OF_CHAIN*1..3]->(d:Sector)
RETURN 'downstream' AS direction, length(p) AS hops, d.id AS id, d.name AS name,
       [n IN nodes(p) | n.name] AS path, [r IN relationships(p) | r.chain] AS chains
