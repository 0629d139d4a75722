// bulk_load('HOLDS', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Institution.id and Mark.id keys; both ends must exist.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
MATCH (a:Institution {id: r.src})
MATCH (b:Mark {id: r.dst})
CREATE (a)-[:HOLDS]->(b)
