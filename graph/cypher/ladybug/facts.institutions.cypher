// The recognition engine's one round trip per batch (LadybugDB).  $ids: the asked institutions; $pairs: the
// "institution|item" keys of the marks wanted (each source's marks for the items of its own studies).
// Two parts, run one after the other in one reader job (graph.ladybug_store.LadybugStore.read), every
// row found by primary key (LadybugDB indexes primary keys only).  As two statements they took 0.37 ms
// for a single check and 4.4 ms for a batch of 100 at 40k institutions; as one UNION ALL 0.52 / 4.9 ms.
// (Neo4j runs neo4j/facts.institutions, the UNION ALL: one Bolt round trip instead of two.)
//
// Each list arrives as one string, its elements joined by U+001F (string_split below; the adapter joins
// them: graph.ladybug_store._joined).  The driver works out a type signature for its statement cache by
// walking every element of a list parameter in Python and converts each element.  In one process at 40k
// institutions, the two forms in turn: CPU per batch of 100 checks 6.4 -> 5.7 ms (p50 9.1 -> 8.2 ms), per
// single check 429 -> 408 µs (p50 395 -> 373 µs).
//
// Part 1 — one row per asked institution, with allianceIds, the alliances it is MEMBER_OF (a read model
// kept by institution.alliances: after UNWIND, OPTIONAL MATCH (i)-[:MEMBER_OF]->() is planned as a hash
// join over the whole MEMBER_OF table, 0.75 ms of the 0.85 ms this query took at 40k institutions).
UNWIND string_split($ids, '\u001f') AS id
MATCH (i:Institution {id: id})
RETURN i.id AS id, i.tier AS tier, i.region AS region, i.ownership AS ownership, i.kind AS kind,
       i.allianceIds AS allianceIds
;
// Part 2 — one row per mark wanted, found through the MarkSet "institution|item", which lists the ids
// of its marks (walking every HOLDS edge of each source — a 3A hospital holds ~190 marks — and filtering
// by item cost 5.6 ms per batch of 100 at 10k institutions, this 1.9 ms).  After UNWIND a non-optional
// MATCH over a relationship scans the whole table (a MarkSet-[:GROUPS]->Mark edge: 34 ms), so the marks
// come from the id list, each a primary-key MATCH.
UNWIND string_split($pairs, '\u001f') AS p
MATCH (s:MarkSet {key: p})
WITH s
UNWIND s.marks AS mid
MATCH (m:Mark {id: mid})
RETURN m.institution AS id, m.id AS node, m.item AS item, m.scope AS scope, m.validFrom AS validFrom,
       m.validTo AS validTo
