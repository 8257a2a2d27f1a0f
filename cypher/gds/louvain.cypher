// Louvain communities of the in-memory graph $name, written to the projection only (mutate mode, not to
// the database); $config: mutateProperty, relationshipWeightProperty, concurrency.
// Returns the modularity of the final partition and how many communities it has.
CALL gds.louvain.mutate($name, $config) YIELD modularity, communityCount
RETURN modularity, communityCount
