// $rows: [{id, kind, name}]
UNWIND $rows AS r
MERGE (a:Alliance {id: r.id})
SET a.kind = r.kind, a.name = r.name
