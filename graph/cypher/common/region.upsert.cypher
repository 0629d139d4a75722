// $rows: [{code, name, level}]
UNWIND $rows AS r
MERGE (n:Region {code: r.code})
SET n.name = r.name, n.level = r.level
