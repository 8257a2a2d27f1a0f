// name: base_profile
// description: A base's parks, phases and projects, the companies and partners around it, and its sectors.
// param base: id of the base
// example: base=base:national-cybersecurity-base
MATCH (b:Entity {id: $base})<-[:PART_OF|LOCATED_IN*1..3]-(m:Entity)
RETURN DISTINCT 'member' AS relation, m.id AS id, m.type AS type, m.name AS name, b.name AS via
UNION
MATCH (b:Entity {id: $base})<-[:PART_OF|LOCATED_IN*0..3]-(m:Entity)<-[:OPERATES]-(c:Entity)
RETURN DISTINCT 'operator' AS relation, c.id AS id, c.type AS type, c.name AS name, m.name AS via
UNION
MATCH (b:Entity {id: $base})-[:PARTNERS_WITH]-(p:Entity)
RETURN DISTINCT 'partner' AS relation, p.id AS id, p.type AS type, p.name AS name, b.name AS via
UNION
MATCH (b:Entity {id: $base})<-[:PART_OF|LOCATED_IN*0..3]-(m:Entity)-[:SPECIALISES_IN]->(s:Sector)
RETURN DISTINCT 'sector' AS relation, s.id AS id, s.type AS type, s.name AS name, m.name AS via
