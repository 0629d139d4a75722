// bulk_load('Region', rows): $rows is a pyarrow Table with the columns code, name, level
// (matched by name, any order); every key must be new.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
CREATE (n:Region {code: r.code})
SET n.name = r.name,
    n.level = r.level
