// name: name_candidates
// description: Entities whose id, name, Chinese name or aliases contain the most of some lower-case fragments (for name suggestions), best first.
// param grams: list of lower-case fragments, e.g. the two-letter pieces of a misspelt name
// param least: how many fragments an entity must contain at least
// param limit: at most this many rows
// example: grams=["wu","uh","hn"] least=1 limit=50
MATCH (n:Entity)
WITH n, toLower(n.id + ' ' + n.name + ' ' + coalesce(n.name_zh, '') + ' ' +
     reduce(s = '', a IN coalesce(n.aliases, []) | s + ' ' + a)) AS text
WITH n, size([g IN $grams WHERE text CONTAINS g]) AS hits
WHERE hits >= $least
RETURN n.id AS id, n.type AS type, n.name AS name, n.name_zh AS name_zh, n.aliases AS aliases
ORDER BY hits DESC, id
LIMIT $limit
