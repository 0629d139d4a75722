// $rows: [{child, parent}] — region codes; both regions must exist
UNWIND $rows AS r
MATCH (c:Region {code: r.child})
MATCH (p:Region {code: r.parent})
MERGE (c)-[:PART_OF]->(p)
