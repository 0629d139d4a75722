MATCH (a:Alliance {id: $id})
RETURN a.id AS id, a.kind AS kind, a.name AS name
