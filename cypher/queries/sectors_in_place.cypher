// name: sectors_in_place
// description: The sectors present in a place, with how many entities there work in each (a regional aggregation).
// param place: id of the place
// example: place=cn-420100
MATCH (p:Entity {id: $place})<-[:LOCATED_IN|PART_OF*1..8]-(e:Entity)-[:SPECIALISES_IN]->(s:Sector)
RETURN s.id AS id, s.name AS sector, count(DISTINCT e) AS entities
ORDER BY entities DESC, sector
