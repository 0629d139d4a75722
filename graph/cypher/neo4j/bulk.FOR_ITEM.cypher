// bulk_load('FOR_ITEM', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Mark.id and CatalogItem.ref keys; both ends must exist.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
MATCH (a:Mark {id: r.src})
MATCH (b:CatalogItem {ref: r.dst})
CREATE (a)-[:FOR_ITEM]->(b)
