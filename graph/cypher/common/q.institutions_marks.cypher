// The marks of many institutions at once (Institution.marks through a DataLoader: one read for a page of
// institutions, not one per institution), each from its institution by primary key.
UNWIND $ids AS id
MATCH (i:Institution {id: id})-[:HOLDS]->(m:Mark)
RETURN i.id AS institution, m.id AS id, m.item AS item, m.scope AS scope, m.validFrom AS validFrom,
       m.validTo AS validTo
ORDER BY institution, item, scope, validFrom
