// The recognition engine's one round trip per batch.  $ids: the asked institutions; $pairs: the
// "institution|item" keys of the marks wanted (each source's marks for the items of its own studies).
// Two parts, same columns:
// * one row per asked institution and per alliance it is a member of (node = null when it has none;
//   item is always null here);
// * one row per mark wanted (item set), found by primary key: the MarkSet "institution|item" lists the
//   ids of its marks (LadybugDB indexes primary keys only; walking every HOLDS edge of each source — a
//   3A hospital holds ~190 marks — and filtering by item cost 5.6 ms per batch of 100 at 10k
//   institutions, this 1.9 ms, with the single check unchanged at ~0.48 ms).
// Shape measured on LadybugDB: after UNWIND an OPTIONAL MATCH is planned as its own hash join, and a
// non-optional MATCH over a relationship scans the whole table (a MarkSet-[:GROUPS]->Mark edge: 34 ms),
// so the marks come from the id list, each a primary-key MATCH.  Typed nulls (CASE WHEN false …,
// date(NULL)) keep both parts' columns the same type for the UNION.
UNWIND $ids AS id
MATCH (i:Institution {id: id})
OPTIONAL MATCH (i)-[:MEMBER_OF]->(x:Alliance)
RETURN i.id AS id, i.tier AS tier, i.region AS region, i.ownership AS ownership, i.kind AS kind,
       x.id AS node, x.kind AS allianceKind, CASE WHEN false THEN '' END AS item,
       CASE WHEN false THEN '' END AS scope, date(NULL) AS validFrom, date(NULL) AS validTo
UNION ALL
UNWIND $pairs AS p
MATCH (s:MarkSet {key: p})
WITH s
UNWIND s.marks AS mid
MATCH (m:Mark {id: mid})
RETURN m.institution AS id, CASE WHEN false THEN '' END AS tier, CASE WHEN false THEN '' END AS region,
       CASE WHEN false THEN '' END AS ownership, CASE WHEN false THEN '' END AS kind,
       m.id AS node, CASE WHEN false THEN '' END AS allianceKind, m.item AS item, m.scope AS scope,
       m.validFrom AS validFrom, m.validTo AS validTo
