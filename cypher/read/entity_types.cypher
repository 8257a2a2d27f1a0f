// The type of each of the given ids that exists ($ids: list of ids).
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, n.type AS type
