// A page of Catalog nodes, every property, in key order after $after ("" for the first page): keyset
// paging for graph/export.py (SKIP is capped, and deep SKIP is slow on both engines).  -> one row per node
MATCH (n:Catalog)
WHERE n.id > $after
RETURN n.id AS id, n.name AS name, n.source AS source, n.clause AS clause, n.itemCount AS itemCount
ORDER BY id
LIMIT $limit
