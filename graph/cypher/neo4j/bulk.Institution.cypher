// bulk_load('Institution', rows): $rows is a pyarrow Table with the columns id, name, tier, ownership, kind, aliases, region
// (matched by name, any order); every key must be new.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
CREATE (n:Institution {id: r.id})
SET n.name = r.name,
    n.tier = r.tier,
    n.ownership = r.ownership,
    n.kind = r.kind,
    n.aliases = r.aliases,
    n.region = r.region
