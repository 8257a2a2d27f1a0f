// Projects the sector chain graph (named $name), directed: one relationship per upstream -> downstream
// pair of sectors linked by PART_OF_CHAIN on any chain; sectors on no chain are left out.
// Changes no data: the graph lives in GDS's in-memory catalog until gds/drop removes it.
// Returns the projection's node and relationship counts.
MATCH (s:Sector)-[:PART_OF_CHAIN]->(t:Sector)
WITH DISTINCT s, t
WITH gds.graph.project($name, s, t) AS g
RETURN g.nodeCount AS nodes, g.relationshipCount AS links
