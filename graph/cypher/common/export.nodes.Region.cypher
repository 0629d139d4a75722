// A page of Region nodes, every property, in key order after $after ("" for the first page): keyset
// paging for graph/export.py (SKIP is capped, and deep SKIP is slow on both engines).  -> one row per node
MATCH (n:Region)
WHERE n.code > $after
RETURN n.code AS code, n.name AS name, n.level AS level
ORDER BY code
LIMIT $limit
