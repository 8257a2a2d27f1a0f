// name: located_companies
// description: How many companies are located in a place (transitively through LOCATED_IN and PART_OF).
// param place: id of the place
// example: place=cn-420100
MATCH (c:Company)-[:LOCATED_IN|PART_OF*1..8]->(p:Entity {id: $place})
RETURN count(DISTINCT c) AS companies
