// name: partners
// description: Partners of an entity (PARTNERS_WITH in either direction), with what the cooperation is.
// param entity: id of the entity
// example: entity=base:national-cybersecurity-base
MATCH (e:Entity {id: $entity})-[r:PARTNERS_WITH]-(p:Entity)
RETURN p.id AS id, p.type AS type, p.name AS name, p.name_zh AS name_zh, r.role AS role,
       r.source_docs AS source_docs
ORDER BY name
