// Delete up to 10,000 nodes with their relations and say how many went; run until it says 0.
// Bounded batches keep each transaction small on a large graph (Neo4j's clear).
MATCH (n)
WITH n LIMIT 10000
DETACH DELETE n
RETURN count(*) AS deleted
