// bulk_load('LOCATED_IN', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Institution.id and Region.code keys; both ends must exist.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
MATCH (a:Institution {id: r.src})
MATCH (b:Region {code: r.dst})
CREATE (a)-[:LOCATED_IN]->(b)
