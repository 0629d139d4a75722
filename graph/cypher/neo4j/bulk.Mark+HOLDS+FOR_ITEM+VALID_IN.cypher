// bulk_load('Mark+HOLDS+FOR_ITEM+VALID_IN', rows): the Mark nodes with their three edges in one pass —
// $rows as for bulk.Mark (id, institution, item, scope, validFrom, validTo; every id new; the
// institution, the catalog item and the scope region stored).  Neo4j only: the initial bulk load
// (bench.synth) uses it instead of bulk.Mark then bulk.HOLDS, bulk.FOR_ITEM, bulk.VALID_IN — four passes
// over 5M rows at national scale, three of them looking each mark up again by id; this one took 2.5x
// less time (docs/BENCHMARKS.md, "Neo4j").
UNWIND $rows AS r
MATCH (i:Institution {id: r.institution})
MATCH (c:CatalogItem {ref: r.item})
MATCH (g:Region {code: r.scope})
CREATE (i)-[:HOLDS]->(m:Mark {id: r.id, institution: r.institution, item: r.item, scope: r.scope,
                              validFrom: r.validFrom, validTo: r.validTo})
CREATE (m)-[:FOR_ITEM]->(c)
CREATE (m)-[:VALID_IN]->(g)
