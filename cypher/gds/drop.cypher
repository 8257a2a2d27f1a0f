// Drops the in-memory graph $name from GDS's catalog (nothing when it does not exist).
CALL gds.graph.drop($name, false) YIELD graphName
RETURN graphName
