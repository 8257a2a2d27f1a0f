// name: entity_names
// description: Every entity's id, type, names and aliases, and where it is (for name suggestions).
// example:
MATCH (n:Entity)
OPTIONAL MATCH (n)-[:LOCATED_IN|PART_OF]->(p:Entity)
RETURN n.id AS id, n.type AS type, n.name AS name, n.name_zh AS name_zh, n.aliases AS aliases,
       collect(p.name) AS located_in
ORDER BY id
