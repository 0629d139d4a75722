// $ids: [id] (never empty) -> id, kind, name, members (ids of the member institutions, any order)
UNWIND $ids AS id
MATCH (a:Alliance {id: id})
OPTIONAL MATCH (i:Institution)-[:MEMBER_OF]->(a)
RETURN a.id AS id, a.kind AS kind, a.name AS name, collect(i.id) AS members
