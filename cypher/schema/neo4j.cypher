// Schema for Neo4j 5: uniqueness constraints (each backed by an index) on id for the shared label
// and for each entity label, and indexes on the names used by lookups. All idempotent.
// __LABEL__ is replaced by each EntityType in turn.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name);
CREATE INDEX entity_name_zh IF NOT EXISTS FOR (n:Entity) ON (n.name_zh);
CREATE CONSTRAINT __LABEL___id IF NOT EXISTS FOR (n:__LABEL__) REQUIRE n.id IS UNIQUE
