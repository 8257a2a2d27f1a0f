// Schema for FalkorDB: an exact-match index on id for the shared label and for each entity label,
// and on the names used by lookups. __LABEL__ is replaced by each EntityType in turn.
// FalkorDB answers an error for an index that already exists; the store treats that as done.
CREATE INDEX FOR (n:Entity) ON (n.id);
CREATE INDEX FOR (n:Entity) ON (n.name);
CREATE INDEX FOR (n:Entity) ON (n.name_zh);
CREATE INDEX FOR (n:__LABEL__) ON (n.id)
