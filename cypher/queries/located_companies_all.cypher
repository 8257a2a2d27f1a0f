// name: located_companies_all
// description: How many companies are located somewhere (have a LOCATED_IN link).
// example:
MATCH (c:Company)-[:LOCATED_IN]->(:Entity)
RETURN count(DISTINCT c) AS companies
