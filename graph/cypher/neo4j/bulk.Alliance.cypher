// bulk_load('Alliance', rows): $rows is a pyarrow Table with the columns id, kind, name
// (matched by name, any order); every key must be new.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
CREATE (n:Alliance {id: r.id})
SET n.kind = r.kind,
    n.name = r.name
