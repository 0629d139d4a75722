// bulk_load('Mark', rows): $rows is a pyarrow Table with the columns id, institution, item, scope, validFrom, validTo
// (matched by name, any order); every key must be new.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
CREATE (n:Mark {id: r.id})
SET n.institution = r.institution,
    n.item = r.item,
    n.scope = r.scope,
    n.validFrom = r.validFrom,
    n.validTo = r.validTo
