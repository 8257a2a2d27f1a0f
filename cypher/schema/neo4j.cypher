// Schema for Neo4j 5: one uniqueness constraint on id for the shared label Entity (backed by a range
// index: every lookup and every MERGE goes through it), and indexes on the names used by lookups.
// Every entity carries Entity, so ids are unique per type too: a constraint per type label would only
// add an index write per node (measured: entity writes 13k/s with them, 20k+/s without; bench/RESULTS.md).
// All idempotent.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name);
CREATE INDEX entity_name_zh IF NOT EXISTS FOR (n:Entity) ON (n.name_zh)
