// The recognition engine's one round trip per batch.  $ids: the asked institutions; $pairs: the
// "institution|item" keys of the marks wanted (each source's marks for the items of its own studies).
// Two parts, same columns, every row found by primary key (LadybugDB indexes primary keys only):
// * one row per asked institution, with allianceIds, the alliances it is MEMBER_OF (a read model kept
//   by institution.alliances: after UNWIND, OPTIONAL MATCH (i)-[:MEMBER_OF]->() is planned as a hash
//   join over the whole MEMBER_OF table, 0.75 ms of the 0.85 ms this query took for a single check at
//   40k institutions; without it 0.14 ms);
// * one row per mark wanted (item set), found through the MarkSet "institution|item", which lists the
//   ids of its marks (walking every HOLDS edge of each source — a 3A hospital holds ~190 marks — and
//   filtering by item cost 5.6 ms per batch of 100 at 10k institutions, this 1.9 ms).
// Shape measured on LadybugDB: a non-optional MATCH over a relationship after UNWIND scans the whole
// table (a MarkSet-[:GROUPS]->Mark edge: 34 ms), so the marks come from the id list, each a primary-key
// MATCH.  Typed nulls (CASE WHEN false …, date(NULL)) keep both parts' columns the same type for the UNION.
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
