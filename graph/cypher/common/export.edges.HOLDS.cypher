// The HOLDS relationships (Institution -> Mark) of a page of $limit Mark nodes in key order after $after
// ("" for the first page), paged by the Mark it ends at (each has one; an Institution has hundreds).  ->
// one row per relationship (src, dst keys), and one row with a null end for a node of the page that has
// none: `page` (the paged key) moves the cursor.
MATCH (b:Mark)
WHERE b.id > $after
WITH b
ORDER BY b.id
LIMIT $limit
OPTIONAL MATCH (a:Institution)-[:HOLDS]->(b)
RETURN b.id AS page, a.id AS src, b.id AS dst
ORDER BY page, src
