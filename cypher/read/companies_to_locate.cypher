// Every company with a registered full name (for indgraph import locations).
MATCH (c:Company)
WHERE c.full_name IS NOT NULL
RETURN c.id AS id, c.code AS code, c.full_name AS full_name
ORDER BY id
