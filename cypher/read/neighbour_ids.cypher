// The entities one relation away from some entities, in either direction (for a neighbourhood).
MATCH (a:Entity)-[]-(b:Entity)
WHERE a.id IN $ids
RETURN DISTINCT b.id AS id
