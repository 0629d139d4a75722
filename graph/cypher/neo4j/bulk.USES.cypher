// bulk_load('USES', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Policy.id and Catalog.id keys; both ends must exist.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
MATCH (a:Policy {id: r.src})
MATCH (b:Catalog {id: r.dst})
CREATE (a)-[:USES]->(b)
