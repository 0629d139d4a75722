// A page of Policy nodes, every property, in key order after $after ("" for the first page): keyset
// paging for graph/export.py (SKIP is capped, and deep SKIP is slow on both engines).  -> one row per node
MATCH (n:Policy)
WHERE n.id > $after
RETURN n.id AS id, n.title AS title, n.source AS source
ORDER BY id
LIMIT $limit
