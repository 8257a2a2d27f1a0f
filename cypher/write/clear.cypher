// Delete every entity and relation.
MATCH (n) DETACH DELETE n
