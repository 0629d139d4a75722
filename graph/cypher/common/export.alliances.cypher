// A page of alliances with their members (what a dataset file says of an alliance), in id order after
// $after ("" for the first page): graph/export.py copies alliances to another store through the loader.
MATCH (a:Alliance)
WHERE a.id > $after
WITH a
ORDER BY a.id
LIMIT $limit
OPTIONAL MATCH (i:Institution)-[:MEMBER_OF]->(a)
RETURN a.id AS id, a.kind AS kind, a.name AS name, collect(i.id) AS members
ORDER BY id
