// $rows: [{id, kind, name}]
UNWIND $rows AS r
WITH r, r.id AS key
MERGE (a:Alliance {id: key})
SET a.kind = r.kind, a.name = r.name
