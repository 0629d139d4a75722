// LadybugDB override: in a batch where a field is null in every row, the driver types that field STRING
// and the binder refuses to assign it to a typed property, so typed properties are CAST.
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
    n.aliases = CAST(r.aliases AS STRING[]), n.region = r.region
WITH n, r
MATCH (g:Region {code: r.region})
MERGE (n)-[:LOCATED_IN]->(g)
