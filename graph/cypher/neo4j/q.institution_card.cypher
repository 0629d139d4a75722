// q.institution_card on Neo4j: the three parts as one query, one Bolt round trip, the rows packed into one
// record (graph.neo4j_store.PACKED; dates as ISO strings, PACKED_DATES) in the order the common statement
// returns them.  MATCH, not OPTIONAL MATCH, in the subqueries: an aggregate over no rows is one row holding [].
MATCH (i:Institution {id: $id})
CALL (i) {
  MATCH (i)-[:MEMBER_OF]->(a:Alliance)
  WITH a ORDER BY a.id
  RETURN collect({part: 'alliance', institution: i.id, id: a.id, kind: a.kind, name: a.name}) AS alliances
}
CALL (i) {
  MATCH (i)-[:HOLDS]->(m:Mark)
  WITH m ORDER BY m.item, m.scope, m.validFrom
  RETURN collect({part: 'mark', institution: i.id, id: m.id, item: m.item, scope: m.scope,
                  validFrom: toString(m.validFrom), validTo: toString(m.validTo)}) AS marks
}
RETURN [{part: 'institution', id: i.id, name: i.name, tier: i.tier, region: i.region, ownership: i.ownership,
         kind: i.kind, aliases: i.aliases}] + alliances + marks AS packedRows,
       ['validFrom', 'validTo'] AS packedDates
