// The engine's facts (see common/facts.institutions: the same rows, the same columns) in one query,
// its rows packed into one record (graph.neo4j_store.PACKED): the async driver reads each record as a
// Bolt message in Python, ~40 µs apiece, so the ~240 rows of a batch of 100 checks cost 10 ms of client
// CPU as records and 3 ms packed; and one query is one round trip where the common statement's two parts
// are two (docs/BENCHMARKS.md, "Neo4j").  Every row carries every column (null where it has none), as
// the rows of a UNION ALL would.
CALL () {
  UNWIND $ids AS id
  MATCH (i:Institution {id: id})
  RETURN collect({id: i.id, tier: i.tier, region: i.region, ownership: i.ownership, kind: i.kind,
                  allianceIds: i.allianceIds, node: null, item: null, scope: null, validFrom: null,
                  validTo: null}) AS heads
}
CALL () {
  UNWIND $pairs AS p
  MATCH (s:MarkSet {key: p})
  UNWIND s.marks AS mid
  MATCH (m:Mark {id: mid})
  RETURN collect({id: m.institution, tier: null, region: null, ownership: null, kind: null,
                  allianceIds: null, node: m.id, item: m.item, scope: m.scope, validFrom: m.validFrom,
                  validTo: m.validTo}) AS marks
}
RETURN heads + marks AS packedRows
