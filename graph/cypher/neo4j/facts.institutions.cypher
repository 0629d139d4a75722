// The engine's facts (see common/facts.institutions: the same rows with the same columns) in one query,
// its rows packed into one record (graph.neo4j_store.PACKED) and its dates as ISO strings, which the
// adapter makes datetime.date (PACKED_DATES).  The async driver reads each record as a Bolt message in
// Python (~40 µs apiece) and builds a neo4j.time.Date in Python for each date (~5 µs): the ~240 rows and
// ~290 dates of a batch of 100 checks cost 10.4 ms of client CPU as records, 3.1 ms packed, 1.4 ms with
// ISO dates; and one query is one round trip where the common statement's two parts are two
// (docs/BENCHMARKS.md, "Neo4j").
CALL () {
  UNWIND $ids AS id
  MATCH (i:Institution {id: id})
  RETURN collect({id: i.id, tier: i.tier, region: i.region, ownership: i.ownership, kind: i.kind,
                  allianceIds: i.allianceIds}) AS heads
}
CALL () {
  UNWIND $pairs AS p
  MATCH (s:MarkSet {key: p})
  UNWIND s.marks AS mid
  MATCH (m:Mark {id: mid})
  RETURN collect({id: m.institution, node: m.id, item: m.item, scope: m.scope,
                  validFrom: toString(m.validFrom), validTo: toString(m.validTo)}) AS marks
}
RETURN heads + marks AS packedRows, ['validFrom', 'validTo'] AS packedDates
