// bulk_load('MarkSet', rows): $rows is a pyarrow Table with the columns key ("institution|item") and
// marks (list of the Mark ids of that institution and item); every key must be new.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
CREATE (n:MarkSet {key: r.key})
SET n.marks = r.marks
