// LadybugDB override: in a batch where a field is null in every row, the driver types that field STRING
// and the binder refuses to assign it to a typed property, so typed properties are CAST.
// $rows: [{id, name, source, clause, itemCount}]
UNWIND $rows AS r
WITH r, r.id AS key
MERGE (c:Catalog {id: key})
SET c.name = r.name, c.source = r.source, c.clause = r.clause, c.itemCount = CAST(r.itemCount AS INT64)
