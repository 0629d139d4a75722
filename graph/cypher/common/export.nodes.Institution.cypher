// A page of Institution nodes, every property, in key order after $after ("" for the first page): keyset
// paging for graph/export.py (SKIP is capped, and deep SKIP is slow on both engines).  -> one row per node
MATCH (n:Institution)
WHERE n.id > $after
RETURN n.id AS id, n.name AS name, n.tier AS tier, n.ownership AS ownership, n.kind AS kind,
       n.aliases AS aliases, n.region AS region, n.allianceIds AS allianceIds
ORDER BY id
LIMIT $limit
