// $rows: [{code, name, level}]
UNWIND $rows AS r
WITH r, r.code AS key
MERGE (n:Region {code: key})
SET n.name = r.name, n.level = r.level
