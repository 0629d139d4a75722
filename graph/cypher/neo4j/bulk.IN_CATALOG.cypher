// bulk_load('IN_CATALOG', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the CatalogItem.ref and Catalog.id keys; both ends must exist.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
MATCH (a:CatalogItem {ref: r.src})
MATCH (b:Catalog {id: r.dst})
CREATE (a)-[:IN_CATALOG]->(b)
