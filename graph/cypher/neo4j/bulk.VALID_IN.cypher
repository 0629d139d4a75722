// bulk_load('VALID_IN', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Mark.id and Region.code keys; both ends must exist.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
MATCH (a:Mark {id: r.src})
MATCH (b:Region {code: r.dst})
CREATE (a)-[:VALID_IN]->(b)
