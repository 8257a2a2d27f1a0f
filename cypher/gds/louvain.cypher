// Louvain communities of the in-memory graph $name into its node property $property (in memory only);
// $config: relationshipWeightProperty, maxLevels, maxIterations, tolerance, concurrency.
// Returns the modularity of the final partition and how many communities it has.
CALL gds.louvain.mutate($name, $config) YIELD modularity, communityCount
RETURN modularity, communityCount
