// The PART_OF relationships (Region -> Region) of a page of $limit Region nodes in key order after $after
// ("" for the first page), paged by the Region it starts from (each has few).  -> one row per relationship
// (src, dst keys), and one row with a null end for a node of the page that has none: `page` (the paged
// key) moves the cursor.
MATCH (a:Region)
WHERE a.code > $after
WITH a
ORDER BY a.code
LIMIT $limit
OPTIONAL MATCH (a)-[:PART_OF]->(b:Region)
RETURN a.code AS page, a.code AS src, b.code AS dst
ORDER BY page, dst
