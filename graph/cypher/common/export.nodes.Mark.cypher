// A page of Mark nodes, every property, in key order after $after ("" for the first page): keyset
// paging for graph/export.py (SKIP is capped, and deep SKIP is slow on both engines).  -> one row per node
MATCH (n:Mark)
WHERE n.id > $after
RETURN n.id AS id, n.institution AS institution, n.item AS item, n.scope AS scope,
       n.validFrom AS validFrom, n.validTo AS validTo
ORDER BY id
LIMIT $limit
