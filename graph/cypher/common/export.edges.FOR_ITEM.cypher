// The FOR_ITEM relationships (Mark -> CatalogItem) of a page of $limit Mark nodes in key order after
// $after ("" for the first page), paged by the Mark it starts from (each has few).  -> one row per
// relationship (src, dst keys), and one row with a null end for a node of the page that has none: `page`
// (the paged key) moves the cursor.
MATCH (a:Mark)
WHERE a.id > $after
WITH a
ORDER BY a.id
LIMIT $limit
OPTIONAL MATCH (a)-[:FOR_ITEM]->(b:CatalogItem)
RETURN a.id AS page, a.id AS src, b.ref AS dst
ORDER BY page, dst
