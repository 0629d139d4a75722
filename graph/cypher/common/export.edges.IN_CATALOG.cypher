// The IN_CATALOG relationships (CatalogItem -> Catalog) of a page of $limit CatalogItem nodes in key order
// after $after ("" for the first page), paged by the CatalogItem it starts from (each has few).  -> one
// row per relationship (src, dst keys), and one row with a null end for a node of the page that has none:
// `page` (the paged key) moves the cursor.
MATCH (a:CatalogItem)
WHERE a.ref > $after
WITH a
ORDER BY a.ref
LIMIT $limit
OPTIONAL MATCH (a)-[:IN_CATALOG]->(b:Catalog)
RETURN a.ref AS page, a.ref AS src, b.id AS dst
ORDER BY page, dst
