// The ids among $ids that the store holds (divisions a company may be located in).
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN n.id AS id
