// $rows: [{institution, item}] — set the MarkSet "institution|item" (created if missing) to the ids of
// the marks the institution HOLDS for the item.  MarkSet exists because LadybugDB indexes primary keys
// only: facts.institutions finds a source's marks for an item by one key lookup instead of walking
// every HOLDS edge of the institution (a 3A hospital holds ~190 marks).  Recomputed from HOLDS, so it
// is idempotent and right whatever the batch holds.
UNWIND $rows AS r
MATCH (i:Institution {id: r.institution})
MATCH (i)-[:HOLDS]->(m:Mark)
WHERE m.item = r.item
WITH r.institution + '|' + r.item AS skey, collect(DISTINCT m.id) AS ids
MERGE (s:MarkSet {key: skey})
SET s.marks = ids
