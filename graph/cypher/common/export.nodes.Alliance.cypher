// A page of Alliance nodes, every property, in key order after $after ("" for the first page): keyset
// paging for graph/export.py (SKIP is capped, and deep SKIP is slow on both engines).  -> one row per node
MATCH (n:Alliance)
WHERE n.id > $after
RETURN n.id AS id, n.kind AS kind, n.name AS name
ORDER BY id
LIMIT $limit
