// Leiden communities of the in-memory graph $name, written to the projection only (mutate mode, not to
// the database): what communities use for a resolution other than 1, which GDS's Louvain lacks.
// $config: mutateProperty, gamma (the resolution), randomSeed, relationshipWeightProperty, concurrency.
// Returns the modularity of the final partition (at that resolution) and how many communities it has.
CALL gds.leiden.mutate($name, $config) YIELD modularity, communityCount
RETURN modularity, communityCount
