// bulk_load('MEMBER_OF', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Institution.id and Alliance.id keys; both ends must exist.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
MATCH (a:Institution {id: r.src})
MATCH (b:Alliance {id: r.dst})
CREATE (a)-[:MEMBER_OF]->(b)
