// Every relation of one entity, both ways, with the entity at the other end, for its card ($id).
// direction 'out': the entity is the relation's source.
MATCH (n:Entity {id: $id})-[r]->(m:Entity)
RETURN 'out' AS direction, type(r) AS rel, properties(r) AS props, m.id AS id, m.type AS type, m.name AS name, m.name_zh AS name_zh
UNION ALL
MATCH (n:Entity {id: $id})<-[r]-(m:Entity)
RETURN 'in' AS direction, type(r) AS rel, properties(r) AS props, m.id AS id, m.type AS type, m.name AS name, m.name_zh AS name_zh
