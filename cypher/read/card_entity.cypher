// One entity's properties, for its card ($id: the entity's id).
MATCH (n:Entity {id: $id})
RETURN properties(n) AS props
