// A page of Meta nodes, every property, in key order after $after ("" for the first page): keyset
// paging for graph/export.py (SKIP is capped, and deep SKIP is slow on both engines).  -> one row per node
MATCH (n:Meta)
WHERE n.key > $after
RETURN n.key AS key, n.value AS value
ORDER BY key
LIMIT $limit
