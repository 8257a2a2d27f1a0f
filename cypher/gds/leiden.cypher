// Leiden communities of the in-memory graph $name into its node property $property (in memory only):
// what communities use for a resolution other than 1, which GDS's Louvain lacks. $config: gamma (the
// resolution), randomSeed, relationshipWeightProperty, maxLevels, tolerance, concurrency.
// Returns the modularity of the final partition (at that resolution) and how many communities it has.
CALL gds.leiden.mutate($name, $config) YIELD modularity, communityCount
RETURN modularity, communityCount
