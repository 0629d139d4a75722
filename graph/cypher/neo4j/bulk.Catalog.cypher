// bulk_load('Catalog', rows): $rows is a pyarrow Table with the columns id, name, source, clause, itemCount
// (matched by name, any order); every key must be new.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
CREATE (n:Catalog {id: r.id})
SET n.name = r.name,
    n.source = r.source,
    n.clause = r.clause,
    n.itemCount = r.itemCount
