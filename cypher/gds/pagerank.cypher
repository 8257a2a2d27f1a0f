// PageRank of the in-memory graph $name, written to the projection only (mutate mode, not to the
// database); $config: mutateProperty, dampingFactor, maxIterations, tolerance, concurrency.
// Returns how many iterations ran and whether it converged.
CALL gds.pageRank.mutate($name, $config) YIELD ranIterations, didConverge
RETURN ranIterations, didConverge
