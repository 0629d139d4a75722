// Schema version 1 -> 2: build the MarkSet of every institution|item from the marks held (see
// markset.rebuild).  Run once by graph.store.check_schema_version on a store written before MarkSet.
MATCH (i:Institution)-[:HOLDS]->(m:Mark)
WITH i.id + '|' + m.item AS skey, collect(DISTINCT m.id) AS ids
MERGE (s:MarkSet {key: skey})
SET s.marks = ids
