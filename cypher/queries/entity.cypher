// name: entity
// description: One entity with all its properties and its number of relations.
// param id: id of the entity
// example: id=base:national-memory-base
MATCH (n:Entity {id: $id})
OPTIONAL MATCH (n)-[r]-()
RETURN n.id AS id, n.type AS type, properties(n) AS properties, count(r) AS relations
