// The GOVERNS relationships (Policy -> Region) of a page of $limit Policy nodes in key order after $after
// ("" for the first page), paged by the Policy it starts from (each has few).  -> one row per relationship
// (src, dst keys), and one row with a null end for a node of the page that has none: `page` (the paged
// key) moves the cursor.
MATCH (a:Policy)
WHERE a.id > $after
WITH a
ORDER BY a.id
LIMIT $limit
OPTIONAL MATCH (a)-[:GOVERNS]->(b:Region)
RETURN a.id AS page, a.id AS src, b.code AS dst
ORDER BY page, dst
