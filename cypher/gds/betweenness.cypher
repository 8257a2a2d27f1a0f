// Betweenness centrality of the in-memory graph $name (raw: not normalised), written to the projection
// only (mutate mode, not to the database); $config: mutateProperty, and samplingSize, samplingSeed and
// concurrency to sample. Returns how many nodes got a score.
CALL gds.betweenness.mutate($name, $config) YIELD nodePropertiesWritten
RETURN nodePropertiesWritten
