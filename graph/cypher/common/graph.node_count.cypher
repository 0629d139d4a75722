// -> one row {nodes}: every node of any label (Meta included)
MATCH (n)
RETURN count(n) AS nodes
