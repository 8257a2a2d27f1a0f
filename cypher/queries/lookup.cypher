// name: lookup
// description: Entities whose id, name, Chinese name or an alias equals a text, ignoring case (name lookup).
// param needle: the text, trimmed and lower-cased
// example: needle=wuhan
MATCH (n:Entity)
WHERE toLower(n.id) = $needle OR toLower(n.name) = $needle OR toLower(n.name_zh) = $needle
   OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) = $needle)
OPTIONAL MATCH (n)-[:LOCATED_IN|PART_OF]->(p:Entity)
RETURN n.id AS id, n.type AS type, n.name AS name, n.name_zh AS name_zh, n.aliases AS aliases,
       collect(p.name) AS located_in
ORDER BY id
