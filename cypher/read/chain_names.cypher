// The names of the industry chains (the chain of every PART_OF_CHAIN relation), once each.
MATCH (:Sector)-[r:PART_OF_CHAIN]->(:Sector)
RETURN DISTINCT r.chain AS chain
ORDER BY chain
