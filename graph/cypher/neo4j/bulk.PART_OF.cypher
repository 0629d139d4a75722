// bulk_load('PART_OF', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Region.code and Region.code keys; both ends must exist.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
MATCH (a:Region {code: r.src})
MATCH (b:Region {code: r.dst})
CREATE (a)-[:PART_OF]->(b)
