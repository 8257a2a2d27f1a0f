// Entities whose name, Chinese name or an alias, lower-cased, is one of $names (a load's collision checks).
MATCH (n:Entity)
WHERE toLower(n.name) IN $names OR toLower(n.name_zh) IN $names
   OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) IN $names)
RETURN n.id AS id, n.name AS name, n.name_zh AS name_zh, coalesce(n.aliases, []) AS aliases
