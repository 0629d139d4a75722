// $rows: [{id, name, tier, ownership, kind, aliases, region}]
// Part 1 unlinks an institution whose region changed; part 2 upserts it and links LOCATED_IN.
UNWIND $rows AS r
MATCH (n:Institution {id: r.id})
MATCH (n)-[old:LOCATED_IN]->(g:Region)
WHERE g.code <> r.region
DELETE old
;
UNWIND $rows AS r
WITH r, r.id AS key
MERGE (n:Institution {id: key})
SET n.name = r.name, n.tier = r.tier, n.ownership = r.ownership, n.kind = r.kind,
    n.aliases = r.aliases, n.region = r.region
WITH n, r
MATCH (g:Region {code: r.region})
MERGE (n)-[:LOCATED_IN]->(g)
