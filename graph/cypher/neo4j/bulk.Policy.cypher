// bulk_load('Policy', rows): $rows is a pyarrow Table with the columns id, title, source
// (matched by name, any order); every key must be new.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
CREATE (n:Policy {id: r.id})
SET n.title = r.title,
    n.source = r.source
