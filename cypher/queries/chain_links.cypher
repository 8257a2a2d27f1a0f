// name: chain_links
// description: Every link of the named industry chains (upstream -> downstream), by chain.
// example:
MATCH (u:Sector)-[r:PART_OF_CHAIN]->(d:Sector)
RETURN r.chain AS chain, u.name AS upstream, d.name AS downstream
ORDER BY chain, upstream, downstream
