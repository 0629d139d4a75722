UNWIND $ids AS id
MATCH (i:Institution {id: id})
MATCH (i)-[:MEMBER_OF]->(a:Alliance)
RETURN i.id AS institution, a.id AS id, a.kind AS kind, a.name AS name
ORDER BY a.id
