// Betweenness centrality of the in-memory graph $name into its node property $property (in memory only);
// $config may set samplingSize and samplingSeed. Returns how many nodes got a score.
CALL gds.betweenness.mutate($name, $config) YIELD nodePropertiesWritten
RETURN nodePropertiesWritten
