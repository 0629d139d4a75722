// Empty the database in transactions of 10,000 nodes, run part by part as auto-commit queries
// (CALL … IN TRANSACTIONS cannot run inside a managed transaction, so not through GraphStore.write).
// graph.clear holds the whole delete in one transaction, which a national graph does not fit in;
// bench.run empties a server it is pointed at (--neo4j-uri) with this.  Marks and institutions go
// first: a region or a catalog item deleted before them would take its millions of edges in one batch.
MATCH (n:Mark)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
;
MATCH (n:MarkSet)
CALL (n) {
  DELETE n
} IN TRANSACTIONS OF 10000 ROWS
;
MATCH (n:Institution)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
;
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
