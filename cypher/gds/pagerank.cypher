// PageRank of the in-memory graph $name into its node property $property (in memory only);
// $config: dampingFactor, maxIterations, tolerance. Returns how many iterations ran and whether it converged.
CALL gds.pageRank.mutate($name, $config) YIELD ranIterations, didConverge
RETURN ranIterations, didConverge
