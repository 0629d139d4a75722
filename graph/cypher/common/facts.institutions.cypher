// The recognition engine's one round trip per batch.  $ids: the asked institutions; $pairs: the
// "institution|item" keys of the marks wanted (each source's marks for the items of its own studies).
// One row per mark wanted and per alliance the institution is a member of (node = null when it has
// neither); a row with allianceKind set is an alliance, one with item set is a mark.
// Shape measured on LadybugDB (bench/run.py): after UNWIND every OPTIONAL MATCH is planned as its own
// hash join (~0.5 ms each on 2 cores), so marks and alliances come from ONE OPTIONAL MATCH over both
// relationship types, with no aggregation: half the time of one OPTIONAL MATCH per type + collect().
// Filtering by "institution|item" instead of item alone returns ~5x fewer rows for a batch of 100.
// (A non-optional MATCH after UNWIND is far worse: the planner then scans the whole Mark table.)
UNWIND $ids AS id
MATCH (i:Institution {id: id})
OPTIONAL MATCH (i)-[:HOLDS|MEMBER_OF]->(x)
WHERE x.kind IS NOT NULL OR (i.id + '|' + x.item) IN $pairs
RETURN i.id AS id, i.tier AS tier, i.region AS region, i.ownership AS ownership, i.kind AS kind,
       x.id AS node, x.kind AS allianceKind, x.item AS item, x.scope AS scope,
       x.validFrom AS validFrom, x.validTo AS validTo
