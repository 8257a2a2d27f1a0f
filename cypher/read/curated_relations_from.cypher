// Curated relations leaving the given entities: with no sources, or a source whose document is not a
// package import ($ids: list of ids; $prefixes: source-doc prefixes of package imports).
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE size(coalesce(r.source_docs, [])) = 0
   OR any(d IN r.source_docs WHERE NOT any(p IN $prefixes WHERE d STARTS WITH p))
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
