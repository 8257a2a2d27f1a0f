// name: located_in
// description: Everything located in a place, directly or through other places, bases and parks.
// param place: id of the place (a country, province, city, district, zone, base or park)
// example: place=cn-420100
MATCH (p:Entity {id: $place})
MATCH (n:Entity)-[:LOCATED_IN|PART_OF*1..8]->(p)
WHERE n.type <> 'Sector'
RETURN DISTINCT n.id AS id, n.type AS type, n.name AS name, n.name_zh AS name_zh
ORDER BY type, name
