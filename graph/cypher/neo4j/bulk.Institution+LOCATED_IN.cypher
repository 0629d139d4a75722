// bulk_load('Institution+LOCATED_IN', rows): the Institution nodes and their LOCATED_IN edges in one
// pass — $rows as for bulk.Institution (id, name, tier, ownership, kind, aliases, region; every key new,
// every region stored).  Neo4j only: the initial bulk load (bench.synth) uses it instead of
// bulk.Institution then bulk.LOCATED_IN, which looks every institution up again by id
// (docs/BENCHMARKS.md, "Neo4j").
UNWIND $rows AS r
MATCH (g:Region {code: r.region})
CREATE (n:Institution {id: r.id, name: r.name, tier: r.tier, ownership: r.ownership, kind: r.kind,
                       aliases: r.aliases, region: r.region})-[:LOCATED_IN]->(g)
