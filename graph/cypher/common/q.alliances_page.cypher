MATCH (a:Alliance)
RETURN a.id AS id, a.kind AS kind, a.name AS name
ORDER BY a.id
SKIP $skip LIMIT $limit
