// $rows: [{id, name, source, clause, itemCount}]
UNWIND $rows AS r
MERGE (c:Catalog {id: r.id})
SET c.name = r.name, c.source = r.source, c.clause = r.clause, c.itemCount = r.itemCount
