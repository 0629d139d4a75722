// bulk_load('GOVERNS', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Policy.id and Region.code keys; both ends must exist.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
MATCH (a:Policy {id: r.src})
MATCH (b:Region {code: r.dst})
CREATE (a)-[:GOVERNS]->(b)
