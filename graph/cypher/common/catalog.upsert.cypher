// $rows: [{id, name, source, clause, itemCount}]
UNWIND $rows AS r
WITH r, r.id AS key
MERGE (c:Catalog {id: key})
SET c.name = r.name, c.source = r.source, c.clause = r.clause, c.itemCount = r.itemCount
