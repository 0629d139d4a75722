MATCH (r:Region)
WHERE ($level IS NULL OR r.level = $level)
OPTIONAL MATCH (r)-[:PART_OF]->(p:Region)
WITH r, p
WHERE ($parent IS NULL OR p.code = $parent)
RETURN r.code AS code, r.name AS name, r.level AS level, collect(p.code) AS parents
ORDER BY code
SKIP $skip LIMIT $limit
