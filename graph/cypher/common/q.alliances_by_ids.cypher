// Alliances by id, for federation's _entities (one read for a whole batch of representations).
UNWIND $ids AS id
MATCH (a:Alliance {id: id})
RETURN a.id AS id, a.kind AS kind, a.name AS name
