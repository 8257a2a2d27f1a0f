// Entities whose name, Chinese name or an alias, lower-cased, is one of $names (a load's collision checks),
// and whether they carry evidence (curated data does; an imported data set such as ChainKG does not).
MATCH (n:Entity)
WHERE toLower(n.name) IN $names OR toLower(n.name_zh) IN $names
   OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) IN $names)
RETURN n.id AS id, n.name AS name, n.name_zh AS name_zh, coalesce(n.aliases, []) AS aliases,
       size(coalesce(n.source_docs, [])) > 0 AS evidenced
