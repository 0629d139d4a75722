// The engine's facts (see common/facts.institutions) as one UNION ALL: on Neo4j each statement is a Bolt
// round trip, so the two parts are one query here.  Typed nulls (CASE WHEN false …, date(NULL)) keep
// both parts' columns the same type (the same text also runs on LadybugDB: tests/test_store_neo4j_adapter).
UNWIND $ids AS id
MATCH (i:Institution {id: id})
RETURN i.id AS id, i.tier AS tier, i.region AS region, i.ownership AS ownership, i.kind AS kind,
       i.allianceIds AS allianceIds, CASE WHEN false THEN '' END AS node, CASE WHEN false THEN '' END AS item,
       CASE WHEN false THEN '' END AS scope, date(NULL) AS validFrom, date(NULL) AS validTo
UNION ALL
UNWIND $pairs AS p
MATCH (s:MarkSet {key: p})
WITH s
UNWIND s.marks AS mid
MATCH (m:Mark {id: mid})
RETURN m.institution AS id, CASE WHEN false THEN '' END AS tier, CASE WHEN false THEN '' END AS region,
       CASE WHEN false THEN '' END AS ownership, CASE WHEN false THEN '' END AS kind,
       CASE WHEN false THEN [''] END AS allianceIds, m.id AS node, m.item AS item, m.scope AS scope,
       m.validFrom AS validFrom, m.validTo AS validTo
